//! The long connection (WebSocket): events and callbacks pushed to the app without a public URL.
//!
//! [`LongConnection::run`] fetches the endpoint, connects, pings at once and then at the
//! server's interval, reassembles fragments, dispatches `event` **and** `card` frames, acks each
//! message once, and reconnects with the server's policy until a fatal refusal, the reconnect
//! budget, or [`ShutdownHandle::shutdown`].

mod config;
mod connect;
mod endpoint;
mod fragments;
pub mod frame;
mod session;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_openapi_core::AppCredentials;
use tokio::sync::{watch, Semaphore};
use tokio_tungstenite::tungstenite::{self, protocol::WebSocketConfig};
use tokio_util::sync::CancellationToken;

pub use config::{ClientConfig, WireClientConfig};
pub use endpoint::{ENDPOINT_PATH, RETRYABLE_CODES};
pub use fragments::{FragmentError, FragmentLimits, Reassembler};

use crate::dispatcher::Dispatcher;
use connect::{check_scheme, handshake_refusal, jitter, tls_connector, WsStream};
use endpoint::AttemptError;
use session::{Session, SessionEnd};

/// The Feishu platform's base URL (a Lark tenant uses `https://open.larksuite.com`).
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";

/// Why [`LongConnection::run`] stopped (other than a shutdown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LongConnectionError {
    /// The endpoint call was refused with a code not worth retrying (credentials, permissions,
    /// the connection limit, …).
    #[error("the endpoint refused the connection (code {code}: {msg})")]
    EndpointRefused {
        /// The answer's `code` (or the HTTP status of a non-JSON answer).
        code: i64,
        /// The answer's `msg`, control characters escaped.
        msg: String,
    },
    /// The WebSocket handshake was refused for good (403, or over the connection limit).
    #[error(
        "the WebSocket handshake was refused (status {status}, auth code {auth_code:?}: {msg})"
    )]
    HandshakeRefused {
        /// `handshake-status` (or the HTTP status).
        status: i64,
        /// `handshake-autherrcode`.
        auth_code: Option<i64>,
        /// `handshake-msg`, control characters escaped.
        msg: String,
    },
    /// The server's reconnect budget (`ReconnectCount`) is spent.
    #[error("gave up after {attempts} reconnects; last failure: {last}")]
    GaveUp {
        /// Reconnects tried.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// A setting is not usable (an insecure URL, …).
    #[error("invalid setting: {0}")]
    Config(String),
}

/// Where the connection stands; watch it with [`LongConnection::state`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Not started.
    Idle,
    /// Fetching the endpoint and connecting.
    Connecting,
    /// Connected; `connection_id` is the URL's `device_id`.
    Connected {
        /// The URL's `device_id`.
        connection_id: String,
    },
    /// Waiting before reconnect number `attempt`.
    Reconnecting {
        /// Reconnects tried so far, this one included.
        attempt: u32,
    },
    /// Shut down on request.
    Stopped,
    /// Stopped by a fatal error (the one `run` returns).
    Failed,
}

/// Stops a running [`LongConnection`]: no new frames are read, in-flight acks are sent, the
/// socket is closed, and `run` returns `Ok(())`.
#[derive(Debug, Clone)]
pub struct ShutdownHandle(CancellationToken);

impl ShutdownHandle {
    /// Asks the connection to stop.
    pub fn shutdown(&self) {
        self.0.cancel();
    }
}

/// Settings of the client itself (the server's are in [`ClientConfig`]).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    base_url: String,
    pub watchdog: Option<Duration>,
    handshake_timeout: Duration,
    endpoint_timeout: Duration,
    pub fragment_limits: FragmentLimits,
    max_in_flight: usize,
    pub shutdown_grace: Duration,
    max_message_bytes: usize,
    allow_insecure: bool,
}

/// Builds a [`LongConnection`].
#[derive(Debug)]
pub struct LongConnectionBuilder {
    credentials: AppCredentials,
    dispatcher: Dispatcher,
    settings: Settings,
    initial: ClientConfig,
}

impl LongConnectionBuilder {
    /// The platform's base URL (default [`FEISHU_BASE_URL`]). Plain `http://` is accepted for
    /// loopback hosts only, and so is a `ws://` connection URL.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.settings.base_url = base_url.into();
        self
    }
    /// Reconnect when no frame arrives within `timeout` after a ping (default 30 s; `None`:
    /// off).
    pub fn watchdog(mut self, timeout: Option<Duration>) -> Self {
        self.settings.watchdog = timeout;
        self
    }
    /// The longest WebSocket handshake (default 15 s).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.settings.handshake_timeout = timeout;
        self
    }
    /// The longest endpoint call (default 15 s).
    pub fn endpoint_timeout(mut self, timeout: Duration) -> Self {
        self.settings.endpoint_timeout = timeout;
        self
    }
    /// The bounds of fragment reassembly.
    pub fn fragment_limits(mut self, limits: FragmentLimits) -> Self {
        self.settings.fragment_limits = limits;
        self
    }
    /// Messages being handled at once before reading pauses (default 1,000).
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.settings.max_in_flight = max.max(1);
        self
    }
    /// How long a shutdown waits for in-flight acks (default 5 s).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.settings.shutdown_grace = grace;
        self
    }
    /// The largest WebSocket message read (default 8 MiB).
    pub fn max_message_bytes(mut self, max: usize) -> Self {
        self.settings.max_message_bytes = max;
        self
    }
    /// The settings used until the server sends its own (default [`ClientConfig::default`]).
    pub fn client_config(mut self, config: ClientConfig) -> Self {
        self.initial = config;
        self
    }
    /// Allows `http://` and `ws://` to any host (never needed against Feishu).
    pub fn allow_insecure(mut self, allow: bool) -> Self {
        self.settings.allow_insecure = allow;
        self
    }

    /// The client, or why a setting is unusable.
    pub fn build(self) -> Result<LongConnection, LongConnectionError> {
        let base: http::Uri = self
            .settings
            .base_url
            .parse()
            .map_err(|_| LongConnectionError::Config("the base URL is not a URL".into()))?;
        check_scheme(&base, "https", "http", self.settings.allow_insecure)?;
        let http = reqwest::Client::builder()
            .timeout(self.settings.endpoint_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| LongConnectionError::Config(format!("HTTP client: {e}")))?;
        let (state, _) = watch::channel(ConnectionState::Idle);
        Ok(LongConnection {
            credentials: self.credentials,
            dispatcher: Arc::new(self.dispatcher),
            in_flight: Arc::new(Semaphore::new(self.settings.max_in_flight)),
            settings: self.settings,
            initial: self.initial,
            state,
            shutdown: CancellationToken::new(),
            http,
        })
    }
}

/// The long-connection client of one app. Run several for several apps.
///
/// ```no_run
/// use feishu_openapi_core::AppCredentials;
/// use feishu_openapi_events::{Dispatcher, LongConnection};
///
/// # async fn demo() -> Result<(), feishu_openapi_events::LongConnectionError> {
/// let dispatcher = Dispatcher::new().on_raw("im.message.receive_v1", |event| async move {
///     println!("handled {} {:?}", event.envelope.event_type, event.envelope.event_id);
///     Ok(())
/// });
/// let client = LongConnection::builder(AppCredentials::new("cli_a1b2c3d4e5f6a7b8", "secret"), dispatcher)
///     .build()?;
/// let stop = client.shutdown_handle();
/// tokio::spawn(async move {
///     let _ = tokio::signal::ctrl_c().await;
///     stop.shutdown();
/// });
/// client.run().await // Ok(()) after a shutdown, else the error that ended it
/// # }
/// ```
#[derive(Debug)]
pub struct LongConnection {
    credentials: AppCredentials,
    dispatcher: Arc<Dispatcher>,
    settings: Settings,
    initial: ClientConfig,
    state: watch::Sender<ConnectionState>,
    shutdown: CancellationToken,
    in_flight: Arc<Semaphore>,
    http: reqwest::Client,
}

impl LongConnection {
    /// A builder for the app with these credentials, dispatching to `dispatcher`.
    pub fn builder(credentials: AppCredentials, dispatcher: Dispatcher) -> LongConnectionBuilder {
        LongConnectionBuilder {
            credentials,
            dispatcher,
            settings: Settings {
                base_url: FEISHU_BASE_URL.to_string(),
                watchdog: Some(Duration::from_secs(30)),
                handshake_timeout: Duration::from_secs(15),
                endpoint_timeout: Duration::from_secs(15),
                fragment_limits: FragmentLimits::default(),
                max_in_flight: 1000,
                shutdown_grace: Duration::from_secs(5),
                max_message_bytes: 8 << 20,
                allow_insecure: false,
            },
            initial: ClientConfig::default(),
        }
    }

    /// The connection's state, as it changes.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.subscribe()
    }

    /// A handle that stops [`run`](Self::run).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.shutdown.clone())
    }

    fn set_state(&self, state: ConnectionState) {
        self.state.send_replace(state);
    }

    /// Connects and stays connected: `Ok(())` after a shutdown, else the error that ended it.
    pub async fn run(self) -> Result<(), LongConnectionError> {
        let config = Mutex::new(self.initial);
        let mut reconnects: u32 = 0;
        loop {
            if reconnects == 0 {
                self.set_state(ConnectionState::Connecting);
            }
            let attempt = tokio::select! {
                () = self.shutdown.cancelled() => return self.stopped(),
                attempt = self.connect(&config) => attempt,
            };
            let last = match attempt {
                Ok((ws, service_id, connection_id)) => {
                    tracing::info!(connection_id = %connection_id, "long connection open");
                    self.set_state(ConnectionState::Connected { connection_id });
                    reconnects = 0;
                    let session = Session {
                        service_id,
                        dispatcher: &self.dispatcher,
                        config: &config,
                        settings: &self.settings,
                        shutdown: &self.shutdown,
                        in_flight: &self.in_flight,
                    };
                    match session.run(ws).await {
                        SessionEnd::Shutdown => return self.stopped(),
                        SessionEnd::Lost(why) => {
                            tracing::warn!(reason = %why, "long connection lost");
                            why
                        }
                    }
                }
                Err(AttemptError::Fatal(e)) => {
                    tracing::error!(error = %e, "long connection refused for good");
                    self.set_state(ConnectionState::Failed);
                    return Err(e);
                }
                Err(AttemptError::Retryable(why)) => {
                    tracing::warn!(reason = %why, "connection attempt failed");
                    why
                }
            };
            let policy = *config.lock().unwrap_or_else(|p| p.into_inner());
            if policy.reconnect_count >= 0 && i64::from(reconnects) >= policy.reconnect_count {
                self.set_state(ConnectionState::Failed);
                return Err(LongConnectionError::GaveUp {
                    attempts: reconnects,
                    last,
                });
            }
            let wait = if reconnects == 0 {
                jitter(policy.reconnect_nonce)
            } else {
                policy.reconnect_interval
            };
            reconnects += 1;
            self.set_state(ConnectionState::Reconnecting {
                attempt: reconnects,
            });
            tokio::select! {
                () = self.shutdown.cancelled() => return self.stopped(),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    fn stopped(&self) -> Result<(), LongConnectionError> {
        self.set_state(ConnectionState::Stopped);
        Ok(())
    }

    async fn connect(
        &self,
        config: &Mutex<ClientConfig>,
    ) -> Result<(WsStream, i32, String), AttemptError> {
        let endpoint = tokio::time::timeout(
            self.settings.endpoint_timeout,
            endpoint::fetch(&self.http, &self.settings.base_url, &self.credentials),
        )
        .await
        .map_err(|_| AttemptError::Retryable("the endpoint call timed out".into()))??;
        if let Some(wire) = &endpoint.config {
            config.lock().unwrap_or_else(|p| p.into_inner()).apply(wire);
        }
        let uri: http::Uri = endpoint
            .url
            .parse()
            .map_err(|_| AttemptError::Retryable("the endpoint gave no valid URL".into()))?;
        check_scheme(&uri, "wss", "ws", self.settings.allow_insecure)
            .map_err(AttemptError::Fatal)?;
        let query = |name: &str| {
            uri.query()
                .unwrap_or("")
                .split('&')
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
        };
        let service_id = query("service_id")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let connection_id = crate::printable(&query("device_id").unwrap_or_default());
        let connector = if uri.scheme_str() == Some("wss") {
            Some(tls_connector().map_err(AttemptError::Fatal)?)
        } else {
            None
        };
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(self.settings.max_message_bytes))
            .max_frame_size(Some(self.settings.max_message_bytes));
        let connecting = tokio_tungstenite::connect_async_tls_with_config(
            endpoint.url.as_str(),
            Some(ws_config),
            true,
            connector,
        );
        match tokio::time::timeout(self.settings.handshake_timeout, connecting).await {
            Err(_) => Err(AttemptError::Retryable(
                "the WebSocket handshake timed out".into(),
            )),
            Ok(Err(tungstenite::Error::Http(response))) => Err(handshake_refusal(&response)),
            Ok(Err(e)) => Err(AttemptError::Retryable(format!(
                "the WebSocket connection failed: {}",
                crate::printable(&e.to_string())
            ))),
            Ok(Ok((ws, _))) => Ok((ws, service_id, connection_id)),
        }
    }
}
