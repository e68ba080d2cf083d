//! Secrets that never print: access tokens (and, later, app secrets).

use std::fmt;

/// A string that is redacted in `Debug` and `Display`; only the crate reads it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An access token given by the caller, sent as `Authorization: Bearer …`.
///
/// Feishu has two kinds for the export APIs: a **tenant** access token (`t-…`, the app acting for
/// its tenant) and a **user** access token (`u-…`, the app acting for a signed-in user). The
/// token never appears in `Debug` or `Display` output:
///
/// ```
/// use feishu_openapi::AccessToken;
/// let token = AccessToken::tenant("t-very-secret");
/// assert_eq!(format!("{token:?}"), "AccessToken::Tenant(<redacted>)");
/// assert!(!token.to_string().contains("very-secret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum AccessToken {
    /// A tenant_access_token (`t-…`).
    Tenant(#[doc(hidden)] SecretString),
    /// A user_access_token (`u-…`).
    User(#[doc(hidden)] SecretString),
}

/// The opaque, redacted content of an [`AccessToken`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Secret);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl AccessToken {
    /// A tenant_access_token (`t-…`).
    pub fn tenant(token: impl Into<String>) -> Self {
        Self::Tenant(SecretString(Secret::new(token)))
    }

    /// A user_access_token (`u-…`).
    pub fn user(token: impl Into<String>) -> Self {
        Self::User(SecretString(Secret::new(token)))
    }

    /// `"tenant"` or `"user"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Tenant(_) => "tenant",
            Self::User(_) => "user",
        }
    }

    pub(crate) fn expose(&self) -> &str {
        match self {
            Self::Tenant(s) | Self::User(s) => s.0.expose(),
        }
    }

    /// The `Authorization` header value, marked sensitive so that it is never logged.
    pub(crate) fn header_value(&self) -> Result<http::HeaderValue, crate::Error> {
        let mut value = http::HeaderValue::try_from(format!("Bearer {}", self.expose()))
            .map_err(|_| crate::Error::Config("the access token contains characters not allowed in an HTTP header".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tenant(_) => f.write_str("AccessToken::Tenant(<redacted>)"),
            Self::User(_) => f.write_str("AccessToken::User(<redacted>)"),
        }
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} access token <redacted>", self.kind())
    }
}
