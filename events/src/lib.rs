//! Receive Feishu / Lark events and callbacks: webhooks, card callbacks and the long connection.
//!
//! - [`Dispatcher`]: handlers per event type (typed with [`EventPayload`], or raw), one for
//!   unknown types, de-duplication, and when the platform is answered ([`Handling`]); a
//!   marketplace app's `app_ticket` events fed to its REST client
//!   ([`Dispatcher::feed_app_tickets`]).
//! - [`Webhook`]: the app's request URL, framework-agnostic (`http::Request<Bytes>` in,
//!   `http::Response<Bytes>` out): the URL check, decryption, signatures, token, replay window.
//! - [`card`]: card actions and link previews with their typed replies.
//! - [`LongConnection`]: the WebSocket client, with reconnects, a liveness watchdog and acks.
//! - `fake` (feature `fake`): a fake Feishu that pushes events, for tests.
//!
//! ```
//! use feishu_openapi_events::{card::{CardAction, CardActionReply, Toast}, Dispatcher, Event};
//!
//! let dispatcher = Dispatcher::new()
//!     .on(|click: Event<CardAction>| async move {
//!         Ok(CardActionReply::new().toast(Toast::info("Got it")))
//!     });
//! # drop(dispatcher);
//! ```

mod app_ticket;
#[cfg(feature = "axum")]
pub mod axum;
pub mod card;
mod crypto;
pub mod dedup;
mod dispatcher;
mod envelope;
mod event;
#[cfg(feature = "fake")]
pub mod fake;
mod webhook;
pub mod ws;

pub use app_ticket::{AppTicket, APP_TICKET};
pub use crypto::{DecryptError, EncryptKey, VerificationToken};
pub use dispatcher::{Dispatcher, Handling};
pub use envelope::{EnvelopeError, EventHeader, Schema, V1Envelope};
pub use event::{Event, EventEnvelope, EventPayload, HandlerError, IntoReply, RawEvent, Transport};
pub use webhook::{
    Refusal, Webhook, WebhookConfig, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
pub use ws::{
    ConnectionState, LongConnection, LongConnectionBuilder, LongConnectionError, ShutdownHandle,
};

/// The event type this crate gives the legacy card callback (which carries none).
pub const LEGACY_CARD_ACTION: &str = "card.action.trigger_v1";

/// Server-supplied text made safe to print: at most 200 characters (then `…`), shown as
/// [`Printable`](feishu_openapi_core::Printable) shows it (control characters and bidi marks
/// escaped).
pub fn printable(text: &str) -> String {
    let cut = text
        .char_indices()
        .nth(200)
        .map_or(text.len(), |(at, _)| at);
    let mut out = feishu_openapi_core::Printable(&text[..cut]).to_string();
    if cut < text.len() {
        out.push('…');
    }
    out
}
