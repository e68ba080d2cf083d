//! Fields of a JSON request body that the spec does not list: what an operation builder's
//! `extra_body_field(name, value)` adds, merged into the typed body before it is sent, and (for
//! the conformance suite) what a body given as JSON holds beyond its type.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::rules::Rule;

/// The fields a caller adds to a request's JSON body beyond the spec's, in the order given.
/// Empty, it costs nothing: the typed body is sent as it is.
#[derive(Clone, Debug, Default)]
pub struct ExtraFields(Vec<(String, Value)>);

impl ExtraFields {
    /// Adds a field.
    pub fn push(&mut self, name: String, value: Value) {
        self.0.push((name, value));
    }

    /// The body to send, serialised: `body` as typed when no field was added; else its JSON
    /// object with the fields added, checked against the operation's `rules` as the fake Feishu
    /// checks a body. Refused (with why): a body that does not serialise or is not a JSON object,
    /// a field the typed body sets (not absent, not `null`) or one given twice — nothing the
    /// caller gave is dropped or overwritten. Serialised once, when `send()` is called: each
    /// attempt sends the same bytes.
    pub fn merge<T: Serialize + ?Sized>(
        self,
        body: &T,
        rules: &[Rule],
        operation_id: &str,
    ) -> Result<Vec<u8>, String> {
        match serde_json::to_vec(body) {
            Ok(json) => self.merge_json(json, rules, operation_id),
            Err(e) => Err(format!("{operation_id}: the body does not serialise: {e}")),
        }
    }

    /// [`merge`](Self::merge) past the typed body's serialisation: compiled once, not per body
    /// type.
    fn merge_json(
        self,
        json: Vec<u8>,
        rules: &[Rule],
        operation_id: &str,
    ) -> Result<Vec<u8>, String> {
        if self.0.is_empty() {
            return Ok(json);
        }
        let Ok(mut object) = serde_json::from_slice::<Map<String, Value>>(&json) else {
            return Err(format!(
                "{operation_id}: its body is not a JSON object, so it takes no extra field"
            ));
        };
        let mut added: Vec<&str> = Vec::with_capacity(self.0.len());
        for (name, _) in &self.0 {
            if object.get(name).is_some_and(|v| !v.is_null()) {
                return Err(format!(
                    "{operation_id}: extra body field `{name}`: the typed body sets it already; \
                     set it in one place"
                ));
            }
            if added.contains(&name.as_str()) {
                return Err(format!(
                    "{operation_id}: extra body field `{name}` given twice"
                ));
            }
            added.push(name);
        }
        for (name, value) in self.0 {
            object.insert(name, value);
        }
        let merged = serde_json::to_vec(&object).map_err(|e| e.to_string())?;
        if !rules.is_empty() {
            crate::rules::check(rules, operation_id, &merged).map_err(|v| v.to_string())?;
        }
        Ok(merged)
    }
}

/// A body given as JSON (the conformance suite's `__send_from_json`): its typed value, and its
/// top-level fields the type does not hold (absent when serialised again; `null` counts as
/// absent), to send as extra fields. A field the type does not hold deeper down cannot be sent
/// beside it and is refused, naming it.
#[cfg(feature = "fake")]
pub fn json_body<T>(given: &Value) -> Result<(T, Vec<(String, Value)>), String>
where
    T: serde::de::DeserializeOwned + Serialize,
{
    let typed: T = serde_json::from_value(given.clone()).map_err(|e| format!("body: {e}"))?;
    let kept = serde_json::to_value(&typed).map_err(|e| format!("body: {e}"))?;
    let mut extra = Vec::new();
    if let (Value::Object(given), Value::Object(kept)) = (given, &kept) {
        for (name, value) in given {
            match kept.get(name) {
                _ if value.is_null() => {}
                None => extra.push((name.clone(), value.clone())),
                Some(kept) => dropped(value, kept, &format!("body.{name}"))?,
            }
        }
    }
    Ok((typed, extra))
}

/// An error naming the first field of `given` that `kept` (the same value read into its type and
/// written again) does not hold.
#[cfg(feature = "fake")]
fn dropped(given: &Value, kept: &Value, at: &str) -> Result<(), String> {
    match (given, kept) {
        (Value::Object(given), Value::Object(kept)) => {
            for (name, value) in given {
                let at = format!("{at}.{name}");
                match kept.get(name) {
                    _ if value.is_null() => {}
                    None => {
                        return Err(format!(
                            "{at}: not a field of its type, and only top-level fields can be \
                             sent as extra fields"
                        ))
                    }
                    Some(kept) => dropped(value, kept, &at)?,
                }
            }
            Ok(())
        }
        (Value::Array(given), Value::Array(kept)) => given
            .iter()
            .zip(kept)
            .enumerate()
            .try_for_each(|(i, (given, kept))| dropped(given, kept, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Clone, Debug, Serialize, serde::Deserialize)]
    struct Typed {
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        inner: Option<Inner>,
    }

    #[derive(Clone, Debug, Serialize, serde::Deserialize)]
    struct Inner {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    }

    fn typed(name: Option<&str>) -> Typed {
        Typed {
            name: name.map(str::to_string),
            inner: None,
        }
    }

    #[test]
    fn no_extra_field_sends_the_typed_body() {
        let body = ExtraFields::default()
            .merge(&typed(Some("a")), &[], "op")
            .unwrap();
        assert_eq!(body, br#"{"name":"a"}"#);
    }

    #[test]
    fn extra_fields_are_added_never_overwriting() {
        let mut extra = ExtraFields::default();
        extra.push("new_field".into(), json!([]));
        let body = extra.clone().merge(&typed(Some("a")), &[], "op").unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap(),
            json!({"name": "a", "new_field": []})
        );
        let mut clash = ExtraFields::default();
        clash.push("name".into(), json!("b"));
        let err = clash
            .clone()
            .merge(&typed(Some("a")), &[], "op")
            .unwrap_err();
        assert!(
            err.contains("`name`") && err.contains("sets it already"),
            "{err}"
        );
        // Absent in the typed body: the extra field is sent.
        let body = clash.merge(&typed(None), &[], "op").unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap(),
            json!({"name": "b"})
        );
        extra.push("new_field".into(), json!(1));
        let err = extra.merge(&typed(None), &[], "op").unwrap_err();
        assert!(err.contains("given twice"), "{err}");
    }

    #[test]
    fn a_body_that_does_not_serialise_is_refused() {
        let bad: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let err = ExtraFields::default().merge(&bad, &[], "op").unwrap_err();
        assert!(err.starts_with("op: the body does not serialise"), "{err}");
    }

    #[test]
    fn the_merged_body_is_checked_against_the_rules() {
        static RULES: &[Rule] = &[Rule::AtMostOneOf(&["name", "other"])];
        let mut extra = ExtraFields::default();
        extra.push("other".into(), json!("x"));
        let err = extra
            .clone()
            .merge(&typed(Some("a")), RULES, "op")
            .unwrap_err();
        assert!(err.contains("other"), "{err}");
        assert!(extra.merge(&typed(None), RULES, "op").is_ok());
    }

    #[cfg(feature = "fake")]
    #[test]
    fn a_json_body_forwards_its_unknown_top_level_fields_and_refuses_deeper_ones() {
        let (typed, extra) =
            json_body::<Typed>(&json!({"name": "a", "new": [], "gone": null})).unwrap();
        assert_eq!(typed.name.as_deref(), Some("a"));
        assert_eq!(extra, vec![("new".to_string(), json!([]))]);
        let err = json_body::<Typed>(&json!({"inner": {"id": "1", "deep": 2}})).unwrap_err();
        assert!(err.contains("body.inner.deep"), "{err}");
    }
}
