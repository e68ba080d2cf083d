//! A fake Feishu for tests (feature `fake`): the long connection's endpoint and WebSocket on
//! 127.0.0.1, with faults to inject, and a [`WebhookPusher`] that posts events to a webhook.
//!
//! ```
//! use feishu_openapi_core::AppCredentials;
//! use feishu_openapi_events::{fake::FakeFeishu, Dispatcher, LongConnection};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let app = AppCredentials::new("cli_a1b2c3d4e5f6a7b8", "secret");
//! let fake = FakeFeishu::start(&app).await.unwrap();
//! let client = LongConnection::builder(app, Dispatcher::new()).base_url(fake.base_url()).build().unwrap();
//! let stop = client.shutdown_handle();
//! let running = tokio::spawn(client.run());
//! let connection = fake.next_connection().await;
//! connection.send_event(&serde_json::json!({
//!     "schema": "2.0",
//!     "header": {"event_id": "e-1", "event_type": "im.message.receive_v1"},
//!     "event": {}
//! }));
//! let ack = connection.next_ack().await.unwrap();
//! assert_eq!(ack.code, 200);
//! stop.shutdown();
//! running.await.unwrap().unwrap();
//! # });
//! ```

mod connection;
mod pusher;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use feishu_openapi_core::AppCredentials;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response,
};

pub use connection::{Ack, Delivery, FakeConnection};
pub use pusher::{PushOutcome, WebhookPusher};

use crate::ws::{ClientConfig, ENDPOINT_PATH};

/// A refusal of the WebSocket upgrade: a non-101 answer with the `handshake-*` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeRefusal {
    /// The HTTP status and `handshake-status`.
    pub status: u16,
    /// `handshake-autherrcode`.
    pub auth_code: Option<i64>,
    /// `handshake-msg`.
    pub msg: String,
}

#[derive(Debug)]
struct Inner {
    app_id: String,
    app_secret: String,
    client_config: ClientConfig,
    endpoint_faults: VecDeque<(i64, String)>,
    handshake_faults: VecDeque<HandshakeRefusal>,
    endpoint_calls: usize,
    connections: usize,
    ws_addr: SocketAddr,
    service_id: i32,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// The fake platform: stops serving when dropped.
#[derive(Debug)]
pub struct FakeFeishu {
    base_url: String,
    shared: Shared,
    accepted: tokio::sync::Mutex<mpsc::UnboundedReceiver<FakeConnection>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeFeishu {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl FakeFeishu {
    /// Starts serving on 127.0.0.1 for the app `credentials` (other credentials get code 514).
    pub async fn start(credentials: &AppCredentials) -> std::io::Result<Self> {
        let http = TcpListener::bind("127.0.0.1:0").await?;
        let ws = TcpListener::bind("127.0.0.1:0").await?;
        let shared: Shared = Arc::new(Mutex::new(Inner {
            app_id: credentials.app_id.clone(),
            app_secret: credentials.app_secret.expose_secret().to_string(),
            client_config: ClientConfig::default(),
            endpoint_faults: VecDeque::new(),
            handshake_faults: VecDeque::new(),
            endpoint_calls: 0,
            connections: 0,
            ws_addr: ws.local_addr()?,
            service_id: 7,
        }));
        let base_url = format!("http://{}", http.local_addr()?);
        let router = axum::Router::new()
            .route(ENDPOINT_PATH, post(endpoint))
            .with_state(Arc::clone(&shared));
        let serve_http = tokio::spawn(async move {
            let _ = axum::serve(http, router).await;
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let serve_ws = tokio::spawn(accept_loop(ws, Arc::clone(&shared), tx));
        Ok(Self {
            base_url,
            shared,
            accepted: tokio::sync::Mutex::new(rx),
            tasks: vec![serve_http, serve_ws],
        })
    }

    /// The base URL to give the client (`http://127.0.0.1:…`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The settings the endpoint gives from now on.
    pub fn set_client_config(&self, config: ClientConfig) {
        lock(&self.shared).client_config = config;
    }

    /// The next endpoint call answers `{"code": code, "msg": msg}` (queued, one call each).
    pub fn fail_endpoint(&self, code: i64, msg: impl Into<String>) {
        lock(&self.shared)
            .endpoint_faults
            .push_back((code, msg.into()));
    }

    /// The next WebSocket upgrade is refused (queued, one upgrade each).
    pub fn refuse_handshake(&self, refusal: HandshakeRefusal) {
        lock(&self.shared).handshake_faults.push_back(refusal);
    }

    /// Endpoint calls so far.
    pub fn endpoint_calls(&self) -> usize {
        lock(&self.shared).endpoint_calls
    }

    /// WebSocket connections accepted so far.
    pub fn connections(&self) -> usize {
        lock(&self.shared).connections
    }

    /// Answers a call of the long connection's endpoint (`body`, the call's JSON) as this fake's
    /// own route does, faults included: for a fake of the whole platform that serves the API on
    /// one base URL and hands this call here.
    pub fn answer_endpoint(&self, body: &[u8]) -> Value {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        endpoint_answer(&self.shared, &body)
    }

    /// Waits for the next accepted connection.
    pub async fn next_connection(&self) -> FakeConnection {
        self.accepted
            .lock()
            .await
            .recv()
            .await
            .expect("the fake's accept loop runs while it lives")
    }
}

async fn endpoint(
    State(shared): State<Shared>,
    body: bytes::Bytes,
) -> ([(http::HeaderName, &'static str); 1], String) {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let answer = endpoint_answer(&shared, &body);
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
}

fn endpoint_answer(shared: &Shared, body: &Value) -> Value {
    let mut inner = lock(shared);
    inner.endpoint_calls += 1;
    if let Some((code, msg)) = inner.endpoint_faults.pop_front() {
        return json!({ "code": code, "msg": msg });
    }
    if body["AppID"] != inner.app_id.as_str() || body["AppSecret"] != inner.app_secret.as_str() {
        return json!({ "code": 514, "msg": "auth failed" });
    }
    let device = inner.endpoint_calls;
    json!({
        "code": 0,
        "msg": "ok",
        "data": {
            "URL": format!("ws://{}/ws?device_id=fake-{device}&service_id={}", inner.ws_addr, inner.service_id),
            "ClientConfig": inner.client_config.to_wire(),
        }
    })
}

/// Accepts an upgrade, or refuses it as the platform does.
struct Upgrade(Option<HandshakeRefusal>);

impl Callback for Upgrade {
    fn on_request(self, _: &Request, response: Response) -> Result<Response, ErrorResponse> {
        let Some(r) = self.0 else {
            return Ok(response);
        };
        let mut error = ErrorResponse::new(Some(r.msg.clone()));
        *error.status_mut() =
            http::StatusCode::from_u16(r.status).unwrap_or(http::StatusCode::FORBIDDEN);
        let headers = error.headers_mut();
        headers.insert("handshake-status", r.status.into());
        if let Some(code) = r.auth_code {
            headers.insert("handshake-autherrcode", code.into());
        }
        if let Ok(msg) = http::HeaderValue::from_str(&r.msg) {
            headers.insert("handshake-msg", msg);
        }
        Err(error)
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Shared,
    accepted: mpsc::UnboundedSender<FakeConnection>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = Arc::clone(&shared);
        let accepted = accepted.clone();
        tokio::spawn(async move {
            let refusal = lock(&shared).handshake_faults.pop_front();
            let callback = Upgrade(refusal);
            if let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await {
                let service_id = {
                    let mut inner = lock(&shared);
                    inner.connections += 1;
                    inner.service_id
                };
                let _ = accepted.send(FakeConnection::serve(ws, service_id));
            }
        });
    }
}
