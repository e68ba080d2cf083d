//! What a handler receives: the event's envelope and its payload, typed or raw.

use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::envelope::{Envelope, EventHeader, Schema, V1Envelope};

/// What a handler may fail with: any error. A failure is logged and, where the platform waits
/// for the handler, answered with code 500 (the platform then pushes the event again).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// A typed event payload: the `event` object of one event type.
///
/// Implement it for a payload type (the generated ones will) and register a handler for it with
/// [`Dispatcher::on`](crate::Dispatcher::on). Every field should be tolerant: `Option` unless the
/// platform marks it required, unknown fields ignored.
///
/// ```
/// use feishu_openapi_events::{EventPayload, Schema};
///
/// /// `im.chat.disbanded_v1`, only the fields this bot reads.
/// #[derive(serde::Deserialize)]
/// struct ChatDisbanded {
///     chat_id: Option<String>,
/// }
///
/// impl EventPayload for ChatDisbanded {
///     const EVENT_TYPE: &'static str = "im.chat.disbanded_v1";
///     const SCHEMA: Schema = Schema::V2;
/// }
/// ```
pub trait EventPayload: DeserializeOwned + Send + 'static {
    /// The event type as the platform spells it: `header.event_type` (schema 2.0) or
    /// `event.type` (schema 1.0).
    const EVENT_TYPE: &'static str;
    /// The envelope the event comes in.
    const SCHEMA: Schema;
    /// A callback (card action, link preview) waits for its handler and answers with the
    /// handler's reply, within the platform's 3 seconds. Events are not callbacks.
    const IS_CALLBACK: bool = false;
}

/// What a handler answers with. `()` for events; the typed replies for callbacks
/// ([`CardActionReply`](crate::card::CardActionReply), …); any JSON value for a raw callback.
pub trait IntoReply {
    /// The JSON the platform gets back, if any.
    fn into_reply(self) -> Result<Option<serde_json::Value>, HandlerError>;
}

impl IntoReply for () {
    fn into_reply(self) -> Result<Option<serde_json::Value>, HandlerError> {
        Ok(None)
    }
}

impl IntoReply for serde_json::Value {
    fn into_reply(self) -> Result<Option<serde_json::Value>, HandlerError> {
        Ok(Some(self))
    }
}

impl<T: IntoReply> IntoReply for Option<T> {
    fn into_reply(self) -> Result<Option<serde_json::Value>, HandlerError> {
        self.map_or(Ok(None), IntoReply::into_reply)
    }
}

/// How an event reached the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport {
    /// An HTTP request to the app's request URL.
    Webhook,
    /// A frame of the long connection.
    LongConnection,
}

/// Everything about an event but its payload. `Debug` hides the verification token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventEnvelope {
    /// The envelope it came in.
    pub schema: Schema,
    /// The event type, e.g. `im.message.receive_v1`, `app_ticket`.
    pub event_type: String,
    /// `header.event_id` (schema 2.0) or `uuid` (schema 1.0); none for a legacy card callback.
    pub event_id: Option<String>,
    /// The schema 2.0 header.
    pub header: Option<EventHeader>,
    /// The schema 1.0 top level.
    pub v1: Option<V1Envelope>,
    /// The app the event is for.
    pub app_id: Option<String>,
    /// The tenant it comes from.
    pub tenant_key: Option<String>,
    /// How it arrived.
    pub transport: Transport,
}

impl EventEnvelope {
    pub(crate) fn new(envelope: &Envelope, transport: Transport) -> Self {
        Self {
            schema: envelope.schema,
            event_type: envelope.event_type.clone(),
            event_id: envelope.event_id.clone(),
            header: envelope.header.clone(),
            v1: envelope.v1.clone(),
            app_id: envelope.app_id.clone(),
            tenant_key: envelope.tenant_key.clone(),
            transport,
        }
    }
}

/// A typed event: its envelope and its payload (which it dereferences to).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event<E> {
    /// Everything but the payload.
    pub envelope: EventEnvelope,
    /// The payload.
    pub event: E,
}

impl<E> Deref for Event<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.event
    }
}

/// An event whose payload is left as JSON text: what raw handlers and the handler of unknown
/// types get.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawEvent {
    /// Everything but the payload.
    pub envelope: EventEnvelope,
    /// The payload as it came (`event`, or a legacy card callback's whole body).
    pub event: Box<RawValue>,
}

impl RawEvent {
    /// The payload read as `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.event.get())
    }
}
