//! One call: identity, attempts, retries, tracing. The body of the `exec` hook.

use std::time::Instant;

use http::header::AUTHORIZATION;
use tracing::{field, Instrument};

use super::retry::{decide, Decision};
use super::{fault, quirks, Operation, Runtime};
use crate::Error;

/// Sends `request` as `operation_id`, retrying as the runtime's [`RetryPolicy`](super::RetryPolicy)
/// allows; every error is handed back as a fault response (see [`fault`]).
pub(super) async fn run(
    http: &reqwest::Client,
    runtime: &Runtime,
    request: reqwest::Request,
    operation_id: &'static str,
    op: &Operation,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::info_span!(
        "feishu.call",
        operation_id,
        method = %request.method(),
        path = request.url().path(),
        attempt = field::Empty,
        http_status = field::Empty,
        code = field::Empty,
        log_id = field::Empty,
        duration_ms = field::Empty,
    );
    let mut request = request;
    if op.streaming {
        // A file download is bounded by inactivity (the read timeout), not by its total time.
        *request.timeout_mut() = Some(super::STREAMING_TOTAL_TIMEOUT);
    }
    // Clock reads cost on the hot path: the call is timed only when its span is recorded.
    let started = (!span.is_disabled()).then(Instant::now);
    let result = attempts(http, runtime, request, op, &span)
        .instrument(span.clone())
        .await;
    if let Some(started) = started {
        span.record("duration_ms", started.elapsed().as_millis() as u64);
    }
    Ok(match result {
        Ok(response) => response,
        Err(error) => {
            if let Some(code) = error.code() {
                span.record("code", code);
            }
            if let Some(log_id) = error.log_id() {
                span.record("log_id", log_id);
            }
            fault::response(error)
        }
    })
}

async fn attempts(
    http: &reqwest::Client,
    runtime: &Runtime,
    request: reqwest::Request,
    op: &Operation,
    span: &tracing::Span,
) -> Result<reqwest::Response, Error> {
    let policy = &runtime.shared.retry;
    // The retry budget (`max_elapsed`) runs from the first failure: no clock read before one.
    let mut first_failure: Option<Instant> = None;
    let mut spare = Some(request);
    let mut refreshed = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        let Some(original) = spare.take() else {
            unreachable!("a request is kept for every further attempt");
        };
        // Keep a copy for a retry; a streaming body cannot be replayed, so it gets one attempt.
        spare = original.try_clone();
        let mut request = original;

        let identity = runtime.identity(http, op.tokens).await?;
        if let Some(header) = identity.header {
            request.headers_mut().insert(AUTHORIZATION, header);
        }
        let outcome = match http.execute(request).await {
            Ok(response) => {
                span.record("http_status", response.status().as_u16());
                quirks::screen(response, op).await
            }
            Err(e) => Err(Error::from(e)),
        };
        let error = match outcome {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };
        tracing::debug!(attempt, error = %error, "feishu attempt failed");
        let can_retry = spare.is_some() && attempt < policy.max_attempts;
        match decide(policy, &error, attempt) {
            Decision::RefreshToken
                if identity.cached.is_some() && !refreshed && spare.is_some() =>
            {
                if let Some(token) = &identity.cached {
                    runtime.evict(&token.secret).await;
                }
                refreshed = true;
            }
            Decision::Retry(wait)
                if can_retry
                    && first_failure.get_or_insert_with(Instant::now).elapsed() + wait
                        <= policy.max_elapsed =>
            {
                // Boxed: a timer is rare, and its future stays out of every call's state.
                Box::pin(tokio::time::sleep(wait)).await;
            }
            Decision::Retry(_) if attempt > 1 => {
                return Err(Error::RetriesExhausted {
                    attempts: attempt,
                    last: Box::new(error),
                })
            }
            _ => return Err(error),
        }
    }
}
