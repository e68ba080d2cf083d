//! export_participant_list (`POST /open-apis/vc/v1/exports/participant_list`): its typed
//! helpers and decisions — the typed layer (`new`, `with_status`, `with_filter` with
//! `ParticipantFilter`) builds the spec's example, a filter replaces the previous one, every
//! status is its integer, and equal meeting times are a valid range. What every operation gets
//! from its spec (the example on the wire, the error table, each rule broken with nothing sent,
//! an HTML error body, token kinds) is checked by `tests/conformance.rs`. The example values
//! are the spec's (`openapi/vc.yaml`).

use crate::common;
use crate::export_support;

use common::TENANT_TOKEN;
use export_support::*;
use feishu_openapi::vc::types::{self, ExportParticipantListRequest};
use feishu_openapi::vc::{MeetingNo, MeetingStatus, ParticipantFilter, RoomId};
use feishu_openapi::{AccessToken, FeishuClient, UnixSeconds, UserId, UserIdType};
use serde_json::{json, Value};

const PATH: &str = "/open-apis/vc/v1/exports/participant_list";
const SCHEMA: &str = "ExportParticipantListRequest";
const FILTERS: [&str; 2] = ["user_id", "room_id"];

/// The spec's request example with only the filter `keep` (or none), its value the spec's.
fn example_with_only(keep: Option<&str>) -> Value {
    let mut body = without(&request_example(PATH), &FILTERS);
    if let Some(field) = keep {
        body[field] = property_example(SCHEMA, field);
    }
    body
}

fn example_time(field: &str) -> UnixSeconds {
    text(&request_example(PATH), field)
        .parse()
        .expect("unix seconds")
}

fn example_meeting_no() -> MeetingNo {
    text(&request_example(PATH), "meeting_no")
        .parse()
        .expect("9 digits")
}

fn example_status() -> MeetingStatus {
    MeetingStatus::from(
        request_example(PATH)["meeting_status"]
            .as_i64()
            .expect("an integer"),
    )
}

/// The typed filter holding the spec's example value of `field`.
fn filter(field: &str) -> ParticipantFilter {
    let value = property_example(SCHEMA, field);
    let value = value.as_str().expect("a string");
    match field {
        "user_id" => ParticipantFilter::User(value.parse().expect("an id")),
        "room_id" => ParticipantFilter::Room(value.parse().expect("an id")),
        other => panic!("not a filter: {other}"),
    }
}

/// The typed layer: `new(…).with_status(…).with_filter(…)`.
fn typed(keep: Option<&str>) -> ExportParticipantListRequest {
    let body = ExportParticipantListRequest::new(
        example_time("meeting_start_time"),
        example_time("meeting_end_time"),
        example_meeting_no(),
    )
    .with_status(example_status());
    match keep {
        Some(field) => body.with_filter(filter(field)),
        None => body,
    }
}

/// The generated builder, field by field.
fn fill(
    builder: types::builder::ExportParticipantListRequest,
    keep: Option<&str>,
) -> types::builder::ExportParticipantListRequest {
    let example = request_example(PATH);
    let builder = builder
        .meeting_start_time(text(&example, "meeting_start_time"))
        .meeting_end_time(text(&example, "meeting_end_time"))
        .meeting_no(example_meeting_no())
        .meeting_status(example_status());
    match keep.map(filter) {
        None => builder,
        Some(ParticipantFilter::User(id)) => builder.user_id(id),
        Some(ParticipantFilter::Room(id)) => builder.room_id(id),
    }
}

/// Sends the example with only `keep` through the typed layer, the generated builder (`body` and
/// `body_map`) and raw JSON, and checks each request on the wire.
async fn check_every_way(keep: Option<&str>) {
    let expected = example_with_only(keep);
    let want = Wire {
        path: PATH,
        user_id_type: Some(UserIdType::OpenId),
        token: TENANT_TOKEN,
        body: &expected,
    };
    let tenant = || AccessToken::tenant(TENANT_TOKEN);
    let how = |way: &str| format!("{way}, filter {keep:?}");

    let body = typed(keep);
    send_and_check(
        &how("typed layer"),
        tenant(),
        &want,
        sender!(export_participant_list, UserIdType::OpenId, body(body)),
    )
    .await;

    let builder = fill(ExportParticipantListRequest::builder(), keep);
    send_and_check(
        &how("generated builder"),
        tenant(),
        &want,
        sender!(export_participant_list, UserIdType::OpenId, body(builder)),
    )
    .await;

    let keep_owned = keep.map(str::to_string);
    send_and_check(
        &how("body_map"),
        tenant(),
        &want,
        sender!(
            export_participant_list,
            UserIdType::OpenId,
            body_map(move |b| fill(b, keep_owned.as_deref()))
        ),
    )
    .await;

    let raw: ExportParticipantListRequest =
        serde_json::from_value(expected.clone()).expect("the example deserialises");
    send_and_check(
        &how("raw JSON"),
        tenant(),
        &want,
        sender!(export_participant_list, UserIdType::OpenId, body(raw)),
    )
    .await;
}

/// Sends `body` as is, with a tenant token and no query.
async fn send(feishu: FeishuClient, body: ExportParticipantListRequest) -> Sent {
    feishu
        .vc()
        .export_participant_list()
        .body(body)
        .send()
        .await
}

// ---- the typed layer and the decisions --------------------------------------------------------

#[tokio::test]
async fn the_typed_layer_builds_the_spec_example() {
    let example = request_example(PATH);
    assert_eq!(
        example,
        example_with_only(Some("user_id")),
        "the spec's example sets the user filter only"
    );
    check_every_way(Some("user_id")).await;
}

#[tokio::test]
async fn example_with_only_room_id() {
    check_every_way(Some("room_id")).await;
}

#[tokio::test]
async fn example_without_filters() {
    check_every_way(None).await;
}

#[tokio::test]
async fn with_filter_replaces_the_previous_filter() {
    let expected = json!({
        "meeting_start_time": "1", "meeting_end_time": "2", "meeting_no": "123456789",
        "user_id": "ou_last",
    });
    let want = Wire::tenant(PATH, &expected);
    let room: RoomId = "omm_first".parse().expect("an id");
    let user: UserId = "ou_last".parse().expect("an id");
    let body =
        ExportParticipantListRequest::new(1u64, 2u64, "123456789".parse().expect("9 digits"))
            .with_filter(room)
            .with_filter(user);
    send_and_check(
        "room, then user",
        AccessToken::tenant(TENANT_TOKEN),
        &want,
        move |feishu| send(feishu, body),
    )
    .await;
}

#[tokio::test]
async fn every_meeting_status_is_its_integer_on_the_wire() {
    for status in MeetingStatus::ALL.iter().copied() {
        let expected = json!({
            "meeting_start_time": "1", "meeting_end_time": "2", "meeting_no": "123456789",
            "meeting_status": status.value(),
        });
        let want = Wire::tenant(PATH, &expected);
        let body =
            ExportParticipantListRequest::new(1u64, 2u64, "123456789".parse().expect("9 digits"))
                .with_status(status);
        send_and_check(
            &format!("{status:?}"),
            AccessToken::tenant(TENANT_TOKEN),
            &want,
            move |feishu| send(feishu, body),
        )
        .await;
    }
}

#[tokio::test]
async fn equal_start_and_end_are_a_valid_range() {
    let expected =
        json!({"meeting_start_time": "5", "meeting_end_time": "5", "meeting_no": "123456789"});
    let want = Wire::tenant(PATH, &expected);
    let body =
        ExportParticipantListRequest::new(5u64, 5u64, "123456789".parse().expect("9 digits"));
    send_and_check(
        "start == end",
        AccessToken::tenant(TENANT_TOKEN),
        &want,
        move |feishu| send(feishu, body),
    )
    .await;
}
