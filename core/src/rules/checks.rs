//! The JSON check of a request body against its operation's rules ([`check`]), and what it
//! shares with the typed check ([`check_typed`](super::check_typed)): the slots of the fields the
//! rules name, what the rules need of their values, and the verdict on them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{Rule, RuleViolation};

/// Checks a serialised JSON body against `rules` of the operation `operation_id`.
///
/// A body that is not a JSON object passes: the typed request builders already check shapes
/// and types.
pub fn check(rules: &[Rule], operation_id: &str, body: &[u8]) -> Result<(), RuleViolation> {
    if rules.is_empty() || passes(rules, body) {
        return Ok(());
    }
    violation(rules, operation_id, body)
}

/// One slot per field of each rule. This runs before every send: up to `INLINE` slots live on
/// the stack, so a passing check allocates nothing.
const INLINE: usize = 16;

/// Runs `f` with the fields the rules name (one per slot, in the rules' order) and an empty
/// slot for each.
pub(super) fn with_slots<R>(
    rules: &[Rule],
    f: impl FnOnce(&[&'static str], &mut [Option<Seen>]) -> R,
) -> R {
    let slots = rules.iter().map(Rule::field_count).sum::<usize>();
    if slots <= INLINE {
        let mut names = [""; INLINE];
        let mut next = 0;
        for rule in rules {
            let (fields, pair);
            let fields: &[&'static str] = match *rule {
                Rule::AtMostOneOf(f) | Rule::ExactlyOneOf(f) => f,
                Rule::OrderedTimes { start, end } => {
                    pair = [start, end];
                    fields = &pair[..];
                    fields
                }
            };
            names[next..next + fields.len()].copy_from_slice(fields);
            next += fields.len();
        }
        let mut values = [None; INLINE];
        f(&names[..slots], &mut values[..slots])
    } else {
        let names: Vec<&'static str> = rules.iter().flat_map(Rule::fields).collect();
        f(&names, &mut vec![None; slots])
    }
}

/// The fast path of [`check`], run on every send: whether the body surely passes. Each field a
/// rule names is read as what the rules need of it (null, unix seconds, another string, or
/// something else) and every other field is skipped unread. `false` sends the body to
/// [`violation`], which reads it again to name what is wrong — so a `true` here must mean that
/// [`violation`] finds nothing.
fn passes(rules: &[Rule], body: &[u8]) -> bool {
    // Validated as UTF-8 once, so that the parser need not check each string it borrows.
    let Ok(text) = std::str::from_utf8(body) else {
        // Not JSON text: nothing for the rules to say.
        return true;
    };
    with_slots(rules, |names, values| {
        let mut de = serde_json::Deserializer::from_str(text);
        let read = Fields {
            names,
            values: &mut *values,
        }
        .deserialize(&mut de);
        // Not a JSON object: nothing for the rules to say.
        read.is_err() || verdict(rules, values)
    })
}

/// Whether the fields read into `seen` (slots in the rules' order) satisfy every rule.
pub(super) fn verdict(rules: &[Rule], mut seen: &[Option<Seen>]) -> bool {
    rules.iter().all(|rule| {
        let (mine, rest) = seen.split_at(rule.field_count());
        seen = rest;
        let count = mine.iter().filter(|v| Seen::present(v)).count();
        match rule {
            Rule::AtMostOneOf(_) => count <= 1,
            Rule::ExactlyOneOf(_) => count == 1,
            Rule::OrderedTimes { .. } => match (Seen::seconds(mine[0]), Seen::seconds(mine[1])) {
                (Ok(Some(start)), Ok(Some(end))) => start <= end,
                (Ok(_), Ok(_)) => true,
                _ => false,
            },
        }
    })
}

/// The slow path, for a body [`passes`] did not clear: the first rule it breaks, with the fields
/// and the rule in words.
fn violation(rules: &[Rule], operation_id: &str, body: &[u8]) -> Result<(), RuleViolation> {
    let slots = rules.iter().map(Rule::field_count).sum::<usize>();
    let mut values: Vec<Option<&RawValue>> = vec![None; slots];
    let names: Vec<&'static str> = rules.iter().flat_map(Rule::fields).collect();
    let mut de = serde_json::Deserializer::from_slice(body);
    if (Fields {
        names: &names,
        values: &mut values,
    })
    .deserialize(&mut de)
    .is_err()
    {
        return Ok(());
    }
    let mut values = &values[..];
    rules.iter().try_for_each(|rule| {
        let (mine, rest) = values.split_at(rule.field_count());
        values = rest;
        check_rule(operation_id, rule, mine)
    })
}

/// What the fast paths keep of a field a rule names.
#[derive(Clone, Copy)]
pub enum Seen {
    Null,
    /// A string of digits that fits unix seconds.
    Seconds(u64),
    /// Any other string.
    Str,
    Other,
}

impl Seen {
    /// A string: unix seconds when it is digits only (no sign) and fits a `u64`.
    pub(super) fn string(s: &str) -> Self {
        if s.is_empty() {
            return Seen::Str;
        }
        let mut seconds: u64 = 0;
        for b in s.bytes() {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return Seen::Str;
            }
            match seconds
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(digit)))
            {
                Some(n) => seconds = n,
                None => return Seen::Str,
            }
        }
        Seen::Seconds(seconds)
    }

    fn present(value: &Option<Seen>) -> bool {
        matches!(value, Some(Seen::Seconds(_) | Seen::Str | Seen::Other))
    }

    /// Unix seconds: `Ok(None)` when absent or null, `Err` when not a string of digits.
    fn seconds(value: Option<Seen>) -> Result<Option<u64>, ()> {
        match value {
            None | Some(Seen::Null) => Ok(None),
            Some(Seen::Seconds(s)) => Ok(Some(s)),
            _ => Err(()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SeenVisitor)
    }
}

struct SeenVisitor;

impl<'de> Visitor<'de> for SeenVisitor {
    type Value = Seen;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Seen::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Seen::Null)
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Seen::string(v))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Seen::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Seen::Other)
    }
}

/// Puts `seen` in every slot named `names[first]`: two rules may read one field. For a
/// repeated key the last value counts, as JSON parsers keep it.
pub(super) fn fill<V: Clone>(
    names: &[&'static str],
    values: &mut [Option<V>],
    first: usize,
    seen: V,
) {
    let name = names[first];
    for (slot, field) in values.iter_mut().zip(names).skip(first) {
        if *field == name {
            *slot = Some(seen.clone());
        }
    }
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

/// Reads a JSON object into the slots of `rules`' fields (as `V`: what the caller needs of a
/// value); for a repeated key the last value counts, as JSON parsers keep it.
struct Fields<'r, V> {
    /// The fields the rules read, one per slot, in the rules' order.
    names: &'r [&'static str],
    values: &'r mut [Option<V>],
}

impl<'de, V: serde::Deserialize<'de> + Clone> DeserializeSeed<'de> for Fields<'_, V> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, V: serde::Deserialize<'de> + Clone> Visitor<'de> for Fields<'_, V> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Named(self.names))? {
            let Some(first) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let value = map.next_value::<V>()?;
            fill(self.names, self.values, first, value);
        }
        Ok(())
    }
}

/// A key, as the index of its first slot (`None` for a field no rule names); escaped keys count
/// too.
struct Named<'r>(&'r [&'static str]);

impl<'de> DeserializeSeed<'de> for Named<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Named<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|f| *f == key))
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
                    "{} are all set, but at most one of {} may be set",
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
