//! The server-side checks of an export_meeting_list request, written independently of the
//! client's own checks: the fake judges what arrives on the wire, whoever sent it.

use serde_json::{Map, Value};

use crate::fake::reply::FieldViolation;
use crate::vc::types::ExportMeetingListRequest;
use crate::UserIdType;

/// The filters of which at most one may be present (最多一个筛选条件).
pub(super) const FILTERS: [&str; 4] = ["meeting_no", "user_id", "room_id", "meeting_type"];

/// The `user_id_type` query parameter: absent means `open_id`; anything else must be one of the
/// three documented values.
pub(super) fn user_id_type(value: Option<&str>) -> Result<UserIdType, FieldViolation> {
    match value {
        None => Ok(UserIdType::default()),
        // The client's enum keeps any value (`Other`); the fake knows only the listed ones.
        Some(v) => match UserIdType::from(v) {
            UserIdType::Other(_) => Err(FieldViolation::new(
                "user_id_type",
                v,
                "must be one of open_id, union_id, user_id",
            )),
            listed => Ok(listed),
        },
    }
}

/// The body of export_meeting_list: every violation found, or the typed request.
///
/// A field set to JSON `null` counts as absent; any other value counts as present, whatever it is.
pub(super) fn meeting_list_body(
    body: &[u8],
) -> Result<ExportMeetingListRequest, Vec<FieldViolation>> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        vec![FieldViolation::new(
            "body",
            preview(body),
            format!("the body is not JSON: {e}"),
        )]
    })?;
    let Value::Object(fields) = value else {
        return Err(vec![FieldViolation::new(
            "body",
            value.to_string(),
            "the body must be a JSON object",
        )]);
    };

    let mut violations = Vec::new();
    let start = unix_seconds(&fields, "start_time", &mut violations);
    let end = unix_seconds(&fields, "end_time", &mut violations);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            violations.push(FieldViolation::new(
                "start_time",
                s.to_string(),
                format!("start_time ({s}) is after end_time ({e}); it must be <= end_time"),
            ));
        }
    }
    int_in_range(
        &fields,
        "meeting_status",
        1..=3,
        "1 (ongoing), 2 (ended) or 3 (upcoming)",
        &mut violations,
    );
    int_in_range(
        &fields,
        "meeting_type",
        1..=3,
        "1 (all), 2 (video) or 3 (screencast)",
        &mut violations,
    );
    if let Some(v) = present(&fields, "meeting_no") {
        if !v
            .as_str()
            .is_some_and(|s| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()))
        {
            violations.push(FieldViolation::new(
                "meeting_no",
                text(v),
                "must be a string of exactly 9 digits",
            ));
        }
    }
    for field in ["user_id", "room_id"] {
        if let Some(v) = present(&fields, field) {
            if v.as_str().is_none_or(|s| s.trim().is_empty()) {
                violations.push(FieldViolation::new(
                    field,
                    text(v),
                    "must be a non-empty string",
                ));
            }
        }
    }
    let filters: Vec<&str> = FILTERS
        .into_iter()
        .filter(|f| present(&fields, f).is_some())
        .collect();
    if filters.len() > 1 {
        violations.push(FieldViolation::new(
            &filters.join(","),
            "",
            format!(
                "{} are all set, but at most one of {} may be set",
                filters.join(", "),
                FILTERS.join(" / ")
            ),
        ));
    }

    if !violations.is_empty() {
        return Err(violations);
    }
    serde_json::from_value(Value::Object(fields)).map_err(|e| {
        vec![FieldViolation::new(
            "body",
            "",
            format!("the body does not match the schema: {e}"),
        )]
    })
}

fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|v| !v.is_null())
}

/// A required string of unix seconds.
fn unix_seconds(
    fields: &Map<String, Value>,
    name: &str,
    violations: &mut Vec<FieldViolation>,
) -> Option<u64> {
    let Some(value) = present(fields, name) else {
        violations.push(FieldViolation::new(name, "", "is required"));
        return None;
    };
    let parsed = value
        .as_str()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok());
    if parsed.is_none() {
        violations.push(FieldViolation::new(
            name,
            text(value),
            "must be unix seconds written as a string of digits, e.g. \"1655276858\"",
        ));
    }
    parsed
}

/// An optional integer enum.
fn int_in_range(
    fields: &Map<String, Value>,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
    expected: &str,
    violations: &mut Vec<FieldViolation>,
) {
    if let Some(value) = present(fields, name) {
        if !value.as_i64().is_some_and(|v| range.contains(&v)) {
            violations.push(FieldViolation::new(
                name,
                text(value),
                format!("must be the integer {expected}"),
            ));
        }
    }
}

/// A JSON value as text: strings without their quotes.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The start of a body that is not JSON.
fn preview(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(100)]).into_owned()
}
