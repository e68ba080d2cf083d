//! Request-body rules that the JSON Schema of a spec cannot say, checked before every send.
//!
//! A spec declares them on a request-body schema with `x-feishu-rules` (see
//! `docs/adding-an-endpoint.md`); `build.rs` turns them into a static table per service, and the
//! shared runtime checks the serialised body against it in the `pre` hook of every generated
//! operation — typed builder or raw JSON alike — so a refused body never leaves the process.
//!
//! A field counts as *present* when its key is in the body and its value is not `null`, whatever
//! the value (the doc makes no exception for a filter set to its default).

use std::fmt;

use std::borrow::Cow;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// One rule over the fields of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// At most one of these fields may be present (a set of mutually exclusive filters).
    AtMostOneOf(&'static [&'static str]),
    /// Exactly one of these fields must be present.
    ExactlyOneOf(&'static [&'static str]),
    /// Both fields are unix-second strings and `start <= end`.
    OrderedTimes {
        /// The field holding the start of the range.
        start: &'static str,
        /// The field holding the end of the range.
        end: &'static str,
    },
}

/// A request body that breaks a rule: names the fields involved and the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleViolation {
    /// The operation whose body was refused.
    pub operation_id: String,
    /// The fields involved (for an exclusivity rule, the ones that are present).
    pub fields: Vec<String>,
    /// The rule, in words.
    pub rule: String,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation_id, self.rule)
    }
}

impl std::error::Error for RuleViolation {}

/// A value outside an enum's documented set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {type_name}; expected one of: {}", expected.join(", "))]
pub struct InvalidEnumValue {
    /// The Rust type.
    pub type_name: &'static str,
    /// What was given.
    pub value: String,
    /// The documented values.
    pub expected: &'static [&'static str],
}

/// An empty (or blank) ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} must not be empty")]
pub struct InvalidId {
    /// The field.
    pub field: &'static str,
}

/// Checks a serialised JSON body against `rules` of the operation `operation_id`.
///
/// A body that is not a JSON object passes: the typed request builders already check shapes
/// and types.
pub fn check(rules: &[Rule], operation_id: &str, body: &[u8]) -> Result<(), RuleViolation> {
    if rules.is_empty() {
        return Ok(());
    }
    let Ok(body) = serde_json::from_slice::<Body<'_>>(body) else {
        return Ok(());
    };
    rules
        .iter()
        .try_for_each(|rule| check_rule(operation_id, rule, &body))
}

/// The top-level fields of a JSON object, borrowed from the body; values stay unparsed until a
/// rule reads one. (On the hot path of every send: no map, no hashing, no copies of keys.)
struct Body<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Body<'a> {
    /// The value of `field`; for a repeated key the last one, as JSON parsers keep it.
    fn get(&self, field: &str) -> Option<&'a RawValue> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == field)
            .map(|(_, v)| *v)
    }
}

impl<'de> Deserialize<'de> for Body<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Body<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body<'de>, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(Key(key)) = map.next_key()? {
                    fields.push((key, map.next_value()?));
                }
                Ok(Body(fields))
            }
        }
        d.deserialize_map(Fields)
    }
}

/// A key, borrowed unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

fn is_present(body: &Body<'_>, field: &str) -> bool {
    body.get(field).is_some_and(|v| v.get() != "null")
}

fn present<'a>(body: &Body<'_>, fields: &[&'a str]) -> Vec<&'a str> {
    fields
        .iter()
        .copied()
        .filter(|f| is_present(body, f))
        .collect()
}

fn check_rule(operation_id: &str, rule: &Rule, body: &Body<'_>) -> Result<(), RuleViolation> {
    let violation = |fields: Vec<&str>, rule: String| RuleViolation {
        operation_id: operation_id.to_string(),
        fields: fields.into_iter().map(String::from).collect(),
        rule,
    };
    match *rule {
        Rule::AtMostOneOf(fields) => {
            let set = present(body, fields);
            if set.len() > 1 {
                return Err(violation(
                    set.clone(),
                    format!(
                        "{} are all set, but at most one of {} may be set (Feishu answers 121003 param error otherwise)",
                        set.join(", "),
                        fields.join(" / ")
                    ),
                ));
            }
        }
        Rule::ExactlyOneOf(fields) => {
            let set = present(body, fields);
            if set.len() != 1 {
                let what = if set.is_empty() {
                    "none is set".to_string()
                } else {
                    format!("{} are all set", set.join(", "))
                };
                return Err(violation(
                    if set.is_empty() { fields.to_vec() } else { set },
                    format!(
                        "{what}, but exactly one of {} must be set",
                        fields.join(" / ")
                    ),
                ));
            }
        }
        Rule::OrderedTimes { start, end } => {
            let parse = |field: &'static str| -> Result<Option<u64>, RuleViolation> {
                if !is_present(body, field) {
                    return Ok(None);
                }
                let raw = body.get(field).map_or("null", RawValue::get);
                match serde_json::from_str::<String>(raw) {
                    Ok(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
                        .parse()
                        .map(Some)
                        .map_err(|_| violation(vec![field], format!("{field} = {s:?} is too large for unix seconds"))),
                    _ => Err(violation(
                        vec![field],
                        format!("{field} = {raw} must be unix seconds written as a string of digits, e.g. \"1655276858\""),
                    )),
                }
            };
            if let (Some(s), Some(e)) = (parse(start)?, parse(end)?) {
                if s > e {
                    return Err(violation(
                        vec![start, end],
                        format!("{start} ({s}) is after {end} ({e}); the range must satisfy {start} <= {end}"),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
