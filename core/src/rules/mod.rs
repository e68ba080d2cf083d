//! Request-body rules that the JSON Schema of a spec cannot say, checked before every send.
//!
//! A spec declares them on a request-body schema with `x-feishu-rules` (see
//! `docs/adding-an-endpoint.md`); `build.rs` turns them into a static table per service. The
//! generated `send` of an operation with rules checks its typed body against them before the body
//! is serialised ([`check_typed`]: the fields the rules name are read through `serde`, every
//! other field is skipped), so a refused body never leaves the process; a body as JSON bytes
//! (what the fake Feishu receives) is checked by [`check`]. Both agree field by field with what
//! the serialised body holds, and name a violation in the same words.
//!
//! A field counts as *present* when its key is in the body and its value is not `null`, whatever
//! the value (the doc makes no exception for a filter set to its default).

use std::fmt;

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

/// Text that is neither a name nor a value of an integer enum (every integer is a value: one
/// the spec does not list is kept as `Other`).
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

// The generated `send` of an operation with rules calls the typed checks, and the fake Feishu
// checks the JSON of every body it receives: public for the service crates and the fake, hidden.
mod checks;
mod typed;

pub use checks::check;
pub use checks::Seen;
use checks::{verdict, with_slots};
use serde::ser::Serialize;
use typed::Object;

/// Checks a typed body against `rules` of the operation `operation_id` before it is serialised,
/// with the outcome [`check`] would have on the JSON it serialises to.
///
/// The fast path reads, through the body's `Serialize`, only the fields the rules name (as
/// JSON would hold them: `None`, unit and non-finite floats are `null`, a string is a string)
/// and skips every other field unserialised. A body it cannot read so (not a struct or map, a
/// key that is not a string, a raw JSON value) and a body that breaks a rule are serialised and
/// given to [`check`], which names what is wrong; a body that does not serialise passes here
/// (serialising it for the request fails the same way).
pub fn check_typed<T: Serialize + ?Sized>(
    rules: &[Rule],
    operation_id: &str,
    body: &T,
) -> Result<(), RuleViolation> {
    if rules.is_empty() {
        return Ok(());
    }
    let passed = with_slots(rules, |names, values| {
        body.serialize(Object {
            names,
            values: &mut *values,
        })
        .is_ok_and(|()| verdict(rules, values))
    });
    if passed {
        return Ok(());
    }
    match serde_json::to_vec(body) {
        Ok(json) => check(rules, operation_id, &json),
        Err(_) => Ok(()),
    }
}

/// Checks a typed body against `rules` of the operation `operation_id`, with the outcome
/// [`check_typed`] would have, its fields read by `read`: generated for each operation whose
/// rules read fields of its generated body struct, one value per slot in the rules' order, each
/// read straight from its field ([`seen`]) — no walk over the body's other fields, no key
/// compared. `None` (a value not readable so), or a body that breaks a rule, goes to
/// [`check_typed`], which names what is wrong.
pub fn check_fields<T: Serialize + ?Sized, const N: usize>(
    rules: &[Rule],
    operation_id: &str,
    body: &T,
    read: impl FnOnce() -> Option<[Option<Seen>; N]>,
) -> Result<(), RuleViolation> {
    match read() {
        Some(values) if verdict(rules, &values) => Ok(()),
        _ => check_typed(rules, operation_id, body),
    }
}

/// What the rules need of one field's value, as the JSON it serialises to would hold it (see
/// [`check_fields`]); `None` when that cannot be told without serialising it.
pub fn seen<T: Serialize + ?Sized>(value: &T) -> Option<Seen> {
    value.serialize(typed::Value).ok()
}

#[cfg(test)]
mod tests;
