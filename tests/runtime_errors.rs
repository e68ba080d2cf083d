//! What the caller gets for error answers the spec's tables do not list, through one operation
//! (export_meeting_list) against a mock Feishu on 127.0.0.1: the log id's other sources
//! (`X-Request-Id`, none at all); the envelope's details (troubleshooter, violations); an invalid
//! token inside an HTTP 200; a rate limit; an unknown code; non-JSON or non-envelope bodies, at
//! an error status and at 200; a success without its data; a retried server error. Retries are
//! off (`RetryPolicy::none()`) except in the last, so each error answers exactly one request.
//!
//! Every documented error row of every operation (code, message, status, log id from the header
//! or the body, kind, `Display` with the advice, at its status and in HTTP 200) is checked by the
//! conformance suite (`tests/conformance.rs`).

use crate::common;

use common::*;
use std::time::Duration;

use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{AccessToken, Error, ErrorKind, FeishuClient, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A mock Feishu answering export_meeting_list once with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// A client for `server` with a tenant token and the given retry policy.
fn client(server: &MockServer, retry: RetryPolicy) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(TENANT_TOKEN))
        .retry(retry)
        .build()
        .expect("a valid client")
}

/// Calls export_meeting_list once (no retries) the way an application would: `?` turns the
/// generated client's error into `feishu_openapi::Error`.
async fn export(server: &MockServer) -> Result<String, Error> {
    export_with(&client(server, RetryPolicy::none())).await
}

async fn export_with(feishu: &FeishuClient) -> Result<String, Error> {
    let created = feishu
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(
            1_655_276_858u64,
            1_655_363_258u64,
        ))
        .send()
        .await?;
    Ok(created.into_inner().data.task_id.to_string())
}

fn envelope(code: i64, msg: &str, error: Value) -> Value {
    json!({"code": code, "msg": msg, "error": error})
}

#[tokio::test]
async fn log_id_from_x_request_id_when_x_tt_logid_is_absent() {
    let body = envelope(121004, "data not exist", json!({"log_id": "body"}));
    let server = answering(
        ResponseTemplate::new(404)
            .set_body_json(body)
            .insert_header("X-Request-Id", "REQUEST-ID-42"),
    )
    .await;
    let err = export(&server).await.expect_err("an error");
    assert_eq!(err.log_id(), Some("REQUEST-ID-42"));
}

#[tokio::test]
async fn no_log_id_anywhere_is_none() {
    let server = answering(
        ResponseTemplate::new(403).set_body_json(json!({"code": 121005, "msg": "no permission"})),
    )
    .await;
    let err = export(&server).await.expect_err("an error");
    assert_eq!(err.log_id(), None);
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(err.api().expect("an API error").detail.is_none());
}

#[tokio::test]
async fn troubleshooter_and_violations_are_carried() {
    let troubleshooter = "https://open.feishu.cn/search?from=openapi&log_id=X&code=121005";
    let detail = json!({
        "log_id": "X",
        "troubleshooter": troubleshooter,
        "message": "the operator is not a meeting admin",
        "details": [{"key": "operator", "value": "ou_1"}],
        "permission_violations": [
            {"type": "action_scope_required", "subject": "vc:export", "description": "scope missing"}
        ],
        "field_violations": [
            {"field": "meeting_no", "value": "12345678", "description": "must be 9 digits"}
        ],
        "helps": [{"url": "https://open.feishu.cn/document", "description": "the doc"}]
    });
    let server = answering(ResponseTemplate::new(403).set_body_json(envelope(
        121005,
        "no permission",
        detail,
    )))
    .await;
    let err = export(&server).await.expect_err("an error");
    let api = err.api().expect("an API error");
    assert_eq!(api.troubleshooter(), Some(troubleshooter));
    let detail = api.detail.as_ref().expect("the error object");
    assert_eq!(
        detail.message.as_deref(),
        Some("the operator is not a meeting admin")
    );
    assert_eq!(detail.details.len(), 1);
    assert_eq!(detail.details[0].key.as_deref(), Some("operator"));
    assert_eq!(detail.permission_violations.len(), 1);
    let permission = &detail.permission_violations[0];
    assert_eq!(permission.kind.as_deref(), Some("action_scope_required"));
    assert_eq!(permission.subject.as_deref(), Some("vc:export"));
    assert_eq!(permission.description.as_deref(), Some("scope missing"));
    assert_eq!(detail.field_violations.len(), 1);
    let field = &detail.field_violations[0];
    assert_eq!(field.field.as_deref(), Some("meeting_no"));
    assert_eq!(field.value.as_deref(), Some("12345678"));
    assert_eq!(field.description.as_deref(), Some("must be 9 digits"));
    assert_eq!(
        detail.helps[0].url.as_deref(),
        Some("https://open.feishu.cn/document")
    );
    assert!(err.to_string().contains(troubleshooter), "{err}");
}

#[tokio::test]
async fn error_in_http_200_for_an_invalid_token() {
    let body = json!({"code": 99991663, "msg": "Invalid access token for authorization. Please make a request with token attached."});
    let server = answering(ResponseTemplate::new(200).set_body_json(body)).await;
    let err = export(&server)
        .await
        .expect_err("an invalid token is an Err even at HTTP 200");
    assert_eq!(err.kind(), ErrorKind::AccessTokenInvalid);
    assert_eq!(err.api().map(|a| a.http_status), Some(200));
}

#[tokio::test]
async fn rate_limited_429_carries_the_reset_and_the_code() {
    let body = json!({"code": 99991400, "msg": "request trigger frequency limit"});
    let server = answering(
        ResponseTemplate::new(429)
            .set_body_json(body)
            .insert_header("x-ogw-ratelimit-limit", "100")
            .insert_header("x-ogw-ratelimit-reset", "42")
            .insert_header("X-Tt-Logid", "LOG-429"),
    )
    .await;
    let err = export(&server).await.expect_err("an error");
    let Error::RateLimited {
        reset,
        limit,
        http_status,
        code,
        ..
    } = &err
    else {
        panic!("expected Error::RateLimited, got {err:?}");
    };
    assert_eq!(
        (*reset, *limit, *http_status, *code),
        (
            Some(Duration::from_secs(42)),
            Some(100),
            429,
            Some(99991400)
        )
    );
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.log_id(), Some("LOG-429"));
}

#[tokio::test]
async fn unknown_code_is_kind_other() {
    let server =
        answering(ResponseTemplate::new(400).set_body_json(json!({"code": 1234567, "msg": "new"})))
            .await;
    let err = export(&server).await.expect_err("an error");
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(err.code(), Some(1234567));
}

#[tokio::test]
async fn non_json_error_body() {
    let html = format!(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>{}</body>\r\n</html>\r\n",
        "x".repeat(1000)
    );
    let server = answering(
        ResponseTemplate::new(502)
            .set_body_raw(html.clone(), "text/html")
            .insert_header("X-Tt-Logid", "GATEWAY-LOG"),
    )
    .await;
    let err = export(&server).await.expect_err("an HTML 502 is an Err");
    let Error::Undecodable {
        status,
        body_start,
        log_id,
    } = &err
    else {
        panic!("expected Error::Undecodable, got {err:?}");
    };
    assert_eq!(*status, 502);
    assert!(html.starts_with(body_start.as_str()), "{body_start:?}");
    assert!(
        body_start.starts_with("<html>\r\n<head><title>502 Bad Gateway"),
        "{body_start:?}"
    );
    assert!(
        body_start.chars().count() <= 200,
        "only the start: {} chars",
        body_start.chars().count()
    );
    assert_eq!(log_id.as_deref(), Some("GATEWAY-LOG"));
    let text = err.to_string();
    assert!(
        text.contains("HTTP 502")
            && text.contains("502 Bad Gateway")
            && text.contains("GATEWAY-LOG"),
        "{text}"
    );
    assert_eq!(err.code(), None);
    assert_eq!(err.kind(), ErrorKind::Other);
}

#[tokio::test]
async fn non_json_error_body_that_is_plain_text() {
    let server =
        answering(ResponseTemplate::new(503).set_body_string("upstream connect error")).await;
    let err = export(&server).await.expect_err("an Err");
    assert!(
        matches!(&err, Error::Undecodable { status: 503, body_start, log_id: None } if body_start == "upstream connect error"),
        "{err:?}"
    );
}

#[tokio::test]
async fn json_error_body_that_is_not_a_feishu_envelope() {
    let server =
        answering(ResponseTemplate::new(500).set_body_json(json!({"error": "oops"}))).await;
    let err = export(&server).await.expect_err("an Err");
    assert!(
        matches!(&err, Error::Undecodable { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("oops"), "{err}");
}

#[tokio::test]
async fn non_json_success_body() {
    let server =
        answering(ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"))
            .await;
    let err = export(&server)
        .await
        .expect_err("an HTML 200 has no task id");
    assert!(
        matches!(&err, Error::Undecodable { status: 200, body_start, .. } if body_start.starts_with("<html>maintenance")),
        "{err:?}"
    );
}

#[tokio::test]
async fn success_without_data_is_an_error_not_a_panic() {
    let server =
        answering(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success"})))
            .await;
    let err = export(&server).await.expect_err("no task id");
    assert!(
        matches!(&err, Error::Undecodable { status: 200, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn retried_internal_error_still_names_code_status_and_log_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"code": 121001, "msg": "internal error"}))
                .insert_header("X-Tt-Logid", "LOG-500"),
        )
        .expect(2)
        .mount(&server)
        .await;
    let retry = RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        ..RetryPolicy::default()
    };
    let err = export_with(&client(&server, retry))
        .await
        .expect_err("an error");
    assert_eq!(err.attempts(), 2, "{err:?}");
    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert_eq!(err.code(), Some(121001));
    assert_eq!(err.http_status(), Some(500));
    assert_eq!(err.log_id(), Some("LOG-500"));
    let api = err.api().expect("the API error under the retries");
    assert_eq!(api.msg, "internal error");
    let text = err.to_string();
    assert!(
        text.contains("2 attempts") && text.contains("121001") && text.contains("LOG-500"),
        "{text}"
    );
}

#[tokio::test]
async fn undecodable_success_keeps_the_log_id() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "success"}))
            .insert_header("X-Tt-Logid", "LOG-OF-A-BROKEN-200"),
    )
    .await;
    let err = export(&server).await.expect_err("no task id");
    assert!(
        matches!(&err, Error::Undecodable { status: 200, .. }),
        "{err:?}"
    );
    assert_eq!(err.log_id(), Some("LOG-OF-A-BROKEN-200"));
}

#[tokio::test]
async fn error_in_http_200_with_a_text_content_type() {
    let body = r#"{"code":121003,"msg":"param error"}"#;
    let server = answering(ResponseTemplate::new(200).set_body_raw(body, "text/plain")).await;
    let err = export(&server).await.expect_err("an error");
    assert_eq!(err.code(), Some(121003), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::BadRequest);
}
