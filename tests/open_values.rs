//! Values the spec does not list, and absent versus empty, end to end against a server on
//! 127.0.0.1: an answer carrying an enum value new to the crate decodes (IM's generated enums,
//! VC's handwritten export status); a request sends a value its enum does not list (a query
//! parameter, an integer parameter, a body field); an empty array the caller set is sent as `[]`
//! and an unset one is left out, and an answer tells them apart; an extra body field reaches the
//! wire, and one that would overwrite a typed field is refused before anything is sent.
//! Run with `--features vc,im,fake`.
#![cfg(all(feature = "vc", feature = "im"))]

use crate::common;

use std::time::Duration;

use common::{assert_nothing_received, silent_server};
use feishu_openapi::im::types::{
    ChatCreateRequest, ChatCreateRequestGroupMessageType, ChatMembersCreateMemberIdType,
    ChatMembersCreateRequest, ChatMembersCreateSucceedType, ChatMode, ChatStatus,
};
use feishu_openapi::vc::export::{ExportTask, WaitOptions};
use feishu_openapi::vc::ExportStatus;
use feishu_openapi::{AccessToken, Error, FeishuClient, RetryPolicy, UserIdType};
use futures::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "t-open-values";

fn client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(TOKEN))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "one request");
    requests.remove(0)
}

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

#[tokio::test]
async fn an_im_answer_with_enum_values_the_spec_does_not_list_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ok(json!({
            "has_more": false,
            "items": [
                {"chat_id": "oc_1", "chat_mode": "group", "chat_status": "normal"},
                {"chat_id": "oc_2", "chat_mode": "channel", "chat_status": "archived"},
            ],
        })))
        .mount(&server)
        .await;
    let chats: Vec<_> = client(&server)
        .im()
        .chat_list()
        .items()
        .try_collect()
        .await
        .expect("values new to the crate decode");
    assert_eq!(chats.len(), 2);
    assert_eq!(chats[0].chat_mode, Some(ChatMode::Group), "a listed value");
    assert_eq!(chats[0].chat_status, Some(ChatStatus::Normal));
    assert_eq!(chats[1].chat_mode, Some(ChatMode::Other("channel".into())));
    assert_eq!(
        chats[1].chat_status,
        Some(ChatStatus::Other("archived".into()))
    );
    let mode = chats[1].chat_mode.as_ref().unwrap();
    assert_eq!(
        (mode.as_str(), mode.to_string()),
        ("channel", "channel".into())
    );
}

#[tokio::test]
async fn a_vc_export_status_the_spec_does_not_list_decodes_and_the_wait_goes_on() {
    let server = MockServer::start().await;
    let task = "7111325589855797267";
    // A status new to the crate (5) on the first poll, then done.
    Mock::given(method("GET"))
        .and(path(format!("/open-apis/vc/v1/exports/{task}")))
        .respond_with(ok(json!({"status": 5})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/open-apis/vc/v1/exports/{task}")))
        .respond_with(ok(json!({"status": 3, "file_token": "tok=="})))
        .mount(&server)
        .await;
    let feishu = client(&server);
    let exported = ExportTask::resume(&feishu, task.parse().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = WaitOptions::default()
        .min_interval(Duration::from_millis(5))
        .interval(Duration::from_millis(5))
        .on_progress(move |p| sink.lock().unwrap().push(p.status));
    let file = exported
        .wait(&options)
        .await
        .expect("the wait outlives a new status");
    assert_eq!(file.file_token(), "tok==");
    assert_eq!(
        *seen.lock().unwrap(),
        [Some(ExportStatus::Other(5)), Some(ExportStatus::Done)]
    );
}

#[tokio::test]
async fn request_enums_send_a_value_the_spec_does_not_list() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats/oc_1/members"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    client(&server)
        .im()
        .chat_members_create()
        .chat_id("oc_1")
        // A string the spec does not list, as text (`From<&str>`) …
        .member_id_type("new_kind")
        // … and an integer it does not list (it lists 0, 1 and 2).
        .succeed_type(3_i64)
        .body(ChatMembersCreateRequest::builder().id_list(vec!["ou_1".to_string()]))
        .send()
        .await
        .expect("sent");
    let request = only_request(&server).await;
    assert_eq!(
        query(&request, "member_id_type").as_deref(),
        Some("new_kind")
    );
    assert_eq!(query(&request, "succeed_type").as_deref(), Some("3"));

    // The listed values keep their variants; `Other` is the explicit way to an unlisted one.
    assert_eq!(
        ChatMembersCreateMemberIdType::from("open_id"),
        ChatMembersCreateMemberIdType::OpenId
    );
    assert_eq!(*ChatMembersCreateSucceedType::from(3), 3);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ok(json!({"chat_id": "oc_2"})))
        .mount(&server)
        .await;
    client(&server)
        .im()
        .chat_create()
        .user_id_type(UserIdType::Other("email_id".into()))
        .body(
            ChatCreateRequest::builder()
                .name(Some("team".to_string()))
                .group_message_type(ChatCreateRequestGroupMessageType::Other("thread_v2".into())),
        )
        .send()
        .await
        .expect("sent");
    let request = only_request(&server).await;
    assert_eq!(query(&request, "user_id_type").as_deref(), Some("email_id"));
    assert_eq!(body(&request)["group_message_type"], "thread_v2");
}

#[tokio::test]
async fn an_empty_array_is_sent_as_empty_and_an_unset_one_is_left_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats/oc_1/members"))
        .respond_with(ok(json!({"invalid_id_list": []})))
        .mount(&server)
        .await;
    let answer = client(&server)
        .im()
        .chat_members_create()
        .chat_id("oc_1")
        .body(ChatMembersCreateRequest::builder().id_list(Vec::<String>::new()))
        .call()
        .await
        .expect("sent");
    let request = only_request(&server).await;
    assert_eq!(
        body(&request),
        json!({"id_list": []}),
        "set empty: sent as []"
    );
    // The answer tells an empty list from an absent one.
    let data = answer;
    assert_eq!(data.invalid_id_list, Some(vec![]));
    assert_eq!(data.not_existed_id_list, None);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats/oc_1/members"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    client(&server)
        .im()
        .chat_members_create()
        .chat_id("oc_1")
        .body(ChatMembersCreateRequest::builder())
        .send()
        .await
        .expect("sent");
    let request = only_request(&server).await;
    assert_eq!(body(&request), json!({}), "unset: left out");
}

#[tokio::test]
async fn an_extra_body_field_reaches_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ok(json!({"chat_id": "oc_2"})))
        .mount(&server)
        .await;
    client(&server)
        .im()
        .chat_create()
        .body(ChatCreateRequest::builder().name(Some("team".to_string())))
        .extra_body_field("new_setting", json!({"enabled": true}))
        .extra_body_field("bot_id_list", json!([]))
        .send()
        .await
        .expect("sent");
    let request = only_request(&server).await;
    let sent = body(&request);
    assert_eq!(sent["name"], "team");
    assert_eq!(sent["new_setting"], json!({"enabled": true}));
    assert_eq!(
        sent["bot_id_list"],
        json!([]),
        "a field the typed body left unset"
    );
}

#[tokio::test]
async fn an_extra_body_field_never_overwrites_a_typed_one() {
    let server = silent_server().await;
    let error = client(&server)
        .im()
        .chat_create()
        .body(ChatCreateRequest::builder().name(Some("team".to_string())))
        .extra_body_field("name", json!("other"))
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::Validation(m) if m.contains("`name`") && m.contains("sets it already")),
        "{error:?}"
    );
    let error = client(&server)
        .im()
        .chat_create()
        .body(ChatCreateRequest::builder())
        .extra_body_field("x", json!(1))
        .extra_body_field("x", json!(2))
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::Validation(m) if m.contains("given twice")),
        "{error:?}"
    );
    assert_nothing_received(&server).await;
}

#[tokio::test]
async fn a_body_with_extra_fields_is_still_checked_against_its_rules() {
    use feishu_openapi::vc::types::ExportMeetingListRequest;
    use feishu_openapi::vc::MeetingFilter;

    let server = silent_server().await;
    let error = client(&server)
        .vc()
        .export_meeting_list()
        .body(
            ExportMeetingListRequest::new(1_655_276_858u64, 1_655_363_258u64)
                .with_filter(MeetingFilter::MeetingNo("123456789".parse().unwrap())),
        )
        // A second filter, given as an extra field: the at-most-one rule still holds.
        .extra_body_field("user_id", json!("ou_1"))
        .send()
        .await
        .expect_err("refused");
    let text = error.to_string();
    assert!(
        matches!(error, Error::Validation(_))
            && text.contains("meeting_no")
            && text.contains("user_id"),
        "{text}"
    );
    assert_nothing_received(&server).await;
}

#[tokio::test]
async fn a_body_given_as_json_forwards_its_unknown_fields_or_refuses_them_by_name() {
    let fake = feishu_openapi::fake::FakeFeishu::start().await;
    let feishu = fake.client();
    let params = serde_json::Map::new();
    // A top-level field the type does not hold reaches the wire, beside the typed ones.
    let body = json!({"name": "team", "user_id_list": [], "new_setting": {"enabled": true}});
    feishu_openapi::__send_from_json(&feishu, "im", "chat_create", &params, Some(&body))
        .expect("im has chat_create")
        .await
        .expect("sent");
    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/open-apis/im/v1/chats")
        .expect("the fake received it")
        .json()
        .expect("a JSON body");
    assert_eq!(sent, body, "nothing dropped, [] kept");

    // One deeper down cannot be sent beside its typed parent: refused, naming its path.
    let body = json!({"name": "team", "restricted_mode_setting": {"status": true, "new_mode": 1}});
    let error =
        feishu_openapi::__send_from_json(&feishu, "im", "chat_create", &params, Some(&body))
            .expect("im has chat_create")
            .await
            .expect_err("refused");
    assert!(
        matches!(&error, Error::Validation(m) if m.contains("body.restricted_mode_setting.new_mode")),
        "{error:?}"
    );
}
