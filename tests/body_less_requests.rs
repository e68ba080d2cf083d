//! A POST, PUT or PATCH without a body says so on the wire (`Content-Length: 0`): a gateway may
//! refuse one that announces no length (HTTP 411). A request with a body keeps its own length.

use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{AccessToken, FeishuClient, RetryPolicy};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "success", "data": {"task_id": "7111111111111111111"}}),
        ))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant("t-test"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn content_length(request: &wiremock::Request) -> Option<String> {
    request
        .headers
        .get("content-length")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn a_body_less_patch_sends_content_length_zero() {
    let server = server().await;
    client(&server)
        .vc()
        .meeting_end()
        .meeting_id("6911188411934433028")
        .send()
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method.as_str(), "PATCH");
    assert!(received[0].body.is_empty());
    assert_eq!(content_length(&received[0]).as_deref(), Some("0"));
}

#[tokio::test]
async fn a_request_with_a_body_keeps_its_length() {
    let server = server().await;
    let body = ExportMeetingListRequest::new(1_655_276_858, 1_655_363_258);
    client(&server)
        .vc()
        .export_meeting_list()
        .body(body)
        .send()
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let length = content_length(&received[0]).expect("a length");
    assert_eq!(length, received[0].body.len().to_string());
    assert_ne!(length, "0");
}
