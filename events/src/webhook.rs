//! Webhooks: events and callbacks posted to the app's request URL, framework-agnostic
//! (`http::Request<Bytes>` in, `http::Response<Bytes>` out).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use serde::Deserialize;

use crate::crypto::{EncryptKey, VerificationToken};
use crate::dispatcher::{Answer, Dispatcher};
use crate::envelope::{self, Incoming, Schema};
use crate::event::Transport;

/// The request header carrying the signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-lark-request-timestamp";
/// The request header carrying the signing nonce.
pub const NONCE_HEADER: &str = "x-lark-request-nonce";
/// The request header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-lark-signature";

/// Why a request was refused (answered 4xx, nothing dispatched). The answer's JSON body is
/// `{"refused": <rule>, "msg": <text>}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Not a `POST` (405).
    MethodNotAllowed,
    /// The body is larger than the limit (413).
    BodyTooLarge,
    /// The `Content-Type` is not JSON (415).
    NotJson,
    /// The body is not a JSON object of a known envelope (400).
    MalformedBody,
    /// The body is encrypted and no Encrypt Key is configured (400).
    EncryptKeyMissing,
    /// The `encrypt` field does not decrypt (400).
    MalformedEncrypt,
    /// A signature is required and a signing header is missing (401).
    MissingSignature,
    /// The signature does not sign the body (401).
    BadSignature,
    /// The signing time is outside the accepted window (401).
    StaleTimestamp,
    /// The body's verification token is not the app's (403).
    BadToken,
}

impl Refusal {
    /// The rule's name, as in the answer's body.
    pub fn rule(self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "method_not_allowed",
            Self::BodyTooLarge => "body_too_large",
            Self::NotJson => "content_type_not_json",
            Self::MalformedBody => "malformed_body",
            Self::EncryptKeyMissing => "encrypt_key_missing",
            Self::MalformedEncrypt => "malformed_encrypt",
            Self::MissingSignature => "missing_signature",
            Self::BadSignature => "bad_signature",
            Self::StaleTimestamp => "stale_timestamp",
            Self::BadToken => "bad_verification_token",
        }
    }

    /// The HTTP status answered.
    pub fn status(self) -> StatusCode {
        match self {
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MalformedBody | Self::EncryptKeyMissing | Self::MalformedEncrypt => {
                StatusCode::BAD_REQUEST
            }
            Self::MissingSignature | Self::BadSignature | Self::StaleTimestamp => {
                StatusCode::UNAUTHORIZED
            }
            Self::BadToken => StatusCode::FORBIDDEN,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "events are delivered with POST",
            Self::BodyTooLarge => "the body is larger than this endpoint accepts",
            Self::NotJson => "the body must be JSON",
            Self::MalformedBody => "the body is not a JSON object of a known event envelope",
            Self::EncryptKeyMissing => "the body is encrypted and no Encrypt Key is configured",
            Self::MalformedEncrypt => "the encrypt field does not decrypt with the Encrypt Key",
            Self::MissingSignature => "a signing header is missing",
            Self::BadSignature => "the signature does not match the body",
            Self::StaleTimestamp => "the request timestamp is outside the accepted window",
            Self::BadToken => "the verification token does not match",
        }
    }

    pub(crate) fn response(self) -> Response<Bytes> {
        let body = serde_json::json!({ "refused": self.rule(), "msg": self.message() });
        json_response(self.status(), &body)
    }
}

/// The settings of a [`Webhook`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// Decrypts bodies and checks event signatures. Without it encrypted bodies are refused and
    /// event signatures are not checked.
    pub encrypt_key: Option<EncryptKey>,
    /// Checked against every event's token, and the key of legacy card signatures.
    pub verification_token: Option<VerificationToken>,
    /// How far the signing time may be from now, either way (default 5 minutes; `None`: not
    /// checked).
    pub timestamp_window: Option<Duration>,
    /// The largest body accepted (default 1 MiB).
    pub max_body_bytes: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            encrypt_key: None,
            verification_token: None,
            timestamp_window: Some(Duration::from_secs(300)),
            max_body_bytes: 1 << 20,
        }
    }
}

impl WebhookConfig {
    /// Sets the Encrypt Key.
    pub fn encrypt_key(mut self, key: impl Into<feishu_openapi_core::SecretString>) -> Self {
        self.encrypt_key = Some(EncryptKey::new(key));
        self
    }
    /// Sets the verification token.
    pub fn verification_token(
        mut self,
        token: impl Into<feishu_openapi_core::SecretString>,
    ) -> Self {
        self.verification_token = Some(VerificationToken::new(token));
        self
    }
    /// Sets the timestamp window (`None`: not checked).
    pub fn timestamp_window(mut self, window: Option<Duration>) -> Self {
        self.timestamp_window = window;
        self
    }
    /// Sets the body size limit.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }
}

/// Serves the app's request URL: events and card callbacks alike (the body tells which).
///
/// ```
/// use bytes::Bytes;
/// use feishu_openapi_events::{Dispatcher, Webhook, WebhookConfig};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let webhook = Webhook::new(
///     Dispatcher::new(),
///     WebhookConfig::default().verification_token("v-token"),
/// );
/// let check = http::Request::post("/webhook/event")
///     .header("content-type", "application/json")
///     .body(Bytes::from_static(br#"{"challenge":"c-1","token":"v-token","type":"url_verification"}"#))
///     .unwrap();
/// let answer = webhook.handle(check).await;
/// assert_eq!(answer.status(), 200);
/// assert_eq!(&answer.body()[..], br#"{"challenge":"c-1"}"#);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Webhook {
    dispatcher: Arc<Dispatcher>,
    config: Arc<WebhookConfig>,
}

#[derive(Deserialize)]
struct Encrypted {
    encrypt: Option<String>,
}

impl Webhook {
    /// A webhook dispatching to `dispatcher`.
    pub fn new(dispatcher: Dispatcher, config: WebhookConfig) -> Self {
        Self {
            dispatcher: Arc::new(dispatcher),
            config: Arc::new(config),
        }
    }

    /// Its settings.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Answers one request: the URL check, an event or a callback, or a refusal.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        match self.check(&request) {
            Err(refusal) => {
                tracing::warn!(rule = refusal.rule(), "webhook request refused");
                refusal.response()
            }
            Ok(Checked::Challenge(challenge)) => json_response(
                StatusCode::OK,
                &serde_json::json!({ "challenge": challenge }),
            ),
            Ok(Checked::Event(envelope)) => {
                let callback_shape = envelope.schema == Schema::LegacyCard;
                let Answer { code, reply } = self
                    .dispatcher
                    .dispatch(*envelope, Transport::Webhook, callback_shape)
                    .await;
                match (code, reply) {
                    (200, Some(reply)) => json_response(StatusCode::OK, &reply),
                    (200, None) => {
                        json_response(StatusCode::OK, &serde_json::json!({"msg": "success"}))
                    }
                    _ => json_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &serde_json::json!({"msg": "the handler failed"}),
                    ),
                }
            }
        }
    }

    fn check(&self, request: &Request<Bytes>) -> Result<Checked, Refusal> {
        if request.method() != Method::POST {
            return Err(Refusal::MethodNotAllowed);
        }
        let raw = request.body();
        if raw.len() > self.config.max_body_bytes {
            return Err(Refusal::BodyTooLarge);
        }
        if let Some(kind) = request.headers().get(header::CONTENT_TYPE) {
            let kind = kind.to_str().unwrap_or("").to_ascii_lowercase();
            if !kind.trim_start().starts_with("application/json") {
                return Err(Refusal::NotJson);
            }
        }
        let outer: Encrypted = serde_json::from_slice(raw).map_err(|_| Refusal::MalformedBody)?;
        let (plain, encrypted) = match outer.encrypt {
            Some(sealed) => {
                let key = self
                    .config
                    .encrypt_key
                    .as_ref()
                    .ok_or(Refusal::EncryptKeyMissing)?;
                (
                    key.decrypt(&sealed)
                        .map_err(|_| Refusal::MalformedEncrypt)?,
                    true,
                )
            }
            None => {
                let text = std::str::from_utf8(raw).map_err(|_| Refusal::MalformedBody)?;
                (text.to_string(), false)
            }
        };
        let incoming = envelope::parse(&plain).map_err(|_| Refusal::MalformedBody)?;
        let envelope = match incoming {
            Incoming::UrlVerification { challenge, token } => {
                self.check_token(token.as_deref())?;
                return Ok(Checked::Challenge(challenge));
            }
            Incoming::Event(envelope) => envelope,
        };
        let headers = request.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let signing = (
            header(TIMESTAMP_HEADER),
            header(NONCE_HEADER),
            header(SIGNATURE_HEADER),
        );
        if envelope.schema == Schema::LegacyCard && !encrypted {
            if let Some(token) = &self.config.verification_token {
                let (Some(ts), Some(nonce), Some(sig)) = signing else {
                    return Err(Refusal::MissingSignature);
                };
                if !token.verify_card_signature(ts, nonce, raw, sig) {
                    return Err(Refusal::BadSignature);
                }
            }
        } else {
            if let Some(key) = &self.config.encrypt_key {
                let (Some(ts), Some(nonce), Some(sig)) = signing else {
                    return Err(Refusal::MissingSignature);
                };
                if !key.verify_event_signature(ts, nonce, raw, sig) {
                    return Err(Refusal::BadSignature);
                }
            }
            self.check_token(envelope.token.as_deref())?;
        }
        if let (Some(window), Some(ts)) = (self.config.timestamp_window, signing.0) {
            if !within(ts, window) {
                return Err(Refusal::StaleTimestamp);
            }
        }
        Ok(Checked::Event(envelope))
    }

    fn check_token(&self, given: Option<&str>) -> Result<(), Refusal> {
        match &self.config.verification_token {
            Some(token) if !token.matches(given.unwrap_or("")) => Err(Refusal::BadToken),
            _ => Ok(()),
        }
    }
}

enum Checked {
    Challenge(String),
    Event(Box<envelope::Envelope>),
}

/// Whether `timestamp` (Unix seconds) is within `window` of now.
fn within(timestamp: &str, window: Duration) -> bool {
    let Ok(then) = timestamp.trim().parse::<u64>() else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    now.abs_diff(then) <= window.as_secs()
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
