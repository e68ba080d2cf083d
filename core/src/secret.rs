//! Secrets that never print: app secrets and access tokens.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string (an app secret, an access token): redacted in `Debug` and `Display`.
///
/// It serialises as the plain string — it has to go over the wire — so never log a serialised
/// request body that holds one (this crate doesn't).
///
/// ```
/// use feishu_openapi_core::SecretString;
/// let s = SecretString::new("hunter2");
/// assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
/// assert_eq!(s.expose_secret(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call it only to send it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// An empty string is refused, as the spec's `Secret` schema says (`minLength: 1`): an answer
/// with an empty token is not a token.
impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = String::deserialize(d)?;
        if value.is_empty() {
            return Err(serde::de::Error::custom("a secret must not be empty"));
        }
        Ok(Self(value))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SecretString {
    fn schema_name() -> String {
        "Secret".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                min_length: Some(1),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

/// An access token given by the caller, sent as `Authorization: Bearer …`.
///
/// Feishu has two kinds for the export APIs: a **tenant** access token (`t-…`, the app acting for
/// its tenant) and a **user** access token (`u-…`, the app acting for a signed-in user). The
/// token never appears in `Debug` or `Display` output:
///
/// ```
/// use feishu_openapi_core::AccessToken;
/// let token = AccessToken::tenant("t-very-secret");
/// assert_eq!(format!("{token:?}"), "AccessToken::Tenant(<redacted>)");
/// assert!(!token.to_string().contains("very-secret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum AccessToken {
    /// A tenant_access_token (`t-…`).
    Tenant(SecretString),
    /// A user_access_token (`u-…`).
    User(SecretString),
}

impl AccessToken {
    /// A tenant_access_token (`t-…`).
    pub fn tenant(token: impl Into<String>) -> Self {
        Self::Tenant(SecretString::new(token))
    }

    /// A user_access_token (`u-…`).
    pub fn user(token: impl Into<String>) -> Self {
        Self::User(SecretString::new(token))
    }

    /// `"tenant"` or `"user"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Tenant(_) => "tenant",
            Self::User(_) => "user",
        }
    }

    /// The token itself.
    pub fn secret(&self) -> &SecretString {
        match self {
            Self::Tenant(s) | Self::User(s) => s,
        }
    }

    /// The `Authorization` header value, marked sensitive so that it is never logged.
    pub(crate) fn header_value(&self) -> Result<http::HeaderValue, crate::Error> {
        let mut value =
            http::HeaderValue::try_from(format!("Bearer {}", self.secret().expose_secret()))
                .map_err(|_| {
                    crate::Error::Config(
                        "the access token contains characters not allowed in an HTTP header".into(),
                    )
                })?;
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

/// A self-built app's credentials: the app id (`cli_…`) and the app secret (redacted).
#[derive(Clone, Debug)]
pub struct AppCredentials {
    /// The app id, `cli_…`.
    pub app_id: String,
    /// The app secret.
    pub app_secret: SecretString,
}

impl AppCredentials {
    /// Credentials from an app id and secret.
    pub fn new(app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: SecretString::new(app_secret),
        }
    }
}
