//! Waiting for an export task: polling `export_get` with backoff, within Feishu's rate limit and
//! a deadline.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{ExportFile, ExportStatus, ExportTask};
use crate::Error;

/// The shortest pause between two polls that Feishu's documented limit allows: 100 requests per
/// minute per app and tenant.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(600);

/// How many failures in a row that may pass (a 5xx, a timeout, a dropped connection — each
/// already retried by the runtime) a wait survives before it gives up with the last one.
const MAX_TRANSIENT_FAILURES: u32 = 3;

/// Each pause is this many times the previous one, up to [`WaitOptions::max_interval`].
const GROWTH: f64 = 1.5;

/// Where a wait is, as given to the callback of [`WaitOptions::on_progress`] after every poll.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitProgress {
    /// The status Feishu last reported; `None` before its first answer.
    pub status: Option<ExportStatus>,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// Polls made so far, this one included.
    pub polls: u32,
    /// This poll was rate limited: the wait slows down.
    pub rate_limited: bool,
    /// The pause before the next poll; `None` when the wait is over.
    pub next_poll_in: Option<Duration>,
}

type ProgressFn = Arc<dyn Fn(&WaitProgress) + Send + Sync>;

/// How [`ExportTask::wait`] polls: a first pause near one second that grows 1.5× per poll up to
/// a cap, never below [`MIN_POLL_INTERVAL`], within an overall deadline.
///
/// ```
/// use std::time::Duration;
/// use feishu_openapi::vc::export::WaitOptions;
///
/// let options = WaitOptions::default()
///     .deadline(Duration::from_secs(30 * 60))
///     .on_progress(|p| eprintln!("{:?} after {:?} ({} polls)", p.status, p.elapsed, p.polls));
/// assert_eq!(options.first_interval(), Duration::from_secs(1));
/// ```
///
/// A rate-limited poll (HTTP 429 or code 99991400, which the runtime has already retried) does
/// not end the wait: the pause doubles, and is at least the time Feishu says its window needs to
/// reset. Up to three failures in a row that may pass (5xx, timeouts, connection errors) are
/// survived the same way. Other errors end the wait at once.
#[derive(Clone)]
pub struct WaitOptions {
    interval: Duration,
    max_interval: Duration,
    min_interval: Duration,
    deadline: Duration,
    progress: Option<ProgressFn>,
}

impl Default for WaitOptions {
    /// A first pause of 1 s, growing to at most 10 s; a deadline of 10 minutes.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            min_interval: MIN_POLL_INTERVAL,
            deadline: Duration::from_secs(600),
            progress: None,
        }
    }
}

impl WaitOptions {
    /// The pause after the first poll (default 1 s; never below the
    /// [`min_interval`](Self::min_interval)).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest pause between two polls (default 10 s). A rate-limit reset may be longer.
    pub fn max_interval(mut self, max: Duration) -> Self {
        self.max_interval = max;
        self
    }

    /// The shortest pause between two polls (default [`MIN_POLL_INTERVAL`], 600 ms, the
    /// documented limit of 100 requests per minute). Lower it only for a server without that
    /// limit, such as the fake Feishu in tests.
    pub fn min_interval(mut self, min: Duration) -> Self {
        self.min_interval = min;
        self
    }

    /// How long to wait in all before giving up with [`Error::TaskDeadline`], which carries
    /// the task id to resume with (default 10 minutes). The task goes on at Feishu either way.
    ///
    /// It is checked between polls: one poll may take longer (a slow answer, or the runtime
    /// waiting out a rate limit before its own retry, see [`RetryPolicy`](feishu_openapi_core::RetryPolicy)).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Calls `progress` after every poll, with the status, the time elapsed and the polls so far
    /// (e.g. to drive a spinner).
    pub fn on_progress(mut self, progress: impl Fn(&WaitProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The pause after the first poll, once the floor is applied.
    pub fn first_interval(&self) -> Duration {
        self.interval.max(self.min_interval)
    }

    fn cap(&self) -> Duration {
        self.max_interval.max(self.min_interval)
    }

    fn report(&self, progress: WaitProgress) {
        if let Some(callback) = &self.progress {
            callback(&progress);
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("interval", &self.interval)
            .field("max_interval", &self.max_interval)
            .field("min_interval", &self.min_interval)
            .field("deadline", &self.deadline)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What one poll said about the next one.
enum Next {
    /// Still processing: wait this long.
    Poll {
        pause: Duration,
        rate_limited: bool,
    },
    Over(Result<ExportFile, Error>),
}

pub(super) async fn wait(task: &ExportTask, options: &WaitOptions) -> Result<ExportFile, Error> {
    let started = Instant::now();
    let mut interval = options.first_interval();
    let mut status = None;
    let mut polls = 0u32;
    let mut failures = 0u32;
    loop {
        polls += 1;
        let next = match task.status().await {
            Ok(result) => {
                failures = 0;
                status = Some(result.status);
                match result.status {
                    // A status new to this crate may be a new stage before the file: waited on
                    // like processing, up to the deadline (the progress reports it).
                    ExportStatus::Processing | ExportStatus::Other(_) => Next::Poll {
                        pause: interval,
                        rate_limited: false,
                    },
                    ExportStatus::Failed => Next::Over(Err(Error::TaskFailed {
                        task: "export",
                        task_id: task.task_id().to_string(),
                        message: result.fail_msg.unwrap_or_default(),
                    })),
                    ExportStatus::Done => Next::Over(ExportFile::done(task, result)),
                }
            }
            Err(error) => match error.root() {
                Error::RateLimited { reset, .. } => {
                    interval = (interval * 2).min(options.cap());
                    Next::Poll {
                        pause: reset.unwrap_or_default().max(interval),
                        rate_limited: true,
                    }
                }
                root if passing(root) && failures < MAX_TRANSIENT_FAILURES => {
                    failures += 1;
                    Next::Poll {
                        pause: interval,
                        rate_limited: false,
                    }
                }
                _ => Next::Over(Err(error)),
            },
        };
        let elapsed = started.elapsed();
        let (pause, rate_limited) = match next {
            Next::Over(result) => {
                options.report(WaitProgress {
                    status,
                    elapsed,
                    polls,
                    rate_limited: false,
                    next_poll_in: None,
                });
                return result;
            }
            Next::Poll {
                pause,
                rate_limited,
            } => (pause, rate_limited),
        };
        let remaining = options.deadline.saturating_sub(elapsed);
        // A last poll at the deadline, unless it would come too soon or inside a rate-limit
        // window that is known not to have reset by then.
        if remaining < options.min_interval || (rate_limited && pause > remaining) {
            options.report(WaitProgress {
                status,
                elapsed,
                polls,
                rate_limited,
                next_poll_in: None,
            });
            return Err(Error::TaskDeadline {
                task: "export",
                task_id: task.task_id().to_string(),
                waited: elapsed,
            });
        }
        let pause = pause.min(remaining);
        options.report(WaitProgress {
            status,
            elapsed,
            polls,
            rate_limited,
            next_poll_in: Some(pause),
        });
        tokio::time::sleep(pause).await;
        if !rate_limited {
            interval = interval.mul_f64(GROWTH).min(options.cap());
        }
    }
}

/// Failures that may pass on their own: server errors, timeouts, connection problems.
fn passing(error: &Error) -> bool {
    match error {
        Error::Api(api) => api.is_retryable(),
        Error::Undecodable { status, .. } => *status >= 500,
        Error::Timeout(_) | Error::Transport(_) => true,
        _ => false,
    }
}
