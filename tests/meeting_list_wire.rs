//! What goes over the wire for export_meeting_list, and what the caller gets back.
//!
//! Each single-filter variant of the doc's request example (and the example with no filter) is
//! sent through every way of building a body — the typed layer (`new().with_status().with_filter()`),
//! the generated builder (`.body(builder)` and `.body_map(..)`), and raw JSON deserialised into the
//! generated type — to a mock Feishu on 127.0.0.1. The test then checks the one request received:
//! method, path, `user_id_type` query, bearer token, content type, no `api-version`, user agent,
//! and the JSON body (times as strings).

use crate::common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use feishu_openapi::vc::builder::ExportMeetingList;
use feishu_openapi::vc::types::{self, ExportMeetingListRequest};
use feishu_openapi::vc::{MeetingFilter, MeetingStatus, MeetingType};
use feishu_openapi::{AccessToken, FeishuClient, UnixSeconds, UserIdType};
use serde_json::{json, Value};
use wiremock::Request;

/// One way of filling in the request builder of export_meeting_list.
type Fill = Box<dyn for<'a> FnOnce(ExportMeetingList<'a>) -> ExportMeetingList<'a>>;

/// What the request on the wire must look like.
struct Expected<'a> {
    query: Option<&'a str>,
    token: &'a str,
    body: &'a Value,
}

fn assert_wire(request: &Request, expected: &Expected<'_>, how: &str) {
    assert_eq!(request.method.as_str(), "POST", "{how}: method");
    assert_eq!(request.url.path(), PATH, "{how}: path");
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let want_query: Vec<(String, String)> = expected
        .query
        .map(|v| vec![("user_id_type".to_string(), v.to_string())])
        .unwrap_or_default();
    assert_eq!(query, want_query, "{how}: query of {}", request.url);
    let header = |name: &str| {
        let values: Vec<&str> = request
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().expect("an ASCII header"))
            .collect();
        assert!(
            values.len() <= 1,
            "{how}: header {name} sent {} times",
            values.len()
        );
        values.first().map(|v| v.to_string())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some(format!("Bearer {}", expected.token).as_str()),
        "{how}: Authorization"
    );
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/json; charset=utf-8"),
        "{how}: Content-Type"
    );
    assert_eq!(
        header("api-version"),
        None,
        "{how}: progenitor's api-version header must be dropped"
    );
    let agent = header("user-agent").unwrap_or_default();
    assert!(
        agent.starts_with("feishu-openapi-rust/"),
        "{how}: User-Agent {agent:?}"
    );
    let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    assert_eq!(&body, expected.body, "{how}: JSON body");
}

/// Sends through `way` to a fresh mock Feishu and checks the one request and the task id.
async fn send_and_check(how: &str, token: AccessToken, way: Fill, expected: &Expected<'_>) {
    let server = success_server().await;
    let feishu = client_for(&server, token);
    let created = way(feishu.vc().export_meeting_list())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{how}: {e}"));
    assert_eq!(created.status().as_u16(), 200);
    let created = created.into_inner();
    assert_eq!(
        (created.code, created.msg.as_str()),
        (0, "success"),
        "{how}"
    );
    assert_eq!(created.data.task_id, TASK_ID, "{how}: task id");
    assert_wire(&only_request(&server).await, expected, how);
}

/// The typed filter holding the doc example's value of `field`.
fn doc_filter(field: &str) -> MeetingFilter {
    let doc = doc_request_example();
    let text = |f: &str| doc[f].as_str().expect("a string").to_string();
    match field {
        "meeting_no" => MeetingFilter::MeetingNo(text(field).parse().expect("9 digits")),
        "user_id" => MeetingFilter::User(text(field).parse().expect("an id")),
        "room_id" => MeetingFilter::Room(text(field).parse().expect("an id")),
        "meeting_type" => {
            MeetingFilter::MeetingType(MeetingType::from(doc[field].as_i64().expect("an integer")))
        }
        other => panic!("not a filter: {other}"),
    }
}

/// `builder` given the doc's times and status, and `filter`, field by field.
fn fill_in(
    builder: types::builder::ExportMeetingListRequest,
    filter: Option<MeetingFilter>,
) -> types::builder::ExportMeetingListRequest {
    let doc = doc_request_example();
    let builder = builder
        .start_time(doc["start_time"].as_str().expect("a string").to_string())
        .end_time(doc["end_time"].as_str().expect("a string").to_string())
        .meeting_status(MeetingStatus::Ended);
    match filter {
        None => builder,
        Some(MeetingFilter::MeetingNo(no)) => builder.meeting_no(no),
        Some(MeetingFilter::User(id)) => builder.user_id(id),
        Some(MeetingFilter::Room(id)) => builder.room_id(id),
        Some(MeetingFilter::MeetingType(t)) => builder.meeting_type(t),
    }
}

/// A boxed [`Fill`] (a helper so that the closure's signature is inferred).
fn fill(f: impl for<'a> FnOnce(ExportMeetingList<'a>) -> ExportMeetingList<'a> + 'static) -> Fill {
    Box::new(f)
}

/// Sets `user_id_type` when given.
fn with_query(op: ExportMeetingList<'_>, kind: Option<UserIdType>) -> ExportMeetingList<'_> {
    match kind {
        Some(kind) => op.user_id_type(kind),
        None => op,
    }
}

/// Every way of building the doc's example with only `field` (or no filter) kept.
fn every_way(field: Option<&str>, user_id_type: Option<UserIdType>) -> Vec<(String, Fill)> {
    let filter = field.map(doc_filter);
    let raw = doc_example_with_only(field);
    let typed = {
        let body = ExportMeetingListRequest::new(1_655_276_858u64, 1_655_276_858u64)
            .with_status(MeetingStatus::Ended);
        match filter.clone() {
            Some(f) => body.with_filter(f),
            None => body,
        }
    };
    let from_builder = fill_in(ExportMeetingListRequest::builder(), filter.clone());
    let filter_for_map = filter;
    let from_json: ExportMeetingListRequest =
        serde_json::from_value(raw).expect("a single-filter example deserialises");
    let kind = [(); 4].map(|()| user_id_type.clone());
    let [k1, k2, k3, k4] = kind;
    vec![
        (
            "typed layer".into(),
            fill(move |op| with_query(op, k1).body(typed)),
        ),
        (
            "generated builder".into(),
            fill(move |op| with_query(op, k2).body(from_builder)),
        ),
        (
            "body_map".into(),
            fill(move |op| with_query(op, k3).body_map(move |b| fill_in(b, filter_for_map))),
        ),
        (
            "raw JSON".into(),
            fill(move |op| with_query(op, k4).body(from_json)),
        ),
    ]
}

async fn check_single_filter(field: Option<&str>) {
    let body = doc_example_with_only(field);
    let expected = Expected {
        query: Some("open_id"),
        token: TENANT_TOKEN,
        body: &body,
    };
    for (how, way) in every_way(field, Some(UserIdType::OpenId)) {
        let how = format!("{how}, filter {field:?}");
        send_and_check(&how, AccessToken::tenant(TENANT_TOKEN), way, &expected).await;
    }
}

#[tokio::test]
async fn doc_example_with_only_meeting_no() {
    check_single_filter(Some("meeting_no")).await;
}

#[tokio::test]
async fn doc_example_with_only_user_id() {
    check_single_filter(Some("user_id")).await;
}

#[tokio::test]
async fn doc_example_with_only_room_id() {
    check_single_filter(Some("room_id")).await;
}

#[tokio::test]
async fn doc_example_with_only_meeting_type() {
    check_single_filter(Some("meeting_type")).await;
}

#[tokio::test]
async fn doc_example_without_filters() {
    check_single_filter(None).await;
}

#[tokio::test]
async fn no_user_id_type_means_no_query_string() {
    let body = doc_example_with_only(None);
    let expected = Expected {
        query: None,
        token: TENANT_TOKEN,
        body: &body,
    };
    for (how, way) in every_way(None, None) {
        send_and_check(&how, AccessToken::tenant(TENANT_TOKEN), way, &expected).await;
    }
}

#[tokio::test]
async fn every_user_id_type_goes_into_the_query() {
    let body = doc_example_with_only(Some("user_id"));
    for kind in UserIdType::ALL {
        let expected = Expected {
            query: Some(kind.as_str()),
            token: TENANT_TOKEN,
            body: &body,
        };
        let (how, way) = every_way(Some("user_id"), Some(kind.clone())).remove(0);
        send_and_check(
            &format!("{how}, {kind}"),
            AccessToken::tenant(TENANT_TOKEN),
            way,
            &expected,
        )
        .await;
    }
}

#[tokio::test]
async fn with_access_token_switches_identity_for_the_next_call() {
    let server = success_server().await;
    let tenant = tenant_client(&server);
    let user = tenant.with_access_token(AccessToken::user(USER_TOKEN));
    let body = ExportMeetingListRequest::new(1u64, 2u64);
    user.vc()
        .export_meeting_list()
        .body(body.clone())
        .send()
        .await
        .expect("sent as the user");
    tenant
        .vc()
        .export_meeting_list()
        .body(body)
        .send()
        .await
        .expect("sent as the tenant");
    let auth: Vec<String> = received(&server)
        .await
        .iter()
        .map(|r| {
            r.headers["authorization"]
                .to_str()
                .expect("ASCII")
                .to_string()
        })
        .collect();
    assert_eq!(
        auth,
        [
            format!("Bearer {USER_TOKEN}"),
            format!("Bearer {TENANT_TOKEN}")
        ]
    );
}

#[tokio::test]
async fn times_from_system_time_and_integers_are_strings_on_the_wire() {
    let start = UNIX_EPOCH + Duration::from_secs(1_655_276_858);
    let end = UNIX_EPOCH + Duration::from_secs(1_655_363_258);
    let body = json!({"start_time": "1655276858", "end_time": "1655363258"});
    let expected = Expected {
        query: None,
        token: TENANT_TOKEN,
        body: &body,
    };
    let ways: Vec<(&str, Fill)> = vec![
        (
            "typed layer from SystemTime",
            fill(move |op| {
                op.body(ExportMeetingListRequest::new(
                    UnixSeconds::try_from(start).expect("after 1970"),
                    UnixSeconds::try_from(end).expect("after 1970"),
                ))
            }),
        ),
        (
            "typed layer from u64",
            fill(|op| {
                op.body(ExportMeetingListRequest::new(
                    1_655_276_858u64,
                    1_655_363_258u64,
                ))
            }),
        ),
        (
            "generated builder from SystemTime",
            fill(move |op| op.body_map(move |b| b.start_time(start).end_time(end))),
        ),
        (
            "generated builder from u64",
            fill(|op| op.body_map(|b| b.start_time(1_655_276_858u64).end_time(1_655_363_258u64))),
        ),
        (
            "generated builder from i64",
            fill(|op| op.body_map(|b| b.start_time(1_655_276_858i64).end_time(1_655_363_258i64))),
        ),
    ];
    for (how, way) in ways {
        send_and_check(how, AccessToken::tenant(TENANT_TOKEN), way, &expected).await;
    }
}

#[tokio::test]
async fn every_meeting_status_is_its_integer_on_the_wire() {
    for (status, wire) in [
        (MeetingStatus::Ongoing, 1),
        (MeetingStatus::Ended, 2),
        (MeetingStatus::Upcoming, 3),
    ] {
        let body = json!({"start_time": "1", "end_time": "2", "meeting_status": wire});
        let expected = Expected {
            query: None,
            token: TENANT_TOKEN,
            body: &body,
        };
        let way =
            fill(move |op| op.body(ExportMeetingListRequest::new(1u64, 2u64).with_status(status)));
        send_and_check(
            &format!("{status:?}"),
            AccessToken::tenant(TENANT_TOKEN),
            way,
            &expected,
        )
        .await;
    }
}

#[tokio::test]
async fn with_filter_replaces_the_previous_filter() {
    let body = json!({"start_time": "1", "end_time": "2", "room_id": "omm_eada1d61a550955240c28757e7dec3af"});
    let expected = Expected {
        query: None,
        token: TENANT_TOKEN,
        body: &body,
    };
    let way = fill(|op| {
        op.body(
            ExportMeetingListRequest::new(1u64, 2u64)
                .with_filter(doc_filter("meeting_no"))
                .with_filter(doc_filter("user_id"))
                .with_filter(doc_filter("room_id")),
        )
    });
    send_and_check(
        "three with_filter calls",
        AccessToken::tenant(TENANT_TOKEN),
        way,
        &expected,
    )
    .await;
}

#[tokio::test]
async fn now_is_a_plausible_time_on_the_wire() {
    let server = success_server().await;
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let now = UnixSeconds::now();
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    tenant_client(&server)
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(now, now))
        .send()
        .await
        .expect("sent");
    let body: Value = only_request(&server).await.body_json().expect("JSON");
    let sent: u64 = body["start_time"]
        .as_str()
        .expect("a string")
        .parse()
        .expect("digits");
    assert!(
        (before..=after).contains(&sent),
        "{sent} not in {before}..={after}"
    );
}

#[test]
fn feishu_client_is_cheap_to_share() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<FeishuClient>();
    assert_send_sync::<feishu_openapi::vc::Client>();
}
