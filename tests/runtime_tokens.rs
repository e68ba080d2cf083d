//! The token cache: app credentials → tenant_access_token through the generated auth client,
//! reuse until the refresh margin, one flight for concurrent callers, eviction of invalid tokens,
//! and per-call identity.

use crate::runtime_support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use feishu_openapi::InMemoryTokenCache;
use feishu_openapi::{AccessToken, Error, ErrorKind, FeishuClient};
use runtime_support::*;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn token_is_fetched_with_app_credentials_and_reused() {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::ZERO).await;
    mount_meeting_list(&server).await;

    let client = app_client(&server);
    for _ in 0..3 {
        assert_eq!(export(&client).await.unwrap(), "7111325589855797267");
    }
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        1,
        "one token for three calls"
    );
    let token_requests = requests_to(&server, TOKEN_PATH).await;
    let sent: serde_json::Value = serde_json::from_slice(&token_requests[0].body).unwrap();
    assert_eq!(sent, json!({"app_id": APP_ID, "app_secret": APP_SECRET}));
    assert!(
        token_requests[0].headers.get("authorization").is_none(),
        "the token endpoint takes no token"
    );
    for call in requests_to(&server, MEETING_LIST_PATH).await {
        assert_eq!(bearer(&call), "Bearer t-1");
    }
}

#[tokio::test]
async fn token_inside_refresh_margin_is_refreshed() {
    let server = MockServer::start().await;
    // expire 100 s, margin 200 s: every token is already due for refresh when it arrives.
    let tokens = mount_tokens(&server, 100, Duration::ZERO).await;
    mount_meeting_list(&server).await;
    let client = FeishuClient::builder()
        .base_url(server.uri())
        .app_credentials(APP_ID, APP_SECRET)
        .token_refresh_margin(Duration::from_secs(200))
        .build()
        .unwrap();
    export(&client).await.unwrap();
    export(&client).await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    let calls = requests_to(&server, MEETING_LIST_PATH).await;
    assert_eq!(bearer(&calls[0]), "Bearer t-1");
    assert_eq!(
        bearer(&calls[1]),
        "Bearer t-2",
        "the second call uses the refreshed token"
    );
}

#[tokio::test]
async fn expired_token_in_shared_cache_is_replaced() {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::ZERO).await;
    mount_meeting_list(&server).await;
    let cache = Arc::new(InMemoryTokenCache::default());
    use feishu_openapi::{CachedToken, TokenCache};
    let expired = CachedToken {
        token: "t-expired".into(),
        expires_at: std::time::SystemTime::now() - Duration::from_secs(1),
    };
    cache.put(APP_ID, expired).await;
    let client = FeishuClient::builder()
        .base_url(server.uri())
        .app_credentials(APP_ID, APP_SECRET)
        .token_cache(cache.clone())
        .build()
        .unwrap();
    export(&client).await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 1);
    assert_eq!(
        bearer(&requests_to(&server, MEETING_LIST_PATH).await[0]),
        "Bearer t-1"
    );
    let stored = cache.get(APP_ID).await.unwrap();
    assert_eq!(
        stored.token.expose_secret(),
        "t-1",
        "the fresh token is stored in the given cache"
    );
}

#[tokio::test]
async fn concurrent_cold_calls_fetch_one_token() {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::from_millis(300)).await;
    mount_meeting_list(&server).await;
    let client = app_client(&server);
    let calls = (0..32).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { export(&client).await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        1,
        "single flight: 32 cold callers, one token request"
    );
    assert_eq!(requests_to(&server, MEETING_LIST_PATH).await.len(), 32);
}

#[tokio::test]
async fn failed_token_fetch_reaches_every_waiter_and_is_not_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10014, "msg": "app secret invalid"}))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(task_created())
        .expect(0)
        .mount(&server)
        .await;
    let client = app_client(&server);
    let calls = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { export(&client).await })
    });
    for call in futures::future::join_all(calls).await {
        let err = call.unwrap().unwrap_err();
        assert!(matches!(err, Error::TokenFetch(_)), "{err:?}");
        assert_eq!(err.code(), Some(10014));
        assert_eq!(err.kind(), ErrorKind::AppCredentialsInvalid);
    }
    // Not cached: the next call asks again.
    let err = export(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(10014));
    assert!(err.to_string().contains("app credentials"), "{err}");
}

async fn invalid_token_then_success(status: u16) {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .and(header("authorization", "Bearer t-1"))
        .respond_with(feishu_error(
            status,
            99991663,
            "Invalid access token for authorization",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .and(header("authorization", "Bearer t-2"))
        .respond_with(task_created())
        .mount(&server)
        .await;
    let client = app_client(&server);
    assert_eq!(export(&client).await.unwrap(), "7111325589855797267");
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        2,
        "the invalid token was evicted and a new one fetched"
    );
    // The fresh token stays cached.
    export(&client).await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn invalid_token_at_http_200_is_evicted_and_retried_once() {
    invalid_token_then_success(200).await;
}

#[tokio::test]
async fn invalid_token_at_http_400_is_evicted_and_retried_once() {
    invalid_token_then_success(400).await;
}

#[tokio::test]
async fn token_still_invalid_after_refresh_is_returned() {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(feishu_error(401, 99991663, "Invalid access token"))
        .expect(2)
        .mount(&server)
        .await;
    let err = export(&app_client(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    assert_eq!(err.kind(), ErrorKind::AccessTokenInvalid);
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn per_call_user_token_wins_over_the_cache() {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::ZERO).await;
    mount_meeting_list(&server).await;
    let client = app_client(&server);
    let as_user = client.with_access_token(AccessToken::user("u-caller"));
    export(&as_user).await.unwrap();
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        0,
        "no tenant token fetched for a user call"
    );
    assert_eq!(
        bearer(&requests_to(&server, MEETING_LIST_PATH).await[0]),
        "Bearer u-caller"
    );
    // The original client still uses the cache.
    export(&client).await.unwrap();
    assert_eq!(
        bearer(&requests_to(&server, MEETING_LIST_PATH).await[1]),
        "Bearer t-1"
    );
}

#[tokio::test]
async fn invalid_caller_token_is_not_retried() {
    let server = MockServer::start().await;
    let tokens = mount_tokens(&server, 7200, Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(feishu_error(400, 99991663, "Invalid access token"))
        .expect(1)
        .mount(&server)
        .await;
    let client = app_client(&server).with_access_token(AccessToken::tenant("t-given"));
    let err = export(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        0,
        "a caller's token is the caller's: not replaced"
    );
}

#[tokio::test]
async fn wrong_app_secret_is_a_token_fetch_error_and_nothing_else_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(feishu_error(200, 10014, "app secret invalid"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(task_created())
        .expect(0)
        .mount(&server)
        .await;
    let err = export(&app_client(&server)).await.unwrap_err();
    assert!(
        matches!(&err, Error::TokenFetch(inner) if inner.code() == Some(10014)),
        "{err:?}"
    );
    assert_eq!(err.log_id(), Some("log-10014"));
}

#[tokio::test]
async fn no_identity_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = FeishuClient::builder()
        .base_url(server.uri())
        .build()
        .unwrap();
    let err = export(&client).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}
