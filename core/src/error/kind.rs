//! What kind of error a Feishu code is: the platform's own codes by name, every other code by
//! what its operation's spec documents for it.

/// The kind of a Feishu error.
///
/// The platform's codes — access tokens, scopes, app credentials, the rate limit — mean the same
/// for every API and have kinds of their own. A service's code has the kind of the HTTP status
/// its operation's spec documents for it (`x-feishu-errors`), see
/// [`ApiError::documented`](crate::ApiError::documented); a code the spec does not document is
/// [`ErrorKind::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 99991661 — the Authorization header is missing.
    AuthorizationMissing,
    /// 99991663, 99991664, 99991668, 99991671, 99991677 — the access token is invalid or expired.
    AccessTokenInvalid,
    /// 99991672, 99991676, 99991679 — a scope is not granted.
    ScopeMissing,
    /// 99991543, 10014 — the app id or app secret is wrong.
    AppCredentialsInvalid,
    /// 99991400 — rate limited.
    RateLimited,
    /// A documented code of the operation, at HTTP 400: the request is wrong (a parameter out of
    /// range, a feature not supported).
    BadRequest,
    /// A documented code of the operation, at HTTP 401 or 403: no permission for this operator or
    /// resource.
    PermissionDenied,
    /// A documented code of the operation, at HTTP 404: the data, task or file does not exist.
    NotFound,
    /// A documented code of the operation, at HTTP 5xx: a server error; retrying may help.
    ServerError,
    /// Any other code.
    Other,
}

impl ErrorKind {
    /// The kind of one of the platform's codes; [`ErrorKind::Other`] for any other code.
    pub fn from_code(code: i64) -> Self {
        match code {
            99991661 => Self::AuthorizationMissing,
            99991663 | 99991664 | 99991668 | 99991671 | 99991677 => Self::AccessTokenInvalid,
            99991672 | 99991676 | 99991679 => Self::ScopeMissing,
            99991543 | 10014 => Self::AppCredentialsInvalid,
            99991400 => Self::RateLimited,
            _ => Self::Other,
        }
    }

    /// The kind a documented code has by the HTTP status its spec gives it.
    pub(crate) fn from_documented_status(http_status: u16) -> Self {
        match http_status {
            400 => Self::BadRequest,
            401 | 403 => Self::PermissionDenied,
            404 => Self::NotFound,
            500..=599 => Self::ServerError,
            _ => Self::Other,
        }
    }

    /// What to do about one of the platform's codes, in a sentence. (A service's code has its
    /// advice in the spec: [`DocumentedError::advice`](crate::DocumentedError::advice).)
    pub fn advice(self) -> Option<&'static str> {
        Some(match self {
            Self::AuthorizationMissing => "the Authorization header is missing; give the client an access token or app credentials",
            Self::AccessTokenInvalid => "the access token is invalid or expired; get a new one",
            Self::ScopeMissing => "a scope is missing: grant the app the scope the endpoint lists in the developer console, publish the app, and for user tokens have the user authorise it",
            Self::AppCredentialsInvalid => "the app id or app secret is wrong",
            Self::RateLimited => "rate limited; wait for the window to reset (x-ogw-ratelimit-reset) and retry",
            _ => return None,
        })
    }
}
