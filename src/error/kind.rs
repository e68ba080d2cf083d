//! Named kinds for Feishu's error codes, with what to do about each.

/// The kind of a Feishu error code. Codes without a name here are [`ErrorKind::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 121001 internal error — a server error; retrying may help.
    InternalError,
    /// 121002 not support — the feature is not supported.
    NotSupported,
    /// 121003 param error — a parameter is out of range (e.g. several filters at once).
    ParamError,
    /// 121004 data not exist — the data, task or file does not exist.
    DataNotExist,
    /// 121005 no permission — token kind, operator identity or resource ownership is wrong.
    NoPermission,
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
    /// Any other code.
    Other,
}

impl ErrorKind {
    /// The kind of a Feishu error code.
    pub fn from_code(code: i64) -> Self {
        match code {
            121001 => Self::InternalError,
            121002 => Self::NotSupported,
            121003 => Self::ParamError,
            121004 => Self::DataNotExist,
            121005 => Self::NoPermission,
            99991661 => Self::AuthorizationMissing,
            99991663 | 99991664 | 99991668 | 99991671 | 99991677 => Self::AccessTokenInvalid,
            99991672 | 99991676 | 99991679 => Self::ScopeMissing,
            99991543 | 10014 => Self::AppCredentialsInvalid,
            99991400 => Self::RateLimited,
            _ => Self::Other,
        }
    }

    /// What to do about it, in a sentence.
    pub fn advice(self) -> Option<&'static str> {
        Some(match self {
            Self::InternalError => "a Feishu server error; retry, and if it persists contact the administrator with the log id",
            Self::NotSupported => "Feishu does not support this yet",
            Self::ParamError => "a parameter is out of range; check the fields against the doc (at most one filter, start <= end)",
            Self::DataNotExist => "the requested data, task or file does not exist",
            Self::NoPermission => "no permission: check the token kind (tenant or user), that the operator holds the admin 'meeting management' right, and who owns the resource; the app needs the scope vc:export",
            Self::AuthorizationMissing => "the Authorization header is missing; give the client an access token or app credentials",
            Self::AccessTokenInvalid => "the access token is invalid or expired; get a new one",
            Self::ScopeMissing => "a scope is missing: grant the app the scope the endpoint lists (vc:export for exports) in the developer console, publish the app, and for user tokens have the user authorise it",
            Self::AppCredentialsInvalid => "the app id or app secret is wrong",
            Self::RateLimited => "rate limited; wait for the window to reset (x-ogw-ratelimit-reset) and retry",
            Self::Other => return None,
        })
    }
}
