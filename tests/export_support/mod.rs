//! Helpers for the tests of the export endpoints' typed helpers and decisions
//! (participant_list, participant_quality_list, resource_reservation_list): the operation's
//! request example read from `openapi/vc.yaml`, the check of one request on the wire, and the
//! check of a refusal before any I/O.
//!
//! A test module uses it with `use crate::{common, export_support};` (both are declared once in
//! `tests/suite.rs`).
#![allow(dead_code, reason = "each feature set uses a subset")]

use std::future::Future;

use feishu_openapi::vc::types::ExportTaskCreated;
use feishu_openapi::UserIdType;
use feishu_openapi::{AccessToken, Error, FeishuClient, ResponseValue};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::common::{
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
pub(crate) use sender;

/// Asserts method, path, query, Authorization, Content-Type, no `api-version`, and the JSON body.
pub fn assert_wire(request: &Request, want: &Wire<'_>, how: &str) {
    assert_eq!(request.method.as_str(), "POST", "{how}: method");
    assert_eq!(request.url.path(), want.path, "{how}: path");
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let want_query: Vec<(String, String)> = want
        .user_id_type
        .as_ref()
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
