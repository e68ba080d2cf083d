//! When to try a call again, and how long to wait first.

use std::time::Duration;

use crate::{Error, ErrorKind};

/// Bounds on retries. Rate limits (HTTP 429 or code 99991400) wait for `x-ogw-ratelimit-reset`;
/// 5xx, codes the spec marks `retryable` and connection failures back off exponentially with
/// jitter. Parameter and permission errors, timeouts (the request may have been processed) and
/// bodies that cannot be replayed are never retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3; 1 turns retries off).
    pub max_attempts: u32,
    /// The first back-off (default 200 ms); it doubles per attempt.
    pub initial_backoff: Duration,
    /// The largest back-off (default 5 s).
    pub max_backoff: Duration,
    /// The longest wait for a rate-limit window to reset (default 60 s); a longer reset is not
    /// waited for.
    pub max_rate_limit_wait: Duration,
    /// No retry starts after this much time since the first failure (default 120 s).
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_rate_limit_wait: Duration::from_secs(60),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Exponential back-off with "equal jitter": half fixed, half random.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_backoff);
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// What to do after an attempt failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Final: return the error.
    Stop,
    /// The cached token is invalid: evict it and try again at once (once per call).
    RefreshToken,
    /// Wait this long, then try again (if attempts and time allow).
    Retry(Duration),
}

pub(crate) fn decide(policy: &RetryPolicy, error: &Error, attempt: u32) -> Decision {
    match error {
        Error::RateLimited { reset, .. } => match reset {
            Some(reset) if *reset > policy.max_rate_limit_wait => Decision::Stop,
            Some(reset) => Decision::Retry(*reset + Duration::from_millis(fastrand::u64(0..100))),
            None => Decision::Retry(policy.backoff(attempt)),
        },
        Error::Api(api) if api.kind() == ErrorKind::AccessTokenInvalid => Decision::RefreshToken,
        Error::Api(api) if api.is_retryable() => Decision::Retry(policy.backoff(attempt)),
        Error::Undecodable { status, .. } if *status >= 500 => {
            Decision::Retry(policy.backoff(attempt))
        }
        Error::Transport(e) if e.is_connect() => Decision::Retry(policy.backoff(attempt)),
        _ => Decision::Stop,
    }
}
