//! The one error type of the crate, and the shared Feishu error envelope.

use std::fmt;

use serde::{Deserialize, Serialize};

pub(crate) mod convert;
mod documented;
mod kind;
mod text;

pub use convert::log_id;
pub(crate) use convert::{api_error, body_start};
pub use text::Printable;

pub use documented::DocumentedError;
pub use kind::ErrorKind;

/// Everything that can go wrong calling Feishu.
///
/// Its `Display` is safe to print: text that came from the server (messages, log ids, the start
/// of a body) is shown with its control characters escaped. The fields themselves hold it as
/// received.
///
/// Generated operations return `progenitor_client::Error<FeishuErrorBody>`; `?` converts it into
/// this type (`From` is implemented), so a caller matches one enum whatever the endpoint.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before any I/O: nothing was sent. The message names the fields and
    /// the rule.
    #[error("invalid request, nothing was sent: {0}")]
    Validation(String),
    /// Feishu answered with an error code (`code != 0`), whatever the HTTP status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The response could not be decoded (e.g. an HTML page from a gateway).
    #[error("HTTP {status} with a body that is not a Feishu response{}: {body_start:?}", log_id.as_deref().map(|l| format!(" (log id {})", Printable(l))).unwrap_or_default())]
    Undecodable {
        /// The HTTP status.
        status: u16,
        /// The first bytes of the body, as text (at most 200 characters).
        body_start: String,
        /// Feishu's log id, when a header carried one.
        log_id: Option<String>,
    },
    /// A response body was larger than the client's
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes): it was read no
    /// further.
    #[error("HTTP {status} with a body larger than the client's limit of {limit} bytes{}: it was not read; raise the client builder's max_response_bytes if such answers are expected", log_id.as_deref().map(|l| format!(" (log id {})", Printable(l))).unwrap_or_default())]
    TooLarge {
        /// The limit in force.
        limit: u64,
        /// The HTTP status.
        status: u16,
        /// Feishu's log id, when a header carried one.
        log_id: Option<String>,
    },
    /// Feishu rate-limited the call (HTTP 429, or code 99991400 at any status) and the runtime
    /// did not retry it (retries off, or the reset too far away).
    #[error("rate limited by Feishu (HTTP {http_status}{}){}{}: wait for the window to reset and retry, or lower the request rate (Feishu's limit for this API is per app and tenant)",
        code.map(|c| format!(", code {c}")).unwrap_or_default(),
        reset.map(|r| format!(", the window resets in {} s", r.as_secs())).unwrap_or_default(),
        log_id.as_deref().map(|l| format!(", log id {}", Printable(l))).unwrap_or_default())]
    RateLimited {
        /// When the window resets (`x-ogw-ratelimit-reset`).
        reset: Option<std::time::Duration>,
        /// The window's limit (`x-ogw-ratelimit-limit`).
        limit: Option<u64>,
        /// The HTTP status (429, or 400 on older APIs).
        http_status: u16,
        /// Feishu's code (99991400), when the body had one.
        code: Option<i64>,
        /// Feishu's message, when the body had one.
        msg: Option<String>,
        /// The log id.
        log_id: Option<String>,
    },
    /// The tenant access token could not be fetched with the app credentials (e.g. a wrong app
    /// secret: code 10014 or 99991543; for a marketplace app, no app_ticket yet:
    /// [`Error::AppTicketMissing`]). The cause carries Feishu's code.
    #[error("could not get a tenant_access_token with the app credentials: {0}")]
    TokenFetch(#[source] std::sync::Arc<Error>),
    /// A marketplace app has no app_ticket yet, so no app access token. Feishu was asked to push
    /// one again (`app_ticket_resend`); it arrives as an `app_ticket` event: once the events'
    /// dispatcher has stored it in the client's ticket store (`Dispatcher::feed_app_tickets`),
    /// the same call succeeds.
    #[error("marketplace app {} has no app_ticket yet: {}", Printable(app_id), match resend {
        None => "Feishu was asked to push one (app_ticket_resend); it comes as an app_ticket event, which the events dispatcher must feed to this client's ticket store (feed_app_tickets); call again once it has arrived".to_string(),
        Some(e) => format!("asking Feishu to push one (app_ticket_resend) failed too: {e}"),
    })]
    AppTicketMissing {
        /// The app (`cli_…`).
        app_id: String,
        /// Why asking Feishu to push a ticket failed, if it did.
        #[source]
        resend: Option<std::sync::Arc<Error>>,
    },
    /// The call failed, was retried, and failed every time; `last` is the last failure.
    #[error("failed after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<Error>,
    },
    /// The request or the connection timed out.
    #[error("the request to Feishu timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The request could not be sent or the response not read (connection refused, reset, TLS …).
    #[error("could not talk to Feishu: {0}")]
    Transport(#[source] reqwest::Error),
    /// The client is misconfigured (e.g. an invalid base URL).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A long-running task at Feishu (an export, an import, a batch job) ended as failed: it has
    /// nothing to give.
    #[error("{task} task {} failed at Feishu: {}; it has nothing to give: check its parameters and start a new one",
        Printable(task_id), Printable(if message.trim().is_empty() { "no reason given" } else { message.as_str() }))]
    TaskFailed {
        /// What kind of task (`export`, …).
        task: &'static str,
        /// The task's id.
        task_id: String,
        /// Feishu's reason (e.g. an export's `fail_msg`), as given (may be empty).
        message: String,
    },
    /// Waiting for a long-running task reached its deadline while Feishu was still working on it.
    /// The task goes on at Feishu: wait for it again later with its id.
    #[error("{task} task {} was still processing after {} s; it goes on at Feishu: wait for it again later with its task id, or wait with a longer deadline",
        Printable(task_id), waited.as_secs())]
    TaskDeadline {
        /// What kind of task (`export`, …).
        task: &'static str,
        /// The task's id, to resume with.
        task_id: String,
        /// How long it was waited for.
        waited: std::time::Duration,
    },
    /// A paginated listing stopped: a `page_token` came back that named an earlier page, or the
    /// listing passed `MAX_PAGES` pages.
    #[error("pagination stopped: {0}")]
    Pagination(String),
    /// Feishu answered success (code 0) without the `data` its documentation gives this
    /// operation.
    #[error("{operation}: Feishu answered success without the documented `data`{}", log_id.as_deref().map(|l| format!(" (log id {})", Printable(l))).unwrap_or_default())]
    NoData {
        /// The operation (its operationId).
        operation: &'static str,
        /// Feishu's log id, when a header carried one.
        log_id: Option<String>,
    },
    /// A file to upload could not be read.
    #[error("cannot read the file to upload{}: {source}", path.as_deref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    ReadFile {
        /// The file, when it was given by its path.
        path: Option<std::path::PathBuf>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing a download failed locally (a file in the destination folder, or the writer given).
    /// Nothing was left at the destination.
    #[error("cannot write the download{}: {source}; check that the folder exists, is writable and has free space",
        path.as_deref().map(|p| format!(" to {}", p.display())).unwrap_or_default())]
    Io {
        /// The file or folder concerned, when the download was going to a path.
        path: Option<std::path::PathBuf>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The error itself, looking through [`Error::TokenFetch`] and [`Error::RetriesExhausted`].
    pub fn root(&self) -> &Error {
        match self {
            Self::TokenFetch(inner) => inner.root(),
            Self::RetriesExhausted { last, .. } => last.root(),
            other => other,
        }
    }

    /// Feishu's error code, when Feishu answered with one.
    pub fn code(&self) -> Option<i64> {
        match self.root() {
            Self::Api(e) => Some(e.code),
            Self::RateLimited { code, .. } => *code,
            _ => None,
        }
    }

    /// Feishu's log id, when the response carried one — quote it to Feishu support.
    pub fn log_id(&self) -> Option<&str> {
        match self.root() {
            Self::Api(e) => e.log_id.as_deref(),
            Self::Undecodable { log_id, .. }
            | Self::RateLimited { log_id, .. }
            | Self::TooLarge { log_id, .. }
            | Self::NoData { log_id, .. } => log_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status of the (last) response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self.root() {
            Self::Api(e) => Some(e.http_status),
            Self::Undecodable { status, .. } | Self::TooLarge { status, .. } => Some(*status),
            Self::RateLimited { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }

    /// The API error, when Feishu answered with a code (looking through wrappers).
    pub fn api(&self) -> Option<&ApiError> {
        match self.root() {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Attempts made, for [`Error::RetriesExhausted`]; 1 otherwise.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::RetriesExhausted { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// The long-running task concerned, for [`Error::TaskFailed`] and [`Error::TaskDeadline`]:
    /// after a deadline, resume the wait with it.
    pub fn task_id(&self) -> Option<&str> {
        match self.root() {
            Self::TaskFailed { task_id, .. } | Self::TaskDeadline { task_id, .. } => Some(task_id),
            _ => None,
        }
    }

    /// What kind of error this is, from Feishu's code (see [`ErrorKind`]); [`ErrorKind::Other`]
    /// without one.
    pub fn kind(&self) -> ErrorKind {
        match self.root() {
            Self::Api(e) => e.kind(),
            other => other.code().map_or(ErrorKind::Other, ErrorKind::from_code),
        }
    }

    /// Whether the same request may succeed when sent again: a rate limit, a server error
    /// (HTTP 5xx, or a code its operation's spec marks `retryable`), a refused connection. The
    /// runtime already retried it as its [`RetryPolicy`](crate::RetryPolicy) allows.
    pub fn is_retryable(&self) -> bool {
        match self.root() {
            Self::Api(e) => e.is_retryable(),
            Self::RateLimited { .. } => true,
            Self::Undecodable { status, .. } => *status >= 500,
            Self::Transport(e) => e.is_connect(),
            _ => false,
        }
    }
}

/// An error answered by Feishu: `code != 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// Feishu's error code, e.g. 121003.
    pub code: i64,
    /// Feishu's message, e.g. `param error`.
    pub msg: String,
    /// The HTTP status it came with (Feishu sends some errors with 200).
    pub http_status: u16,
    /// The log id (`X-Tt-Logid` header, else `error.log_id`).
    pub log_id: Option<String>,
    /// The `error` object of the envelope, when present.
    pub detail: Option<FeishuErrorDetail>,
    /// What the operation's spec documents for this code, when it does.
    pub documented: Option<&'static DocumentedError>,
}

impl ApiError {
    /// The kind of [`code`](Self::code): the platform's own, else the one the documented HTTP
    /// status gives (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match (ErrorKind::from_code(self.code), self.documented) {
            (ErrorKind::Other, Some(row)) => ErrorKind::from_documented_status(row.http_status),
            (kind, _) => kind,
        }
    }

    /// What the operation's spec documents for this code (`x-feishu-errors`), when it does.
    pub fn documented(&self) -> Option<&'static DocumentedError> {
        self.documented
    }

    /// Whether the same request may succeed when sent again: a server error (HTTP 5xx) or a code
    /// the spec marks `retryable`.
    pub fn is_retryable(&self) -> bool {
        self.http_status >= 500 || self.documented.is_some_and(|row| row.retryable)
    }

    /// What to do about it: the spec's advice for a documented code, else the platform's.
    pub fn advice(&self) -> Option<&'static str> {
        self.documented
            .and_then(|row| row.advice)
            .or_else(|| self.kind().advice())
    }

    /// Feishu's troubleshooter URL, when the response carried one.
    pub fn troubleshooter(&self) -> Option<&str> {
        self.detail.as_ref()?.troubleshooter.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Feishu error {} ({}), HTTP {}",
            self.code,
            Printable(&self.msg),
            self.http_status
        )?;
        if let Some(log_id) = &self.log_id {
            write!(f, ", log id {}", Printable(log_id))?;
        }
        if let Some(advice) = self.advice() {
            write!(f, ": {advice}")?;
        }
        if let Some(url) = self.troubleshooter() {
            write!(f, " (see {})", Printable(url))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The error envelope every Feishu API answers with: `{code, msg, error?}`.
///
/// One handwritten type serves every generated client (the spec's `FeishuError` schema is
/// replaced by it), so [`Error`] converts from any of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FeishuErrorBody {
    /// The error code; 0 means success.
    pub code: i64,
    /// The message.
    #[serde(default)]
    pub msg: String,
    /// Details, when Feishu gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FeishuErrorDetail>,
}

/// The `error` object of a Feishu error envelope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct FeishuErrorDetail {
    /// The request's log id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_id: Option<String>,
    /// A URL with advice on this error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub troubleshooter: Option<String>,
    /// A longer message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Key/value details.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetailEntry>,
    /// Missing permissions or scopes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permission_violations: Vec<PermissionViolation>,
    /// Fields that were rejected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_violations: Vec<FieldViolation>,
    /// Links to help.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub helps: Vec<Help>,
}

/// One `details` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ErrorDetailEntry {
    /// The key.
    pub key: Option<String>,
    /// The value.
    pub value: Option<String>,
}

/// One `permission_violations` entry: a missing permission or scope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct PermissionViolation {
    /// The kind of violation.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The permission or scope concerned.
    pub subject: Option<String>,
    /// What is wrong.
    pub description: Option<String>,
}

/// One `field_violations` entry: a rejected field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct FieldViolation {
    /// The field.
    pub field: Option<String>,
    /// The value sent.
    pub value: Option<String>,
    /// What is wrong.
    pub description: Option<String>,
}

/// One `helps` entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Help {
    /// A URL.
    pub url: Option<String>,
    /// What it helps with.
    pub description: Option<String>,
}
