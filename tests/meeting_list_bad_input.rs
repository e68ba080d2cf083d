//! Bad input for export_meeting_list: every case is an error naming the fields or the rule, and
//! the mock Feishu on 127.0.0.1 receives **nothing**.
//!
//! Where a bad value can still be written (the raw generated builder, raw JSON deserialised into
//! the generated type) the refusal comes from `send()`; where the types make it impossible to
//! construct (9-digit meeting numbers, non-empty IDs), the test asserts the conversion error.
//! Enums are open: a value the spec does not list is kept and sent (see the last tests).

use crate::common;

use common::*;
use feishu_openapi::vc::builder::ExportMeetingList;
use feishu_openapi::vc::types::{self, ExportMeetingListRequest};
use feishu_openapi::vc::{MeetingNo, MeetingStatus, MeetingType, RoomId};
use feishu_openapi::{Error, UnixSeconds, UserId, UserIdType};
use serde_json::{json, Value};

/// Sends what `fill` builds to a server that must receive nothing; returns the refusal as
/// `feishu_openapi::Error` after checking that nothing was received.
async fn refused(
    fill: impl for<'a> FnOnce(ExportMeetingList<'a>) -> ExportMeetingList<'a>,
) -> Error {
    let server = silent_server().await;
    let result = fill(tenant_client(&server).vc().export_meeting_list())
        .send()
        .await;
    assert_nothing_received(&server).await;
    let err = match result {
        Ok(ok) => panic!("expected a refusal, got Ok({:?})", ok.into_inner()),
        Err(e) => e,
    };
    assert!(
        matches!(err, Error::Validation(_)),
        "a refusal before any I/O is Error::Validation, got {err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("invalid request, nothing was sent"),
        "{err}"
    );
    err
}

/// A raw body: the doc's times plus `fields` with the doc's example values.
fn raw_with(fields: &[&str]) -> Value {
    let doc = doc_request_example();
    let mut body = json!({"start_time": doc["start_time"], "end_time": doc["end_time"]});
    for field in fields {
        body[*field] = doc[*field].clone();
    }
    body
}

/// Sets `field` on the generated builder to the doc's example value.
fn set(
    builder: types::builder::ExportMeetingListRequest,
    field: &str,
) -> types::builder::ExportMeetingListRequest {
    let doc = doc_request_example();
    let text = doc[field].as_str().map(str::to_string);
    match field {
        "meeting_no" => {
            builder.meeting_no(text.expect("a string").parse::<MeetingNo>().expect("valid"))
        }
        "user_id" => builder.user_id(text.expect("a string").parse::<UserId>().expect("valid")),
        "room_id" => builder.room_id(text.expect("a string").parse::<RoomId>().expect("valid")),
        "meeting_type" => {
            builder.meeting_type(MeetingType::from(doc[field].as_i64().expect("an integer")))
        }
        other => panic!("not a filter: {other}"),
    }
}

/// Asserts that `err` names exactly the filters in `present` before stating the at-most-one rule.
fn assert_names_filters(err: &Error, present: &[&str]) {
    let text = err.to_string();
    let rule_at = text
        .find("at most one")
        .unwrap_or_else(|| panic!("the rule is not named: {text}"));
    let named = &text[..rule_at];
    for filter in FILTERS {
        assert_eq!(
            named.contains(filter),
            present.contains(&filter),
            "{present:?}: {filter} must be named as present iff it is set: {text}"
        );
    }
}

#[test]
fn there_are_eleven_combinations_of_two_or_more_filters() {
    let combos = subsets(&FILTERS, 2);
    assert_eq!(combos.len(), 11);
    assert_eq!(combos.iter().filter(|c| c.len() == 2).count(), 6);
    assert_eq!(combos.iter().filter(|c| c.len() == 3).count(), 4);
    assert_eq!(combos.iter().filter(|c| c.len() == 4).count(), 1);
}

#[tokio::test]
async fn two_or_more_filters_via_raw_json() {
    for combo in subsets(&FILTERS, 2) {
        let body: ExportMeetingListRequest =
            serde_json::from_value(raw_with(&combo)).expect("each field alone is valid");
        let err = refused(move |op| op.user_id_type(UserIdType::OpenId).body(body)).await;
        assert_names_filters(&err, &combo);
    }
}

#[tokio::test]
async fn doc_request_example_as_written_is_refused() {
    let example = doc_request_example();
    for filter in FILTERS {
        assert!(
            example.get(filter).is_some(),
            "the doc's example sets {filter}"
        );
    }
    let body: ExportMeetingListRequest =
        serde_json::from_value(example).expect("every value is valid");
    let err = refused(move |op| op.user_id_type(UserIdType::OpenId).body(body)).await;
    assert_names_filters(&err, &FILTERS);
    assert!(err.to_string().contains("at most one"), "{err}");
}

#[tokio::test]
async fn filter_with_its_default_value_still_counts() {
    let mut raw = raw_with(&["meeting_no"]);
    raw["meeting_type"] = json!(1);
    let body: ExportMeetingListRequest = serde_json::from_value(raw).expect("valid values");
    let err = refused(move |op| op.body(body)).await;
    assert_names_filters(&err, &["meeting_no", "meeting_type"]);

    let err = refused(|op| {
        op.body_map(|b| {
            set(b.start_time(1u64).end_time(2u64), "meeting_no").meeting_type(MeetingType::All)
        })
    })
    .await;
    assert_names_filters(&err, &["meeting_no", "meeting_type"]);
}

fn assert_names_time_order(err: &Error) {
    let text = err.to_string();
    assert!(
        text.contains("start_time") && text.contains("end_time"),
        "{text}"
    );
    assert!(
        text.contains("1655276859") && text.contains("1655276858"),
        "{text}"
    );
}

#[tokio::test]
async fn start_time_after_end_time() {
    let err = refused(|op| {
        op.body(ExportMeetingListRequest::new(
            1_655_276_859u64,
            1_655_276_858u64,
        ))
    })
    .await;
    assert_names_time_order(&err);

    let err =
        refused(|op| op.body_map(|b| b.start_time("1655276859").end_time("1655276858"))).await;
    assert_names_time_order(&err);

    let raw = json!({"start_time": "1655276859", "end_time": "1655276858", "meeting_status": 2});
    let body: ExportMeetingListRequest = serde_json::from_value(raw).expect("valid values");
    let err = refused(move |op| op.body(body)).await;
    assert_names_time_order(&err);
}

const NOT_TIMES: [&str; 5] = ["abc", "-5", "1.5", "", "99999999999999999999999"];

#[tokio::test]
async fn non_digit_times_via_the_generated_builder() {
    for bad in NOT_TIMES {
        let err =
            refused(move |op| op.body_map(move |b| b.start_time(bad).end_time("1655276858"))).await;
        let text = err.to_string();
        assert!(
            text.contains("start_time") && text.contains(&format!("`{bad}`")),
            "{bad:?}: {text}"
        );
        assert!(text.contains("unix seconds"), "{text}");

        let err = refused(move |op| op.body_map(move |b| b.start_time("1").end_time(bad))).await;
        assert!(err.to_string().contains("end_time"), "{bad:?}: {err}");
    }
}

#[test]
fn non_digit_times_via_raw_json() {
    for bad in NOT_TIMES {
        for field in ["start_time", "end_time"] {
            let mut raw = json!({"start_time": "1655276858", "end_time": "1655276858"});
            raw[field] = json!(bad);
            let err = serde_json::from_value::<ExportMeetingListRequest>(raw)
                .expect_err("not a time in unix seconds");
            let text = err.to_string();
            assert!(
                text.contains(&format!("`{bad}`")) && text.contains("unix seconds"),
                "{text}"
            );
        }
        assert!(bad.parse::<UnixSeconds>().is_err(), "{bad:?}");
    }
}

#[test]
fn times_as_json_numbers_are_refused() {
    // Feishu's doc types the times as strings; a number must not slip through as a time.
    let raw = json!({"start_time": 1655276858, "end_time": "1655276858"});
    let err = serde_json::from_value::<ExportMeetingListRequest>(raw)
        .expect_err("a number is not a string");
    assert!(err.to_string().contains("string"), "{err}");
}

#[test]
fn times_before_1970_cannot_be_constructed() {
    let before = std::time::UNIX_EPOCH - std::time::Duration::from_secs(1);
    assert!(UnixSeconds::try_from(before).is_err());
    assert!(UnixSeconds::try_from(-5i64).is_err());
}

#[tokio::test]
async fn missing_times_are_refused() {
    let err = refused(|op| op.body_map(|b| b.end_time(2u64))).await;
    assert!(err.to_string().contains("start_time"), "{err}");
    let err = refused(|op| op.body_map(|b| b.start_time(1u64))).await;
    assert!(err.to_string().contains("end_time"), "{err}");
    // No body given at all: refused the same way, naming a missing time.
    let err = refused(|op| op).await;
    assert!(
        err.to_string().contains("no value supplied for end_time"),
        "{err}"
    );
}

#[test]
fn meeting_numbers_must_be_nine_digits() {
    for bad in [
        "12345678",
        "1234567890",
        "12345678a",
        "abcdefghi",
        "",
        " 12345678",
        "１２３４５６７８９",
    ] {
        let err = bad.parse::<MeetingNo>().expect_err("not 9 digits");
        let text = err.to_string();
        assert!(
            text.contains("meeting_no") && text.contains("9 digits"),
            "{bad:?}: {text}"
        );
        assert!(Error::from(err).to_string().contains("meeting_no"));

        let raw = json!({"start_time": "1", "end_time": "2", "meeting_no": bad});
        let err =
            serde_json::from_value::<ExportMeetingListRequest>(raw).expect_err("not 9 digits");
        assert!(err.to_string().contains("meeting_no"), "{bad:?}: {err}");
    }
    assert!("123456789".parse::<MeetingNo>().is_ok());
}

#[test]
fn empty_ids_cannot_be_constructed() {
    for blank in ["", " ", "\t"] {
        let err = blank.parse::<UserId>().expect_err("empty");
        assert!(err.to_string().contains("user_id"), "{err}");
        let err = blank.parse::<RoomId>().expect_err("empty");
        assert!(err.to_string().contains("room_id"), "{err}");
    }
    for (field, value) in [("user_id", ""), ("room_id", ""), ("meeting_no", "")] {
        let raw = json!({"start_time": "1", "end_time": "2", field: value});
        let err = serde_json::from_value::<ExportMeetingListRequest>(raw).expect_err("empty");
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
}

#[test]
fn unlisted_enum_values_in_raw_json_are_kept_not_refused() {
    // Enums are open (a value Feishu adds later must still decode and send): a value the spec
    // does not list is `Other`, and Feishu judges it.
    for (field, value) in [
        ("meeting_status", 0),
        ("meeting_status", 4),
        ("meeting_status", 9),
        ("meeting_type", 0),
        ("meeting_type", 4),
    ] {
        let raw = json!({"start_time": "1", "end_time": "2", field: value});
        let body: ExportMeetingListRequest =
            serde_json::from_value(raw.clone()).expect("an unlisted value is kept");
        let kept = match field {
            "meeting_status" => body.meeting_status.map(MeetingStatus::value),
            _ => body.meeting_type.map(MeetingType::value),
        };
        assert_eq!(kept, Some(value), "{field}");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            raw,
            "{field}: sent as it came"
        );
    }
    assert_eq!(MeetingStatus::from(9), MeetingStatus::Other(9));
    assert_eq!("9".parse::<MeetingStatus>(), Ok(MeetingStatus::Other(9)));
    assert_eq!(MeetingStatus::Other(9).to_string(), "9");
    assert_eq!(
        MeetingStatus::from(2),
        MeetingStatus::Ended,
        "a listed value is its variant"
    );
    // Text that is neither a name nor a number is still refused.
    let err = "bogus"
        .parse::<MeetingType>()
        .expect_err("not a meeting type");
    assert!(err.to_string().contains("bogus"), "{err}");
}

#[test]
fn an_unlisted_user_id_type_is_kept_as_given() {
    let kind = "bogus".parse::<UserIdType>().expect("any string");
    assert_eq!(kind, UserIdType::Other("bogus".into()));
    assert_eq!(kind.to_string(), "bogus");
    assert_eq!("open_id".parse::<UserIdType>(), Ok(UserIdType::OpenId));
}
