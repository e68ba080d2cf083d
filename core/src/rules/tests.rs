//! The rule checks, JSON and typed, against hand-made bodies.

use super::*;
use serde::Serialize;
use serde_json::value::RawValue;

static TABLE: &[Rule] = &[
    Rule::AtMostOneOf(&["a", "b", "c"]),
    Rule::OrderedTimes {
        start: "s",
        end: "e",
    },
];

#[test]
fn null_does_not_count_as_present() {
    assert!(check(TABLE, "op", br#"{"a":1,"b":null}"#).is_ok());
}

#[test]
fn two_present_fields_are_named() {
    let v = check(TABLE, "op", br#"{"a":1,"c":false}"#).unwrap_err();
    assert_eq!(v.fields, ["a", "c"]);
    assert!(v.rule.contains("at most one of a / b / c"), "{v}");
}

#[test]
fn numbers_are_not_unix_second_strings() {
    let v = check(TABLE, "op", br#"{"s":5,"e":"6"}"#).unwrap_err();
    assert_eq!(v.fields, ["s"]);
}

#[test]
fn escaped_keys_count_too() {
    let v = check(TABLE, "op", br#"{"\u0061":1,"b":2}"#).unwrap_err();
    assert_eq!(v.fields, ["a", "b"]);
}

#[test]
fn operations_without_rules_pass() {
    assert!(check(&[], "other", br#"{"a":1,"b":2}"#).is_ok());
}

/// `check_typed` on a value and `check` on its JSON agree, violation and message alike.
fn agree<T: Serialize>(rules: &[Rule], body: &T) -> Result<(), RuleViolation> {
    let json = serde_json::to_vec(body).unwrap();
    let typed = check_typed(rules, "op", body);
    assert_eq!(
        typed,
        check(rules, "op", &json),
        "{}",
        String::from_utf8_lossy(&json)
    );
    typed
}

#[derive(Serialize, Default)]
struct Typed {
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<String>,
    b: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    c: Vec<u8>,
    s: Option<String>,
    e: Option<f64>,
    #[serde(rename = "renamed")]
    other: (),
}

#[test]
fn typed_bodies_agree_with_their_json() {
    let base = || Typed {
        s: Some("1655276858".into()),
        e: None,
        ..Typed::default()
    };
    assert!(agree(TABLE, &base()).is_ok());
    assert!(agree(
        TABLE,
        &Typed {
            a: Some("x".into()),
            b: Some(1),
            ..base()
        }
    )
    .is_err());
    // An empty vector is skipped (absent), as in the JSON.
    assert!(agree(
        TABLE,
        &Typed {
            a: Some("x".into()),
            ..base()
        }
    )
    .is_ok());
    assert!(agree(
        TABLE,
        &Typed {
            a: Some("x".into()),
            c: vec![1],
            ..base()
        }
    )
    .is_err());
    // A float that is not finite is written as null.
    assert!(agree(
        TABLE,
        &Typed {
            e: Some(f64::NAN),
            ..base()
        }
    )
    .is_ok());
    assert!(agree(
        TABLE,
        &Typed {
            e: Some(5.0),
            ..base()
        }
    )
    .is_err());
    assert!(agree(
        TABLE,
        &Typed {
            s: Some("12a".into()),
            ..base()
        }
    )
    .is_err());
    assert!(agree(
        TABLE,
        &Typed {
            s: Some("99999999999999999999999".into()),
            ..base()
        }
    )
    .is_err());
    assert!(agree(
        TABLE,
        &Typed {
            s: Some(String::new()),
            ..base()
        }
    )
    .is_err());
}

#[test]
fn ordered_times_are_compared_typed() {
    #[derive(Serialize)]
    struct Range {
        s: &'static str,
        e: &'static str,
    }
    assert!(agree(TABLE, &Range { s: "5", e: "6" }).is_ok());
    let v = agree(TABLE, &Range { s: "7", e: "6" }).unwrap_err();
    assert_eq!(v.fields, ["s", "e"]);
}

#[test]
fn maps_flattened_fields_and_raw_values_agree() {
    #[derive(Serialize)]
    struct Flat {
        a: u8,
        #[serde(flatten)]
        rest: std::collections::BTreeMap<String, serde_json::Value>,
    }
    let mut rest = std::collections::BTreeMap::new();
    rest.insert("b".to_string(), serde_json::json!(null));
    assert!(agree(
        TABLE,
        &Flat {
            a: 1,
            rest: rest.clone()
        }
    )
    .is_ok());
    rest.insert("c".to_string(), serde_json::json!({"x": 1}));
    assert!(agree(TABLE, &Flat { a: 1, rest }).is_err());

    #[derive(Serialize)]
    struct Raw {
        a: u8,
        b: Box<RawValue>,
    }
    let null = RawValue::from_string("null".into()).unwrap();
    assert!(agree(TABLE, &Raw { a: 1, b: null }).is_ok());
    let one = RawValue::from_string("1".into()).unwrap();
    assert!(agree(TABLE, &Raw { a: 1, b: one }).is_err());

    #[derive(Serialize)]
    enum Kind {
        Unit,
    }
    #[derive(Serialize)]
    struct WithEnum {
        a: Kind,
        c: Option<Kind>,
    }
    assert!(agree(
        TABLE,
        &WithEnum {
            a: Kind::Unit,
            c: None
        }
    )
    .is_ok());
    assert!(agree(
        TABLE,
        &WithEnum {
            a: Kind::Unit,
            c: Some(Kind::Unit)
        }
    )
    .is_err());
    assert!(agree(TABLE, &serde_json::json!({"a": 1, "b": [2]})).is_err());
    assert!(agree(TABLE, &serde_json::json!([1, 2])).is_ok());
}

#[test]
fn two_rules_reading_one_field_agree() {
    static SHARED: &[Rule] = &[
        Rule::AtMostOneOf(&["a", "b"]),
        Rule::ExactlyOneOf(&["b", "c"]),
    ];
    assert!(agree(SHARED, &serde_json::json!({"b": 1})).is_ok());
    assert!(agree(SHARED, &serde_json::json!({"a": 1})).is_err());
    assert!(agree(SHARED, &serde_json::json!({"a": 1, "b": 1})).is_err());
}
