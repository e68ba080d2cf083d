//! A marketplace app's `app_ticket` events fed to a ticket store (the REST client's), by webhook
//! and by long connection, before any handler of the app's own.

use std::sync::Arc;

use feishu_openapi_core::{AppCredentials, AppTicketStore, InMemoryAppTicketStore};
use feishu_openapi_events::fake::{FakeFeishu, WebhookPusher};
use feishu_openapi_events::{AppTicket, Dispatcher, Event, LongConnection, Webhook, WebhookConfig};
use serde_json::json;

use crate::common::{guard, until, Seen};

const APP_ID: &str = "cli_a1b2c3d4e5f6a7b8";

async fn ticket_of(store: &InMemoryAppTicketStore, app_id: &str) -> Option<String> {
    store
        .get(app_id)
        .await
        .map(|t| t.expose_secret().to_string())
}

async fn serve(webhook: Webhook) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook/event", listener.local_addr().unwrap());
    let app: axum::Router = axum::Router::new().route(
        "/webhook/event",
        feishu_openapi_events::axum::route(webhook),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_pushed_ticket_reaches_the_store_and_the_app_s_own_handler() {
    let store = Arc::new(InMemoryAppTicketStore::default());
    let seen = Seen::default();
    let recorder = seen.clone();
    let dispatcher =
        Dispatcher::new()
            .feed_app_tickets(store.clone())
            .on(move |t: Event<AppTicket>| {
                let seen = recorder.clone();
                async move {
                    seen.push(t.app_id.clone().unwrap_or_default());
                    Ok(())
                }
            });
    let url = serve(Webhook::new(
        dispatcher,
        WebhookConfig::default()
            .encrypt_key("key")
            .verification_token("v-token"),
    ))
    .await;
    let pusher = WebhookPusher::new(url)
        .encrypt_key("key")
        .verification_token("v-token");

    let first =
        pusher.event_v1(json!({"type": "app_ticket", "app_id": APP_ID, "app_ticket": "ticket-1"}));
    assert_eq!(guard("push", pusher.push(&first)).await.status, Some(200));
    // Stored before the answer: no wait needed.
    assert_eq!(ticket_of(&store, APP_ID).await.as_deref(), Some("ticket-1"));
    until("the app's handler", || seen.len() == 1).await;
    assert_eq!(seen.all(), [APP_ID]);

    // The next push replaces it; another app's ticket is kept apart.
    let second =
        pusher.event_v1(json!({"type": "app_ticket", "app_id": APP_ID, "app_ticket": "ticket-2"}));
    let other = pusher
        .event_v1(json!({"type": "app_ticket", "app_id": "cli_other", "app_ticket": "ticket-x"}));
    for event in [second, other] {
        assert_eq!(guard("push", pusher.push(&event)).await.status, Some(200));
    }
    assert_eq!(ticket_of(&store, APP_ID).await.as_deref(), Some("ticket-2"));
    assert_eq!(
        ticket_of(&store, "cli_other").await.as_deref(),
        Some("ticket-x")
    );

    // An event without its ticket is answered and stores nothing.
    let empty = pusher.event_v1(json!({"type": "app_ticket", "app_id": "cli_empty"}));
    assert_eq!(guard("push", pusher.push(&empty)).await.status, Some(200));
    assert_eq!(ticket_of(&store, "cli_empty").await, None);
}

#[tokio::test]
async fn a_ticket_over_the_long_connection_reaches_the_store() {
    let store = Arc::new(InMemoryAppTicketStore::default());
    let app = AppCredentials::new(APP_ID, "app-secret");
    let fake = FakeFeishu::start(&app).await.unwrap();
    let client = LongConnection::builder(app, Dispatcher::new().feed_app_tickets(store.clone()))
        .base_url(fake.base_url())
        .build()
        .unwrap();
    let stop = client.shutdown_handle();
    let running = tokio::spawn(client.run());
    let connection = guard("connect", fake.next_connection()).await;
    connection.send_event(&json!({
        "uuid": "u-1", "token": "", "ts": "1700000000.000000", "type": "event_callback",
        "event": {"type": "app_ticket", "app_id": APP_ID, "app_ticket": "ticket-ws"}
    }));
    assert_eq!(guard("ack", connection.next_ack()).await.unwrap().code, 200);
    // Stored before the ack.
    assert_eq!(
        ticket_of(&store, APP_ID).await.as_deref(),
        Some("ticket-ws")
    );
    stop.shutdown();
    guard("run", running).await.unwrap().unwrap();
}

#[test]
fn the_event_s_debug_hides_the_ticket() {
    let event: AppTicket = serde_json::from_value(
        json!({"type": "app_ticket", "app_id": APP_ID, "app_ticket": "very-secret-ticket"}),
    )
    .unwrap();
    let shown = format!("{event:?}");
    assert!(
        shown.contains(APP_ID) && !shown.contains("very-secret"),
        "{shown}"
    );
}
