//! The long connection's frames: protobuf messages of package `pbbp2` (proto2, so the four
//! required scalars are always encoded, zero or not).

use std::time::Duration;

use base64::Engine as _;
use prost::Message as _;

/// A frame header: a key and its value.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Header {
    /// The key, e.g. `type`, `message_id`, `sum`, `seq`, `trace_id`, `biz_rt`.
    #[prost(string, required, tag = "1")]
    pub key: String,
    /// The value.
    #[prost(string, required, tag = "2")]
    pub value: String,
}

/// One frame: a binary WebSocket message.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Frame {
    /// `SeqID`.
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    /// `LogID`.
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    /// The service id (from the connection URL's `service_id`).
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    /// [`METHOD_CONTROL`] or [`METHOD_DATA`].
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    /// The headers.
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    /// `payload_encoding`.
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    /// `payload_type`.
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    /// The payload: an event's JSON, an ack's JSON, a pong's settings.
    #[prost(bytes = "vec", optional, tag = "8")]
    pub payload: Option<Vec<u8>>,
    /// `LogIDNew`.
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

/// `method` of control frames (ping, pong).
pub const METHOD_CONTROL: i32 = 0;
/// `method` of data frames (events, callbacks, acks).
pub const METHOD_DATA: i32 = 1;

/// Header `type` values.
pub mod kind {
    /// An event.
    pub const EVENT: &str = "event";
    /// A card callback.
    pub const CARD: &str = "card";
    /// A ping.
    pub const PING: &str = "ping";
    /// A pong.
    pub const PONG: &str = "pong";
}

/// Header keys.
pub mod key {
    /// The frame's kind.
    pub const TYPE: &str = "type";
    /// The message a fragment belongs to.
    pub const MESSAGE_ID: &str = "message_id";
    /// How many fragments the message has.
    pub const SUM: &str = "sum";
    /// This fragment's index, from 0.
    pub const SEQ: &str = "seq";
    /// The trace id.
    pub const TRACE_ID: &str = "trace_id";
    /// The handler's time in milliseconds (acks).
    pub const BIZ_RT: &str = "biz_rt";
}

impl Frame {
    /// The value of header `key`, if present.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }

    /// Sets header `key` (replacing it if present).
    pub fn set_header(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.headers.iter_mut().find(|h| h.key == key) {
            Some(h) => h.value = value,
            None => self.headers.push(Header {
                key: key.to_string(),
                value,
            }),
        }
    }

    /// The frame's `type` header, or `""`.
    pub fn kind(&self) -> &str {
        self.header(key::TYPE).unwrap_or("")
    }

    /// A ping for `service`.
    pub fn ping(service: i32) -> Self {
        Self {
            service,
            method: METHOD_CONTROL,
            headers: vec![Header {
                key: key::TYPE.into(),
                value: kind::PING.into(),
            }],
            ..Self::default()
        }
    }

    /// The protobuf bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode_to_vec()
    }

    /// Reads protobuf bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, prost::DecodeError> {
        Self::decode(bytes)
    }

    /// The ack of this (data) frame: the same frame with `biz_rt` and the payload
    /// `{"code": code, "data": base64(reply)}` (`data` only with a reply).
    pub(crate) fn ack(
        mut self,
        code: u16,
        reply: Option<&serde_json::Value>,
        took: Duration,
    ) -> Self {
        let biz_rt = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        self.set_header(key::BIZ_RT, biz_rt.to_string());
        let mut body = serde_json::json!({ "code": code });
        if let Some(reply) = reply {
            body["data"] = base64::engine::general_purpose::STANDARD
                .encode(reply.to_string())
                .into();
        }
        self.payload = Some(body.to_string().into_bytes());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_scalars_are_encoded_even_when_zero() {
        let bytes = Frame::ping(0).to_bytes();
        // tags 1..4 as varints of 0, then the header.
        assert_eq!(&bytes[..8], &[0x08, 0, 0x10, 0, 0x18, 0, 0x20, 0]);
        let back = Frame::from_bytes(&bytes).unwrap();
        assert_eq!(back.kind(), "ping");
        assert!(Frame::from_bytes(&[0x0a]).is_err());
    }
}
