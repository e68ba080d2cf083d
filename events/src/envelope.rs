//! The envelopes events arrive in: schema 2.0 (`header` + `event`), the legacy 1.0
//! (`uuid`, `token`, `ts`, `type`, `event`), the URL check, and the legacy card callback.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// The `header` of a schema 2.0 event. `Debug` hides the token.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EventHeader {
    /// The event's unique id: the key for de-duplication.
    #[serde(default)]
    pub event_id: String,
    /// The event type, e.g. `im.message.receive_v1`.
    #[serde(default)]
    pub event_type: String,
    /// When the event happened, in milliseconds since the Unix epoch (a string on the wire).
    #[serde(default, deserialize_with = "string_or_number")]
    pub create_time: Option<String>,
    /// The app's verification token (checked by the webhook, hidden from `Debug` of contexts).
    #[serde(default)]
    pub token: Option<String>,
    /// The app the event is for, `cli_…`.
    #[serde(default)]
    pub app_id: Option<String>,
    /// The tenant the event comes from.
    #[serde(default)]
    pub tenant_key: Option<String>,
}

/// The top level of a schema 1.0 (legacy) event. `Debug` hides the token.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct V1Envelope {
    /// The event's unique id: the key for de-duplication.
    #[serde(default)]
    pub uuid: String,
    /// The app's verification token.
    #[serde(default)]
    pub token: Option<String>,
    /// When the event was sent (a decimal string of seconds).
    #[serde(default, deserialize_with = "string_or_number")]
    pub ts: Option<String>,
    /// `event_callback`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

impl fmt::Debug for EventHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventHeader")
            .field("event_id", &self.event_id)
            .field("event_type", &self.event_type)
            .field("create_time", &self.create_time)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("app_id", &self.app_id)
            .field("tenant_key", &self.tenant_key)
            .finish()
    }
}

impl fmt::Debug for V1Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1Envelope")
            .field("uuid", &self.uuid)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("ts", &self.ts)
            .field("kind", &self.kind)
            .finish()
    }
}

/// The fields every schema 1.0 `event` object carries.
#[derive(Debug, Clone, Default, Deserialize)]
struct V1EventHead {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    tenant_key: Option<String>,
}

/// Which envelope an event came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Schema {
    /// `{"schema":"2.0","header":{…},"event":{…}}`: the dispatch key is `header.event_type`.
    V2,
    /// `{"uuid",…,"type":"event_callback","event":{"type":…}}`: the key is `event.type`.
    V1,
    /// The legacy card callback (no `schema`, no `event`): the key is
    /// [`LEGACY_CARD_ACTION`](crate::LEGACY_CARD_ACTION).
    LegacyCard,
}

/// What one request or message holds, once decrypted and parsed.
pub(crate) enum Incoming {
    /// The URL check: answer `{"challenge": …}`.
    UrlVerification {
        challenge: String,
        token: Option<String>,
    },
    /// An event or callback to dispatch.
    Event(Box<Envelope>),
}

/// An event or callback with its envelope read and its payload left raw (no `Debug`: it holds
/// the body's token).
#[derive(Clone)]
pub(crate) struct Envelope {
    pub schema: Schema,
    pub event_type: String,
    /// The de-duplication key: `header.event_id` (v2) or `uuid` (v1); none for legacy cards.
    pub event_id: Option<String>,
    pub header: Option<EventHeader>,
    pub v1: Option<V1Envelope>,
    pub app_id: Option<String>,
    pub tenant_key: Option<String>,
    /// The verification token the body carries (v2 `header.token`, v1 top-level `token`).
    pub token: Option<String>,
    /// The payload: v2 and v1 `event`, or the whole body of a legacy card callback.
    pub payload: Box<RawValue>,
}

/// Why a body is not an event the crate can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Not a JSON object.
    #[error("the body is not a JSON object")]
    NotJsonObject,
    /// A JSON object of no known envelope.
    #[error("the body is no known event envelope (neither schema 2.0, 1.0, a URL check nor a card callback)")]
    Unknown,
    /// A known envelope without its type.
    #[error("the event carries no event type")]
    NoEventType,
}

#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(default, borrow)]
    schema: Option<&'a RawValue>,
    #[serde(default)]
    header: Option<EventHeader>,
    #[serde(default, borrow)]
    event: Option<&'a RawValue>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    challenge: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    ts: Option<String>,
    #[serde(default, borrow)]
    action: Option<&'a RawValue>,
    #[serde(default, borrow)]
    open_message_id: Option<&'a RawValue>,
}

/// Reads a plain (decrypted) body.
pub(crate) fn parse(body: &str) -> Result<Incoming, EnvelopeError> {
    // serde reads a struct from an array too: only an object is an envelope.
    if !body.trim_start().starts_with('{') {
        return Err(EnvelopeError::NotJsonObject);
    }
    let probe: Probe<'_> = serde_json::from_str(body).map_err(|_| EnvelopeError::NotJsonObject)?;
    if probe.kind.as_deref() == Some("url_verification") {
        return Ok(Incoming::UrlVerification {
            challenge: probe.challenge.unwrap_or_default(),
            token: probe.token,
        });
    }
    if probe.schema.is_some() || probe.header.is_some() {
        let header = probe.header.unwrap_or_default();
        if header.event_type.is_empty() {
            return Err(EnvelopeError::NoEventType);
        }
        let payload = probe.event.map_or_else(empty_object, RawValue::to_owned);
        return Ok(Incoming::Event(Box::new(Envelope {
            schema: Schema::V2,
            event_type: header.event_type.clone(),
            event_id: Some(header.event_id.clone()).filter(|id| !id.is_empty()),
            app_id: header.app_id.clone(),
            tenant_key: header.tenant_key.clone(),
            token: header.token.clone(),
            header: Some(header),
            v1: None,
            payload,
        })));
    }
    if let Some(event) = probe.event {
        let head: V1EventHead = serde_json::from_str(event.get()).unwrap_or_default();
        if head.kind.is_empty() {
            return Err(EnvelopeError::NoEventType);
        }
        let uuid = probe.uuid.unwrap_or_default();
        return Ok(Incoming::Event(Box::new(Envelope {
            schema: Schema::V1,
            event_type: head.kind,
            event_id: Some(uuid.clone()).filter(|id| !id.is_empty()),
            header: None,
            app_id: head.app_id,
            tenant_key: head.tenant_key,
            token: probe.token.clone(),
            v1: Some(V1Envelope {
                uuid,
                token: probe.token,
                ts: probe.ts,
                kind: probe.kind,
            }),
            payload: event.to_owned(),
        })));
    }
    if probe.action.is_some() || probe.open_message_id.is_some() {
        return Ok(Incoming::Event(Box::new(Envelope {
            schema: Schema::LegacyCard,
            event_type: crate::LEGACY_CARD_ACTION.to_string(),
            event_id: None,
            header: None,
            v1: None,
            app_id: None,
            tenant_key: None,
            token: None,
            payload: RawValue::from_string(body.to_string())
                .map_err(|_| EnvelopeError::NotJsonObject)?,
        })));
    }
    Err(EnvelopeError::Unknown)
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_string()).expect("valid JSON")
}

/// A string, or a number written as its decimal text (some senders use either).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(serde_json::Number),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::S(s)) => Some(s),
        Some(Either::N(n)) => Some(n.to_string()),
        Some(Either::Other(_)) | None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_envelope() {
        let v2 = r#"{"schema":"2.0","header":{"event_id":"e1","event_type":"im.message.receive_v1","create_time":1608725989000,"token":"t","extra":1},"event":{"a":1}}"#;
        let Ok(Incoming::Event(e)) = parse(v2) else {
            panic!()
        };
        assert_eq!(
            (e.schema, e.event_type.as_str()),
            (Schema::V2, "im.message.receive_v1")
        );
        assert_eq!(
            e.header.unwrap().create_time.as_deref(),
            Some("1608725989000")
        );
        assert_eq!(e.payload.get(), r#"{"a":1}"#);

        let v1 = r#"{"uuid":"u1","token":"t","ts":"1.0","type":"event_callback","event":{"type":"app_ticket","app_id":"cli_x","app_ticket":"tk"}}"#;
        let Ok(Incoming::Event(e)) = parse(v1) else {
            panic!()
        };
        assert_eq!((e.schema, e.event_id.as_deref()), (Schema::V1, Some("u1")));
        assert_eq!(e.event_type, "app_ticket");

        let check = r#"{"challenge":"c","token":"t","type":"url_verification"}"#;
        assert!(matches!(parse(check), Ok(Incoming::UrlVerification { .. })));

        let card = r#"{"open_id":"ou","open_message_id":"om","action":{"tag":"button"}}"#;
        let Ok(Incoming::Event(e)) = parse(card) else {
            panic!()
        };
        assert_eq!(e.schema, Schema::LegacyCard);

        assert_eq!(parse("[]").err(), Some(EnvelopeError::NotJsonObject));
        assert_eq!(parse("{}").err(), Some(EnvelopeError::Unknown));
        assert_eq!(
            parse(r#"{"schema":"2.0"}"#).err(),
            Some(EnvelopeError::NoEventType)
        );
    }
}
