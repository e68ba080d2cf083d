//! export_resource_reservation_list (`POST /open-apis/vc/v1/exports/resource_reservation_list`):
//! its typed helpers and decisions — the typed layer (`new`, `with_topic`, `with_rooms` with
//! `RoomSelection`) builds the spec's example, every room of the level by default, `room_ids` and
//! `is_exclude` set together, `need_topic` sent only when set, `is_exclude` false when absent,
//! `RoomLevelId` never empty, and no query parameter. What every operation gets from its spec
//! (the example on the wire, the error table, each rule broken with nothing sent, an HTML error
//! body, token kinds) is checked by `tests/conformance.rs`. The example values are the spec's
//! (`openapi/vc.yaml`).

use crate::common;
use crate::export_support;

use common::TENANT_TOKEN;
use export_support::*;
use feishu_openapi::vc::types::{self, ExportResourceReservationListRequest};
use feishu_openapi::vc::{RoomId, RoomLevelId, RoomSelection};
use feishu_openapi::{AccessToken, FeishuClient, UnixSeconds};
use serde_json::{json, Value};

const PATH: &str = "/open-apis/vc/v1/exports/resource_reservation_list";

fn example() -> Value {
    request_example(PATH)
}

fn example_time(field: &str) -> UnixSeconds {
    text(&example(), field).parse().expect("unix seconds")
}

fn example_level() -> RoomLevelId {
    text(&example(), "room_level_id").parse().expect("an id")
}

fn example_rooms() -> Vec<RoomId> {
    example()["room_ids"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|id| id.as_str().expect("a string").parse().expect("an id"))
        .collect()
}

/// The typed layer for the spec's example: `new(…).with_topic(true).with_rooms(Only(…))`.
fn typed() -> ExportResourceReservationListRequest {
    assert_eq!(
        example()["is_exclude"],
        json!(false),
        "the example includes its rooms"
    );
    ExportResourceReservationListRequest::new(
        example_level(),
        example_time("start_time"),
        example_time("end_time"),
    )
    .with_topic(example()["need_topic"].as_bool().expect("a boolean"))
    .with_rooms(RoomSelection::Only(example_rooms()))
}

/// The generated builder with the spec's example, field by field.
fn fill(
    builder: types::builder::ExportResourceReservationListRequest,
) -> types::builder::ExportResourceReservationListRequest {
    let example = example();
    builder
        .room_level_id(example_level())
        .need_topic(example["need_topic"].as_bool())
        .start_time(text(&example, "start_time"))
        .end_time(text(&example, "end_time"))
        .room_ids(example_rooms())
        .is_exclude(false)
}

/// Sends `body` as is (the operation takes no query).
async fn send(feishu: FeishuClient, body: ExportResourceReservationListRequest) -> Sent {
    feishu
        .vc()
        .export_resource_reservation_list()
        .body(body)
        .send()
        .await
}

/// What a body of `level`, times 1 and 2, and `extra` fields looks like on the wire.
fn minimal_with(extra: Value) -> Value {
    let mut body = json!({"room_level_id": "omb_1", "start_time": "1", "end_time": "2"});
    for (key, value) in extra.as_object().expect("an object") {
        body[key] = value.clone();
    }
    body
}

fn minimal() -> ExportResourceReservationListRequest {
    ExportResourceReservationListRequest::new("omb_1".parse().expect("an id"), 1u64, 2u64)
}

async fn check_minimal(how: &str, body: ExportResourceReservationListRequest, expected: Value) {
    let want = Wire::tenant(PATH, &expected);
    send_and_check(
        how,
        AccessToken::tenant(TENANT_TOKEN),
        &want,
        move |feishu| send(feishu, body),
    )
    .await;
}

// ---- the typed layer and the decisions --------------------------------------------------------

#[tokio::test]
async fn spec_example_every_way() {
    let expected = example();
    let want = Wire::tenant(PATH, &expected);
    let tenant = || AccessToken::tenant(TENANT_TOKEN);

    let body = typed();
    send_and_check("typed layer", tenant(), &want, move |feishu| {
        send(feishu, body)
    })
    .await;

    let builder = fill(ExportResourceReservationListRequest::builder());
    send_and_check(
        "generated builder",
        tenant(),
        &want,
        move |feishu| async move {
            let vc = feishu.vc();
            vc.export_resource_reservation_list()
                .body(builder)
                .send()
                .await
        },
    )
    .await;

    send_and_check("body_map", tenant(), &want, |feishu| async move {
        let vc = feishu.vc();
        vc.export_resource_reservation_list()
            .body_map(fill)
            .send()
            .await
    })
    .await;

    let raw: ExportResourceReservationListRequest =
        serde_json::from_value(example()).expect("the example deserialises");
    send_and_check("raw JSON", tenant(), &want, move |feishu| send(feishu, raw)).await;
}

#[tokio::test]
async fn every_room_of_the_level_by_default() {
    // No room_ids, no topic; is_exclude is sent with its documented default.
    check_minimal(
        "new()",
        minimal(),
        minimal_with(json!({"is_exclude": false})),
    )
    .await;
    check_minimal(
        "RoomSelection::All",
        minimal().with_rooms(RoomSelection::All),
        minimal_with(json!({"is_exclude": false})),
    )
    .await;
}

#[tokio::test]
async fn room_selection_sets_room_ids_and_is_exclude() {
    let rooms = || {
        vec![
            "omm_a".parse().expect("an id"),
            "omm_b".parse().expect("an id"),
        ]
    };
    check_minimal(
        "Only",
        minimal().with_rooms(RoomSelection::Only(rooms())),
        minimal_with(json!({"room_ids": ["omm_a", "omm_b"], "is_exclude": false})),
    )
    .await;
    check_minimal(
        "AllBut",
        minimal().with_rooms(RoomSelection::AllBut(rooms())),
        minimal_with(json!({"room_ids": ["omm_a", "omm_b"], "is_exclude": true})),
    )
    .await;
    check_minimal(
        "AllBut nothing is every room",
        minimal().with_rooms(RoomSelection::AllBut(Vec::new())),
        minimal_with(json!({"is_exclude": false})),
    )
    .await;
    check_minimal(
        "AllBut, then All",
        minimal()
            .with_rooms(RoomSelection::AllBut(rooms()))
            .with_rooms(RoomSelection::All),
        minimal_with(json!({"is_exclude": false})),
    )
    .await;
}

#[tokio::test]
async fn need_topic_is_sent_only_when_set() {
    for topic in [true, false] {
        check_minimal(
            &format!("with_topic({topic})"),
            minimal().with_topic(topic),
            minimal_with(json!({"need_topic": topic, "is_exclude": false})),
        )
        .await;
    }
}

#[test]
fn is_exclude_defaults_to_false_when_absent_from_raw_json() {
    let raw = without(&example(), &["is_exclude"]);
    let body: ExportResourceReservationListRequest =
        serde_json::from_value(raw).expect("is_exclude is optional");
    assert!(!body.is_exclude);
}

// ---- refusals ---------------------------------------------------------------------------------

#[test]
fn empty_ids_cannot_be_constructed() {
    for blank in ["", " "] {
        let err = blank.parse::<RoomLevelId>().expect_err("empty");
        assert_names(&err, &["room_level_id", "must not be empty"]);
    }
}

#[test]
fn the_operation_takes_no_user_id_type() {
    // Unlike the participant exports, the spec declares no query parameter here: the builder has
    // no `user_id_type`, and the wire tests above check that no query string is sent.
    let op = operation(PATH);
    assert!(op.get("parameters").is_none(), "{op}");
}
