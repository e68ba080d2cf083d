//! Everything the fake remembers, in one struct behind one mutex: its configuration, the tokens
//! it issued, every request it received, the faults waiting, and the state of its plug-ins.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::Value;

use super::fault::{Endpoint, Fault};
use super::plugin::Plugin;

/// The state shared by the server and the [`FakeFeishu`](super::FakeFeishu) handle.
pub(super) type Shared = std::sync::Arc<Mutex<State>>;

/// Locks the state; a panic in another holder does not make it unusable.
pub(super) fn lock(shared: &Mutex<State>) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the fake was started with.
#[derive(Clone)]
pub(super) struct Config {
    pub(super) app_id: String,
    pub(super) app_secret: String,
    /// Lifetime of a tenant access token, the `expire` it answers with.
    pub(super) token_ttl: Duration,
    /// User access tokens (`u-…`) it accepts.
    pub(super) user_tokens: Vec<String>,
    /// The tenant of the app's own tenant tokens (self-built); a marketplace app's tenant
    /// tokens are issued for it and for [`tenants`](Self::tenants).
    pub(super) tenant_key: String,
    /// Further tenants that have the (marketplace) app installed.
    pub(super) tenants: Vec<String>,
    /// `http://127.0.0.1:<port>`, known once the port is bound.
    pub(super) base_url: String,
}

/// How a bearer token checks out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenStatus {
    /// A tenant token it issued and that has not expired, or a configured user token.
    Valid,
    /// A `t-…` token it never issued, or one that expired.
    TenantInvalid,
    /// A `u-…` token it was not configured with.
    UserInvalid,
    /// Neither `t-…` nor `u-…`.
    Malformed,
}

/// The fake's whole state: the part every operation shares, and each plug-in's own.
pub(super) struct State {
    pub(super) core: Core,
    /// The hand-written parts of enabled services (see [`super::plugin`]).
    pub(super) plugins: Vec<Box<dyn Plugin>>,
    /// The long connection's fake, whose endpoint call this fake's base URL answers.
    #[cfg(feature = "events")]
    pub(super) long_connection: Option<std::sync::Arc<crate::events::fake::FakeFeishu>>,
}

impl State {
    pub(super) fn new(config: Config, plugins: Vec<Box<dyn Plugin>>) -> Self {
        Self {
            core: Core::new(config),
            plugins,
            #[cfg(feature = "events")]
            long_connection: None,
        }
    }

    /// The plug-in of type `P`, if it is registered.
    #[allow(dead_code, reason = "for plug-ins, and a build may enable none")]
    pub(super) fn plugin_mut<P: Plugin>(&mut self) -> Option<&mut P> {
        super::plugin::find_mut(&mut self.plugins)
    }
}

/// What every operation shares: configuration, tokens, requests, faults, ids.
pub(super) struct Core {
    pub(super) config: Config,
    /// Tenant tokens issued, with their expiry and their tenant.
    tokens: HashMap<String, (Instant, String)>,
    /// App access tokens issued (`a-…`), with their expiry.
    app_tokens: HashMap<String, Instant>,
    /// App tickets issued and not yet expired.
    app_tickets: Vec<String>,
    /// Where the tickets of `app_ticket_resend` are pushed.
    #[cfg(feature = "events")]
    pub(super) ticket_delivery: Option<super::delivery::AppTicketDelivery>,
    /// The token issued at start, handed to tests by `tenant_access_token()`.
    initial_token: String,
    requests: Vec<RecordedRequest>,
    faults: Vec<(Endpoint, Fault)>,
    pub(super) ids: Ids,
}

impl Core {
    fn new(config: Config) -> Self {
        let mut state = Self {
            config,
            tokens: HashMap::new(),
            app_tokens: HashMap::new(),
            app_tickets: Vec::new(),
            #[cfg(feature = "events")]
            ticket_delivery: None,
            initial_token: String::new(),
            requests: Vec::new(),
            faults: Vec::new(),
            ids: Ids::new(),
        };
        let tenant = state.config.tenant_key.clone();
        state.initial_token = state.issue_tenant_token(&tenant);
        state
    }

    /// A fresh tenant access token of `tenant`, valid for the configured lifetime.
    pub(super) fn issue_tenant_token(&mut self, tenant: &str) -> String {
        let token = format!("t-{}", self.ids.hex(40));
        let expiry = Instant::now() + self.config.token_ttl;
        self.tokens
            .insert(token.clone(), (expiry, tenant.to_string()));
        token
    }

    /// The tenant of a tenant token it issued (expired or not).
    pub(super) fn tenant_of(&self, token: &str) -> Option<&str> {
        self.tokens.get(token).map(|(_, tenant)| tenant.as_str())
    }

    /// Whether `tenant` has the app installed.
    pub(super) fn has_tenant(&self, tenant: &str) -> bool {
        tenant == self.config.tenant_key || self.config.tenants.iter().any(|t| t == tenant)
    }

    /// A fresh app access token, valid for the configured lifetime.
    pub(super) fn issue_app_token(&mut self) -> String {
        let token = format!("a-{}", self.ids.hex(40));
        self.app_tokens
            .insert(token.clone(), Instant::now() + self.config.token_ttl);
        token
    }

    /// Whether `token` is an app access token it issued that has not expired.
    pub(super) fn app_token_valid(&self, token: &str) -> bool {
        self.app_tokens
            .get(token)
            .is_some_and(|expiry| Instant::now() < *expiry)
    }

    /// Makes every app access token issued so far invalid.
    pub(super) fn expire_app_tokens(&mut self) {
        let now = Instant::now();
        self.app_tokens
            .values_mut()
            .for_each(|expiry| *expiry = now);
    }

    /// A fresh app ticket, accepted until [`expire_app_tickets`](Self::expire_app_tickets).
    pub(super) fn issue_app_ticket(&mut self) -> String {
        let ticket = format!("fake-ticket-{}", self.ids.hex(24));
        self.app_tickets.push(ticket.clone());
        ticket
    }

    /// Whether `ticket` is an app ticket it issued and has not expired.
    pub(super) fn app_ticket_valid(&self, ticket: &str) -> bool {
        self.app_tickets.iter().any(|t| t == ticket)
    }

    /// Makes every app ticket issued so far invalid.
    pub(super) fn expire_app_tickets(&mut self) {
        self.app_tickets.clear();
    }

    pub(super) fn initial_token(&self) -> &str {
        &self.initial_token
    }

    /// Makes every tenant token issued so far invalid, as if their lifetime had run out.
    pub(super) fn expire_tenant_tokens(&mut self) {
        let now = Instant::now();
        self.tokens
            .values_mut()
            .for_each(|(expiry, _)| *expiry = now);
    }

    pub(super) fn check_token(&self, token: &str) -> TokenStatus {
        if token.starts_with("t-") {
            match self.tokens.get(token) {
                Some((expiry, _)) if Instant::now() < *expiry => TokenStatus::Valid,
                _ => TokenStatus::TenantInvalid,
            }
        } else if token.starts_with("u-") {
            if self.config.user_tokens.iter().any(|t| t == token) {
                TokenStatus::Valid
            } else {
                TokenStatus::UserInvalid
            }
        } else {
            TokenStatus::Malformed
        }
    }

    /// A new log id, as sent in `X-Tt-Logid`.
    pub(super) fn next_log_id(&mut self) -> String {
        self.ids.log_id()
    }

    pub(super) fn record(&mut self, request: RecordedRequest) {
        self.requests.push(request);
    }

    pub(super) fn requests(&self) -> &[RecordedRequest] {
        &self.requests
    }

    pub(super) fn inject(&mut self, endpoint: Endpoint, fault: Fault) {
        self.faults.push((endpoint, fault));
    }

    /// The first fault waiting for `operation` (a service and an operationId; `None` for a
    /// request no enabled service has), or for any, taken off the queue.
    pub(super) fn take_fault(&mut self, operation: Option<(&str, &str)>) -> Option<Fault> {
        let at = self.faults.iter().position(|(e, _)| e.aims_at(operation))?;
        Some(self.faults.remove(at).1)
    }
}

/// Ids, tokens and log ids: unpredictable enough for a fake (not cryptographic), unique per fake.
pub(super) struct Ids {
    hasher: RandomState,
    counter: u64,
    log_prefix: u32,
}

impl Ids {
    pub(super) fn new() -> Self {
        let mut ids = Self {
            hasher: RandomState::new(),
            counter: 0,
            log_prefix: 0,
        };
        ids.log_prefix = ids.next() as u32;
        ids
    }

    /// A new unpredictable number.
    pub(super) fn next(&mut self) -> u64 {
        self.counter += 1;
        let mut h = self.hasher.build_hasher();
        h.write_u64(self.counter);
        h.finish()
    }

    /// `len` new hexadecimal digits.
    pub(super) fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next()));
        }
        out.truncate(len);
        out
    }

    /// A new value of the counter every id of this fake counts with: never the same twice.
    pub(super) fn count(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn log_id(&mut self) -> String {
        self.counter += 1;
        format!("02fake{:08X}{:012X}", self.log_prefix, self.counter)
    }
}

/// One HTTP request the fake received, as it arrived.
///
/// `Debug` hides the `Authorization` header and the body's secrets (any field named like an app
/// secret, an app ticket, an access or refresh token, in any casing), so a failing assertion
/// never prints a token or a secret.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: Method,
    /// The path, e.g. `/open-apis/auth/v3/tenant_access_token/internal`.
    pub path: String,
    /// The raw query string without `?`, if the URL had one.
    pub query: Option<String>,
    /// The headers (the `Authorization` value is marked sensitive).
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl RecordedRequest {
    pub(super) fn new(parts: &http::request::Parts, body: Bytes) -> Self {
        let mut headers = parts.headers.clone();
        if let Some(value) = headers.get_mut(http::header::AUTHORIZATION) {
            value.set_sensitive(true);
        }
        Self {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers,
            body,
        }
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The value of header `name` (case-insensitive), if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The bearer token of the `Authorization` header, if it has the form `Bearer <token>`.
    pub(super) fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

/// A body field that carries a secret, by its name in any casing: an app secret (`app_secret`,
/// the long connection's `AppSecret`), an app ticket, an access or refresh token.
fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("secret")
        || name.contains("ticket")
        || name.ends_with("access_token")
        || name.ends_with("refresh_token")
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match self.json() {
            Some(Value::Object(mut map)) => {
                for (field, value) in map.iter_mut() {
                    if is_secret_field(field) {
                        *value = Value::String("<redacted>".into());
                    }
                }
                Value::Object(map).to_string()
            }
            Some(other) => other.to_string(),
            None => format!("<{} bytes, not JSON>", self.body.len()),
        };
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish()
    }
}
