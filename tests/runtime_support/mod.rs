//! Shared setup for the runtime tests: a wiremock server playing Feishu's token endpoint and
//! meeting_list, and a client with app credentials and fast retries.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{FeishuClient, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
pub const MEETING_LIST_PATH: &str = "/open-apis/vc/v1/exports/meeting_list";
pub const APP_ID: &str = "cli_test_app";
pub const APP_SECRET: &str = "app-secret-DO-NOT-PRINT-5f2a";

/// Answers the token endpoint with `t-1`, `t-2`, … (a new token per request).
pub struct TokenSequence {
    pub expire: i64,
    pub delay: Duration,
    pub count: Arc<AtomicUsize>,
}

impl Respond for TokenSequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "ok", "tenant_access_token": format!("t-{n}"), "expire": self.expire}))
            .set_delay(self.delay)
    }
}

/// Mounts a token endpoint handing out `t-1`, `t-2`, … with `expire` seconds; returns its counter.
pub async fn mount_tokens(server: &MockServer, expire: i64, delay: Duration) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(TokenSequence {
            expire,
            delay,
            count: count.clone(),
        })
        .mount(server)
        .await;
    count
}

/// meeting_list answers with a created export task, every time.
pub async fn mount_meeting_list(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(task_created())
        .mount(server)
        .await;
}

pub fn task_created() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("X-Tt-Logid", "log-ok")
        .set_body_json(
            json!({"code": 0, "msg": "success", "data": {"task_id": "7111325589855797267"}}),
        )
}

pub fn feishu_error(status: u16, code: i64, msg: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("X-Tt-Logid", format!("log-{code}").as_str())
        .set_body_json(json!({"code": code, "msg": msg}))
}

/// Retries fast enough for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_rate_limit_wait: Duration::from_secs(5),
        max_elapsed: Duration::from_secs(30),
    }
}

pub fn app_client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .app_credentials(APP_ID, APP_SECRET)
        .retry(fast_retries())
        .build()
        .expect("a valid client")
}

pub fn body() -> ExportMeetingListRequest {
    ExportMeetingListRequest::new(1_655_276_858u64, 1_655_363_258u64)
}

/// Sends one meeting_list export through the generated client.
pub async fn export(client: &FeishuClient) -> Result<String, feishu_openapi::Error> {
    let created = client
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await?;
    Ok(created.into_inner().data.task_id.to_string())
}

pub async fn requests_to(server: &MockServer, wanted: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == wanted)
        .collect()
}

pub fn bearer(request: &Request) -> String {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
