//! The fake Feishu (`feishu_openapi::fake`), exercised through the crate's client and, for what
//! the client refuses to send, through plain HTTP requests.

use feishu_openapi::fake::vc_export::{
    EXPORT_DOWNLOAD_PATH, EXPORT_MEETING_LIST_PATH, EXPORT_TASK_PATH_PREFIX,
};
use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault, TENANT_ACCESS_TOKEN_PATH};
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::vc::{MeetingFilter, MeetingStatus, MeetingType};
use feishu_openapi::{AccessToken, Error, ErrorKind, FeishuClient, UserIdType};
use serde_json::{json, Value};

const START: u64 = 1_655_276_858;
const END: u64 = 1_655_363_258;

/// A response as it arrived: status, headers, body (JSON when it is JSON).
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn code(&self) -> i64 {
        self.body["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no code in {}", self.body))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    /// Feishu's envelope rules: the log id header on every response, JSON content type, and the
    /// same log id in the body of every error.
    fn assert_envelope(&self) {
        assert_eq!(
            self.header("content-type"),
            "application/json; charset=utf-8"
        );
        let log_id = self.header("x-tt-logid");
        assert!(!log_id.is_empty());
        if self.code() != 0 {
            assert_eq!(self.body["error"]["log_id"], log_id, "{}", self.body);
        }
    }
}

/// A plain POST, for requests the crate's client would refuse to send.
async fn post(fake: &FakeFeishu, path_and_query: &str, bearer: Option<&str>, body: &str) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path_and_query}", fake.base_url()))
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string());
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// POSTs a meeting-list body with the fake's valid token.
async fn export(fake: &FakeFeishu, query: &str, body: Value) -> Answer {
    let path = format!("{EXPORT_MEETING_LIST_PATH}{query}");
    post(
        fake,
        &path,
        Some(&fake.tenant_access_token()),
        &body.to_string(),
    )
    .await
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> feishu_openapi::ApiError {
    match result {
        Err(error) => match error.root() {
            Error::Api(e) => (**e).clone(),
            _ => panic!("expected a Feishu API error, got {error:?}"),
        },
        Ok(value) => panic!("expected a Feishu API error, got {value:?}"),
    }
}

fn body() -> ExportMeetingListRequest {
    ExportMeetingListRequest::new(START, END)
}

#[tokio::test]
async fn an_export_through_the_client_creates_a_task_with_a_19_digit_id() {
    let fake = FakeFeishu::start().await;
    let created = fake
        .client()
        .vc()
        .export_meeting_list()
        .user_id_type(UserIdType::UnionId)
        .body(
            body()
                .with_status(MeetingStatus::Ongoing)
                .with_filter(MeetingFilter::MeetingNo("123456789".parse().unwrap())),
        )
        .send()
        .await
        .expect("the fake accepts a valid request");
    let task_id = created.into_inner().data.task_id;
    assert_eq!(task_id.len(), 19, "{task_id}");
    assert!(task_id.bytes().all(|b| b.is_ascii_digit()), "{task_id}");

    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1);
    let task = fake
        .task(&task_id)
        .expect("the task is stored under its id");
    assert_eq!(task.user_id_type, UserIdType::UnionId);
    assert_eq!(task.request.start_time.as_secs(), START);
    assert_eq!(task.request.end_time.as_secs(), END);
    assert_eq!(task.request.meeting_status, Some(MeetingStatus::Ongoing));
    assert_eq!(
        task.request.meeting_no.as_ref().map(|n| n.as_str()),
        Some("123456789")
    );
    assert_eq!(fake.meeting_list_requests(), 1);
    assert_eq!(fake.token_requests(), 0);
}

#[tokio::test]
async fn each_single_filter_is_accepted_and_tasks_get_distinct_ids() {
    let fake = FakeFeishu::start().await;
    let vc = fake.client().vc();
    let filters = [
        MeetingFilter::MeetingNo("123456789".parse().unwrap()),
        MeetingFilter::User("ou_3ec3f6a28a0d08c45d895276e8e5e19b".parse().unwrap()),
        MeetingFilter::Room("omm_eada1d61a550955240c28757e7dec3af".parse().unwrap()),
        MeetingFilter::MeetingType(MeetingType::ScreenCast),
    ];
    let mut ids = Vec::new();
    for filter in filters {
        let created = vc
            .export_meeting_list()
            .body(body().with_filter(filter.clone()))
            .send()
            .await;
        let created = created.unwrap_or_else(|e| panic!("{filter:?} refused: {e}"));
        ids.push(created.into_inner().data.task_id);
    }
    let none = vc
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .expect("no filter at all is fine");
    ids.push(none.into_inner().data.task_id);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    assert_eq!(fake.tasks().len(), 5);
    assert_eq!(
        fake.tasks()[4].user_id_type,
        UserIdType::OpenId,
        "absent user_id_type means open_id"
    );
}

#[tokio::test]
async fn a_success_carries_the_envelope_and_the_log_id_header() {
    let fake = FakeFeishu::start().await;
    let answer = export(
        &fake,
        "?user_id_type=user_id",
        json!({"start_time": "1", "end_time": "1"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    answer.assert_envelope();
    assert_eq!(answer.body["code"], 0);
    assert_eq!(answer.body["msg"], "success");
    assert_eq!(answer.body["data"]["task_id"].as_str().unwrap().len(), 19);
}

#[tokio::test]
async fn the_docs_example_with_all_four_filters_is_121003_param_error_at_http_400() {
    let fake = FakeFeishu::start().await;
    let doc_example = json!({
        "start_time": "1655276858",
        "end_time": "1655276858",
        "meeting_status": 2,
        "meeting_no": "123456789",
        "user_id": "ou_3ec3f6a28a0d08c45d895276e8e5e19b",
        "room_id": "omm_eada1d61a550955240c28757e7dec3af",
        "meeting_type": 2
    });
    let answer = export(&fake, "", doc_example).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), 121003);
    assert_eq!(answer.body["msg"], "param error");
    answer.assert_envelope();
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("at most one of meeting_no / user_id / room_id / meeting_type"),
        "{message}"
    );
    assert!(fake.tasks().is_empty());
}

#[tokio::test]
async fn every_pair_of_filters_is_121003_even_meeting_type_all() {
    let fake = FakeFeishu::start().await;
    let filters = [
        ("meeting_no", json!("123456789")),
        ("user_id", json!("ou_1")),
        ("room_id", json!("omm_1")),
        ("meeting_type", json!(1)),
    ];
    for (i, (a, va)) in filters.iter().enumerate() {
        for (b, vb) in &filters[i + 1..] {
            let body = json!({"start_time": "1", "end_time": "2", *a: va, *b: vb});
            let answer = export(&fake, "", body).await;
            assert_eq!(
                (answer.status, answer.code()),
                (400, 121003),
                "{a} + {b}: {}",
                answer.body
            );
            let violations = answer.body["error"]["field_violations"].to_string();
            assert!(
                violations.contains(a) && violations.contains(b),
                "{a} + {b}: {violations}"
            );
        }
    }
    assert!(fake.tasks().is_empty());
    assert_eq!(fake.meeting_list_requests(), 6);
}

#[tokio::test]
async fn bad_parameters_are_121003_naming_the_field() {
    let fake = FakeFeishu::start().await;
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "start after end",
            "start_time",
            json!({"start_time": "20", "end_time": "10"}),
        ),
        (
            "times as numbers",
            "start_time",
            json!({"start_time": 1, "end_time": "10"}),
        ),
        (
            "non-digit time",
            "end_time",
            json!({"start_time": "1", "end_time": "2022-06-15"}),
        ),
        (
            "negative time",
            "start_time",
            json!({"start_time": "-1", "end_time": "10"}),
        ),
        (
            "empty time",
            "end_time",
            json!({"start_time": "1", "end_time": ""}),
        ),
        ("missing end", "end_time", json!({"start_time": "1"})),
        (
            "status 4",
            "meeting_status",
            json!({"start_time": "1", "end_time": "2", "meeting_status": 4}),
        ),
        (
            "status as text",
            "meeting_status",
            json!({"start_time": "1", "end_time": "2", "meeting_status": "2"}),
        ),
        (
            "meeting_type 0",
            "meeting_type",
            json!({"start_time": "1", "end_time": "2", "meeting_type": 0}),
        ),
        (
            "8-digit meeting_no",
            "meeting_no",
            json!({"start_time": "1", "end_time": "2", "meeting_no": "12345678"}),
        ),
        (
            "10-digit meeting_no",
            "meeting_no",
            json!({"start_time": "1", "end_time": "2", "meeting_no": "1234567890"}),
        ),
        (
            "meeting_no as number",
            "meeting_no",
            json!({"start_time": "1", "end_time": "2", "meeting_no": 123456789}),
        ),
        (
            "empty user_id",
            "user_id",
            json!({"start_time": "1", "end_time": "2", "user_id": ""}),
        ),
        (
            "empty room_id",
            "room_id",
            json!({"start_time": "1", "end_time": "2", "room_id": " "}),
        ),
        ("not an object", "body", json!(["start_time", "end_time"])),
    ];
    for (case, field, body) in cases {
        let answer = export(&fake, "", body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, 121003),
            "{case}: {}",
            answer.body
        );
        answer.assert_envelope();
        let violations = answer.body["error"]["field_violations"].as_array().unwrap();
        assert!(
            violations.iter().any(|v| v["field"] == field),
            "{case}: {violations:?}"
        );
    }

    let not_json = post(
        &fake,
        EXPORT_MEETING_LIST_PATH,
        Some(&fake.tenant_access_token()),
        "start_time=1",
    )
    .await;
    assert_eq!(
        (not_json.status, not_json.code()),
        (400, 121003),
        "{}",
        not_json.body
    );

    let bad_kind = export(
        &fake,
        "?user_id_type=email",
        json!({"start_time": "1", "end_time": "2"}),
    )
    .await;
    assert_eq!(
        (bad_kind.status, bad_kind.code()),
        (400, 121003),
        "{}",
        bad_kind.body
    );
    assert_eq!(
        bad_kind.body["error"]["field_violations"][0]["field"],
        "user_id_type"
    );

    assert!(fake.tasks().is_empty());
}

#[tokio::test]
async fn null_fields_count_as_absent() {
    let fake = FakeFeishu::start().await;
    let body = json!({"start_time": "1", "end_time": "2", "meeting_no": null, "user_id": "ou_1", "room_id": null});
    let answer = export(&fake, "", body).await;
    assert_eq!(answer.code(), 0, "{}", answer.body);
}

#[tokio::test]
async fn a_missing_token_is_99991661_at_http_400() {
    let fake = FakeFeishu::start().await;
    let body = json!({"start_time": "1", "end_time": "2"}).to_string();
    let answer = post(&fake, EXPORT_MEETING_LIST_PATH, None, &body).await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, 99991661),
        "{}",
        answer.body
    );
    answer.assert_envelope();
    assert!(fake.tasks().is_empty());
}

#[tokio::test]
async fn an_unknown_tenant_token_is_99991663_through_the_client() {
    let fake = FakeFeishu::start().await;
    let client = FeishuClient::builder()
        .base_url(fake.base_url())
        .access_token(AccessToken::tenant("t-not-issued-by-this-fake"))
        .build()
        .unwrap();
    let error = api_error(client.vc().export_meeting_list().body(body()).send().await);
    assert_eq!(error.code, 99991663);
    assert_eq!(error.http_status, 400);
    assert_eq!(error.kind(), ErrorKind::AccessTokenInvalid);
    assert!(
        error.log_id.as_deref().is_some_and(|l| !l.is_empty()),
        "{error:?}"
    );
    assert!(fake.tasks().is_empty());
}

#[tokio::test]
async fn expired_tokens_are_99991663() {
    let fake = FakeFeishu::builder().token_ttl(0).start().await;
    let error = api_error(
        fake.client()
            .vc()
            .export_meeting_list()
            .body(body())
            .send()
            .await,
    );
    assert_eq!((error.code, error.http_status), (99991663, 400));

    let fake = FakeFeishu::start().await;
    fake.client()
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .expect("valid before");
    fake.expire_tenant_tokens();
    let error = api_error(
        fake.client()
            .vc()
            .export_meeting_list()
            .body(body())
            .send()
            .await,
    );
    assert_eq!(error.code, 99991663);
}

#[tokio::test]
async fn user_tokens_and_malformed_tokens() {
    let fake = FakeFeishu::builder()
        .user_access_token("u-alice")
        .start()
        .await;
    let as_user = |token: &str| {
        FeishuClient::builder()
            .base_url(fake.base_url())
            .access_token(AccessToken::user(token))
            .build()
            .unwrap()
    };
    as_user("u-alice")
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .expect("a configured user token");
    let error = api_error(
        as_user("u-bob")
            .vc()
            .export_meeting_list()
            .body(body())
            .send()
            .await,
    );
    assert_eq!((error.code, error.http_status), (99991668, 400));

    let answer = post(
        &fake,
        EXPORT_MEETING_LIST_PATH,
        Some("alice"),
        r#"{"start_time":"1","end_time":"2"}"#,
    )
    .await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, 99991671),
        "{}",
        answer.body
    );
    assert_eq!(fake.tasks().len(), 1);
}

#[tokio::test]
async fn the_token_endpoint_issues_fresh_tokens_the_api_accepts() {
    let fake = FakeFeishu::builder()
        .app_credentials("cli_test", "s3cret")
        .token_ttl(600)
        .start()
        .await;
    let credentials = json!({"app_id": "cli_test", "app_secret": "s3cret"}).to_string();
    let first = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &credentials).await;
    let second = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &credentials).await;
    for answer in [&first, &second] {
        assert_eq!(answer.status, 200);
        answer.assert_envelope();
        assert_eq!(answer.body["code"], 0);
        assert_eq!(answer.body["msg"], "ok");
        assert_eq!(answer.body["expire"], 600);
        assert!(
            answer.body.get("data").is_none(),
            "the token fields are top level"
        );
    }
    let tokens: Vec<&str> = [&first, &second]
        .iter()
        .map(|a| a.body["tenant_access_token"].as_str().unwrap())
        .collect();
    assert_ne!(tokens[0], tokens[1], "a fresh token per call");
    for token in tokens {
        assert!(token.starts_with("t-"), "{token}");
        let client = FeishuClient::builder()
            .base_url(fake.base_url())
            .access_token(AccessToken::tenant(token))
            .build()
            .unwrap();
        client
            .vc()
            .export_meeting_list()
            .body(body())
            .send()
            .await
            .expect("an issued token is accepted");
    }
    assert_eq!(fake.token_requests(), 2);
    assert_eq!(fake.meeting_list_requests(), 2);
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_wrong_secret_and_missing_fields() {
    let fake = FakeFeishu::start().await;
    let wrong = json!({"app_id": fake.app_id(), "app_secret": "wrong"}).to_string();
    let answer = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &wrong).await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, 10014),
        "{}",
        answer.body
    );
    answer.assert_envelope();
    assert!(answer.body.get("tenant_access_token").is_none());

    let unknown_app = json!({"app_id": "cli_other", "app_secret": fake.app_secret()}).to_string();
    let answer = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &unknown_app).await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, 99991543),
        "{}",
        answer.body
    );

    for body in [
        r#"{"app_id":"cli_fake0000000000"}"#,
        "{}",
        "not json",
        r#"{"app_id":1,"app_secret":2}"#,
    ] {
        let answer = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, 10003),
            "{body}: {}",
            answer.body
        );
        answer.assert_envelope();
    }
    assert_eq!(fake.token_requests(), 6);
}

#[tokio::test]
async fn requests_are_recorded_as_received() {
    let fake = FakeFeishu::start().await;
    let credentials = json!({"app_id": fake.app_id(), "app_secret": fake.app_secret()}).to_string();
    post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &credentials).await;
    fake.client()
        .vc()
        .export_meeting_list()
        .user_id_type(UserIdType::UserId)
        .body(body().with_filter(MeetingFilter::Room("omm_1".parse().unwrap())))
        .send()
        .await
        .unwrap();

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, TENANT_ACCESS_TOKEN_PATH);
    assert_eq!(requests[0].json().unwrap()["app_id"], fake.app_id());

    let export = &requests[1];
    assert_eq!(export.method, "POST");
    assert_eq!(export.path, EXPORT_MEETING_LIST_PATH);
    assert_eq!(
        export.query_param("user_id_type").as_deref(),
        Some("user_id")
    );
    assert_eq!(
        export.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        export.header("authorization"),
        Some(format!("Bearer {}", fake.tenant_access_token()).as_str())
    );
    assert_eq!(
        export.json().unwrap(),
        json!({"start_time": START.to_string(), "end_time": END.to_string(), "room_id": "omm_1"})
    );
}

#[tokio::test]
async fn a_body_the_client_refuses_never_reaches_the_fake() {
    let fake = FakeFeishu::start().await;
    let result = fake
        .client()
        .vc()
        .export_meeting_list()
        .body(body())
        .body_map(|b| {
            b.meeting_no(
                "123456789"
                    .parse::<feishu_openapi::vc::MeetingNo>()
                    .unwrap(),
            )
            .room_id("omm_1".parse::<feishu_openapi::vc::RoomId>().unwrap())
        })
        .send()
        .await;
    assert!(matches!(result, Err(Error::Validation(_))), "{result:?}");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn debug_output_never_shows_tokens_or_secrets() {
    let fake = FakeFeishu::builder()
        .app_credentials("cli_test", "VERY-SECRET-app-secret")
        .start()
        .await;
    let token = fake.tenant_access_token();
    let credentials =
        json!({"app_id": "cli_test", "app_secret": "VERY-SECRET-app-secret"}).to_string();
    let issued = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &credentials).await;
    let issued = issued.body["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let client = fake.client();
    client
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .unwrap();

    let debug = format!(
        "{fake:?} {:?} {client:?} {:?}",
        fake.requests(),
        FakeFeishu::builder().app_credentials("cli_test", "VERY-SECRET-app-secret")
    );
    for secret in ["VERY-SECRET-app-secret", token.as_str(), issued.as_str()] {
        assert!(!debug.contains(secret), "{secret} appears in {debug}");
    }
    assert!(
        debug.contains(EXPORT_MEETING_LIST_PATH),
        "the Debug output is still useful: {debug}"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_are_404() {
    let fake = FakeFeishu::start().await;
    let response = reqwest::get(format!("{}{EXPORT_MEETING_LIST_PATH}", fake.base_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().contains_key("x-tt-logid"));
    let answer = post(
        &fake,
        "/open-apis/vc/v1/exports/unknown",
        Some(&fake.tenant_access_token()),
        "{}",
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(fake.requests().len(), 2, "recorded all the same");
    assert_eq!(
        fake.meeting_list_requests(),
        0,
        "a GET is not the export's operation"
    );
}

#[tokio::test]
async fn a_dropped_fake_serves_nothing() {
    let fake = FakeFeishu::start().await;
    let url = format!("{}{EXPORT_MEETING_LIST_PATH}", fake.base_url());
    drop(fake);
    let result = reqwest::Client::new().post(url).body("{}").send().await;
    assert!(result.is_err(), "{result:?}");
}

#[tokio::test]
async fn a_client_with_app_credentials_fetches_one_token_from_the_fake() {
    let fake = FakeFeishu::builder()
        .app_credentials("cli_test", "s3cret")
        .start()
        .await;
    let client = FeishuClient::builder()
        .base_url(fake.base_url())
        .app_credentials("cli_test", "s3cret")
        .build()
        .unwrap();
    for _ in 0..3 {
        client
            .vc()
            .export_meeting_list()
            .body(body())
            .send()
            .await
            .expect("the fetched token is accepted");
    }
    assert_eq!(fake.token_requests(), 1, "the token is cached");
    assert_eq!(fake.tasks().len(), 3);

    let wrong = FeishuClient::builder()
        .base_url(fake.base_url())
        .app_credentials("cli_test", "wrong")
        .build()
        .unwrap();
    let error = wrong
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(10014), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::AppCredentialsInvalid);
    assert_eq!(
        fake.tasks().len(),
        3,
        "nothing was exported without a token"
    );
}

/// A plain GET with a bearer token: the status, headers and raw body.
async fn get(
    fake: &FakeFeishu,
    path_and_query: &str,
    bearer: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = reqwest::Client::new().get(format!("{}{path_and_query}", fake.base_url()));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// GET as JSON.
async fn get_json(fake: &FakeFeishu, path_and_query: &str, bearer: Option<&str>) -> Answer {
    let (status, headers, body) = get(fake, path_and_query, bearer).await;
    let body = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    Answer {
        status,
        headers,
        body,
    }
}

/// Creates a task through the client; returns its id.
async fn new_task(fake: &FakeFeishu) -> String {
    fake.client()
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .task_id
        .to_string()
}

#[tokio::test]
async fn a_task_is_processing_for_the_configured_polls_then_done_with_a_file_token() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(2)
        .start()
        .await;
    let token = fake.tenant_access_token();
    let task_id = new_task(&fake).await;
    let task_path = format!("{EXPORT_TASK_PATH_PREFIX}{task_id}");
    for _ in 0..2 {
        let answer = get_json(&fake, &task_path, Some(&token)).await;
        answer.assert_envelope();
        assert_eq!(answer.body["data"], json!({"status": 1}), "{}", answer.body);
    }
    let done = get_json(&fake, &task_path, Some(&token)).await;
    done.assert_envelope();
    assert_eq!(done.body["data"]["status"], 3);
    let file_token = done.body["data"]["file_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        file_token.contains('+') && file_token.contains('/') && file_token.ends_with('='),
        "like Feishu's, a token that needs percent-encoding: {file_token}"
    );
    let url = done.body["data"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}{EXPORT_DOWNLOAD_PATH}?file_token=",
            fake.base_url()
        )),
        "{url}"
    );
    assert!(!url.contains('+'), "the url's query is encoded: {url}");

    let task = fake.task(&task_id).unwrap();
    assert_eq!(task.polls, 3);
    assert_eq!(task.status(), feishu_openapi::vc::ExportStatus::Done);
    assert_eq!(task.file_token, file_token);
    assert_eq!(fake.export_get_requests(), 3);

    // The url, as given, downloads the file.
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(&response.bytes().await.unwrap()[..4], b"PK\x03\x04");
    assert_eq!(fake.task(&task_id).unwrap().downloads, 1);
}

#[tokio::test]
async fn a_failing_task_reports_its_fail_msg_and_has_no_file() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .export_fails("no permission")
        .start()
        .await;
    let task_id = new_task(&fake).await;
    let answer = get_json(
        &fake,
        &format!("{EXPORT_TASK_PATH_PREFIX}{task_id}"),
        Some(&fake.tenant_access_token()),
    )
    .await;
    assert_eq!(
        answer.body["data"],
        json!({"status": 2, "fail_msg": "no permission"})
    );
    assert_eq!(
        fake.task(&task_id).unwrap().fail_msg(),
        Some("no permission")
    );
    let query = format!(
        "?file_token={}",
        fake.task(&task_id)
            .unwrap()
            .file_token
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    let download = get_json(
        &fake,
        &format!("{EXPORT_DOWNLOAD_PATH}{query}"),
        Some(&fake.tenant_access_token()),
    )
    .await;
    assert_eq!(
        (download.status, download.code()),
        (404, 121004),
        "{}",
        download.body
    );
}

#[tokio::test]
async fn finish_task_ends_a_task_at_its_next_poll() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(u32::MAX)
        .start()
        .await;
    let token = fake.tenant_access_token();
    let (a, b) = (new_task(&fake).await, new_task(&fake).await);
    assert!(fake.finish_task(&a, None));
    assert!(fake.finish_task(&b, Some("the range is too long")));
    assert!(!fake.finish_task("7000000000000000000", None));
    let status = |id: String| {
        let fake = &fake;
        let token = token.clone();
        async move {
            get_json(
                fake,
                &format!("{EXPORT_TASK_PATH_PREFIX}{id}"),
                Some(&token),
            )
            .await
            .body["data"]
                .clone()
        }
    };
    assert_eq!(status(a).await["status"], 3);
    assert_eq!(
        status(b).await,
        json!({"status": 2, "fail_msg": "the range is too long"})
    );
}

#[tokio::test]
async fn task_and_download_check_the_token_and_their_parameters() {
    let fake = FakeFeishu::start().await;
    let token = fake.tenant_access_token();
    let unknown = get_json(
        &fake,
        &format!("{EXPORT_TASK_PATH_PREFIX}7000000000000000001"),
        Some(&token),
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (404, 121004),
        "{}",
        unknown.body
    );
    unknown.assert_envelope();

    let task_id = new_task(&fake).await;
    let no_token = get_json(&fake, &format!("{EXPORT_TASK_PATH_PREFIX}{task_id}"), None).await;
    assert_eq!((no_token.status, no_token.code()), (400, 99991661));
    let wrong = get_json(
        &fake,
        &format!("{EXPORT_TASK_PATH_PREFIX}{task_id}"),
        Some("t-wrong"),
    )
    .await;
    assert_eq!(wrong.code(), 99991663);
    assert_eq!(
        fake.task(&task_id).unwrap().polls,
        0,
        "refused requests are not polls"
    );

    let missing = get_json(&fake, EXPORT_DOWNLOAD_PATH, Some(&token)).await;
    assert_eq!(
        (missing.status, missing.code()),
        (400, 121003),
        "{}",
        missing.body
    );
    assert_eq!(
        missing.body["error"]["field_violations"][0]["field"],
        "file_token"
    );
    let bogus = get_json(
        &fake,
        &format!("{EXPORT_DOWNLOAD_PATH}?file_token=abc%3D"),
        Some(&token),
    )
    .await;
    assert_eq!((bogus.status, bogus.code()), (404, 121004));
    let no_token = get_json(
        &fake,
        &format!("{EXPORT_DOWNLOAD_PATH}?file_token=abc"),
        None,
    )
    .await;
    assert_eq!(no_token.code(), 99991661);
    assert_eq!(fake.download_requests(), 3);
}

#[tokio::test]
async fn the_download_is_an_xlsx_with_a_raw_utf8_name_and_its_length() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .start()
        .await;
    let token = fake.tenant_access_token();
    let task_id = new_task(&fake).await;
    let done = get_json(
        &fake,
        &format!("{EXPORT_TASK_PATH_PREFIX}{task_id}"),
        Some(&token),
    )
    .await;
    let url = done.body["data"]["url"].as_str().unwrap();
    let path_and_query = url.strip_prefix(fake.base_url()).unwrap();
    let (status, headers, body) = get(&fake, path_and_query, Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(headers["content-length"], body.len().to_string().as_str());
    assert_eq!(
        headers["content-disposition"].as_bytes(),
        "attachment; filename=\"会议明细_20220615-20220616.xlsx\"".as_bytes(),
        "the name as raw UTF-8 bytes, as Feishu sends it"
    );
    assert!(headers.contains_key("x-tt-logid"));
    assert_eq!(&body[..4], b"PK\x03\x04");
    assert_eq!(
        &body[body.len() - 22..body.len() - 18],
        b"PK\x05\x06",
        "a complete ZIP"
    );
    let text = String::from_utf8_lossy(&body);
    for part in [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "会议主题",
        "2022-06-15 15:07:38",
    ] {
        assert!(text.contains(part), "{part} is in the workbook");
    }
}

#[tokio::test]
async fn injected_faults_spoil_one_request_each_in_order() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .start()
        .await;
    let token = fake.tenant_access_token();
    let task_id = new_task(&fake).await;
    let task_path = format!("{EXPORT_TASK_PATH_PREFIX}{task_id}");
    fake.inject(Endpoint::ExportGet, Fault::RateLimited { reset_secs: 7 });
    fake.inject(Endpoint::ExportGet, Fault::ServerError);
    fake.inject(Endpoint::Any, Fault::BadGateway);
    fake.inject(
        Endpoint::ExportGet,
        Fault::Error {
            status: 200,
            code: 121002,
            msg: "not support".into(),
        },
    );

    let limited = get_json(&fake, &task_path, Some(&token)).await;
    assert_eq!((limited.status, limited.code()), (429, 99991400));
    assert_eq!(limited.header("x-ogw-ratelimit-reset"), "7");
    assert_eq!(limited.header("x-ogw-ratelimit-limit"), "100");
    limited.assert_envelope();
    let server = get_json(&fake, &task_path, Some(&token)).await;
    assert_eq!((server.status, server.code()), (500, 121001));
    let gateway = get(&fake, &task_path, Some(&token)).await;
    assert_eq!(gateway.0, 502);
    assert_eq!(gateway.1["content-type"], "text/html; charset=utf-8");
    let in_200 = get_json(&fake, &task_path, Some(&token)).await;
    assert_eq!((in_200.status, in_200.code()), (200, 121002));
    assert_eq!(
        fake.task(&task_id).unwrap().polls,
        0,
        "spoiled requests are not handled"
    );
    let fine = get_json(&fake, &task_path, Some(&token)).await;
    assert_eq!(fine.body["data"]["status"], 3);

    // A token expiry on the next request makes every token issued so far invalid.
    fake.inject(Endpoint::ExportGet, Fault::TokenExpired);
    let expired = get_json(&fake, &task_path, Some(&token)).await;
    assert_eq!(expired.code(), 99991663);
    let still = get_json(&fake, &task_path, Some(&token)).await;
    assert_eq!(still.code(), 99991663);
}

#[tokio::test]
async fn a_delay_holds_the_answer_back() {
    let fake = FakeFeishu::start().await;
    fake.inject(
        Endpoint::TenantAccessToken,
        Fault::Delay(std::time::Duration::from_millis(300)),
    );
    let credentials = json!({"app_id": fake.app_id(), "app_secret": fake.app_secret()}).to_string();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    let result = client
        .post(format!("{}{TENANT_ACCESS_TOKEN_PATH}", fake.base_url()))
        .body(credentials.clone())
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    let answer = post(&fake, TENANT_ACCESS_TOKEN_PATH, None, &credentials).await;
    assert_eq!(answer.code(), 0, "the fault was used once");
}

#[tokio::test]
async fn a_synthetic_download_streams_the_configured_size() {
    let size = 5 * 1024 * 1024 + 7;
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .synthetic_download(size)
        .start()
        .await;
    let token = fake.tenant_access_token();
    let task_id = new_task(&fake).await;
    let done = get_json(
        &fake,
        &format!("{EXPORT_TASK_PATH_PREFIX}{task_id}"),
        Some(&token),
    )
    .await;
    let url = done.body["data"]["url"].as_str().unwrap().to_string();
    let mut response = reqwest::Client::new()
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.content_length(), Some(size));
    let mut received = 0u64;
    while let Some(chunk) = response.chunk().await.unwrap() {
        received += chunk.len() as u64;
    }
    assert_eq!(received, size);
}

#[tokio::test]
async fn the_builder_debug_shows_the_export_options() {
    let builder = FakeFeishu::builder()
        .export_processing_polls(4)
        .export_fails("boom")
        .synthetic_download(10);
    let debug = format!("{builder:?}");
    for word in ["processing_polls: 4", "boom", "synthetic_size: Some(10)"] {
        assert!(debug.contains(word), "{word} in {debug}");
    }
}
