//! How a generated answer type reads Feishu's JSON objects (each struct's written-out
//! `Deserialize`, see `docs/decisions.md`, "How a struct reads a JSON object"), through the
//! real client against a mock Feishu on 127.0.0.1: names on the wire that differ from the
//! field's (`alertRule`), fields the spec does not list (skipped, at any depth), escaped names,
//! `null` and absent optional fields, and a required field that is missing.

use crate::common;

use common::*;

use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{AccessToken, Error, FeishuClient};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(TENANT_TOKEN))
        .build()
        .expect("a valid client")
}

#[tokio::test]
async fn renamed_unknown_escaped_and_null_fields_read_as_the_spec_says() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/vc/v1/alerts"))
        .and(query_param("start_time", "1608888867"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"code": 0, "msg": "success", "data": {
                "has_more": false,
                "page_token": null,
                "not_in_the_spec": {"deep": [1, {"x": null}], "s": "\u0000"},
                "items": [{
                    "alert_id": "7115030004018184211",
                    "alertRule": "the room went offline",
                    "notifyMethods": [1, 2],
                    "alert_level": null,
                    "also_new": [[], {}],
                    "process_\u0073tatus": 2
                }]
            }}"#,
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let data = client(&server)
        .vc()
        .alert_list()
        .start_time("1608888867")
        .end_time("1608888966")
        .call()
        .await
        .expect("the answer reads");
    assert_eq!(data.has_more, Some(false));
    assert_eq!(data.page_token, None);
    let items = data.items.expect("items");
    assert_eq!(items.len(), 1);
    let alert = &items[0];
    assert_eq!(alert.alert_id.as_deref(), Some("7115030004018184211"));
    // Read under its wire name.
    assert_eq!(alert.alert_rule.as_deref(), Some("the room went offline"));
    assert_eq!(alert.notify_methods, Some(vec![1, 2]));
    // `null` and absent both read as `None`.
    assert_eq!(alert.alert_level, None);
    assert!(alert.contacts.is_none());
    // An escaped name is the name it spells.
    assert_eq!(alert.process_status, Some(2));
}

/// export_meeting_list's `call()` against a mock Feishu answering `answer` once.
async fn export_answered(answer: ResponseTemplate) -> Result<String, Error> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    let body = ExportMeetingListRequest::new(1_655_276_858u64, 1_655_363_258u64);
    let data = client(&server)
        .vc()
        .export_meeting_list()
        .body(body)
        .call()
        .await?;
    Ok(data.task_id.to_string())
}

#[tokio::test]
async fn a_missing_required_field_is_an_undecodable_answer_with_its_log_id() {
    let err = export_answered(
        ResponseTemplate::new(200)
            // `task_id` is required in the answer's `data`.
            .set_body_json(json!({"code": 0, "msg": "success", "data": {"other": "x"}}))
            .insert_header("X-Tt-Logid", "LOG-WITHOUT-TASK-ID"),
    )
    .await
    .expect_err("no task id");
    assert!(
        matches!(&err, Error::Undecodable { status: 200, .. }),
        "{err:?}"
    );
    assert_eq!(err.log_id(), Some("LOG-WITHOUT-TASK-ID"));
}

#[tokio::test]
async fn a_json_array_where_an_object_belongs_is_undecodable() {
    let err = export_answered(
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "success", "data": ["7115030004018184211"]})),
    )
    .await
    .expect_err("an array is not the answer's object");
    assert!(
        matches!(&err, Error::Undecodable { status: 200, .. }),
        "{err:?}"
    );
}
