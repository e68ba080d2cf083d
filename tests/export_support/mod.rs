//! Helpers for the tests of the export endpoints that were added by spec alone
//! (participant_list, participant_quality_list, resource_reservation_list): the operation's
//! request example and error table read from `openapi/vc.yaml`, the check of one request on the
//! wire, the check of a refusal before any I/O, and the check of the documented error table.
//!
//! A test file uses it with `mod common; mod export_support;`.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::future::Future;

use feishu_openapi::vc::types::ExportTaskCreated;
use feishu_openapi::{AccessToken, Error, ErrorKind, FeishuClient, ResponseValue};
use feishu_openapi::{RetryPolicy, UserIdType};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{
    assert_nothing_received, client_for, only_request, silent_server, success_server,
    tenant_client, TASK_ID, TENANT_TOKEN,
};

/// What a generated `send()` of an export returns.
pub type Sent = Result<ResponseValue<ExportTaskCreated>, Error>;

fn spec() -> Value {
    feishu_openapi_codegen::spec::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/vc.yaml"),
    )
    .expect("openapi/vc.yaml, with the shared parts merged in")
}

/// The POST operation at `path` in `openapi/vc.yaml`.
pub fn operation(path: &str) -> Value {
    spec()
        .get("paths")
        .and_then(|paths| paths.get(path))
        .and_then(|item| item.get("post"))
        .cloned()
        .unwrap_or_else(|| panic!("openapi/vc.yaml has no POST {path}"))
}

/// The request-body example of the POST operation at `path`.
pub fn request_example(path: &str) -> Value {
    operation(path)
        .pointer("/requestBody/content/application~1json/example")
        .cloned()
        .unwrap_or_else(|| panic!("POST {path} has no request example"))
}

/// The `example` of `property` of the component schema `schema`.
pub fn property_example(schema: &str, property: &str) -> Value {
    spec()
        .pointer(&format!(
            "/components/schemas/{schema}/properties/{property}/example"
        ))
        .cloned()
        .unwrap_or_else(|| panic!("{schema}.{property} has no example"))
}

/// The string value of `field` in `body`.
pub fn text(body: &Value, field: &str) -> String {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string in {body}"))
        .to_string()
}

/// `body` without the fields `drop`.
pub fn without(body: &Value, drop: &[&str]) -> Value {
    let mut body = body.clone();
    let map = body.as_object_mut().expect("an object");
    for field in drop {
        map.remove(*field);
    }
    body
}

/// The rows of the operation's documented error table (`x-feishu-errors`): HTTP status, code, msg.
pub fn documented_errors(path: &str) -> Vec<(u16, i64, String)> {
    let op = operation(path);
    let rows = op["x-feishu-errors"].as_array().expect("an error table");
    assert!(!rows.is_empty(), "POST {path} documents no errors");
    rows.iter()
        .map(|row| {
            (
                u16::try_from(row["http"].as_u64().expect("an HTTP status")).expect("a status"),
                row["code"].as_i64().expect("a code"),
                row["msg"].as_str().expect("a msg").to_string(),
            )
        })
        .collect()
}

/// What the one request on the wire must be.
pub struct Wire<'a> {
    /// The path of the operation.
    pub path: &'a str,
    /// The `user_id_type` query value, if any (no other query is allowed).
    pub user_id_type: Option<UserIdType>,
    /// The bearer token.
    pub token: &'a str,
    /// The exact JSON body.
    pub body: &'a Value,
}

impl<'a> Wire<'a> {
    /// The request a tenant token sends with no query: the common case.
    pub fn tenant(path: &'a str, body: &'a Value) -> Self {
        Self {
            path,
            user_id_type: None,
            token: TENANT_TOKEN,
            body,
        }
    }
}

/// A `send_and_check` sender: the VC operation `$op` with `user_id_type` `$kind` and one call
/// that sets the body, e.g. `sender!(export_participant_list, UserIdType::OpenId, body(body))`
/// or `…, body_map(|b| b.meeting_no("123456789")))`.
#[macro_export]
macro_rules! sender {
    ($op:ident, $kind:expr, $setter:ident($arg:expr)) => {
        move |feishu: feishu_openapi::FeishuClient| async move {
            feishu
                .vc()
                .$op()
                .user_id_type($kind)
                .$setter($arg)
                .send()
                .await
        }
    };
}

/// Asserts method, path, query, Authorization, Content-Type, no `api-version`, and the JSON body.
pub fn assert_wire(request: &Request, want: &Wire<'_>, how: &str) {
    assert_eq!(request.method.as_str(), "POST", "{how}: method");
    assert_eq!(request.url.path(), want.path, "{how}: path");
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let want_query: Vec<(String, String)> = want
        .user_id_type
        .map(|kind| vec![("user_id_type".to_string(), kind.as_str().to_string())])
        .unwrap_or_default();
    assert_eq!(query, want_query, "{how}: query of {}", request.url);
    let header = |name: &str| -> Option<String> {
        let values: Vec<_> = request.headers.get_all(name).iter().collect();
        assert!(
            values.len() <= 1,
            "{how}: header {name} sent {} times",
            values.len()
        );
        values
            .first()
            .map(|v| v.to_str().expect("an ASCII header").to_string())
    };
    assert_eq!(
        header("authorization"),
        Some(format!("Bearer {}", want.token)),
        "{how}: Authorization"
    );
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/json; charset=utf-8"),
        "{how}: Content-Type"
    );
    assert_eq!(header("api-version"), None, "{how}: api-version");
    let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    assert_eq!(&body, want.body, "{how}: JSON body");
}

/// Sends through `send` as `token` to a mock Feishu answering the success envelope, checks the
/// decoded response and the one request received against `want`.
pub async fn send_and_check<F, Fut>(how: &str, token: AccessToken, want: &Wire<'_>, send: F)
where
    F: FnOnce(FeishuClient) -> Fut,
    Fut: Future<Output = Sent>,
{
    let server = success_server().await;
    let created = send(client_for(&server, token))
        .await
        .unwrap_or_else(|e| panic!("{how}: {e}"));
    assert_eq!(created.status().as_u16(), 200, "{how}");
    let created = created.into_inner();
    assert_eq!(
        (created.code, created.msg.as_str()),
        (0, "success"),
        "{how}"
    );
    assert_eq!(created.data.task_id, TASK_ID, "{how}: task id");
    assert_wire(&only_request(&server).await, want, how);
}

/// Sends through `send` to a mock Feishu that must receive nothing; returns the refusal after
/// checking that nothing was received and that it is a validation error raised before any I/O.
pub async fn refused<F, Fut>(send: F) -> Error
where
    F: FnOnce(FeishuClient) -> Fut,
    Fut: Future<Output = Sent>,
{
    let server = silent_server().await;
    let result = send(tenant_client(&server)).await;
    assert_nothing_received(&server).await;
    let raw = match result {
        Ok(ok) => panic!("expected a refusal, got Ok({:?})", ok.into_inner()),
        Err(e) => e,
    };
    let err = raw;
    assert!(
        matches!(err, Error::Validation(_)),
        "a refusal before any I/O is Error::Validation, got {err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("invalid request, nothing was sent"),
        "{err}"
    );
    err
}

/// Asserts that `err`'s message names every one of `words`.
pub fn assert_names(err: &impl std::fmt::Display, words: &[&str]) {
    let text = err.to_string();
    for word in words {
        assert!(text.contains(word), "{word:?} is not named in: {text}");
    }
}

/// A mock Feishu answering POST `path` exactly once with `response`.
async fn answering(path_: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(path_))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// A client for `server` with a tenant token and no retries, so that each error answers exactly
/// one request.
fn no_retry_client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(TENANT_TOKEN))
        .retry(RetryPolicy::none())
        .build()
        .expect("a valid client")
}

/// Every row of the operation's error table, answered at its documented HTTP status and again with
/// `code ≠ 0` in an HTTP 200: `Error::Api` with code, msg, status, log id and a named kind.
pub async fn check_documented_errors<F, Fut>(path_: &str, export: F)
where
    F: Fn(FeishuClient) -> Fut,
    Fut: Future<Output = Sent>,
{
    for (documented_status, code, msg) in documented_errors(path_) {
        for status in [documented_status, 200] {
            let how = format!("{code} {msg} at HTTP {status}");
            let log_id = format!("LOG-{code}-{status}");
            let body = json!({"code": code, "msg": msg, "error": {"log_id": "from-the-body"}});
            let server = answering(
                path_,
                ResponseTemplate::new(status)
                    .set_body_json(body)
                    .insert_header("X-Tt-Logid", log_id.as_str()),
            )
            .await;
            let raw = export(no_retry_client(&server)).await;
            let err = match raw {
                Ok(ok) => panic!("{how}: expected an error, got Ok({:?})", ok.into_inner()),
                Err(e) => e,
            };
            let Error::Api(api) = &err else {
                panic!("{how}: expected Error::Api, got {err:?}");
            };
            assert_eq!(
                (api.code, api.msg.as_str(), api.http_status),
                (code, msg.as_str(), status),
                "{how}"
            );
            assert_eq!(
                api.log_id.as_deref(),
                Some(log_id.as_str()),
                "{how}: log id"
            );
            assert_ne!(
                err.kind(),
                ErrorKind::Other,
                "{how}: a documented code has a kind"
            );
            let row = api
                .documented()
                .unwrap_or_else(|| panic!("{how}: not documented"));
            assert_eq!(
                (row.code, row.http_status, row.msg),
                (code, documented_status, msg.as_str()),
                "{how}: the spec's row travels with the error"
            );
            assert!(err.to_string().contains(&log_id), "{how}: {err}");
            assert_eq!(only_request(&server).await.url.path(), path_, "{how}");
        }
    }
}

/// A non-JSON error body (a gateway's HTML page) is `Error::Undecodable` with the status, the
/// start of the body and the log id — never a decoding panic or a bare serde error.
pub async fn check_non_json_error<F, Fut>(path_: &str, export: F)
where
    F: FnOnce(FeishuClient) -> Fut,
    Fut: Future<Output = Sent>,
{
    let server = answering(
        path_,
        ResponseTemplate::new(502)
            .set_body_raw("<html><title>502 Bad Gateway</title></html>", "text/html")
            .insert_header("X-Tt-Logid", "GATEWAY-LOG"),
    )
    .await;
    let err = export(no_retry_client(&server))
        .await
        .expect_err("an HTML 502 is an error");
    assert!(
        matches!(&err, Error::Undecodable { status: 502, body_start, log_id: Some(log) }
            if body_start.contains("502 Bad Gateway") && log == "GATEWAY-LOG"),
        "{err:?}"
    );
}
