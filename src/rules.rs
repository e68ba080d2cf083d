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

use std::collections::HashMap;

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
    // Top-level fields only; their values stay unparsed until a rule reads one.
    let Ok(body) = serde_json::from_slice::<HashMap<String, &RawValue>>(body) else {
        return Ok(());
    };
    rules
        .iter()
        .try_for_each(|rule| check_rule(operation_id, rule, &body))
}

type Body<'a> = HashMap<String, &'a RawValue>;

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
                let raw = body[field].get();
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
    fn operations_without_rules_pass() {
        assert!(check(&[], "other", br#"{"a":1,"b":2}"#).is_ok());
    }
}
