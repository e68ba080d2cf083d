//! Marketplace (store, ISV) apps against the fake Feishu on 127.0.0.1: the app access token from
//! the app's latest app_ticket, one tenant access token per tenant (picked per call with
//! `for_tenant`), and what happens without a ticket or with one Feishu refuses. The self-built
//! app's app_access_token call too. Run with `--features im`.
#![cfg(feature = "im")]

use std::sync::Arc;

use crate::marketplace_support;
use marketplace_support::send;

use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault, RecordedRequest, DEFAULT_TENANT_KEY};
use feishu_openapi::{
    AccessToken, AppTicketStore, Error, ErrorKind, FeishuClient, InMemoryAppTicketStore,
};

const OTHER_TENANT: &str = "2ed263bf32cf1651";

/// A fake with a second tenant that has the app installed.
async fn fake() -> FakeFeishu {
    FakeFeishu::builder().tenant(OTHER_TENANT).start().await
}

/// The marketplace app's client of `fake`, with `tickets` as its ticket store.
fn store_app(fake: &FakeFeishu, tickets: Arc<InMemoryAppTicketStore>) -> FeishuClient {
    FeishuClient::builder()
        .base_url(fake.base_url())
        .marketplace_app(fake.app_id(), fake.app_secret())
        .app_ticket_store(tickets)
        .build()
        .unwrap()
}

/// The requests of one operation, in arrival order.
fn requests_of(fake: &FakeFeishu, path: &str) -> Vec<RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

const APP_TOKEN_PATH: &str = "/open-apis/auth/v3/app_access_token";
const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token";
const RESEND_PATH: &str = "/open-apis/auth/v3/app_ticket/resend";
const MESSAGES_PATH: &str = "/open-apis/im/v1/messages";

#[tokio::test]
async fn one_app_token_from_the_ticket_and_one_cached_tenant_token_per_tenant() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    let ticket = fake.issue_app_ticket();
    tickets.put(&fake.app_id(), ticket.clone().into()).await;
    let feishu = store_app(&fake, tickets);

    let (ours, theirs) = (
        feishu.for_tenant(DEFAULT_TENANT_KEY),
        feishu.for_tenant(OTHER_TENANT),
    );
    for tenant in [&ours, &theirs, &ours, &theirs] {
        send(tenant).await.expect("the tenant's token is accepted");
    }

    // One app token, asked for with the ticket; no Authorization header on token calls.
    let app = requests_of(&fake, APP_TOKEN_PATH);
    assert_eq!(app.len(), 1, "{app:?}");
    let body = app[0].json().unwrap();
    assert_eq!(body["app_id"], fake.app_id().as_str());
    assert_eq!(body["app_secret"], fake.app_secret().as_str());
    assert_eq!(body["app_ticket"], ticket.as_str());
    assert!(app[0].header("authorization").is_none());

    // One tenant token per tenant, both asked for with that app token.
    let tenant = requests_of(&fake, TENANT_TOKEN_PATH);
    let asked: Vec<_> = tenant.iter().map(|r| r.json().unwrap()).collect();
    assert_eq!(
        asked
            .iter()
            .map(|b| b["tenant_key"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [DEFAULT_TENANT_KEY, OTHER_TENANT]
    );
    assert_eq!(asked[0]["app_access_token"], asked[1]["app_access_token"]);
    assert!(asked[0]["app_access_token"]
        .as_str()
        .unwrap()
        .starts_with("a-"));

    // Each message went with its own tenant's token.
    let messages = requests_of(&fake, MESSAGES_PATH);
    let tenants: Vec<_> = messages.iter().map(|r| fake.tenant_of(r)).collect();
    let expected = [
        DEFAULT_TENANT_KEY,
        OTHER_TENANT,
        DEFAULT_TENANT_KEY,
        OTHER_TENANT,
    ];
    assert_eq!(tenants, expected.map(|t| Some(t.to_string())));
    assert_ne!(
        messages[0].header("authorization"),
        messages[1].header("authorization")
    );
    assert_eq!(
        messages[0].header("authorization"),
        messages[2].header("authorization")
    );
    assert_eq!(fake.token_requests(), 0, "no self-built token call");
}

#[tokio::test]
async fn concurrent_calls_fetch_one_token_per_tenant() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    tickets
        .put(&fake.app_id(), fake.issue_app_ticket().into())
        .await;
    let feishu = store_app(&fake, tickets);
    let calls = (0..32).map(|i| {
        let tenant = if i % 2 == 0 {
            DEFAULT_TENANT_KEY
        } else {
            OTHER_TENANT
        };
        let feishu = feishu.for_tenant(tenant);
        tokio::spawn(async move { send(&feishu).await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(requests_of(&fake, APP_TOKEN_PATH).len(), 1);
    assert_eq!(requests_of(&fake, TENANT_TOKEN_PATH).len(), 2);
    assert_eq!(requests_of(&fake, MESSAGES_PATH).len(), 32);
}

#[tokio::test]
async fn without_a_ticket_feishu_is_asked_to_resend_and_the_call_fails_clearly() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    let feishu = store_app(&fake, tickets.clone());
    let error = send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap_err();

    assert!(
        matches!(error.root(), Error::AppTicketMissing { app_id, resend: None } if *app_id == fake.app_id()),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("no app_ticket yet") && text.contains("feed_app_tickets"),
        "{text}"
    );
    let resend = requests_of(&fake, RESEND_PATH);
    assert_eq!(resend.len(), 1, "Feishu was asked to push a ticket");
    let body = resend[0].json().unwrap();
    assert_eq!(body["app_id"], fake.app_id().as_str());
    assert_eq!(body["app_secret"], fake.app_secret().as_str());
    assert!(requests_of(&fake, APP_TOKEN_PATH).is_empty());
    assert!(requests_of(&fake, MESSAGES_PATH).is_empty());

    // The pushed ticket arrives (here by hand): the same call succeeds.
    tickets
        .put(&fake.app_id(), fake.issue_app_ticket().into())
        .await;
    send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap();
    assert_eq!(requests_of(&fake, RESEND_PATH).len(), 1);
}

#[tokio::test]
async fn a_failed_resend_is_named_in_the_error() {
    let fake = fake().await;
    fake.inject(
        Endpoint::Operation("app_ticket_resend"),
        Fault::Error {
            status: 400,
            code: 10016,
            msg: "app resend fail".into(),
        },
    );
    let feishu = store_app(&fake, Arc::default());
    let error = send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap_err();
    let Error::AppTicketMissing {
        resend: Some(resend),
        ..
    } = error.root()
    else {
        panic!("{error:?}");
    };
    assert_eq!(resend.code(), Some(10016));
    assert!(error.to_string().contains("app resend fail"), "{error}");
    assert!(std::error::Error::source(error.root()).is_some());
}

#[tokio::test]
async fn a_refused_ticket_is_dropped_and_a_new_one_asked_for() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    tickets
        .put(&fake.app_id(), fake.issue_app_ticket().into())
        .await;
    fake.expire_app_tickets();
    let feishu = store_app(&fake, tickets.clone());

    let error = send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap_err();
    assert_eq!(error.code(), Some(10012), "{error:?}");
    assert!(matches!(error, Error::TokenFetch(_)), "{error:?}");
    assert!(
        tickets.get(&fake.app_id()).await.is_none(),
        "the refused ticket is dropped"
    );
    assert_eq!(requests_of(&fake, RESEND_PATH).len(), 1);

    // Next call: no ticket yet, so no app token call with the refused one.
    let again = send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap_err();
    assert!(
        matches!(again.root(), Error::AppTicketMissing { .. }),
        "{again:?}"
    );
    assert_eq!(requests_of(&fake, APP_TOKEN_PATH).len(), 1);
}

#[tokio::test]
async fn an_app_token_feishu_refuses_is_fetched_again_once() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    tickets
        .put(&fake.app_id(), fake.issue_app_ticket().into())
        .await;
    let feishu = store_app(&fake, tickets);
    send(&feishu.for_tenant(DEFAULT_TENANT_KEY)).await.unwrap();
    fake.expire_app_access_tokens();
    // A new tenant: its token call meets the expired app token (99991664), which is replaced.
    send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap();
    assert_eq!(requests_of(&fake, APP_TOKEN_PATH).len(), 2);
    assert_eq!(requests_of(&fake, TENANT_TOKEN_PATH).len(), 3);
}

#[tokio::test]
async fn an_expired_tenant_token_is_replaced_for_its_tenant_only() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    tickets
        .put(&fake.app_id(), fake.issue_app_ticket().into())
        .await;
    let feishu = store_app(&fake, tickets);
    let theirs = feishu.for_tenant(OTHER_TENANT);
    send(&theirs).await.unwrap();
    fake.expire_tenant_tokens();
    send(&theirs).await.unwrap();
    let asked: Vec<_> = requests_of(&fake, TENANT_TOKEN_PATH)
        .iter()
        .map(|r| {
            r.json().unwrap()["tenant_key"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(asked, [OTHER_TENANT, OTHER_TENANT]);
    let last = requests_of(&fake, MESSAGES_PATH).pop().unwrap();
    assert_eq!(fake.tenant_of(&last).as_deref(), Some(OTHER_TENANT));
}

#[tokio::test]
async fn a_tenant_must_be_picked_and_only_by_a_marketplace_app_before_any_io() {
    let fake = fake().await;
    let store_app = store_app(&fake, Arc::default());
    let error = send(&store_app).await.unwrap_err();
    assert!(
        matches!(&error, Error::Config(m) if m.contains("for_tenant(tenant_key)")),
        "{error:?}"
    );
    let error = send(&store_app.for_tenant("")).await.unwrap_err();
    assert!(matches!(&error, Error::Config(_)), "{error:?}");

    let self_built = FeishuClient::builder()
        .base_url(fake.base_url())
        .app_credentials(fake.app_id(), fake.app_secret())
        .build()
        .unwrap();
    let error = send(&self_built.for_tenant(OTHER_TENANT))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config(m) if m.contains("marketplace apps")),
        "{error:?}"
    );
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());

    // A ticket store without a marketplace app is a mistake too.
    let refused = FeishuClient::builder()
        .app_credentials("cli_a", "secret")
        .app_ticket_store(Arc::new(InMemoryAppTicketStore::default()))
        .build();
    assert!(matches!(refused, Err(Error::Config(_))));
}

#[tokio::test]
async fn the_self_built_app_access_token_call() {
    let fake = fake().await;
    let answer = fake
        .client()
        .auth()
        .app_access_token_internal()
        .body_map(|b| b.app_id(fake.app_id()).app_secret(fake.app_secret()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((answer.code, answer.expire), (0, 7200));
    assert!(answer.app_access_token.expose_secret().starts_with("a-"));
    let tenant_token = answer.tenant_access_token.expect("sent along");
    let feishu = fake
        .client()
        .with_access_token(AccessToken::Tenant(tenant_token));
    send(&feishu).await.expect("its tenant token is accepted");
    let last = requests_of(&fake, MESSAGES_PATH).pop().unwrap();
    assert_eq!(fake.tenant_of(&last).as_deref(), Some(DEFAULT_TENANT_KEY));

    let error = fake
        .client()
        .auth()
        .app_access_token_internal()
        .body_map(|b| b.app_id(fake.app_id()).app_secret("wrong"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(10014));
    assert_eq!(error.kind(), ErrorKind::AppCredentialsInvalid);
}

#[tokio::test]
async fn secrets_tickets_and_tokens_never_show() {
    let fake = fake().await;
    let tickets = Arc::new(InMemoryAppTicketStore::default());
    let ticket = fake.issue_app_ticket();
    tickets.put(&fake.app_id(), ticket.clone().into()).await;
    let builder = FeishuClient::builder()
        .base_url(fake.base_url())
        .marketplace_app(fake.app_id(), fake.app_secret())
        .app_ticket_store(tickets.clone());
    let shown_builder = format!("{builder:?}");
    let feishu = builder.build().unwrap();
    send(&feishu.for_tenant(OTHER_TENANT)).await.unwrap();
    // The app token (sent in a body) and the tenant token (sent in the header).
    let requests = fake.requests();
    let app_tokens = requests
        .iter()
        .filter_map(|r| r.json()?["app_access_token"].as_str().map(str::to_string));
    let tenant_tokens = requests.iter().filter_map(|r| {
        let header = r.header("authorization")?;
        Some(header.trim_start_matches("Bearer ").to_string())
    });
    let tokens: Vec<String> = app_tokens.chain(tenant_tokens).collect();
    assert_eq!(tokens.len(), 2, "{tokens:?}");

    // A refused ticket's error, and the error without one.
    fake.expire_app_tickets();
    let refused = FeishuClient::builder()
        .base_url(fake.base_url())
        .marketplace_app(fake.app_id(), fake.app_secret())
        .app_ticket_store(Arc::new({
            let store = InMemoryAppTicketStore::default();
            store.put(&fake.app_id(), ticket.clone().into()).await;
            store
        }))
        .build()
        .unwrap();
    let refusal = send(&refused.for_tenant(OTHER_TENANT)).await.unwrap_err();
    let missing = send(&store_app(&fake, Arc::default()).for_tenant(OTHER_TENANT))
        .await
        .unwrap_err();

    let shown = format!(
        "{shown_builder} {feishu:?} {tickets:?} {refusal} {refusal:?} {missing} {missing:?} {:?}",
        fake.requests()
    );
    let secrets = [fake.app_secret(), ticket].into_iter().chain(tokens);
    for secret in secrets {
        assert!(!shown.contains(&secret), "{secret} appears in {shown}");
    }
    assert!(shown.contains(&fake.app_id()), "still useful: {shown}");
}
