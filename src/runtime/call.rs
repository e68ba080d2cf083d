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
    request: reqwest::Request,
    operation_id: &'static str,
    op: &'a Operation,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a {
    let (attempts, started, recorded) =
        start(http, runtime, Spare::new(request), operation_id, op, false);
    super::finish(attempts, move |result| {
        Ok(match finished(result, started, &recorded) {
            Ok(Screened::Response(response)) => response,
            Ok(Screened::Delivered) => return answer::delivered(http),
            Ok(Screened::Decoded(decoded)) => match answer::deliver(decoded) {
                Ok(()) => return answer::delivered(http),
                Err(_) => answer::fail(Error::Config(
                    "a decoded answer with no call to take it".into(),
                )),
            },
            Err(error) => answer::fail(error),
        })
    })
}

/// Sends `requests` as [`run`] does, for a call whose answer the runtime decodes (see
/// [`super::send_direct`]): the decoded answer, or the error, goes straight back to the caller.
pub(super) fn run_direct<'a, T: 'static>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    requests: impl Requests + 'a,
    operation_id: &'static str,
    op: &'a Operation,
) -> impl Future<Output = Result<progenitor_client::ResponseValue<T>, Error>> + Send + 'a {
    let (attempts, started, recorded) = start(http, runtime, requests, operation_id, op, true);
    super::finish(attempts, move |result| {
        match finished(result, started, &recorded)? {
            Screened::Decoded(decoded) => answer::typed(decoded),
            Screened::Response(_) | Screened::Delivered => Err(Error::Config(
                "an operation sent directly answered with no decoded value".into(),
            )),
        }
    })
}

/// What [`run`] and [`run_direct`] share: the call's span, the request's settings, the attempts;
/// the start time, when the span is recorded; the span, to record the outcome in.
fn start<'a>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    mut requests: impl Requests + 'a,
    operation_id: &'static str,
    op: &'a Operation,
    direct: bool,
) -> (
    impl Future<Output = Result<Screened, Error>> + Send + 'a,
    Option<Instant>,
    tracing::Span,
) {
    let (span, described) = call_span(requests.first(), operation_id, op);
    // Clock reads cost on the hot path: the call is timed only when its span is recorded.
    let started = (!span.is_disabled()).then(Instant::now);
    let recorded = span.clone();
    let attempts =
        attempts(http, runtime, requests, op, span.clone(), direct, described).instrument(span);
    (attempts, started, recorded)
}

/// The call's span, with the first request's method and path when it is built before the
/// attempts (then `true`), and that request's settings. Apart from [`start`], which is compiled
/// once per kind of requests (per operation for a call sent directly): this is compiled once.
fn call_span(
    first: Option<&mut reqwest::Request>,
    operation_id: &'static str,
    op: &Operation,
) -> (tracing::Span, bool) {
    let described = first.is_some();
    // A first request built at its attempt records its method and path there (see `attempts`).
    let span = tracing::info_span!(
        "feishu.call",
        operation_id,
        method = first
            .as_ref()
            .map(|request| field::display(request.method())),
        path = first.as_ref().map(|request| request.url().path()),
        attempt = field::Empty,
        http_status = field::Empty,
        code = field::Empty,
        log_id = field::Empty,
        duration_ms = field::Empty,
    );
    if let Some(request) = first {
        #[cfg(feishu_upload)]
        super::upload::attach(request);
        if op.file.is_some() {
            // A file download is bounded by inactivity (the read timeout), not by its total time.
            *request.timeout_mut() = Some(super::STREAMING_TOTAL_TIMEOUT);
        }
    }
    (span, described)
}

/// The outcome of the attempts, recorded in the call's span.
fn finished(
    result: Result<Screened, Error>,
    started: Option<Instant>,
    recorded: &tracing::Span,
) -> Result<Screened, Error> {
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

/// The attempts of one call, each sending the request `requests` hands over.
///
/// A thin shell, one per kind of `requests` (one per operation for a call sent directly): it
/// holds them and lends them to [`each_attempt`], whose loop is compiled once for every
/// operation. Being an `async` block, the shell (and the operation's request building, which it
/// reaches) is compiled only where a call is awaited.
fn attempts<'a>(
    http: &'a reqwest::Client,
    runtime: &'a Runtime,
    mut requests: impl Requests + 'a,
    op: &'a Operation,
    span: tracing::Span,
    direct: bool,
    described: bool,
) -> impl Future<Output = Result<Screened, Error>> + Send + 'a {
    // The requests and the span are lent, not moved: a moved value would be held twice in the
    // call's state, once here and once in the loop's.
    async move { each_attempt(http, runtime, &mut requests, op, &span, direct, described).await }
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
    span: &'r tracing::Span,
    direct: bool,
    described: bool,
) -> impl Future<Output = Result<Screened, Error>> + Send + use<'a, 'r> {
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
                let mut request = requests.next()?;
                if !described && attempt == 1 && !span.is_disabled() {
                    span.record("method", field::display(request.method()));
                    span.record("path", request.url().path());
                }
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
                        direct,
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
pub(super) trait Requests: Send {
    /// The first attempt's request, to prepare before any attempt (it is then handed over by
    /// [`next`](Requests::next)); `None` when it is built only at its attempt.
    fn first(&mut self) -> Option<&mut reqwest::Request>;
    /// The request of the next attempt.
    fn next(&mut self) -> Result<reqwest::Request, Error>;
    /// Whether there can be a request for a further attempt.
    fn again(&self) -> bool;
}

/// The requests of a call that progenitor's code built and handed to the `exec` hook: each
/// attempt keeps a copy of its request for the next one (none of a streaming body, which cannot
/// be replayed).
struct Spare(Option<reqwest::Request>);

impl Spare {
    fn new(request: reqwest::Request) -> Self {
        Self(Some(request))
    }
}

impl Requests for Spare {
    fn first(&mut self) -> Option<&mut reqwest::Request> {
        self.0.as_mut()
    }

    fn next(&mut self) -> Result<reqwest::Request, Error> {
        let request = self
            .0
            .take()
            .expect("a request is kept for every further attempt");
        self.0 = spare_copy(&request);
        Ok(request)
    }

    fn again(&self) -> bool {
        self.0.is_some()
    }
}

/// The requests of a call sent directly (see [`super::send_direct`]): each one built from the
/// builder's checked values at its attempt — the first one too, so that no request is held in the
/// call's state (it goes to reqwest at once), and the hot path keeps no copy for a retry.
pub(super) struct Rebuild<B> {
    build: B,
}

impl<B> Rebuild<B> {
    pub(super) fn new(build: B) -> Self {
        Self { build }
    }
}

impl<B, E> Requests for Rebuild<B>
where
    B: Fn() -> Result<reqwest::Request, E> + Send,
    Error: From<E>,
{
    fn first(&mut self) -> Option<&mut reqwest::Request> {
        None
    }

    fn next(&mut self) -> Result<reqwest::Request, Error> {
        (self.build)().map_err(Error::from)
    }

    fn again(&self) -> bool {
        true
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

    /// The runtime boxes this state once per call. Kept within glibc's per-thread cache of small
    /// blocks (up to 1032 bytes), that box is a fast allocation; past it, every call takes the
    /// allocator's slow path. Grows when a value is held across an await in two places — see
    /// `docs/benchmarks.md` for how to find which.
    #[test]
    fn call_state_fits_the_allocators_fast_path() {
        let http = reqwest::Client::new();
        let runtime = runtime();
        let request = reqwest::Request::new(
            http::Method::POST,
            "http://127.0.0.1:1/operation".parse().unwrap(),
        );
        let call = run(&http, &runtime, request, "op", &Operation::UNKNOWN);
        let size = std::mem::size_of_val(&call);
        eprintln!("call state: {size} bytes");
        assert!(size <= 1024, "the call's state grew to {size} bytes");
    }

    /// A call sent directly holds the builder's checked values (here meeting_list's body and
    /// query) and no request (each is built at its attempt): its state, too, stays within the
    /// fast path, and grows by those values only over the call above less its request.
    #[cfg(feature = "vc")]
    #[test]
    fn direct_call_state_fits_the_allocators_fast_path() {
        let http = reqwest::Client::new();
        let runtime = runtime();
        let url: reqwest::Url = "http://127.0.0.1:1/operation".parse().unwrap();
        let values = (
            crate::vc::types::ExportMeetingListRequest::new(1_655_276_858u64, 1_655_363_258u64),
            Some(crate::UserIdType::OpenId),
        );
        let build = move || {
            std::hint::black_box(&values);
            Ok::<_, Error>(reqwest::Request::new(http::Method::POST, url.clone()))
        };
        let values_size = std::mem::size_of_val(&build);
        let requests = Rebuild::new(build);
        let call = run_direct::<()>(&http, &runtime, requests, "op", &Operation::UNKNOWN);
        let size = std::mem::size_of_val(&call);
        eprintln!("direct call state: {size} bytes, {values_size} of them the values");
        let request =
            reqwest::Request::new(http::Method::POST, "http://127.0.0.1:1/".parse().unwrap());
        let plain =
            std::mem::size_of_val(&run(&http, &runtime, request, "op", &Operation::UNKNOWN));
        assert!(size <= 1024, "the direct call's state grew to {size} bytes");
        let request_size = std::mem::size_of::<reqwest::Request>();
        assert!(
            size + request_size <= plain + values_size,
            "the direct call's state is {size} bytes, more than {plain} + {values_size} - \
             {request_size}"
        );
    }
}
