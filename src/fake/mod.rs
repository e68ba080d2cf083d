//! A fake Feishu for your own tests (cargo feature `fake`): a real HTTP/1 server on 127.0.0.1
//! that answers every operation of every enabled service (cargo features) like the real
//! service, and remembers what it received.
//!
//! ```
//! use feishu_openapi::fake::FakeFeishu;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), feishu_openapi::Error> {
//! let fake = FakeFeishu::start().await;
//! let token = fake
//!     .client()
//!     .auth()
//!     .tenant_access_token_internal()
//!     .body_map(|b| b.app_id(fake.app_id()).app_secret(fake.app_secret()))
//!     .send()
//!     .await?;
//! assert_eq!(token.expire, 7200);
//! assert_eq!(fake.token_requests(), 1);
//! # Ok(()) }
//! ```
//!
//! How it answers (every response carries an `X-Tt-Logid` header, every error body
//! `error.log_id`; JSON responses are `application/json; charset=utf-8`):
//!
//! - `POST /open-apis/auth/v3/tenant_access_token/internal` checks `app_id` and `app_secret`:
//!   missing field: 10003 `invalid param`; unknown app id: 99991543; wrong secret: 10014
//!   `app secret invalid` (all HTTP 400); else a fresh tenant token of the app's own tenant
//!   ([`DEFAULT_TENANT_KEY`]). `app_access_token/internal` answers the same way with an app
//!   access token (and a tenant token).
//! - **Marketplace apps** (the same app): `app_ticket/resend` issues an app ticket and, with the
//!   `events` feature, pushes it as an `app_ticket` event where `deliver_app_tickets` says (a
//!   webhook, or a long connection of the events crate's fake); `app_access_token` takes only a ticket it issued
//!   (else 10012) and gives an app access token (`a-…`); `tenant_access_token` takes only such a
//!   token (else 99991664) and a tenant that has the app ([`DEFAULT_TENANT_KEY`] and those of
//!   [`FakeFeishuBuilder::tenant`]; else 10013), and gives a tenant token of that tenant:
//!   [`tenant_of`](FakeFeishu::tenant_of) tells which tenant a request called for.
//! - **The long connection** (feature `events`): its endpoint call,
//!   `POST /callback/ws/endpoint`, is answered by the fake's
//!   [`long_connection`](FakeFeishu::long_connection) (the events crate's fake, for the same
//!   app), whose WebSocket the answer names: one base URL serves a bot's API calls and its
//!   events, as Feishu's does.
//! - **Every other operation of every enabled service** is found from its spec (method and path
//!   template, path parameters matching their pattern). Its bearer token is checked against the
//!   token kinds the spec accepts (`security`): missing: 99991661; neither `t-…` nor `u-…`:
//!   99991671; a tenant token where only a user token is taken: 99991668; a user token where
//!   only a tenant token is taken: 99991663; an unknown or expired tenant token: 99991663; an
//!   unknown user token: 99991668 (all at HTTP 400, a choice: Feishu does not document the
//!   status). Then a plug-in of its service answers it, when one takes it (the VC export's task
//!   lifecycle and workbook, with the `vc` feature: see `vc_export`); otherwise the spec does:
//!   required query parameters and their enums, a JSON body's required fields, JSON types and
//!   enums, and its `x-feishu-rules` (checked by the client's own checker) — a bad one is
//!   99992402 `field validation failed` at HTTP 400 with `field_violations` naming the fields;
//!   then the spec's 200 example (or a minimal answer of its schema) with **fresh ids** (every
//!   `id`, `*_id` and `*_key` field a new value per answer, shaped like the example and matching
//!   the field's pattern), or for a file operation a small file of the declared kind.
//!
//! Any other path or method gets HTTP 404 `404 page not found` as plain text, like Feishu's
//! gateway.
//!
//! **Faults.** [`inject`](FakeFeishu::inject) spoils the next request to an operation
//! ([`Endpoint::Operation`] by operationId, [`Endpoint::InService`] by service and operationId,
//! or [`Endpoint::Any`]) with a [`Fault`]: a rate limit (HTTP 429, 99991400,
//! `x-ogw-ratelimit-reset`), a 500 (the operation's documented server error), a 502 HTML page,
//! any Feishu error at any status (200 included), token expiry, a delayed answer, or, for
//! downloads, a body cut off midway, a stall, or a slow trickle.
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

mod auth;
mod delivery;
mod example;
mod fault;
mod generic;
mod plugin;
mod reply;
mod routes;
mod state;
mod tickets;
#[cfg(feature = "vc")]
pub mod vc_export;

#[cfg(feature = "events")]
pub use delivery::AppTicketDelivery;
pub use fault::{Endpoint, Fault};
pub use routes::TENANT_ACCESS_TOKEN_PATH;
pub use state::RecordedRequest;
pub use tickets::DEFAULT_TENANT_KEY;

use plugin::Plugin;
use reply::{Body, Reply};
use state::{lock, Config, Shared, State};

/// The app id the fake accepts unless [`FakeFeishuBuilder::app_credentials`] says otherwise.
pub const DEFAULT_APP_ID: &str = "cli_fake0000000000";
/// The app secret the fake accepts unless [`FakeFeishuBuilder::app_credentials`] says otherwise.
pub const DEFAULT_APP_SECRET: &str = "fake-app-secret";
/// The lifetime of the tenant access tokens it issues, unless [`FakeFeishuBuilder::token_ttl`]
/// says otherwise: 7200 s, like Feishu.
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 7200;

/// Request bodies larger than this are refused with HTTP 413.
const MAX_BODY_BYTES: usize = 1 << 20;

/// A running fake Feishu on `127.0.0.1` (a random port). Stops when dropped.
///
/// Start one with [`FakeFeishu::start`], or [`FakeFeishu::builder`] for options; point a client
/// at [`base_url`](Self::base_url) with [`tenant_access_token`](Self::tenant_access_token) (or
/// use [`client`](Self::client)); afterwards, assert on [`requests`](Self::requests) and
/// the operations' counts. See the [module documentation](self) for what it checks.
pub struct FakeFeishu {
    addr: SocketAddr,
    base_url: String,
    state: Shared,
    server: JoinHandle<()>,
    #[cfg(feature = "events")]
    long_connection: Arc<crate::events::fake::FakeFeishu>,
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

    /// The long connection's side of the platform (feature `events`), for the fake's app: the
    /// endpoint call to this fake's [`base_url`](Self::base_url) is answered by it (its faults
    /// and settings included), so a bot needs one base URL, as with Feishu. Take its connections
    /// with [`next_connection`](crate::events::fake::FakeFeishu::next_connection) and push
    /// events, cards and faults through them.
    #[cfg(feature = "events")]
    pub fn long_connection(&self) -> &crate::events::fake::FakeFeishu {
        &self.long_connection
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
        lock(&self.state).core.initial_token().to_string()
    }

    /// The app id it accepts at the token endpoint.
    pub fn app_id(&self) -> String {
        lock(&self.state).core.config.app_id.clone()
    }

    /// The app secret it accepts at the token endpoint.
    pub fn app_secret(&self) -> String {
        lock(&self.state).core.config.app_secret.clone()
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
        lock(&self.state).core.expire_tenant_tokens();
    }

    /// Every request received so far, in arrival order, whatever the answer.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).core.requests().to_vec()
    }

    /// How many requests reached the token endpoint (successful or not).
    pub fn token_requests(&self) -> usize {
        lock(&self.state)
            .core
            .requests()
            .iter()
            .filter(|r| r.path == TENANT_ACCESS_TOKEN_PATH)
            .count()
    }

    /// How many requests reached an operation `operation_id` of an enabled service (answered
    /// or refused; of any service with an operation of that id).
    pub fn operation_requests(&self, operation_id: &str) -> usize {
        lock(&self.state)
            .core
            .requests()
            .iter()
            .filter(|r| {
                generic::operation_id(&r.method, &r.path).is_some_and(|(_, id)| id == operation_id)
            })
            .count()
    }

    /// Spoils the next request to `endpoint` with `fault` (see [`Fault`]); faults wait in a
    /// queue, each used once, in the order injected. Any operation of an enabled service can be
    /// aimed at by its operationId, `Endpoint::Operation("chat_list")`, or by its service and
    /// operationId, `Endpoint::InService { service: "im", operation: "chat_list" }`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
    /// let fake = FakeFeishu::start().await;
    /// fake.inject(Endpoint::TenantAccessToken, Fault::RateLimited { reset_secs: 1 });
    /// fake.inject(Endpoint::Any, Fault::BadGateway);
    /// # }
    /// ```
    pub fn inject(&self, endpoint: Endpoint, fault: Fault) {
        lock(&self.state).core.inject(endpoint, fault);
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
    /// The plug-ins of the enabled services, with their options.
    plugins: Vec<Box<dyn Plugin>>,
}

impl Default for FakeFeishuBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                app_id: DEFAULT_APP_ID.into(),
                app_secret: DEFAULT_APP_SECRET.into(),
                token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECS),
                user_tokens: Vec::new(),
                tenant_key: DEFAULT_TENANT_KEY.into(),
                tenants: Vec::new(),
                base_url: String::new(),
            },
            plugins: plugin::enabled(),
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
        #[cfg(feature = "events")]
        let long_connection = Arc::new(
            crate::events::fake::FakeFeishu::start(&crate::AppCredentials::new(
                config.app_id.clone(),
                config.app_secret.clone(),
            ))
            .await?,
        );
        let state = State::new(config, self.plugins);
        #[cfg(feature = "events")]
        let state = State {
            long_connection: Some(Arc::clone(&long_connection)),
            ..state
        };
        let state: Shared = Arc::new(Mutex::new(state));
        let server = tokio::spawn(serve(listener, state.clone()));
        Ok(FakeFeishu {
            addr,
            base_url: format!("http://{addr}"),
            state,
            server,
            #[cfg(feature = "events")]
            long_connection,
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
            .field("tenants", &self.config.tenants)
            .field("plugins", &self.plugins)
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
        let log_id = state.core.next_log_id();
        match body {
            Ok(body) => {
                let recorded = RecordedRequest::new(&parts, body);
                state.core.record(recorded.clone());
                // Looked up once: the fault's target, the routing and a server error use it.
                let operation = generic::find(&recorded.method, &recorded.path);
                let fault = state.core.take_fault(operation.map(generic::Operation::name));
                let (reply, delay) = answer(&mut state, &recorded, operation, fault);
                (reply, delay, log_id)
            }
            Err(_) => (
                // As a gateway in front of Feishu refuses it.
                Reply::Html {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    body: "<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center></body></html>",
                },
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

/// The answer to a request (for `operation` of an enabled service, if any), spoiled by `fault`
/// when there is one; and how long to hold it back.
fn answer(
    state: &mut State,
    request: &RecordedRequest,
    operation: Option<&'static generic::Operation>,
    fault: Option<Fault>,
) -> (Reply, Option<Duration>) {
    #[cfg(feature = "events")]
    if request.path == crate::events::ws::ENDPOINT_PATH {
        if let Some(long_connection) = &state.long_connection {
            let body = long_connection.answer_endpoint(&request.body);
            return (
                Reply::Json {
                    status: StatusCode::OK,
                    body,
                },
                None,
            );
        }
    }
    match fault {
        None => (routes::route(state, request, operation), None),
        Some(Fault::RateLimited { reset_secs }) => (Reply::RateLimited { reset_secs }, None),
        Some(Fault::ServerError) => (
            generic::server_error(operation),
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
            state.core.expire_tenant_tokens();
            (routes::route(state, request, operation), None)
        }
        Some(Fault::Delay(delay)) => (routes::route(state, request, operation), Some(delay)),
        Some(shaping) => {
            debug_assert!(shaping.shapes_body());
            (routes::route(state, request, operation).shaped(shaping), None)
        }
    }
}
