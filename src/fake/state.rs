//! Everything the fake remembers, in one struct behind one mutex: its configuration, the tokens
//! it issued, every request it received and every export task it created.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::Value;

use super::fault::{Endpoint, Fault};
use crate::vc::types::ExportMeetingListRequest;
use crate::vc::ExportStatus;
use crate::UserIdType;

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
    /// How many polls of a new export task answer "processing" before it ends.
    pub(super) processing_polls: u32,
    /// When set, new export tasks end as failed with this `fail_msg` instead of done.
    pub(super) fail_msg: Option<String>,
    /// What the download sends.
    pub(super) download: DownloadConfig,
    /// `http://127.0.0.1:<port>`, known once the port is bound.
    pub(super) base_url: String,
}

/// What `GET /open-apis/vc/v1/exports/download` sends.
#[derive(Clone, Debug)]
pub(super) struct DownloadConfig {
    /// `None`: the task's workbook; `Some(n)`: `n` filler bytes, streamed.
    pub(super) synthetic_size: Option<u64>,
    /// Whether a `Content-Length` header is sent (else the body is chunked).
    pub(super) content_length: bool,
    pub(super) disposition: Disposition,
}

/// The `Content-Disposition` of downloads.
#[derive(Clone, Debug)]
pub(super) enum Disposition {
    /// `attachment; filename="会议明细_<from>-<to>.xlsx"`, the name in raw UTF-8 like Feishu.
    Default,
    /// These bytes, as they are.
    Custom(Vec<u8>),
    /// No header.
    Absent,
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

/// The fake's whole state.
pub(super) struct State {
    pub(super) config: Config,
    /// Tenant tokens issued, with their expiry.
    tokens: HashMap<String, Instant>,
    /// The token issued at start, handed to tests by `tenant_access_token()`.
    initial_token: String,
    requests: Vec<RecordedRequest>,
    tasks: Vec<ExportTask>,
    faults: Vec<(Endpoint, Fault)>,
    ids: Ids,
}

impl State {
    pub(super) fn new(config: Config) -> Self {
        let mut state = Self {
            config,
            tokens: HashMap::new(),
            initial_token: String::new(),
            requests: Vec::new(),
            tasks: Vec::new(),
            faults: Vec::new(),
            ids: Ids::new(),
        };
        state.initial_token = state.issue_tenant_token();
        state
    }

    /// A fresh tenant access token, valid for the configured lifetime.
    pub(super) fn issue_tenant_token(&mut self) -> String {
        let token = format!("t-{}", self.ids.hex(40));
        self.tokens
            .insert(token.clone(), Instant::now() + self.config.token_ttl);
        token
    }

    pub(super) fn initial_token(&self) -> &str {
        &self.initial_token
    }

    /// Makes every tenant token issued so far invalid, as if their lifetime had run out.
    pub(super) fn expire_tenant_tokens(&mut self) {
        let now = Instant::now();
        self.tokens.values_mut().for_each(|expiry| *expiry = now);
    }

    pub(super) fn check_token(&self, token: &str) -> TokenStatus {
        if token.starts_with("t-") {
            match self.tokens.get(token) {
                Some(expiry) if Instant::now() < *expiry => TokenStatus::Valid,
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

    /// Stores a new export task and returns its id: 19 digits, unique within this fake.
    pub(super) fn create_task(
        &mut self,
        user_id_type: UserIdType,
        request: ExportMeetingListRequest,
    ) -> String {
        let task_id = loop {
            let id = (7_000_000_000_000_000_000 + self.ids.next() % 1_000_000_000_000_000_000)
                .to_string();
            if !self.tasks.iter().any(|t| t.task_id == id) {
                break id;
            }
        };
        let file_token = format!(
            "{}+{}/{}==",
            self.ids.hex(20),
            self.ids.hex(16),
            self.ids.hex(18)
        );
        self.tasks.push(ExportTask {
            task_id: task_id.clone(),
            user_id_type,
            request,
            created_at: SystemTime::now(),
            polls: 0,
            downloads: 0,
            file_token,
            processing_polls: self.config.processing_polls,
            fail_msg: self.config.fail_msg.clone(),
        });
        task_id
    }

    pub(super) fn tasks(&self) -> &[ExportTask] {
        &self.tasks
    }

    pub(super) fn task_mut(&mut self, task_id: &str) -> Option<&mut ExportTask> {
        self.tasks.iter_mut().find(|t| t.task_id == task_id)
    }

    /// The done task whose file `file_token` downloads.
    pub(super) fn task_with_file(&mut self, file_token: &str) -> Option<&mut ExportTask> {
        self.tasks
            .iter_mut()
            .find(|t| t.file_token == file_token && t.status() == ExportStatus::Done)
    }

    pub(super) fn inject(&mut self, endpoint: Endpoint, fault: Fault) {
        self.faults.push((endpoint, fault));
    }

    /// The first fault waiting for the operation `operation_id` (or for any), taken off the
    /// queue.
    pub(super) fn take_fault(&mut self, operation_id: Option<&str>) -> Option<Fault> {
        let at = self.faults.iter().position(|(e, _)| {
            *e == Endpoint::Any || (operation_id.is_some() && e.operation_id() == operation_id)
        })?;
        Some(self.faults.remove(at).1)
    }
}

/// Ids, tokens and log ids: unpredictable enough for a fake (not cryptographic), unique per fake.
struct Ids {
    hasher: RandomState,
    counter: u64,
    log_prefix: u32,
}

impl Ids {
    fn new() -> Self {
        let mut ids = Self {
            hasher: RandomState::new(),
            counter: 0,
            log_prefix: 0,
        };
        ids.log_prefix = ids.next() as u32;
        ids
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        let mut h = self.hasher.build_hasher();
        h.write_u64(self.counter);
        h.finish()
    }

    fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next()));
        }
        out.truncate(len);
        out
    }

    fn log_id(&mut self) -> String {
        self.counter += 1;
        format!("02fake{:08X}{:012X}", self.log_prefix, self.counter)
    }
}

/// One HTTP request the fake received, as it arrived.
///
/// `Debug` hides the `Authorization` header and any `app_secret` in the body, so a failing
/// assertion never prints a token or a secret.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: Method,
    /// The path, e.g. `/open-apis/vc/v1/exports/meeting_list`.
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

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match self.json() {
            Some(Value::Object(mut map)) => {
                if let Some(secret) = map.get_mut("app_secret") {
                    *secret = Value::String("<redacted>".into());
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

/// An export task created by `POST /open-apis/vc/v1/exports/meeting_list`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExportTask {
    /// Its id, 19 digits, as answered in `data.task_id`.
    pub task_id: String,
    /// The request's `user_id_type` (Feishu's default `open_id` when absent).
    pub user_id_type: UserIdType,
    /// The request body that created it.
    pub request: ExportMeetingListRequest,
    /// When it was created.
    pub created_at: SystemTime,
    /// How many times `GET /open-apis/vc/v1/exports/{task_id}` answered for it.
    pub polls: u32,
    /// How many times its file was downloaded (whole or not).
    pub downloads: u32,
    /// The token its file downloads with, answered once it is done. Like Feishu's, it contains
    /// `+`, `/` and `=`, so it must be percent-encoded in a query string.
    pub file_token: String,
    /// Polls that answer "processing" before it ends.
    pub(super) processing_polls: u32,
    /// It ends as failed with this message instead of done.
    pub(super) fail_msg: Option<String>,
}

impl ExportTask {
    /// Its status now: processing for the configured number of polls, then done (or failed).
    pub fn status(&self) -> ExportStatus {
        if self.polls <= self.processing_polls {
            ExportStatus::Processing
        } else if self.fail_msg.is_some() {
            ExportStatus::Failed
        } else {
            ExportStatus::Done
        }
    }

    /// Its `fail_msg`, once it has failed.
    pub fn fail_msg(&self) -> Option<&str> {
        match self.status() {
            ExportStatus::Failed => self.fail_msg.as_deref(),
            _ => None,
        }
    }

    /// Ends it at its next poll: done, or failed with `fail_msg`.
    pub(super) fn finish(&mut self, fail_msg: Option<String>) {
        self.processing_polls = self.polls;
        self.fail_msg = fail_msg;
    }
}
