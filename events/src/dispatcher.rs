//! The dispatcher: handlers per event type, de-duplication, and when the platform is answered.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use feishu_openapi_core::AppTicketStore;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::dedup::{BoxFuture, DedupStore, MemoryDedup};
use crate::envelope::Envelope;
use crate::event::{
    Event, EventEnvelope, EventPayload, HandlerError, IntoReply, RawEvent, Transport,
};

type Handler = Arc<
    dyn Fn(EventEnvelope, Box<RawValue>) -> BoxFuture<'static, Result<Option<Value>, HandlerError>>
        + Send
        + Sync,
>;

/// The event types that are callbacks (answered with the handler's reply) whoever handles them.
const CALLBACK_TYPES: [&str; 3] = [
    crate::card::CARD_ACTION_TRIGGER,
    crate::card::URL_PREVIEW_GET,
    crate::LEGACY_CARD_ACTION,
];

/// When the platform is answered for an event (callbacks always wait for their handler).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handling {
    /// Answer 200 at once, then run the handler (the default): the platform's 3 seconds are never
    /// missed; a failed handler is only logged.
    #[default]
    AckThenHandle,
    /// Run the handler first, answer 200 when it succeeds and 500 when it fails (the platform
    /// then pushes the event again). Past `deadline` the answer is 200 and the handler goes on.
    HandleThenAck {
        /// Keep it under the platform's 3 seconds.
        deadline: Duration,
    },
}

/// What the transport sends back for one event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    /// 200, or 500 when the handler failed.
    pub code: u16,
    /// A callback's reply.
    pub reply: Option<Value>,
}

impl Answer {
    pub(crate) fn ok(reply: Option<Value>) -> Self {
        Self { code: 200, reply }
    }
    pub(crate) fn failed() -> Self {
        Self {
            code: 500,
            reply: None,
        }
    }
}

struct Registered {
    handler: Handler,
    callback: bool,
}

/// Routes events to their handlers: one per app, no globals (run several side by side).
///
/// ```
/// use feishu_openapi_events::{card::{CardAction, CardActionReply, Toast}, Dispatcher, Event};
///
/// let dispatcher = Dispatcher::new()
///     .on(|click: Event<CardAction>| async move {
///         let _who = click.operator.as_ref().and_then(|o| o.open_id.clone());
///         Ok(CardActionReply::new().toast(Toast::success("Done")))
///     })
///     .on_raw("im.message.receive_v1", |event| async move {
///         println!("handled {} {:?}", event.envelope.event_type, event.envelope.event_id);
///         Ok(())
///     })
///     .on_unknown(|event| async move {
///         println!("unhandled {}", event.envelope.event_type);
///         Ok(())
///     });
/// # drop(dispatcher);
/// ```
pub struct Dispatcher {
    handlers: HashMap<String, Registered>,
    unknown: Option<Handler>,
    dedup: Arc<dyn DedupStore>,
    handling: Handling,
    callback_deadline: Duration,
    /// Where the tickets of `app_ticket` events go (a marketplace app's REST client's store).
    app_tickets: Option<Arc<dyn AppTicketStore>>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut types: Vec<_> = self.handlers.keys().collect();
        types.sort();
        f.debug_struct("Dispatcher")
            .field("event_types", &types)
            .field("unknown", &self.unknown.is_some())
            .field("handling", &self.handling)
            .field("callback_deadline", &self.callback_deadline)
            .field("feeds_app_tickets", &self.app_tickets.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Dispatcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Dispatcher {
    /// The default time a callback's handler has: 2.5 s, inside the platform's 3 s.
    pub const DEFAULT_CALLBACK_DEADLINE: Duration = Duration::from_millis(2500);

    /// A dispatcher without handlers, [`Handling::AckThenHandle`], and a [`MemoryDedup`] of the
    /// default size.
    pub fn new() -> Self {
        Self {
            handlers: HashMap::new(),
            unknown: None,
            dedup: Arc::new(MemoryDedup::default()),
            handling: Handling::default(),
            callback_deadline: Self::DEFAULT_CALLBACK_DEADLINE,
            app_tickets: None,
        }
    }

    /// Handles the events of type `E::EVENT_TYPE` with `handler`, which gets the typed payload.
    /// Replaces an earlier handler of that type. A payload that does not read as `E` is a
    /// handler failure.
    pub fn on<E, F, Fut, R>(mut self, handler: F) -> Self
    where
        E: EventPayload,
        F: Fn(Event<E>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoReply,
    {
        let handler = Arc::new(handler);
        let erased: Handler = Arc::new(move |envelope, raw: Box<RawValue>| {
            let handler = Arc::clone(&handler);
            Box::pin(async move {
                let event: E = serde_json::from_str(raw.get()).map_err(|e| {
                    format!(
                        "the {} payload does not read as expected: {e}",
                        E::EVENT_TYPE
                    )
                })?;
                handler(Event { envelope, event }).await?.into_reply()
            })
        });
        self.handlers.insert(
            E::EVENT_TYPE.to_string(),
            Registered {
                handler: erased,
                callback: E::IS_CALLBACK,
            },
        );
        self
    }

    /// Handles the events of `event_type` with `handler`, which gets the payload as JSON text.
    /// Replaces an earlier handler of that type.
    pub fn on_raw<F, Fut, R>(mut self, event_type: impl Into<String>, handler: F) -> Self
    where
        F: Fn(RawEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoReply,
    {
        let handler = erase_raw(handler);
        self.handlers.insert(
            event_type.into(),
            Registered {
                handler,
                callback: false,
            },
        );
        self
    }

    /// Handles every event no other handler takes. Without it such events are answered 200 and
    /// dropped (logged at debug level): an unknown type is never an error.
    pub fn on_unknown<F, Fut, R>(mut self, handler: F) -> Self
    where
        F: Fn(RawEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoReply,
    {
        self.unknown = Some(erase_raw(handler));
        self
    }

    /// Removes the handler of `event_type`, if any.
    pub fn remove(mut self, event_type: &str) -> Self {
        self.handlers.remove(event_type);
        self
    }

    /// When events are answered (callbacks always wait for their handler).
    pub fn handling(mut self, handling: Handling) -> Self {
        self.handling = handling;
        self
    }

    /// How long a callback's handler may take before the platform is answered without its reply
    /// (default 2.5 s; the platform waits 3 s).
    pub fn callback_deadline(mut self, deadline: Duration) -> Self {
        self.callback_deadline = deadline;
        self
    }

    /// Stores the ticket of every `app_ticket` event ([`AppTicket`](crate::AppTicket)) in
    /// `store`, under the event's app id, before the event goes to any handler of its own: give
    /// it a marketplace app's ticket store (`feishu.app_ticket_store()`, or the store given to
    /// its client builder), and the client gets its app access token with the tickets Feishu
    /// pushes, by webhook or long connection.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use feishu_openapi_core::{Connection, InMemoryAppTicketStore};
    /// use feishu_openapi_events::Dispatcher;
    ///
    /// let tickets = Arc::new(InMemoryAppTicketStore::default());
    /// let feishu: Connection = Connection::builder()
    ///     .marketplace_app("cli_a1b2c3", "app-secret")
    ///     .app_ticket_store(tickets.clone())
    ///     .build()?;
    /// let dispatcher = Dispatcher::new().feed_app_tickets(tickets);
    /// # drop((feishu, dispatcher));
    /// # Ok::<(), feishu_openapi_core::Error>(())
    /// ```
    pub fn feed_app_tickets(mut self, store: Arc<dyn AppTicketStore>) -> Self {
        self.app_tickets = Some(store);
        self
    }

    /// Where the ids of handled events are remembered (default: [`MemoryDedup`]).
    pub fn dedup_store(mut self, store: impl DedupStore) -> Self {
        self.dedup = Arc::new(store);
        self
    }

    /// Dispatches one event and says what to answer. `card_frame`: it came in a long
    /// connection's `card` frame, so it is a callback whatever its type.
    pub(crate) async fn dispatch(
        self: &Arc<Self>,
        envelope: Envelope,
        transport: Transport,
        card_frame: bool,
    ) -> Answer {
        if envelope.event_type == crate::app_ticket::APP_TICKET {
            if let Some(store) = &self.app_tickets {
                crate::app_ticket::store(store.as_ref(), &envelope).await;
            }
        }
        let registered = self.handlers.get(&envelope.event_type);
        let callback = card_frame
            || registered.is_some_and(|r| r.callback)
            || CALLBACK_TYPES.contains(&envelope.event_type.as_str());
        let Some(handler) = registered.map(|r| &r.handler).or(self.unknown.as_ref()) else {
            tracing::debug!(event_type = %crate::printable(&envelope.event_type), "no handler");
            return Answer::ok(None);
        };
        let meta = EventEnvelope::new(&envelope, transport);
        let dedup_key = envelope.event_id.clone().filter(|_| !callback);
        if let Some(id) = &dedup_key {
            if !self.dedup.first_sight(id).await {
                tracing::debug!(event_id = %crate::printable(id), "duplicate event dropped");
                return Answer::ok(None);
            }
        }
        let span = tracing::info_span!(
            "feishu_event",
            event_type = %crate::printable(&envelope.event_type),
            event_id = %crate::printable(envelope.event_id.as_deref().unwrap_or("")),
        );
        let task = tokio::spawn(tracing::Instrument::instrument(
            handler(meta, envelope.payload),
            span,
        ));
        let deadline = match (callback, self.handling) {
            (true, _) => self.callback_deadline,
            (false, Handling::HandleThenAck { deadline }) => deadline,
            (false, Handling::AckThenHandle) => {
                tokio::spawn(async move {
                    match task.await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "event handler failed"),
                        Err(e) => tracing::warn!(error = %e, "event handler panicked"),
                    }
                });
                return Answer::ok(None);
            }
        };
        match tokio::time::timeout(deadline, task).await {
            Ok(Ok(Ok(reply))) => Answer::ok(reply),
            Ok(Ok(Err(e))) => {
                tracing::warn!(error = %e, "handler failed");
                self.forget(dedup_key).await;
                Answer::failed()
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "handler panicked");
                self.forget(dedup_key).await;
                Answer::failed()
            }
            Err(_) => {
                tracing::warn!(
                    ?deadline,
                    "handler still running at its deadline; answered 200"
                );
                Answer::ok(None)
            }
        }
    }

    async fn forget(&self, key: Option<String>) {
        if let Some(key) = key {
            self.dedup.forget(&key).await;
        }
    }
}

fn erase_raw<F, Fut, R>(handler: F) -> Handler
where
    F: Fn(RawEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: IntoReply,
{
    let handler = Arc::new(handler);
    Arc::new(move |envelope, event| {
        let handler = Arc::clone(&handler);
        Box::pin(async move { handler(RawEvent { envelope, event }).await?.into_reply() })
    })
}
