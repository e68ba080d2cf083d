//! Meeting enums and the 9-digit meeting number, replacing the spec's schemas of the same names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

feishu_openapi_core::int_enum! {
    /// 会议状态 — a meeting's status (`meeting_status`). Absent means ended meetings.
    MeetingStatus {
        /// 1, 进行中: ongoing.
        Ongoing = 1, "ongoing",
        /// 2, 已结束: ended (Feishu's default when absent).
        Ended = 2, "ended",
        /// 3, 待召开: upcoming.
        Upcoming = 3, "upcoming",
    }
}

feishu_openapi_core::int_enum! {
    /// 会议类型 — a meeting type, used as a filter (`meeting_type`).
    MeetingType {
        /// 1, 全部类型（默认）: all types (the default).
        All = 1, "all",
        /// 2, 视频会议: video meetings.
        Video = 2, "video",
        /// 3, 本地投屏: local screen-cast.
        ScreenCast = 3, "screencast",
    }
}

feishu_openapi_core::id_string! {
    /// The ID of a Rooms device (`omm_…`). Never empty.
    RoomId, "room_id"
}

/// A meeting number: exactly 9 digits (按9位会议号筛选).
///
/// ```
/// use feishu_openapi::vc::MeetingNo;
/// assert!("123456789".parse::<MeetingNo>().is_ok());
/// assert!("12345678".parse::<MeetingNo>().is_err());
/// assert!("12345678a".parse::<MeetingNo>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MeetingNo([u8; 9]);

/// Why a value is not a meeting number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("meeting_no {0:?} is not a meeting number: it must be exactly 9 digits")]
pub struct InvalidMeetingNo(pub String);

impl MeetingNo {
    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a meeting number holds ASCII digits only")
    }
}

impl FromStr for MeetingNo {
    type Err = InvalidMeetingNo;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match <[u8; 9]>::try_from(s.as_bytes()) {
            Ok(digits) if digits.iter().all(u8::is_ascii_digit) => Ok(Self(digits)),
            _ => Err(InvalidMeetingNo(s.to_string())),
        }
    }
}

impl fmt::Debug for MeetingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MeetingNo").field(&self.as_str()).finish()
    }
}

impl TryFrom<&str> for MeetingNo {
    type Error = InvalidMeetingNo;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for MeetingNo {
    type Error = InvalidMeetingNo;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<InvalidMeetingNo> for crate::Error {
    fn from(e: InvalidMeetingNo) -> Self {
        crate::Error::Validation(e.to_string())
    }
}

impl fmt::Display for MeetingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MeetingNo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MeetingNo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Digits;
        impl serde::de::Visitor<'_> for Digits {
            type Value = MeetingNo;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a 9-digit meeting number as a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<MeetingNo, E> {
                s.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Digits)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for MeetingNo {
    fn schema_name() -> String {
        "MeetingNo".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                pattern: Some("^[0-9]{9}$".into()),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
