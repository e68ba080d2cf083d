//! A marketplace app end to end: the fake Feishu pushes its app_ticket as an `app_ticket` event
//! (by webhook, or over the long connection), the events dispatcher feeds it to the REST
//! client's ticket store, and the client gets its tokens with it. Everything on 127.0.0.1; the
//! waits are deadlock guards, never timing assertions. Run with `--features im,events`.
#![cfg(all(feature = "im", feature = "events"))]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use crate::marketplace_support;
use marketplace_support::send;

use bytes::Bytes;
use feishu_openapi::events::fake::WebhookPusher;
use feishu_openapi::events::{Dispatcher, LongConnection, Webhook, WebhookConfig};
use feishu_openapi::fake::{AppTicketDelivery, FakeFeishu, DEFAULT_TENANT_KEY};
use feishu_openapi::{AppCredentials, AppTicketStore, Error, FeishuClient};
use http_body_util::{BodyExt, Full};

const OTHER_TENANT: &str = "2ed263bf32cf1651";
const GUARD: Duration = Duration::from_secs(30);

async fn guard<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(GUARD, f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// Waits until the store holds a ticket for `app_id`, and returns it.
async fn ticket_in(store: &dyn AppTicketStore, app_id: &str) -> String {
    guard("the pushed ticket", async {
        loop {
            if let Some(ticket) = store.get(app_id).await {
                return ticket.expose_secret().to_string();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}

fn store_app(fake: &FakeFeishu) -> FeishuClient {
    FeishuClient::builder()
        .base_url(fake.base_url())
        .marketplace_app(fake.app_id(), fake.app_secret())
        .build()
        .unwrap()
}

/// Serves `webhook` on 127.0.0.1 over HTTP/1; its URL.
async fn serve(webhook: Webhook) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook/event", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let webhook = webhook.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: http::Request<hyper::body::Incoming>| {
                        let webhook = webhook.clone();
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let answer =
                                webhook.handle(http::Request::from_parts(parts, body)).await;
                            Ok::<_, Infallible>(answer.map(Full::<Bytes>::new))
                        }
                    },
                );
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    url
}

#[tokio::test]
async fn a_ticket_pushed_to_the_webhook_after_a_resend_gets_the_tenants_their_tokens() {
    let fake = FakeFeishu::builder().tenant(OTHER_TENANT).start().await;
    let feishu = store_app(&fake);
    let tickets = feishu.app_ticket_store().expect("a marketplace app's");
    let config = WebhookConfig::default()
        .encrypt_key("encrypt-key")
        .verification_token("v-token");
    let url = serve(Webhook::new(
        Dispatcher::new().feed_app_tickets(tickets.clone()),
        config,
    ))
    .await;
    let pusher = WebhookPusher::new(url)
        .encrypt_key("encrypt-key")
        .verification_token("v-token");
    fake.deliver_app_tickets(AppTicketDelivery::Webhook(pusher));

    // No ticket yet: Feishu is asked for one, and the call fails at once.
    let error = send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap_err();
    assert!(
        matches!(error.root(), Error::AppTicketMissing { .. }),
        "{error:?}"
    );
    assert_eq!(fake.operation_requests("app_ticket_resend"), 1);

    // The fake pushes the ticket to the webhook, which stores it: the calls go through.
    let ticket = ticket_in(tickets.as_ref(), &fake.app_id()).await;
    for tenant in [OTHER_TENANT, DEFAULT_TENANT_KEY, OTHER_TENANT] {
        send(&feishu.for_tenant(tenant)).await.unwrap();
    }
    let app_token_calls: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/open-apis/auth/v3/app_access_token")
        .collect();
    assert_eq!(app_token_calls.len(), 1);
    assert_eq!(
        app_token_calls[0].json().unwrap()["app_ticket"],
        ticket.as_str()
    );
    assert_eq!(fake.operation_requests("tenant_access_token_create"), 2);
    let tenants: Vec<_> = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/open-apis/im/v1/messages")
        .map(|r| fake.tenant_of(r).unwrap())
        .collect();
    assert_eq!(tenants, [OTHER_TENANT, DEFAULT_TENANT_KEY, OTHER_TENANT]);
    assert_eq!(fake.operation_requests("app_ticket_resend"), 1);
}

#[tokio::test]
async fn a_ticket_pushed_over_the_long_connection_reaches_the_client() {
    let fake = FakeFeishu::start().await;
    let feishu = store_app(&fake);
    let tickets = feishu.app_ticket_store().expect("a marketplace app's");
    let app = AppCredentials::new(fake.app_id(), fake.app_secret());
    // One base URL: the fake answers the long connection's endpoint call too.
    let events = fake.long_connection();
    let client = LongConnection::builder(app, Dispatcher::new().feed_app_tickets(tickets.clone()))
        .base_url(fake.base_url())
        .build()
        .unwrap();
    let stop = client.shutdown_handle();
    let running = tokio::spawn(client.run());
    let connection = Arc::new(guard("connect", events.next_connection()).await);

    // Feishu's hourly push, on demand.
    let delivery = AppTicketDelivery::LongConnection(connection.clone());
    let ticket = guard("push", fake.push_app_ticket(&delivery)).await;
    assert_eq!(guard("ack", connection.next_ack()).await.unwrap().code, 200);
    assert_eq!(ticket_in(tickets.as_ref(), &fake.app_id()).await, ticket);
    send(&feishu.for_tenant(DEFAULT_TENANT_KEY)).await.unwrap();
    assert_eq!(fake.operation_requests("app_access_token_create"), 1);
    assert_eq!(fake.operation_requests("app_ticket_resend"), 0);

    stop.shutdown();
    guard("run", running).await.unwrap().unwrap();
}
