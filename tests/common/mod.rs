//! Helpers shared by the integration tests: a mock Feishu on 127.0.0.1, clients pointed at it,
//! distinctive tokens, and the request example of the official doc page.
#![allow(dead_code, reason = "each feature set uses a subset")]

use feishu_openapi::{AccessToken, FeishuClient};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The path of export_meeting_list.
pub const PATH: &str = "/open-apis/vc/v1/exports/meeting_list";

/// A tenant access token that must never show up in any output but the Authorization header.
pub const TENANT_TOKEN: &str = "t-SECRET-tenant-7f1b2c3d4e5f";
/// A user access token, same rule.
pub const USER_TOKEN: &str = "u-SECRET-user-9a8b7c6d5e4f";

/// The task id of the doc's response example.
pub const TASK_ID: &str = "7111325589855797267";

/// The four mutually exclusive filters, in the doc's order.
pub const FILTERS: [&str; 4] = ["meeting_no", "user_id", "room_id", "meeting_type"];

/// The official doc page of the endpoint.
pub const DOC_PAGE: &str = include_str!("../fixtures/export-meeting-list.md");

/// The first fenced code block after the line containing `marker`, parsed as JSON.
pub fn doc_json_after(marker: &str) -> Value {
    let start = DOC_PAGE
        .find(marker)
        .unwrap_or_else(|| panic!("the doc page has no {marker:?}"));
    let rest = &DOC_PAGE[start..];
    let open = rest
        .find("```json")
        .expect("a ```json block after the marker")
        + "```json".len();
    let close = rest[open..].find("```").expect("the block is closed") + open;
    serde_json::from_str(&rest[open..close]).expect("the doc's example is valid JSON")
}

/// The doc's request example, exactly as written (it sets all four filters).
pub fn doc_request_example() -> Value {
    doc_json_after("**请求体示例**")
}

/// The doc's response example.
pub fn doc_response_example() -> Value {
    doc_json_after("**响应示例**")
}

/// The doc's request example with only the filter `keep` left (or none for `None`).
pub fn doc_example_with_only(keep: Option<&str>) -> Value {
    let mut body = doc_request_example();
    let map = body.as_object_mut().expect("an object");
    for filter in FILTERS {
        if Some(filter) != keep {
            map.remove(filter);
        }
    }
    body
}

/// The success envelope of the doc page.
pub fn success_body() -> Value {
    json!({"code": 0, "msg": "success", "data": {"task_id": TASK_ID}})
}

/// A mock server answering every request with the doc's success envelope.
pub async fn success_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .mount(&server)
        .await;
    server
}

/// A mock server that must receive nothing (verified when it is dropped, and by
/// [`assert_nothing_received`]).
pub async fn silent_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .expect(0)
        .named("nothing may be sent")
        .mount(&server)
        .await;
    server
}

/// A client calling `server` with `token`.
pub fn client_for(server: &MockServer, token: AccessToken) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(token)
        .build()
        .expect("a loopback base URL is accepted")
}

/// A client calling `server` with [`TENANT_TOKEN`].
pub fn tenant_client(server: &MockServer) -> FeishuClient {
    client_for(server, AccessToken::tenant(TENANT_TOKEN))
}

/// Every request the server received.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on by default")
}

/// The one request the server received (fails if it received another number).
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = received(server).await;
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.remove(0)
}

/// Asserts that the server received no request at all.
pub async fn assert_nothing_received(server: &MockServer) {
    let requests = received(server).await;
    assert!(
        requests.is_empty(),
        "nothing may leave the process, but the server received {} request(s): {:?}",
        requests.len(),
        requests
            .iter()
            .map(|r| r.url.to_string())
            .collect::<Vec<_>>()
    );
    server.verify().await;
}

/// Every subset of `items` with at least `min` elements, in a stable order.
pub fn subsets<'a>(items: &[&'a str], min: usize) -> Vec<Vec<&'a str>> {
    (0u32..(1 << items.len()))
        .filter(|mask| mask.count_ones() as usize >= min)
        .map(|mask| {
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, item)| *item)
                .collect()
        })
        .collect()
}
