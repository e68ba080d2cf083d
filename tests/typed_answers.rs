//! Answers typed from the catalogue's facts, against a server on 127.0.0.1: numbers where the
//! wire sends numbers, `call()` giving the documented `data` (or an error naming the
//! operation), required query parameters enforced before any I/O, and a pager that carries its
//! token in the body.

use feishu_openapi::vc::types::RoomSearchRequest;
use feishu_openapi::{AccessToken, Error, FeishuClient, RetryPolicy};
use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{any, body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant("t-test"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// `GET /open-apis/ehr/v1/employees`: the fields the catalogue marks `int64` come as JSON
/// numbers (the doc's example answer); they decode as numbers.
#[tokio::test]
async fn the_documented_ehr_employee_list_answer_decodes() {
    let server = MockServer::start().await;
    let answer: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/ehr-employee-list.json")).unwrap();
    Mock::given(method("GET"))
        .and(path("/open-apis/ehr/v1/employees"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    let data = client(&server).ehr().employee_list().call().await.unwrap();
    let fields = data.items.as_ref().unwrap()[0]
        .system_fields
        .as_ref()
        .unwrap();
    let job = fields.job.as_ref().unwrap();
    assert_eq!(job.id, Some(1_695_838_220_091_399_i64));
    assert_eq!(
        fields.contract_company.as_ref().unwrap().id,
        Some(1_695_838_220_091_399)
    );
    assert_eq!(fields.id_photo.as_ref().unwrap()[0].size, Some(1024_i64));
    assert_eq!(fields.create_time, Some(1_608_690_517_811_i64));
    assert_eq!(data.has_more, Some(false));
}

/// A success whose documented `data` is missing is an error naming the operation, with the
/// log id; never a silent `None`.
#[tokio::test]
async fn a_success_without_its_documented_data_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "202612070001")
                .set_body_json(json!({"code": 0, "msg": "success"})),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .vc()
        .meeting_get()
        .meeting_id("6911188411934433028")
        .call()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::NoData {
                operation: "meeting_get",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.log_id(), Some("202612070001"));
    assert!(error.to_string().contains("meeting_get"), "{error}");
}

/// `user_id_type` is required by the catalogue for this operation: left out, nothing is sent.
#[tokio::test]
async fn a_required_user_id_type_is_enforced_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let error = client(&server)
        .im()
        .message_read_users()
        .message_id("om_dc13264520392913993dd051dba21dcf")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Validation(_)), "{error:?}");
    assert!(error.to_string().contains("user_id_type"), "{error}");
}

/// `POST /open-apis/vc/v1/rooms/search` takes its page token in the body: the pager puts the
/// previous answer's token there, and `items()` yields the rooms of every page.
#[tokio::test]
async fn a_pager_carries_its_token_in_the_body() {
    let server = MockServer::start().await;
    let page = |rooms: &[&str], more: bool, token: &str| {
        let rooms: Vec<_> = rooms.iter().map(|r| json!({"room_id": r})).collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success",
            "data": {"rooms": rooms, "has_more": more, "page_token": token}
        }))
    };
    Mock::given(path("/open-apis/vc/v1/rooms/search"))
        .and(body_partial_json(json!({"page_token": "p2"})))
        .respond_with(page(&["omm_3"], false, ""))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/open-apis/vc/v1/rooms/search"))
        .respond_with(page(&["omm_1", "omm_2"], true, "p2"))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let feishu = client(&server);
    let rooms: Vec<_> = feishu
        .vc()
        .room_search()
        .body(RoomSearchRequest::builder().keyword(Some("A".to_string())))
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = rooms
        .iter()
        .map(|r| r.room_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["omm_1", "omm_2", "omm_3"]);
    let sent = server.received_requests().await.unwrap();
    let second: serde_json::Value = serde_json::from_slice(&sent[1].body).unwrap();
    assert_eq!(second, json!({"keyword": "A", "page_token": "p2"}));
}
