//! The id of an export task (任务id), checked against its documented form wherever it comes
//! from: Feishu's answer, a flag, a file.

use std::fmt;
use std::str::FromStr;

/// The id of an export task (任务id): ASCII digits (19 of them today), at most
/// [`TaskId::MAX_LEN`]. Feishu returns it when an export is created; keep it to resume the task.
///
/// An answer whose `task_id` is anything else fails to decode
/// ([`Error::Undecodable`](feishu_openapi_core::Error::Undecodable)), so an id from a hostile or broken server
/// can never carry a control character to a terminal or a path to a request.
///
/// ```
/// use feishu_openapi::vc::export::TaskId;
/// let id: TaskId = "7111325589855797267".parse().unwrap();
/// assert_eq!(id, "7111325589855797267");
/// assert!("7111325589855797267\n".parse::<TaskId>().is_err());
/// assert!("".parse::<TaskId>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(String);

/// A value that is not an export task id; its `Display` shows the value escaped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an export task id: ASCII digits only, 1 to 32 of them")]
pub struct InvalidTaskId(pub String);

impl TaskId {
    /// The longest id accepted (Feishu's are 19 digits).
    pub const MAX_LEN: usize = 32;

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_task_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= TaskId::MAX_LEN && s.bytes().all(|b| b.is_ascii_digit())
}

impl FromStr for TaskId {
    type Err = InvalidTaskId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.to_string().try_into()
    }
}

impl TryFrom<&str> for TaskId {
    type Error = InvalidTaskId;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for TaskId {
    type Error = InvalidTaskId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if is_task_id(&s) {
            Ok(Self(s))
        } else {
            Err(InvalidTaskId(s))
        }
    }
}

impl From<InvalidTaskId> for crate::Error {
    fn from(e: InvalidTaskId) -> Self {
        crate::Error::Validation(e.to_string())
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TaskId").field(&self.0).finish()
    }
}

impl std::ops::Deref for TaskId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TaskId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for TaskId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for TaskId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for TaskId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<TaskId> for String {
    fn eq(&self, other: &TaskId) -> bool {
        *self == other.0
    }
}

impl serde::Serialize for TaskId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for TaskId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        TaskId::try_from(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for TaskId {
    fn schema_name() -> String {
        "TaskId".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                pattern: Some("^[0-9]{1,32}$".into()),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
