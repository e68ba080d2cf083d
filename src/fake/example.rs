//! The success answer of an operation, built from its spec: the 200 example where the spec has
//! one, otherwise a minimal value of the 200 schema; for a file operation a small file of the
//! declared media type.
//!
//! Ids are fresh: every string field named `id`, or ending in `_id` or `_key`, gets a new value
//! on every answer, so two creates give two different ids. The new value keeps the example's
//! shape — its prefix up to the last `_`, its length, and each character's class (digit, lower
//! or upper case letter) — with a counter written into its last characters, and is kept only if
//! it still matches the field's `pattern` (else the example's value stays).

use serde_json::{json, Map, Value};

use super::generic::follow;
use super::reply::{FileReply, FileSource, Reply};
use super::state::Ids;

/// The spec's success answer to `op`, with fresh ids.
pub(super) fn success(spec: &Value, op: &Value, ids: &mut Ids) -> Reply {
    let ok = follow(spec, &op["responses"]["200"]);
    let content = ok["content"].as_object();
    if let Some(json) = content.and_then(|c| c.get("application/json")) {
        let schema = follow(spec, &json["schema"]);
        let mut answer = json
            .get("example")
            .cloned()
            .unwrap_or_else(|| minimal(spec, schema));
        refresh_ids(spec, schema, &mut answer, ids);
        return Reply::json(answer);
    }
    let media_type = content
        .and_then(|c| c.keys().next())
        .map_or("application/octet-stream", String::as_str);
    let zip =
        media_type.starts_with("application/vnd.openxmlformats") || media_type == "application/zip";
    let bytes: &'static [u8] = if zip {
        b"PK\x03\x04 a file of the fake Feishu"
    } else {
        b"a file of the fake Feishu"
    };
    Reply::File(FileReply {
        source: FileSource::Bytes(bytes::Bytes::from_static(bytes)),
        content_type: media_type.to_string(),
        content_disposition: None,
        content_length: true,
        shaping: None,
    })
}

/// A smallest value of `schema`: its required fields, each the smallest value of its own.
pub(super) fn minimal(spec: &Value, schema: &Value) -> Value {
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    match schema["type"].as_str() {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = Map::new();
            for field in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let property = follow(spec, &schema["properties"][field]);
                object.insert(field.to_string(), minimal(spec, property));
            }
            if object.contains_key("code") {
                object.insert("code".into(), json!(0));
            }
            Value::Object(object)
        }
        Some("array") => json!([]),
        Some("integer" | "number") => schema.pointer("/enum/0").cloned().unwrap_or(json!(0)),
        Some("boolean") => json!(false),
        Some("string") => schema.pointer("/enum/0").cloned().unwrap_or(json!("x")),
        _ => json!({}),
    }
}

/// Whether a field of this name holds an id.
fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name.ends_with("_key")
}

/// Gives every id field of `value` (described by `schema`) a fresh value, recursively.
fn refresh_ids(spec: &Value, schema: &Value, value: &mut Value, ids: &mut Ids) {
    match value {
        Value::Object(object) => {
            for (name, inner) in object.iter_mut() {
                let Some(property) = schema.pointer(&format!("/properties/{}", escape(name)))
                else {
                    continue;
                };
                let property = follow(spec, property);
                match inner {
                    Value::String(text) if is_id(name) => {
                        if let Some(fresh) = fresh(text, property["pattern"].as_str(), ids) {
                            *text = fresh;
                        }
                    }
                    _ => refresh_ids(spec, property, inner, ids),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                let item = follow(spec, item);
                for inner in items {
                    refresh_ids(spec, item, inner, ids);
                }
            }
        }
        _ => {}
    }
}

/// A JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A new id shaped like `example`, matching `pattern` when there is one; `None` when no such
/// value can be made that way.
fn fresh(example: &str, pattern: Option<&str>, ids: &mut Ids) -> Option<String> {
    let mut count = ids.count();
    // The prefix up to the last `_` (`oc_`, `img_v2_`, `omm_`) stays.
    let keep = example.rfind('_').map_or(0, |i| i + 1);
    let mut chars: Vec<char> = example.chars().collect();
    let first = example[..keep].chars().count();
    let mut written = false;
    for c in chars[first..].iter_mut().rev() {
        if count == 0 && written {
            break;
        }
        let (base, radix) = match *c {
            '0'..='9' => (b'0', 10),
            // Letters stay within a–f: a hexadecimal id stays hexadecimal.
            'a'..='z' => (b'a', 6),
            'A'..='Z' => (b'A', 6),
            _ => continue,
        };
        *c = char::from(base + (count % radix) as u8);
        count /= radix;
        written = true;
    }
    if !written || count != 0 {
        return None;
    }
    let fresh: String = chars.into_iter().collect();
    match pattern {
        Some(pattern) => {
            let regex = regress::Regex::new(pattern).ok()?;
            let whole = regex
                .find(&fresh)
                .is_some_and(|m| m.range() == (0..fresh.len()));
            whole.then_some(fresh)
        }
        None => Some(fresh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_keep_the_shape_and_differ() {
        let mut ids = Ids::new();
        let a = fresh("7111325589855797267", Some("^[0-9]{1,32}$"), &mut ids).unwrap();
        let b = fresh("7111325589855797267", Some("^[0-9]{1,32}$"), &mut ids).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert!(a.starts_with("71113255898"), "{a}");
        let key = fresh(
            "img_v2_041b28e3-5680-48c2-9af2-497ace79333g",
            None,
            &mut ids,
        )
        .unwrap();
        assert!(
            key.starts_with("img_v2_041b28e3-5680-48c2-9af2-497ace7"),
            "{key}"
        );
        assert_eq!(fresh("---", None, &mut ids), None);
        assert_eq!(fresh("12", Some("^[a-z]+$"), &mut ids), None);
    }
}
