//! The `app_ticket` event: the ticket Feishu pushes to a marketplace (store, ISV) app, which its
//! REST client needs for the app access token.

use serde::Deserialize;

use feishu_openapi_core::{AppTicketStore, SecretString};

use crate::envelope::{Envelope, Schema};
use crate::event::EventPayload;

/// The event type of [`AppTicket`].
pub const APP_TICKET: &str = "app_ticket";

/// `app_ticket` (schema 1.0): a marketplace app's latest app_ticket, pushed about every hour and
/// when asked (`app_ticket_resend`). `Debug` hides the ticket.
///
/// [`Dispatcher::feed_app_tickets`](crate::Dispatcher::feed_app_tickets) stores it in the REST
/// client's ticket store; a handler of its own is only needed to do more with it.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct AppTicket {
    /// The app (`cli_…`).
    #[serde(default)]
    pub app_id: Option<String>,
    /// The ticket.
    #[serde(default)]
    pub app_ticket: Option<SecretString>,
}

impl EventPayload for AppTicket {
    const EVENT_TYPE: &'static str = APP_TICKET;
    const SCHEMA: Schema = Schema::V1;
}

/// Stores the ticket of an `app_ticket` event in `store`, under the event's app id.
pub(crate) async fn store(store: &dyn AppTicketStore, envelope: &Envelope) {
    let event: AppTicket = match serde_json::from_str(envelope.payload.get()) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "an app_ticket event that does not read as one: not stored");
            return;
        }
    };
    let app_id = event.app_id.or_else(|| envelope.app_id.clone());
    match (app_id, event.app_ticket) {
        (Some(app_id), Some(ticket)) if !app_id.is_empty() => {
            store.put(&app_id, ticket).await;
            tracing::debug!(app_id = %crate::printable(&app_id), "stored the app_ticket");
        }
        _ => tracing::warn!("an app_ticket event without its app id or ticket: not stored"),
    }
}
