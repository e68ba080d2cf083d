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

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
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
pub(crate) fn check(rules: &[Rule], operation_id: &str, body: &[u8]) -> Result<(), RuleViolation> {
    if rules.is_empty() {
        return Ok(());
    }
    // One slot per field of each rule, holding its raw value borrowed from the body. This runs
    // before every send: up to `INLINE` slots live on the stack, so a passing check allocates
    // nothing, and fields no rule names are skipped unread.
    const INLINE: usize = 16;
    let slots = rules.iter().map(Rule::field_count).sum::<usize>();
    let (mut inline, mut heap) = ([None; INLINE], Vec::new());
    let values: &mut [Option<&RawValue>] = if slots <= INLINE {
        &mut inline[..slots]
    } else {
        heap.resize(slots, None);
        &mut heap
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    if (Fields {
        rules,
        values: &mut *values,
    })
    .deserialize(&mut de)
    .is_err()
    {
        return Ok(());
    }
    let mut values = &*values;
    rules.iter().try_for_each(|rule| {
        let (mine, rest) = values.split_at(rule.field_count());
        values = rest;
        check_rule(operation_id, rule, mine)
    })
}

impl Rule {
    fn field_count(&self) -> usize {
        match self {
            Rule::AtMostOneOf(fields) | Rule::ExactlyOneOf(fields) => fields.len(),
            Rule::OrderedTimes { .. } => 2,
        }
    }

    /// The fields this rule reads, in the order of its slots.
    fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..self.field_count()).map(move |i| match *self {
            Rule::AtMostOneOf(fields) | Rule::ExactlyOneOf(fields) => fields[i],
            Rule::OrderedTimes { start, end } => [start, end][i],
        })
    }
}

/// Reads a JSON object into the slots of `rules`' fields; for a repeated key the last value
/// counts, as JSON parsers keep it.
struct Fields<'r, 'a> {
    rules: &'r [Rule],
    values: &'r mut [Option<&'a RawValue>],
}

impl<'de> DeserializeSeed<'de> for Fields<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Fields<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Named(self.rules))? {
            let Some(name) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let value: &RawValue = map.next_value()?;
            let fields = self.rules.iter().flat_map(Rule::fields);
            for (slot, field) in self.values.iter_mut().zip(fields) {
                if field == name {
                    *slot = Some(value);
                }
            }
        }
        Ok(())
    }
}

/// A key, as the rules' name for it (`None` for a field no rule names); escaped keys count too.
struct Named<'r>(&'r [Rule]);

impl<'de> DeserializeSeed<'de> for Named<'_> {
    type Value = Option<&'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Named<'_> {
    type Value = Option<&'static str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().flat_map(Rule::fields).find(|f| *f == key))
    }
}

fn is_present(value: Option<&RawValue>) -> bool {
    value.is_some_and(|v| v.get() != "null")
}

/// The fields of `rule` present in the body (for a message: only on a violation).
fn present(rule: &Rule, values: &[Option<&RawValue>]) -> Vec<&'static str> {
    rule.fields()
        .zip(values)
        .filter(|(_, v)| is_present(**v))
        .map(|(f, _)| f)
        .collect()
}

/// A unix-seconds string, borrowed from the body unless it had escapes.
fn time_string(raw: &RawValue) -> Option<Cow<'_, str>> {
    serde_json::from_str::<&str>(raw.get())
        .map(Cow::Borrowed)
        .or_else(|_| serde_json::from_str::<String>(raw.get()).map(Cow::Owned))
        .ok()
}

fn check_rule(
    operation_id: &str,
    rule: &Rule,
    values: &[Option<&RawValue>],
) -> Result<(), RuleViolation> {
    let violation = |fields: Vec<&str>, rule: String| RuleViolation {
        operation_id: operation_id.to_string(),
        fields: fields.into_iter().map(String::from).collect(),
        rule,
    };
    let count = values.iter().filter(|v| is_present(**v)).count();
    match *rule {
        Rule::AtMostOneOf(fields) if count > 1 => {
            let set = present(rule, values);
            Err(violation(
                set.clone(),
                format!(
                    "{} are all set, but at most one of {} may be set (Feishu answers 121003 param error otherwise)",
                    set.join(", "),
                    fields.join(" / ")
                ),
            ))
        }
        Rule::ExactlyOneOf(fields) if count != 1 => {
            let set = present(rule, values);
            let what = if set.is_empty() {
                "none is set".to_string()
            } else {
                format!("{} are all set", set.join(", "))
            };
            Err(violation(
                if set.is_empty() { fields.to_vec() } else { set },
                format!(
                    "{what}, but exactly one of {} must be set",
                    fields.join(" / ")
                ),
            ))
        }
        Rule::OrderedTimes { start, end } => {
            let parse = |field: &'static str, value: Option<&RawValue>| {
                let Some(raw) = value.filter(|v| is_present(Some(v))) else {
                    return Ok(None);
                };
                match time_string(raw) {
                    Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
                        .parse::<u64>()
                        .map(Some)
                        .map_err(|_| violation(vec![field], format!("{field} = {s:?} is too large for unix seconds"))),
                    _ => Err(violation(
                        vec![field],
                        format!("{field} = {} must be unix seconds written as a string of digits, e.g. \"1655276858\"", raw.get()),
                    )),
                }
            };
            if let (Some(s), Some(e)) = (parse(start, values[0])?, parse(end, values[1])?) {
                if s > e {
                    return Err(violation(
                        vec![start, end],
                        format!("{start} ({s}) is after {end} ({e}); the range must satisfy {start} <= {end}"),
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
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
