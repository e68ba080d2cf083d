//! App tickets of marketplace apps: where the `app_ticket` events' tickets are kept until the
//! token machinery needs one (pluggable, like [`TokenCache`](super::TokenCache)).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use super::CacheFuture;
use crate::SecretString;

/// Where a marketplace (store, ISV) app's app_ticket is kept. In memory by default
/// ([`InMemoryAppTicketStore`]); implement it to share tickets between processes (e.g. the
/// process that receives events and the ones that call the APIs, through Redis).
///
/// Feishu pushes a fresh ticket as the `app_ticket` event (schema 1.0) about every hour, and
/// again when asked (`app_ticket_resend`); the events crate's dispatcher puts each one here
/// (`Dispatcher::feed_app_tickets`). The client reads it to get the app's app_access_token.
///
/// Keys are the app id (`cli_…`): one store can serve several apps.
pub trait AppTicketStore: Send + Sync + fmt::Debug {
    /// The latest ticket stored for the app `app_id`, if any.
    fn get<'a>(&'a self, app_id: &'a str) -> CacheFuture<'a, Option<SecretString>>;
    /// Stores `ticket` as the app's latest, replacing the one before.
    fn put<'a>(&'a self, app_id: &'a str, ticket: SecretString) -> CacheFuture<'a, ()>;
    /// Removes the app's ticket if it is still `ticket` (Feishu refused it).
    fn evict<'a>(&'a self, app_id: &'a str, ticket: &'a SecretString) -> CacheFuture<'a, ()>;
}

/// The default [`AppTicketStore`]: a map in this process's memory. `Debug` shows the app ids,
/// never a ticket.
#[derive(Default)]
pub struct InMemoryAppTicketStore {
    tickets: Mutex<HashMap<String, SecretString>>,
}

impl fmt::Debug for InMemoryAppTicketStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tickets = self.tickets.lock().unwrap_or_else(|p| p.into_inner());
        let mut apps: Vec<&String> = tickets.keys().collect();
        apps.sort();
        f.debug_struct("InMemoryAppTicketStore")
            .field("apps", &apps)
            .finish()
    }
}

impl AppTicketStore for InMemoryAppTicketStore {
    fn get<'a>(&'a self, app_id: &'a str) -> CacheFuture<'a, Option<SecretString>> {
        let tickets = self.tickets.lock().unwrap_or_else(|p| p.into_inner());
        Box::pin(std::future::ready(tickets.get(app_id).cloned()))
    }

    fn put<'a>(&'a self, app_id: &'a str, ticket: SecretString) -> CacheFuture<'a, ()> {
        let mut tickets = self.tickets.lock().unwrap_or_else(|p| p.into_inner());
        tickets.insert(app_id.to_string(), ticket);
        Box::pin(std::future::ready(()))
    }

    fn evict<'a>(&'a self, app_id: &'a str, ticket: &'a SecretString) -> CacheFuture<'a, ()> {
        let mut tickets = self.tickets.lock().unwrap_or_else(|p| p.into_inner());
        if tickets.get(app_id) == Some(ticket) {
            tickets.remove(app_id);
        }
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_latest_ticket_per_app_and_evicts_only_the_refused_one() {
        let store = InMemoryAppTicketStore::default();
        assert!(store.get("cli_a").await.is_none());
        store.put("cli_a", "ticket-1".into()).await;
        store.put("cli_a", "ticket-2".into()).await;
        store.put("cli_b", "ticket-b".into()).await;
        assert_eq!(
            store.get("cli_a").await.unwrap().expose_secret(),
            "ticket-2"
        );
        // A refusal of an older ticket does not drop the newer one.
        store.evict("cli_a", &"ticket-1".into()).await;
        assert!(store.get("cli_a").await.is_some());
        store.evict("cli_a", &"ticket-2".into()).await;
        assert!(store.get("cli_a").await.is_none());
        assert!(store.get("cli_b").await.is_some());
        let shown = format!("{store:?}");
        assert!(
            shown.contains("cli_b") && !shown.contains("ticket-b"),
            "{shown}"
        );
    }
}
