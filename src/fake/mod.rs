//! A fake Feishu for your own tests (cargo feature `fake`): a real HTTP/1 server on 127.0.0.1
//! that checks requests like the real service and remembers what it received.
//!
//! ```
//! use feishu_openapi::fake::FakeFeishu;
//! use feishu_openapi::vc::{types::ExportMeetingListRequest, MeetingFilter, MeetingType};
//! use feishu_openapi::{AccessToken, FeishuClient};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), feishu_openapi::Error> {
//! let fake = FakeFeishu::start().await;
//! let feishu = FeishuClient::builder()
//!     .base_url(fake.base_url())
//!     .access_token(AccessToken::tenant(fake.tenant_access_token()))
//!     .build()?;
//!
//! let body = ExportMeetingListRequest::new(1_655_276_858_u64, 1_655_363_258_u64)
//!     .with_filter(MeetingFilter::MeetingType(MeetingType::Video));
//! let created = feishu.vc().export_meeting_list().body(body).call().await?;
//!
//! let task_id = created.task_id;
//! assert_eq!(task_id.len(), 19);
//! assert_eq!(fake.meeting_list_requests(), 1);
//! assert_eq!(fake.tasks()[0].task_id, task_id);
//! # Ok(()) }
//! ```
//!
//! What it serves, and how it answers (every response carries an `X-Tt-Logid` header, every
//! error body `error.log_id`; JSON responses are `application/json; charset=utf-8`):
//!
//! | endpoint | checks | errors |
//! |---|---|---|
//! | `POST /open-apis/auth/v3/tenant_access_token/internal` | `app_id`, `app_secret` | missing field: 10003 `invalid param`; unknown app id: 99991543; wrong secret: 10014 `app secret invalid` (all HTTP 400) |
//! | `POST /open-apis/vc/v1/exports/meeting_list` | bearer token, `user_id_type`, body | see below |
//! | `GET /open-apis/vc/v1/exports/{task_id}` (digits) | bearer token | unknown task: 121004 `data not exist` at HTTP 404 |
//! | `GET /open-apis/vc/v1/exports/download?file_token=…` | bearer token, `file_token` | missing `file_token`: 121003 at HTTP 400; unknown, or of a task not done: 121004 at HTTP 404 |
//!
//! Every business API first checks the bearer token — missing: 99991661; neither `t-…` nor
//! `u-…`: 99991671; an unknown or expired tenant token: 99991663; an unknown user token: 99991668
//! (all at HTTP 400, a choice: Feishu does not document the status). The meeting-list export
//! then checks the parameters:
//! `user_id_type` one of `open_id` / `union_id` / `user_id`; `start_time`, `end_time` strings of
//! digits with start ≤ end; `meeting_status` and `meeting_type` in 1–3; `meeting_no` 9 digits;
//! `user_id`, `room_id` non-empty; and **at most one** of `meeting_no` / `user_id` / `room_id` /
//! `meeting_type`. Any parameter problem is 121003 `param error` at HTTP 400, like the real
//! service, with `error.field_violations` naming the fields. On success it stores an
//! [`ExportTask`] and answers `{"code":0,"msg":"success","data":{"task_id":"<19 digits>"}}`.
//!
//! A task answers `{"status":1}` (processing) to its first
//! [`export_processing_polls`](FakeFeishuBuilder::export_processing_polls) polls (default
//! [`DEFAULT_PROCESSING_POLLS`]), then `{"status":3,"url":…,"file_token":…}` (done) — or
//! `{"status":2,"fail_msg":…}` with [`export_fails`](FakeFeishuBuilder::export_fails);
//! [`finish_task`](FakeFeishu::finish_task) ends one at its next poll. Its `file_token` contains
//! `+`, `/` and `=`, like Feishu's. The download is a real `.xlsx` workbook (a minimal Office Open
//! XML package) with a header row and one row per meeting of the task's range and filter, with
//! `Content-Length` and `Content-Disposition: attachment; filename="会议明细_<from>-<to>.xlsx"`
//! (raw UTF-8, as Feishu sends it; [`set_content_disposition`](FakeFeishu::set_content_disposition)
//! sends anything else). [`synthetic_download`](FakeFeishuBuilder::synthetic_download) replaces
//! the workbook by any number of filler bytes, streamed, for memory and throughput measurements.
//!
//! **Every other operation of every enabled service** (cargo features) is answered from its spec:
//! the bearer token checked when the operation takes one (as above); required query parameters,
//! their enums, and a JSON body's required fields, JSON types and enums checked — a bad one is
//! `99991661`… for tokens, else 99992402 `field validation failed` at HTTP 400 with
//! `field_violations` naming it; then the spec's 200 example (or a minimal answer of its schema),
//! or for a file operation a small file of the declared kind.
//!
//! Any other path or method gets HTTP 404 `404 page not found` as plain text, like Feishu's
//! gateway.
//!
//! **Faults.** [`inject`](FakeFeishu::inject) spoils the next request to an [`Endpoint`] with a
//! [`Fault`]: a rate limit (HTTP 429, 99991400, `x-ogw-ratelimit-reset`), a 500 (121001), a 502
//! HTML page, any Feishu error at any status (200 included), token expiry, a delayed answer, or,
//! for downloads, a body cut off midway, a stall, or a slow trickle:
//!
//! ```
//! use std::time::Duration;
//! use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
//! use feishu_openapi::vc::export::{MeetingListExport, WaitOptions};
//! use feishu_openapi::vc::types::ExportMeetingListRequest;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), feishu_openapi::Error> {
//! let fake = FakeFeishu::builder().export_processing_polls(2).start().await;
//! fake.inject(Endpoint::ExportGet, Fault::RateLimited { reset_secs: 0 });
//! fake.inject(Endpoint::ExportDownload, Fault::CutOff { after_bytes: 100 });
//!
//! let export = MeetingListExport::new(ExportMeetingListRequest::new(1_655_276_858_u64, 1_655_363_258_u64));
//! let fast = WaitOptions::default()
//!     .min_interval(Duration::from_millis(5))
//!     .interval(Duration::from_millis(5));
//! let file = export.create(&fake.client()).await?.wait(&fast).await?; // survives the rate limit
//! let dir = std::env::temp_dir();
//! let cut = file.download().save_in(&dir).await;                      // cut off: nothing saved
//! assert!(cut.is_err());
//! let saved = file.download().save_in(&dir).await?;                   // whole this time
//! assert_eq!(fake.tasks()[0].downloads, 2);
//! # std::fs::remove_file(saved.path).unwrap();
//! # Ok(()) }
//! ```
//!
//! The server runs on the Tokio runtime that starts it and stops when the [`FakeFeishu`] is
//! dropped.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

mod fault;
mod generic;
mod reply;
mod routes;
mod state;
mod validate;
mod xlsx;

pub use fault::{Endpoint, Fault};
pub use routes::{
    EXPORT_DOWNLOAD_PATH, EXPORT_MEETING_LIST_PATH, EXPORT_TASK_PATH_PREFIX,
    TENANT_ACCESS_TOKEN_PATH,
};
pub use state::{ExportTask, RecordedRequest};

use reply::{Body, Reply};
use state::{lock, Config, Disposition, DownloadConfig, Shared, State};

/// The app id the fake accepts unless [`FakeFeishuBuilder::app_credentials`] says otherwise.
pub const DEFAULT_APP_ID: &str = "cli_fake0000000000";
/// The app secret the fake accepts unless [`FakeFeishuBuilder::app_credentials`] says otherwise.
pub const DEFAULT_APP_SECRET: &str = "fake-app-secret";
/// The lifetime of the tenant access tokens it issues, unless [`FakeFeishuBuilder::token_ttl`]
/// says otherwise: 7200 s, like Feishu.
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 7200;

/// How many polls of a new export task answer "processing" unless
/// [`FakeFeishuBuilder::export_processing_polls`] says otherwise.
pub const DEFAULT_PROCESSING_POLLS: u32 = 1;

/// Request bodies larger than this are refused with HTTP 413.
const MAX_BODY_BYTES: usize = 1 << 20;

/// A running fake Feishu on `127.0.0.1` (a random port). Stops when dropped.
///
/// Start one with [`FakeFeishu::start`], or [`FakeFeishu::builder`] for options; point a client
/// at [`base_url`](Self::base_url) with [`tenant_access_token`](Self::tenant_access_token) (or
/// use [`client`](Self::client)); afterwards, assert on [`requests`](Self::requests) and
/// [`tasks`](Self::tasks). See the [module documentation](self) for what it checks.
pub struct FakeFeishu {
    addr: SocketAddr,
    base_url: String,
    state: Shared,
    server: JoinHandle<()>,
}

impl FakeFeishu {
    /// Starts a fake with the default options.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, or when no port on 127.0.0.1 can be bound (see
    /// [`FakeFeishuBuilder::try_start`] to handle that).
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// A builder for a fake with options.
    pub fn builder() -> FakeFeishuBuilder {
        FakeFeishuBuilder::default()
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A tenant access token issued when the fake started: accepted until it expires (after the
    /// configured [`token_ttl`](FakeFeishuBuilder::token_ttl)) or
    /// [`expire_tenant_tokens`](Self::expire_tenant_tokens) is called. Asking for it is not a
    /// token request.
    pub fn tenant_access_token(&self) -> String {
        lock(&self.state).initial_token().to_string()
    }

    /// The app id it accepts at the token endpoint.
    pub fn app_id(&self) -> String {
        lock(&self.state).config.app_id.clone()
    }

    /// The app secret it accepts at the token endpoint.
    pub fn app_secret(&self) -> String {
        lock(&self.state).config.app_secret.clone()
    }

    /// A client for this fake, calling with [`tenant_access_token`](Self::tenant_access_token).
    pub fn client(&self) -> crate::FeishuClient {
        crate::FeishuClient::builder()
            .base_url(self.base_url.clone())
            .access_token(crate::AccessToken::tenant(self.tenant_access_token()))
            .build()
            .expect("a loopback http base URL is accepted")
    }

    /// Makes every tenant access token issued so far invalid, as when their two hours are up:
    /// business APIs then answer 99991663 until a new token is fetched.
    pub fn expire_tenant_tokens(&self) {
        lock(&self.state).expire_tenant_tokens();
    }

    /// Every request received so far, in arrival order, whatever the answer.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests().to_vec()
    }

    /// How many requests reached the token endpoint (successful or not).
    pub fn token_requests(&self) -> usize {
        self.count(TENANT_ACCESS_TOKEN_PATH)
    }

    /// How many requests reached the meeting-list export (accepted or refused).
    pub fn meeting_list_requests(&self) -> usize {
        self.count(EXPORT_MEETING_LIST_PATH)
    }

    fn count(&self, path: &str) -> usize {
        lock(&self.state)
            .requests()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// How many requests reached `GET /open-apis/vc/v1/exports/{task_id}` (polls, answered or
    /// not).
    pub fn export_get_requests(&self) -> usize {
        lock(&self.state)
            .requests()
            .iter()
            .filter(|r| Endpoint::of(&r.method, &r.path) == Some(Endpoint::ExportGet))
            .count()
    }

    /// How many requests reached the download (answered or not).
    pub fn download_requests(&self) -> usize {
        self.count(EXPORT_DOWNLOAD_PATH)
    }

    /// Spoils the next request to `endpoint` with `fault` (see [`Fault`]); faults wait in a
    /// queue, each used once, in the order injected. Any operation of an enabled service can be
    /// aimed at by its operationId: `Endpoint::Operation("chat_list")`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
    /// let fake = FakeFeishu::start().await;
    /// fake.inject(Endpoint::ExportGet, Fault::RateLimited { reset_secs: 1 });
    /// fake.inject(Endpoint::ExportDownload, Fault::CutOff { after_bytes: 100 });
    /// # }
    /// ```
    pub fn inject(&self, endpoint: Endpoint, fault: Fault) {
        lock(&self.state).inject(endpoint, fault);
    }

    /// Ends the export task `task_id` at its next poll: done, or failed with `fail_msg`.
    /// Returns `false` when there is no such task.
    pub fn finish_task(&self, task_id: &str, fail_msg: Option<&str>) -> bool {
        match lock(&self.state).task_mut(task_id) {
            Some(task) => {
                task.finish(fail_msg.map(str::to_string));
                true
            }
            None => false,
        }
    }

    /// Sends these bytes as the `Content-Disposition` of downloads from now on, as they are (a
    /// hostile name, another encoding); `None` sends no such header.
    pub fn set_content_disposition(&self, value: Option<&[u8]>) {
        lock(&self.state).config.download.disposition = match value {
            Some(bytes) => Disposition::Custom(bytes.to_vec()),
            None => Disposition::Absent,
        };
    }

    /// Every export task created so far, oldest first.
    pub fn tasks(&self) -> Vec<ExportTask> {
        lock(&self.state).tasks().to_vec()
    }

    /// The export task with this id.
    pub fn task(&self, task_id: &str) -> Option<ExportTask> {
        lock(&self.state)
            .tasks()
            .iter()
            .find(|t| t.task_id == task_id)
            .cloned()
    }
}

impl Drop for FakeFeishu {
    fn drop(&mut self) {
        // Cancels the accept loop; its JoinSet, dropped with it, cancels every connection.
        self.server.abort();
    }
}

impl fmt::Debug for FakeFeishu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeFeishu")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Options of a [`FakeFeishu`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use feishu_openapi::fake::FakeFeishu;
/// let fake = FakeFeishu::builder()
///     .app_credentials("cli_test", "s3cret")
///     .token_ttl(60)
///     .user_access_token("u-alice")
///     .start()
///     .await;
/// assert_eq!(fake.app_id(), "cli_test");
/// # }
/// ```
#[derive(Clone)]
pub struct FakeFeishuBuilder {
    config: Config,
}

impl Default for FakeFeishuBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                app_id: DEFAULT_APP_ID.into(),
                app_secret: DEFAULT_APP_SECRET.into(),
                token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECS),
                user_tokens: Vec::new(),
                processing_polls: DEFAULT_PROCESSING_POLLS,
                fail_msg: None,
                download: DownloadConfig {
                    synthetic_size: None,
                    content_length: true,
                    disposition: Disposition::Default,
                },
                base_url: String::new(),
            },
        }
    }
}

impl FakeFeishuBuilder {
    /// The app id and secret the token endpoint accepts (default [`DEFAULT_APP_ID`],
    /// [`DEFAULT_APP_SECRET`]).
    pub fn app_credentials(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.config.app_id = app_id.into();
        self.config.app_secret = app_secret.into();
        self
    }

    /// The lifetime of the tenant access tokens it issues, in seconds: answered as `expire`, and
    /// a token is refused (99991663) once it is up. Default [`DEFAULT_TOKEN_TTL_SECS`].
    pub fn token_ttl(mut self, secs: u64) -> Self {
        self.config.token_ttl = Duration::from_secs(secs);
        self
    }

    /// Also accept this user access token (`u-…`); other user tokens get 99991668.
    pub fn user_access_token(mut self, token: impl Into<String>) -> Self {
        self.config.user_tokens.push(token.into());
        self
    }

    /// Export tasks answer "processing" to this many polls, then done (default
    /// [`DEFAULT_PROCESSING_POLLS`]; 0: done at the first poll).
    pub fn export_processing_polls(mut self, polls: u32) -> Self {
        self.config.processing_polls = polls;
        self
    }

    /// Export tasks end as failed, with this `fail_msg`, instead of done.
    pub fn export_fails(mut self, fail_msg: impl Into<String>) -> Self {
        self.config.fail_msg = Some(fail_msg.into());
        self
    }

    /// Downloads send `bytes` filler bytes, made as they are sent, instead of the workbook: for
    /// memory and throughput measurements (the fake's own memory does not grow with the size).
    pub fn synthetic_download(mut self, bytes: u64) -> Self {
        self.config.download.synthetic_size = Some(bytes);
        self
    }

    /// Whether downloads carry a `Content-Length` (default `true`); without it the body is
    /// chunked and the client does not know the size in advance.
    pub fn download_content_length(mut self, send: bool) -> Self {
        self.config.download.content_length = send;
        self
    }

    /// Starts the fake.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, or when no port on 127.0.0.1 can be bound.
    pub async fn start(self) -> FakeFeishu {
        match self.try_start().await {
            Ok(fake) => fake,
            Err(e) => panic!("cannot start the fake Feishu on 127.0.0.1: {e}"),
        }
    }

    /// Starts the fake, or says why it could not bind a port.
    pub async fn try_start(self) -> std::io::Result<FakeFeishu> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let mut config = self.config;
        config.base_url = format!("http://{addr}");
        let state: Shared = Arc::new(Mutex::new(State::new(config)));
        let server = tokio::spawn(serve(listener, state.clone()));
        Ok(FakeFeishu {
            addr,
            base_url: format!("http://{addr}"),
            state,
            server,
        })
    }
}

impl fmt::Debug for FakeFeishuBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeFeishuBuilder")
            .field("app_id", &self.config.app_id)
            .field("app_secret", &"<redacted>")
            .field("token_ttl", &self.config.token_ttl)
            .field("user_tokens", &self.config.user_tokens.len())
            .field("processing_polls", &self.config.processing_polls)
            .field("fail_msg", &self.config.fail_msg)
            .field("download", &self.config.download)
            .finish()
    }
}

/// The accept loop: one task per connection, all owned by a `JoinSet` so that cancelling this
/// task closes every connection.
async fn serve(listener: TcpListener, state: Shared) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // e.g. out of file descriptors: give connections time to finish.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| handle(state.clone(), request));
                    // A client closing its connection mid-request is not the fake's problem.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: read the body, record it, route it, and answer with a log id.
async fn handle(state: Shared, request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map(|c| c.to_bytes());
    let (reply, delay, log_id) = {
        let mut state = lock(&state);
        let log_id = state.next_log_id();
        match body {
            Ok(body) => {
                let recorded = RecordedRequest::new(&parts, body);
                state.record(recorded.clone());
                let operation = Endpoint::of(&recorded.method, &recorded.path)
                    .and_then(Endpoint::operation_id)
                    .or_else(|| generic::operation_id(&recorded.method, &recorded.path));
                let fault = state.take_fault(operation);
                let (reply, delay) = answer(&mut state, &recorded, fault);
                (reply, delay, log_id)
            }
            Err(_) => (
                Reply::error(StatusCode::PAYLOAD_TOO_LARGE, 121003, "param error").with_message(
                    format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
                ),
                None,
                log_id,
            ),
        }
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    Ok(reply.into_response(&log_id))
}

/// The answer to a request, spoiled by `fault` when there is one; and how long to hold it back.
fn answer(
    state: &mut State,
    request: &RecordedRequest,
    fault: Option<Fault>,
) -> (Reply, Option<Duration>) {
    match fault {
        None => (routes::route(state, request), None),
        Some(Fault::RateLimited { reset_secs }) => (Reply::RateLimited { reset_secs }, None),
        Some(Fault::ServerError) => (
            Reply::error(StatusCode::INTERNAL_SERVER_ERROR, 121001, "internal error"),
            None,
        ),
        Some(Fault::BadGateway) => (
            Reply::Html {
                status: StatusCode::BAD_GATEWAY,
                body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
            },
            None,
        ),
        Some(Fault::Error { status, code, msg }) => (
            Reply::error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                code,
                &msg,
            ),
            None,
        ),
        Some(Fault::TokenExpired) => {
            state.expire_tenant_tokens();
            (routes::route(state, request), None)
        }
        Some(Fault::Delay(delay)) => (routes::route(state, request), Some(delay)),
        Some(shaping) => {
            debug_assert!(shaping.shapes_body());
            (routes::route(state, request).shaped(shaping), None)
        }
    }
}
