//! Fault injection: what the fake does wrong, on purpose, to the next request of an endpoint.

use std::time::Duration;

/// An operation of the fake, to aim a [`Fault`] at.
///
/// Any operation of an enabled service is named by its operationId,
/// `Endpoint::Operation("chat_list")`, or, where two services use the same operationId
/// (`user_get` is in `acs` and in `contact`), by its service too:
/// `Endpoint::InService { service: "contact", operation: "user_get" }`. The names such as
/// [`Endpoint::TenantAccessToken`] are constants standing for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// Any operation of an enabled service, by its operationId (`"chat_list"`,
    /// `"tenant_access_token_internal"`, …).
    Operation(&'static str),
    /// The operation `operation` (an operationId) of the service `service` (its feature's name).
    InService {
        /// The service's name: `"contact"`, `"im"`, …
        service: &'static str,
        /// The operationId.
        operation: &'static str,
    },
    /// Whichever request comes next.
    Any,
}

#[allow(
    non_upper_case_globals,
    reason = "named like the variants they stood for before operations were named by id"
)]
impl Endpoint {
    /// `POST /open-apis/auth/v3/tenant_access_token/internal`.
    pub const TenantAccessToken: Endpoint = Endpoint::Operation("tenant_access_token_internal");

    /// Whether a request for the operation `operation` of `service` (`None` when no enabled
    /// service has the request's operation) is aimed at.
    pub(super) fn aims_at(self, request: Option<(&str, &str)>) -> bool {
        match (self, request) {
            (Self::Any, _) => true,
            (Self::Operation(id), Some((_, operation))) => id == operation,
            (Self::InService { service, operation }, Some(request)) => {
                (service, operation) == request
            }
            (_, None) => false,
        }
    }
}

/// A fault for [`FakeFeishu::inject`](super::FakeFeishu::inject): it spoils the next request to
/// its endpoint, once (inject it again for more). The request is recorded all the same.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Rate limited, as Feishu's gateway does: HTTP 429, code 99991400 `request trigger frequency
    /// limit`, headers `x-ogw-ratelimit-limit: 100` and `x-ogw-ratelimit-reset: <reset_secs>`.
    /// The request is not handled (a task's poll is not counted).
    RateLimited {
        /// Seconds until the window resets, as the header says.
        reset_secs: u64,
    },
    /// HTTP 500 with the operation's documented server error (the first row of its spec's
    /// `x-feishu-errors` at HTTP 500), or, for an operation that documents none, a gateway's HTML
    /// page; the request is not handled.
    ServerError,
    /// HTTP 502 with an HTML page, as a gateway in front of Feishu sends; not handled.
    BadGateway,
    /// A Feishu error envelope `{code, msg}` at this HTTP status — 200 included, as Feishu
    /// sometimes does; the request is not handled.
    Error {
        /// The HTTP status.
        status: u16,
        /// The code (not 0).
        code: i64,
        /// The message.
        msg: String,
    },
    /// Every tenant access token issued so far expires just before the request is checked (as
    /// when their two hours are up): it gets 99991663, and so does every later request with an
    /// old token, until a new one is fetched.
    TokenExpired,
    /// The answer comes this much later (nothing is sent until then).
    Delay(Duration),
    /// A download stops after this many bytes and the connection is closed, although
    /// `Content-Length` promised the whole file. Other endpoints answer normally.
    CutOff {
        /// Bytes sent before the cut.
        after_bytes: u64,
    },
    /// A download pauses for `pause` after `after_bytes` bytes, then goes on.
    Stall {
        /// Bytes sent before the pause.
        after_bytes: u64,
        /// How long nothing is sent.
        pause: Duration,
    },
    /// A download is sent `chunk_bytes` at a time with `pause` between chunks: slow but steady.
    SlowBody {
        /// Bytes per chunk (at least 1).
        chunk_bytes: usize,
        /// The pause between two chunks.
        pause: Duration,
    },
}

impl Fault {
    /// Whether the fault shapes a file's body rather than the answer.
    pub(super) fn shapes_body(&self) -> bool {
        matches!(
            self,
            Self::CutOff { .. } | Self::Stall { .. } | Self::SlowBody { .. }
        )
    }
}
