//! export_participant_quality_list (`POST /open-apis/vc/v1/exports/participant_quality_list`):
//! its typed helpers and decisions — the typed layer (`new` with a `ParticipantFilter`,
//! `with_participant`) builds the spec's example, a participant replaces the previous one,
//! `join_time` is not checked against the meeting, a `null` participant counts as absent, and
//! the exactly-one rule's message for none and for both. What every operation gets from its spec
//! (the example on the wire, the error table, each rule broken with nothing sent, an HTML error
//! body, token kinds) is checked by `tests/conformance.rs`. The example values are the spec's
//! (`openapi/vc.yaml`).

use crate::common;
use crate::export_support;

use common::TENANT_TOKEN;
use export_support::*;
use feishu_openapi::vc::types::{self, ExportParticipantQualityListRequest};
use feishu_openapi::vc::{MeetingNo, ParticipantFilter, RoomId};
use feishu_openapi::{AccessToken, FeishuClient, UnixSeconds, UserId, UserIdType};
use serde_json::{json, Value};

const PATH: &str = "/open-apis/vc/v1/exports/participant_quality_list";
const SCHEMA: &str = "ExportParticipantQualityListRequest";
const PARTICIPANT: [&str; 2] = ["user_id", "room_id"];

/// The spec's request example with the participant `field` (its value the spec's).
fn example_with(field: &str) -> Value {
    let mut body = without(&request_example(PATH), &PARTICIPANT);
    body[field] = property_example(SCHEMA, field);
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

/// The typed participant holding the spec's example value of `field`.
fn participant(field: &str) -> ParticipantFilter {
    let value = property_example(SCHEMA, field);
    let value = value.as_str().expect("a string");
    match field {
        "user_id" => ParticipantFilter::User(value.parse().expect("an id")),
        "room_id" => ParticipantFilter::Room(value.parse().expect("an id")),
        other => panic!("not a participant field: {other}"),
    }
}

/// The typed layer: `new(…, participant)`.
fn typed(field: &str) -> ExportParticipantQualityListRequest {
    ExportParticipantQualityListRequest::new(
        example_time("meeting_start_time"),
        example_time("meeting_end_time"),
        example_meeting_no(),
        example_time("join_time"),
        participant(field),
    )
}

/// The generated builder with every field of the example but the participant.
fn fill_meeting(
    builder: types::builder::ExportParticipantQualityListRequest,
) -> types::builder::ExportParticipantQualityListRequest {
    let example = request_example(PATH);
    builder
        .meeting_start_time(text(&example, "meeting_start_time"))
        .meeting_end_time(text(&example, "meeting_end_time"))
        .meeting_no(example_meeting_no())
        .join_time(text(&example, "join_time"))
}

/// The generated builder with the participant `field`.
fn fill(
    builder: types::builder::ExportParticipantQualityListRequest,
    field: &str,
) -> types::builder::ExportParticipantQualityListRequest {
    match participant(field) {
        ParticipantFilter::User(id) => fill_meeting(builder).user_id(id),
        ParticipantFilter::Room(id) => fill_meeting(builder).room_id(id),
    }
}

/// Sends `body` as is, with no query.
async fn send(feishu: FeishuClient, body: ExportParticipantQualityListRequest) -> Sent {
    feishu
        .vc()
        .export_participant_quality_list()
        .body(body)
        .send()
        .await
}

/// Sends the example with the participant `field` through the typed layer, the generated
/// builder (`body` and `body_map`) and raw JSON, and checks each request on the wire.
async fn check_every_way(field: &'static str) {
    let expected = example_with(field);
    let want = Wire {
        path: PATH,
        user_id_type: Some(UserIdType::OpenId),
        token: TENANT_TOKEN,
        body: &expected,
    };
    let tenant = || AccessToken::tenant(TENANT_TOKEN);
    let how = |way: &str| format!("{way}, participant {field}");

    let body = typed(field);
    send_and_check(
        &how("typed layer"),
        tenant(),
        &want,
        sender!(
            export_participant_quality_list,
            UserIdType::OpenId,
            body(body)
        ),
    )
    .await;

    let builder = fill(ExportParticipantQualityListRequest::builder(), field);
    send_and_check(
        &how("generated builder"),
        tenant(),
        &want,
        sender!(
            export_participant_quality_list,
            UserIdType::OpenId,
            body(builder)
        ),
    )
    .await;

    send_and_check(
        &how("body_map"),
        tenant(),
        &want,
        sender!(
            export_participant_quality_list,
            UserIdType::OpenId,
            body_map(move |b| fill(b, field))
        ),
    )
    .await;

    let raw: ExportParticipantQualityListRequest =
        serde_json::from_value(expected.clone()).expect("the example deserialises");
    send_and_check(
        &how("raw JSON"),
        tenant(),
        &want,
        sender!(
            export_participant_quality_list,
            UserIdType::OpenId,
            body(raw)
        ),
    )
    .await;
}

// ---- the typed layer and the decisions --------------------------------------------------------

#[tokio::test]
async fn the_typed_layer_builds_the_spec_example() {
    assert_eq!(
        request_example(PATH),
        example_with("user_id"),
        "the spec's example names a user"
    );
    check_every_way("user_id").await;
}

#[tokio::test]
async fn example_with_a_room_as_the_participant() {
    check_every_way("room_id").await;
}

#[tokio::test]
async fn with_participant_replaces_the_participant() {
    let expected = json!({
        "meeting_start_time": "1", "meeting_end_time": "3", "meeting_no": "123456789",
        "join_time": "2", "room_id": "omm_last",
    });
    let want = Wire::tenant(PATH, &expected);
    let user: UserId = "ou_first".parse().expect("an id");
    let room: RoomId = "omm_last".parse().expect("an id");
    let body = ExportParticipantQualityListRequest::new(
        1u64,
        3u64,
        "123456789".parse().expect("9 digits"),
        2u64,
        user,
    )
    .with_participant(room);
    send_and_check(
        "user, then room",
        AccessToken::tenant(TENANT_TOKEN),
        &want,
        move |feishu| send(feishu, body),
    )
    .await;
}

/// The crate's decision (see the spec): join_time is not checked against the meeting's range.
#[tokio::test]
async fn join_time_outside_the_meeting_range_is_sent() {
    for join_time in [0u64, 1_655_276_800, 1_999_999_999] {
        let expected = json!({
            "meeting_start_time": "1655276858", "meeting_end_time": "1655280000",
            "meeting_no": "123456789", "join_time": join_time.to_string(), "user_id": "ou_1",
        });
        let want = Wire::tenant(PATH, &expected);
        let user: UserId = "ou_1".parse().expect("an id");
        let body = ExportParticipantQualityListRequest::new(
            1_655_276_858u64,
            1_655_280_000u64,
            "123456789".parse().expect("9 digits"),
            join_time,
            user,
        );
        send_and_check(
            &format!("join_time {join_time}"),
            AccessToken::tenant(TENANT_TOKEN),
            &want,
            move |feishu| send(feishu, body),
        )
        .await;
    }
}

// ---- refusals ---------------------------------------------------------------------------------

fn assert_none_named(err: &feishu_openapi::Error) {
    assert_names(
        err,
        &[
            "export_participant_quality_list",
            "none is set",
            "exactly one of user_id / room_id must be set",
        ],
    );
}

fn assert_both_named(err: &feishu_openapi::Error) {
    assert_names(
        err,
        &[
            "export_participant_quality_list",
            "user_id, room_id are all set",
            "exactly one of user_id / room_id must be set",
        ],
    );
}

#[tokio::test]
async fn no_participant_via_raw_json() {
    let raw = without(&request_example(PATH), &PARTICIPANT);
    let body: ExportParticipantQualityListRequest =
        serde_json::from_value(raw).expect("both fields are optional in the schema");
    let err = refused(move |feishu| send(feishu, body)).await;
    assert_none_named(&err);
}

#[tokio::test]
async fn both_participants_via_raw_json() {
    let mut raw = request_example(PATH);
    raw["room_id"] = property_example(SCHEMA, "room_id");
    let body: ExportParticipantQualityListRequest =
        serde_json::from_value(raw).expect("each field alone is valid");
    let err = refused(move |feishu| send(feishu, body)).await;
    assert_both_named(&err);
}

#[tokio::test]
async fn null_participant_does_not_count() {
    let mut raw = request_example(PATH);
    raw["room_id"] = Value::Null;
    let body: ExportParticipantQualityListRequest =
        serde_json::from_value(raw).expect("null is an absent optional field");
    let expected = example_with("user_id");
    let want = Wire::tenant(PATH, &expected);
    send_and_check(
        "room_id: null",
        AccessToken::tenant(TENANT_TOKEN),
        &want,
        move |feishu| send(feishu, body),
    )
    .await;
}
