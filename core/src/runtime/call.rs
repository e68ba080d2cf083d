//! One call: identity, attempts, retries, tracing. Below [`super::Sending`].

use std::future::Future;
use std::time::Instant;

use futures::future::Either;

use http::header::{AUTHORIZATION, CONTENT_LENGTH};
use http::{HeaderValue, Method};
use progenitor_client::ResponseValue;
use tracing::{field, Instrument};

use super::quirks::{self, Answer};
use super::retry::{decide, Decision};
use super::{Decode, Operation, Runtime};
use crate::Error;

/// Sends the requests `requests` hands over as `operation_id`, retrying as the runtime's
/// [`RetryPolicy`](super::RetryPolicy) and `requests` allow, and returns the screened answer as
/// the operation's answer type `T`, or the error.
///
/// Compiled once per operation, and kept thin: the call's span ([`call_span`]) and the attempts'
/// loop ([`each_attempt`]) are compiled once for every operation.
pub(super) fn run<'a, T: 'static>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    mut requests: impl Requests + 'a,
    operation_id: &'static str,
    op: &'a Operation,
    decode: Option<Decode>,
) -> impl Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a {
    let (span, started) = call_span(operation_id);
    let recorded = span.clone();
    let lent = span.clone();
    // A thin shell, one per kind of `requests` (an operation's, boxed; an upload's): it holds
    // them and lends them, with the span, to [`each_attempt`], whose loop is compiled once for
    // every operation (a moved value would be held twice in the call's state).
    let attempts =
        async move { each_attempt(http, runtime, &mut requests, op, decode, &lent).await }
            .instrument(span);
    super::finish(attempts, move |result| {
        finished(result, started, &recorded)?.typed()
    })
}

/// The call's span, and the time it starts when the span is recorded. The method and path are
/// recorded at the first attempt, where the request is built.
fn call_span(operation_id: &'static str) -> (tracing::Span, Option<Instant>) {
    let span = tracing::info_span!(
        "feishu.call",
        operation_id,
        method = field::Empty,
        path = field::Empty,
        attempt = field::Empty,
        http_status = field::Empty,
        code = field::Empty,
        log_id = field::Empty,
        duration_ms = field::Empty,
    );
    // Clock reads cost on the hot path: the call is timed only when its span is recorded.
    let started = (!span.is_disabled()).then(Instant::now);
    (span, started)
}

/// The outcome of the attempts, recorded in the call's span.
fn finished(
    result: Result<Answer, Error>,
    started: Option<Instant>,
    recorded: &tracing::Span,
) -> Result<Answer, Error> {
    if let Some(started) = started {
        recorded.record("duration_ms", started.elapsed().as_millis() as u64);
    }
    if let Err(error) = &result {
        if let Some(code) = error.code() {
            recorded.record("code", code);
        }
        if let Some(log_id) = error.log_id() {
            recorded.record("log_id", log_id);
        }
    }
    result
}

/// The attempts' loop, over any [`Requests`].
///
/// An `async move` block rather than an `async fn`: the block uses its captured values in
/// place, where an `async fn` would keep a second copy of each argument in its state.
fn each_attempt<'a, 'r>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    requests: &'r mut (dyn Requests + 'a),
    op: &'a Operation,
    decode: Option<Decode>,
    span: &'r tracing::Span,
) -> impl Future<Output = Result<Answer, Error>> + Send + use<'a, 'r> {
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
            // No request is held across an await here: it goes to reqwest at once.
            let sent = {
                let mut request = requests.next(http)?;
                if attempt == 1 && !span.is_disabled() {
                    span.record("method", field::display(request.method()));
                    span.record("path", request.url().path());
                }
                if op.file.is_some() {
                    // A file download is bounded by inactivity (the read timeout), not by its
                    // total time.
                    *request.timeout_mut() = Some(super::STREAMING_TOTAL_TIMEOUT);
                }
                if let Some(header) = identity.header {
                    request.headers_mut().insert(AUTHORIZATION, header);
                }
                // A POST, PUT or PATCH without a body says so: a gateway may refuse one that
                // announces no length (HTTP 411), and hyper sends none for an absent body.
                if request.body().is_none()
                    && matches!(
                        *request.method(),
                        Method::POST | Method::PUT | Method::PATCH
                    )
                {
                    request
                        .headers_mut()
                        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
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
                        decode,
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
            let can_retry = requests.again() && attempt < policy.max_attempts;
            match decide(policy, &error, attempt) {
                Decision::RefreshToken if cached.is_some() && !refreshed && requests.again() => {
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

/// Where the request of each attempt comes from.
pub trait Requests: Send {
    /// The request of the next attempt (`http` is the client that will send it).
    fn next(&mut self, http: &reqwest::Client) -> Result<reqwest::Request, Error>;
    /// Whether there can be a request for a further attempt.
    fn again(&self) -> bool;
}

/// An operation's requests as its `send()` hands them over: boxed, so that the generated code
/// names one type for every operation instead of an `impl Requests` whose hidden type rustc
/// infers and checks for each one (one allocation per call).
pub type Prepared<'a> = Box<dyn Requests + 'a>;

impl Requests for Prepared<'_> {
    fn next(&mut self, http: &reqwest::Client) -> Result<reqwest::Request, Error> {
        (**self).next(http)
    }

    fn again(&self) -> bool {
        (**self).again()
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::Plan;
    use super::*;

    /// A runtime with the default settings and no app credentials.
    fn runtime() -> Runtime {
        Runtime::new(
            super::super::Shared {
                base_url: "http://127.0.0.1:1".into(),
                retry: super::super::RetryPolicy::default(),
                max_response_bytes: crate::DEFAULT_MAX_RESPONSE_BYTES,
                tokens: None,
            },
            None,
        )
    }

    /// What the runtime knows of an operation it has no table for: no token, JSON.
    const OPERATION: Operation = Operation {
        tokens: &[],
        rules: &[],
        errors: super::super::ErrorTable::NONE,
        file: None,
    };

    /// The size of a call's state whose request is `plan`'s.
    fn state_size(plan: Plan) -> usize {
        let http = reqwest::Client::new();
        let runtime = runtime();
        let requests = plan.prepared().expect("a valid plan");
        let call = run::<()>(&http, &runtime, requests, "op", &OPERATION, None);
        std::mem::size_of_val(&call)
    }

    /// The runtime boxes this state once per call. Kept within glibc's per-thread cache of small
    /// blocks (up to 1032 bytes), that box is a fast allocation; past it, every call takes the
    /// allocator's slow path. Grows when a value is held across an await in two places — see
    /// `docs/benchmarks.md` for how to find which. A call holds its builder's checked values
    /// (once, in their own box) and no request (each is built at its attempt): the state does
    /// not grow with them.
    #[test]
    fn call_state_fits_the_allocators_fast_path() {
        let plan = || Plan::new(Method::POST, "http://127.0.0.1:1", "/operation", &[]);
        let size = state_size(plan());
        eprintln!("call state: {size} bytes");
        assert!(size <= 1024, "the call's state grew to {size} bytes");
        assert_eq!(state_size(plan().json(vec![0; 256])), size);
    }
}
