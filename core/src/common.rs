//! Types shared by every Feishu service: unix-second times and the kind of user ID.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time as Feishu sends it: unix seconds, as a **string** of digits on the wire.
///
/// Build one from a [`SystemTime`], from unix seconds, or parse one from a string of digits:
///
/// ```
/// use feishu_openapi_core::UnixSeconds;
/// let a = UnixSeconds::from(1_655_276_858);
/// let b: UnixSeconds = "1655276858".parse().unwrap();
/// assert_eq!(a, b);
/// assert_eq!(serde_json::to_string(&a).unwrap(), "\"1655276858\"");
/// assert!("-1".parse::<UnixSeconds>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixSeconds(u64);

impl UnixSeconds {
    /// The current time, rounded down to the second.
    pub fn now() -> Self {
        Self::try_from(SystemTime::now()).unwrap_or(Self(0))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn as_secs(self) -> u64 {
        self.0
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0)
    }
}

/// Why a value is not a unix-seconds time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time in unix seconds (a non-negative integer written with digits only)")]
pub struct InvalidUnixSeconds(pub String);

impl From<u64> for UnixSeconds {
    fn from(secs: u64) -> Self {
        Self(secs)
    }
}

impl TryFrom<i64> for UnixSeconds {
    type Error = InvalidUnixSeconds;
    fn try_from(secs: i64) -> Result<Self, Self::Error> {
        u64::try_from(secs)
            .map(Self)
            .map_err(|_| InvalidUnixSeconds(secs.to_string()))
    }
}

impl TryFrom<SystemTime> for UnixSeconds {
    type Error = InvalidUnixSeconds;
    fn try_from(t: SystemTime) -> Result<Self, Self::Error> {
        t.duration_since(UNIX_EPOCH)
            .map(|d| Self(d.as_secs()))
            .map_err(|_| InvalidUnixSeconds(format!("{t:?} (before 1970)")))
    }
}

impl FromStr for UnixSeconds {
    type Err = InvalidUnixSeconds;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidUnixSeconds(s.to_string()));
        }
        s.parse()
            .map(Self)
            .map_err(|_| InvalidUnixSeconds(s.to_string()))
    }
}

impl TryFrom<&str> for UnixSeconds {
    type Error = InvalidUnixSeconds;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for UnixSeconds {
    type Error = InvalidUnixSeconds;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<&String> for UnixSeconds {
    type Error = InvalidUnixSeconds;
    fn try_from(s: &String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for UnixSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for UnixSeconds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Digits on the stack: no formatting machinery on every send.
        s.serialize_str(itoa::Buffer::new().format(self.0))
    }
}

impl<'de> Deserialize<'de> for UnixSeconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for UnixSeconds {
    fn schema_name() -> String {
        "UnixSeconds".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                pattern: Some("^[0-9]+$".into()),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

crate::string_enum! {
    /// The kind of user ID in a request and its response (`user_id_type`).
    ///
    /// `open_id` (`ou_…`, one user within one app) is Feishu's default.
    UserIdType {
        /// `open_id`: one user within one app (`ou_…`). The default.
        #[default]
        OpenId = "open_id",
        /// `union_id`: one user across one developer's apps (`on_…`).
        UnionId = "union_id",
        /// `user_id`: one user within one tenant; needs the scope `contact:user.employee_id:readonly`.
        UserId = "user_id",
    }
}

crate::id_string! {
    /// A user's ID, of the kind named by [`UserIdType`] (`ou_…`, `on_…`, or a tenant user_id).
    /// Never empty.
    UserId, "user_id"
}
