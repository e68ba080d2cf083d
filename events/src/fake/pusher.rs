//! Posts events to a webhook as the platform does: encrypted and signed when configured, pushed
//! again after a slow answer or a 5xx.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{json, Value};

use crate::crypto::{EncryptKey, VerificationToken};
use crate::webhook::{NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// What a push ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushOutcome {
    /// Requests sent (1 + re-pushes).
    pub attempts: u32,
    /// The last answer's status, if there was an answer in time.
    pub status: Option<u16>,
    /// The last answer's body.
    pub body: Bytes,
}

/// Posts events to one webhook URL.
///
/// ```
/// use feishu_openapi_events::fake::WebhookPusher;
/// let pusher = WebhookPusher::new("http://127.0.0.1:8080/webhook/event")
///     .encrypt_key("key")
///     .verification_token("v-token");
/// let envelope = pusher.event_v2("im.message.receive_v1", serde_json::json!({"message": {}}));
/// assert_eq!(envelope["header"]["token"], "v-token");
/// ```
#[derive(Debug, Clone)]
pub struct WebhookPusher {
    url: String,
    http: reqwest::Client,
    encrypt_key: Option<EncryptKey>,
    verification_token: Option<VerificationToken>,
    timeout: Duration,
    max_attempts: u32,
    retry_delay: Duration,
    app_id: String,
}

impl WebhookPusher {
    /// A pusher to `url`: plain and unsigned, 3 s to answer, at most 4 attempts.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            http: reqwest::Client::new(),
            encrypt_key: None,
            verification_token: None,
            timeout: Duration::from_secs(3),
            max_attempts: 4,
            retry_delay: Duration::from_millis(50),
            app_id: "cli_a1b2c3d4e5f6a7b8".into(),
        }
    }
    /// Encrypts bodies and signs events with this Encrypt Key.
    pub fn encrypt_key(mut self, key: impl Into<feishu_openapi_core::SecretString>) -> Self {
        self.encrypt_key = Some(EncryptKey::new(key));
        self
    }
    /// Puts this token into envelopes and signs legacy card callbacks with it.
    pub fn verification_token(
        mut self,
        token: impl Into<feishu_openapi_core::SecretString>,
    ) -> Self {
        self.verification_token = Some(VerificationToken::new(token));
        self
    }
    /// How long an answer may take before the event is pushed again.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Attempts at most (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
    /// The wait before a re-push.
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    fn token(&self) -> &str {
        self.verification_token.as_ref().map_or("", |t| t.expose())
    }

    /// A schema 2.0 envelope with a fresh `event_id`.
    pub fn event_v2(&self, event_type: &str, event: Value) -> Value {
        json!({
            "schema": "2.0",
            "header": {
                "event_id": format!("{:032x}", fastrand::u128(..)),
                "event_type": event_type,
                "create_time": (now_secs() * 1000).to_string(),
                "token": self.token(),
                "app_id": self.app_id,
                "tenant_key": "fake-tenant",
            },
            "event": event,
        })
    }

    /// A schema 1.0 envelope with a fresh `uuid`; `event` must carry its `type`.
    pub fn event_v1(&self, event: Value) -> Value {
        json!({
            "uuid": format!("{:032x}", fastrand::u128(..)),
            "token": self.token(),
            "ts": format!("{}.000000", now_secs()),
            "type": "event_callback",
            "event": event,
        })
    }

    /// The URL check.
    pub fn url_verification(&self, challenge: &str) -> Value {
        json!({ "challenge": challenge, "token": self.token(), "type": "url_verification" })
    }

    /// Pushes `envelope` (encrypted and signed with the Encrypt Key, if any), again after a
    /// slow answer or a 5xx.
    pub async fn push(&self, envelope: &Value) -> PushOutcome {
        let body = match &self.encrypt_key {
            Some(key) => {
                let iv = fastrand::u128(..).to_le_bytes();
                json!({ "encrypt": key.encrypt(envelope.to_string().as_bytes(), iv) }).to_string()
            }
            None => envelope.to_string(),
        };
        let key = self.encrypt_key.clone();
        self.push_signed(Bytes::from(body), move |ts, nonce, raw| {
            key.as_ref().map(|k| k.event_signature(ts, nonce, raw))
        })
        .await
    }

    /// Pushes a legacy card callback `body` (plain, SHA-1-signed with the verification token).
    pub async fn push_legacy_card(&self, body: &Value) -> PushOutcome {
        let token = self.verification_token.clone();
        self.push_signed(Bytes::from(body.to_string()), move |ts, nonce, raw| {
            token.as_ref().map(|t| t.card_signature(ts, nonce, raw))
        })
        .await
    }

    async fn push_signed(
        &self,
        body: Bytes,
        sign: impl Fn(&str, &str, &[u8]) -> Option<String>,
    ) -> PushOutcome {
        let mut outcome = PushOutcome {
            attempts: 0,
            status: None,
            body: Bytes::new(),
        };
        while outcome.attempts < self.max_attempts {
            if outcome.attempts > 0 {
                tokio::time::sleep(self.retry_delay).await;
            }
            outcome.attempts += 1;
            let timestamp = now_secs().to_string();
            let nonce = format!("{:016x}", fastrand::u64(..));
            let mut request = self
                .http
                .post(&self.url)
                .timeout(self.timeout)
                .header("content-type", "application/json; charset=utf-8")
                .header(TIMESTAMP_HEADER, &timestamp)
                .header(NONCE_HEADER, &nonce)
                .body(body.clone());
            if let Some(signature) = sign(&timestamp, &nonce, &body) {
                request = request.header(SIGNATURE_HEADER, signature);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let answer = response.bytes().await;
                    outcome.status = Some(status);
                    outcome.body = answer.unwrap_or_default();
                    if status < 500 {
                        return outcome;
                    }
                }
                Err(_) => {
                    outcome.status = None;
                    outcome.body = Bytes::new();
                }
            }
        }
        outcome
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
