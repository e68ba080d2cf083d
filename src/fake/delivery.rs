//! How the fake delivers the `app_ticket` events of marketplace apps: the destination (the app's
//! webhook, or a long connection of the events crate's fake) and the schema 1.0 event it pushes.

use serde_json::{json, Value};

/// Where the fake pushes the app tickets it issues (feature `events`): to the app's webhook or
/// over a long connection of the events crate's fake, as Feishu pushes them.
#[cfg(feature = "events")]
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AppTicketDelivery {
    /// Posted to the app's request URL by this pusher (with its Encrypt Key and verification
    /// token, if any).
    Webhook(crate::events::fake::WebhookPusher),
    /// Sent over this connection of the long connection's fake.
    LongConnection(std::sync::Arc<crate::events::fake::FakeConnection>),
}

#[cfg(feature = "events")]
impl AppTicketDelivery {
    /// Pushes the `app_ticket` event `event` (its `event` object); ends once it is delivered
    /// (the webhook answered, or the frame is on its way).
    pub(super) async fn deliver(self, event: Value) {
        match self {
            Self::Webhook(pusher) => {
                let outcome = pusher.push(&pusher.event_v1(event)).await;
                if outcome.status != Some(200) {
                    tracing::warn!(status = ?outcome.status, "the webhook did not take the app_ticket event");
                }
            }
            Self::LongConnection(connection) => {
                connection.send_event(&envelope(event));
            }
        }
    }
}

/// The `event` object of an `app_ticket` event.
pub(super) fn ticket_event(app_id: &str, ticket: &str) -> Value {
    json!({"type": "app_ticket", "app_id": app_id, "app_ticket": ticket})
}

/// A schema 1.0 envelope around `event`.
pub(super) fn envelope(event: Value) -> Value {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    json!({
        "uuid": format!("{:032x}", fastrand::u128(..)),
        "token": "",
        "ts": format!("{ts}.000000"),
        "type": "event_callback",
        "event": event,
    })
}
