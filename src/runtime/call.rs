//! One call: identity, attempts, retries, tracing. The body of the `exec` hook.

use std::future::Future;
use std::time::Instant;

use futures::future::Either;

use http::header::AUTHORIZATION;
use tracing::{field, Instrument};

use super::quirks::Screened;
use super::retry::{decide, Decision};
use super::{answer, quirks, Operation, Runtime};
use crate::Error;

/// Sends `request` as `operation_id`, retrying as the runtime's [`RetryPolicy`](super::RetryPolicy)
/// allows; every error is handed back as a fault response (see [`fault`]).
///
/// A plain function around the `async` block of [`attempts`]: the request is held in exactly
/// one place of the call's state (the runtime boxes that state, so its size is what every call
/// allocates).
pub(super) fn run<'a>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    mut request: reqwest::Request,
    operation_id: &'static str,
    op: &'a Operation,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a {
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
    #[cfg(feishu_upload)]
    super::upload::attach(&mut request);
    if op.file.is_some() {
        // A file download is bounded by inactivity (the read timeout), not by its total time.
        *request.timeout_mut() = Some(super::STREAMING_TOTAL_TIMEOUT);
    }
    // Clock reads cost on the hot path: the call is timed only when its span is recorded.
    let started = (!span.is_disabled()).then(Instant::now);
    let recorded = span.clone();
    let attempts = attempts(http, runtime, Some(request), op, span.clone()).instrument(span);
    super::finish(attempts, move |result| {
        if let Some(started) = started {
            recorded.record("duration_ms", started.elapsed().as_millis() as u64);
        }
        Ok(match result {
            Ok(Screened::Response(response)) => response,
            Ok(Screened::Delivered) => return answer::delivered(http),
            Err(error) => {
                if let Some(code) = error.code() {
                    recorded.record("code", code);
                }
                if let Some(log_id) = error.log_id() {
                    recorded.record("log_id", log_id);
                }
                answer::fail(error)
            }
        })
    })
}

/// The attempts of one call. `spare` holds the request for the next attempt (`None` once a
/// streaming body, which cannot be replayed, has been sent).
///
/// An `async move` block rather than an `async fn`: the block uses its captured values in
/// place, where an `async fn` would keep a second copy of each argument (of the request above
/// all) in its state.
fn attempts<'a>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    mut spare: Option<reqwest::Request>,
    op: &'a Operation,
    span: tracing::Span,
) -> impl Future<Output = Result<Screened, Error>> + Send + 'a {
    let policy = &runtime.shared.retry;
    async move {
        // The retry budget (`max_elapsed`) runs from the first failure: no clock read before one.
        let mut first_failure: Option<Instant> = None;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let identity = runtime.identity(http, op.tokens).await?;
            // No request is held across an await: it goes to reqwest here, its copy back to `spare`.
            let sent = {
                let Some(mut request) = spare.take() else {
                    unreachable!("a request is kept for every further attempt");
                };
                spare = spare_copy(&request);
                if let Some(header) = identity.header {
                    request.headers_mut().insert(AUTHORIZATION, header);
                }
                http.execute(request)
            };
            let cached = identity.cached;
            // The response goes into the screening future within one statement: a response held
            // in a local, or a `Result` matched after an await, would stay in the call's state.
            let screened = match sent.await {
                Ok(response) => {
                    span.record("http_status", response.status().as_u16());
                    Either::Left(quirks::screen(
                        response,
                        op,
                        runtime.shared.max_response_bytes,
                    ))
                }
                Err(e) => Either::Right(std::future::ready(Err(Error::from(e)))),
            };
            let error = match screened.await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            tracing::debug!(attempt, error = %error, "feishu attempt failed");
            let can_retry = spare.is_some() && attempt < policy.max_attempts;
            match decide(policy, &error, attempt) {
                Decision::RefreshToken if cached.is_some() && !refreshed && spare.is_some() => {
                    if let Some(token) = &cached {
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
}

/// A copy of `request` for a further attempt, or `None` when its body is a stream.
///
/// `reqwest::Request::try_clone` does the same but always allocates room for a per-request
/// timeout and then replaces it; on the hot path, where the copy is almost never used, this
/// copies only what the request has.
fn spare_copy(request: &reqwest::Request) -> Option<reqwest::Request> {
    let body = match request.body() {
        Some(body) => Some(reqwest::Body::from(body.as_bytes()?.to_vec())),
        None => None,
    };
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    // The per-request timeout is the only setting a request carries besides these.
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    *copy.body_mut() = body;
    Some(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runtime boxes this state once per call. Kept within glibc's per-thread cache of small
    /// blocks (up to 1032 bytes), that box is a fast allocation; past it, every call takes the
    /// allocator's slow path. Grows when a value is held across an await in two places — see
    /// `docs/benchmarks.md` for how to find which.
    #[test]
    fn call_state_fits_the_allocators_fast_path() {
        let http = reqwest::Client::new();
        let runtime = Runtime::new(
            super::super::Shared {
                base_url: "http://127.0.0.1:1".into(),
                retry: super::super::RetryPolicy::default(),
                max_response_bytes: crate::DEFAULT_MAX_RESPONSE_BYTES,
                tokens: None,
            },
            None,
        );
        let request = reqwest::Request::new(
            http::Method::POST,
            "http://127.0.0.1:1/open-apis/vc/v1/exports/meeting_list"
                .parse()
                .unwrap(),
        );
        let call = run(&http, &runtime, request, "op", &Operation::UNKNOWN);
        let size = std::mem::size_of_val(&call);
        println!("call state: {size} bytes");
        assert!(size <= 1024, "the call's state grew to {size} bytes");
    }
}
