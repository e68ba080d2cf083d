//! A small validator for the subset of OpenAPI 3.0 schemas the specs use: `$ref`, `allOf`,
//! `type` (with `nullable`), `enum`, `required`, `properties`, `additionalProperties`, `items`,
//! `minItems`/`maxItems`, `minLength`/`maxLength`, `pattern` (ECMAScript, as OpenAPI says),
//! `minimum`/`maximum` and the `int32`/`int64` formats.
//!
//! A keyword outside this subset is reported, not ignored: a schema the validator cannot read
//! fully must not pass as valid.

use serde_json::Value;

/// Keywords that say nothing about validity (annotations), and vendor extensions (`x-…`).
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "default",
    "format",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
];

/// The validating keywords this module checks.
const CHECKED: &[&str] = &[
    "$ref",
    "allOf",
    "type",
    "enum",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
];

const MAX_DEPTH: usize = 64;

/// The keywords of a schema object that this validator does not understand.
pub fn unsupported_keywords(schema: &Value) -> Vec<String> {
    schema
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .filter(|k| {
            !k.starts_with("x-")
                && !ANNOTATIONS.contains(&k.as_str())
                && !CHECKED.contains(&k.as_str())
        })
        .cloned()
        .collect()
}

/// Resolves a local `$ref` (`#/components/schemas/Name`) in `root`.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// Validates `value` against `schema`; `root` is the whole spec, for `$ref`. Returns one message
/// per problem, each starting with where in the value it is (`$` is the value itself).
pub fn validate(root: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(root, schema, value, "$", 0, &mut problems);
    problems
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "integer" => match value {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "number" => value.is_number(),
        other => type_name(value) == other,
    }
}

fn check(
    root: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    depth: usize,
    out: &mut Vec<String>,
) {
    if depth > MAX_DEPTH {
        out.push(format!("{at}: schema nesting too deep (a $ref cycle?)"));
        return;
    }
    let Some(s) = schema.as_object() else {
        out.push(format!("{at}: the schema is not an object"));
        return;
    };
    // OpenAPI 3.0: a $ref replaces the whole schema object, siblings are ignored.
    if let Some(reference) = s.get("$ref") {
        match reference.as_str().and_then(|r| resolve(root, r)) {
            Some(target) => check(root, target, value, at, depth + 1, out),
            None => out.push(format!("{at}: $ref {reference} does not resolve")),
        }
        return;
    }
    for keyword in unsupported_keywords(schema) {
        out.push(format!(
            "{at}: keyword `{keyword}` is not supported by the spec lint"
        ));
    }
    for part in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check(root, part, value, at, depth + 1, out);
    }
    if value.is_null() && s.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(ty) = s.get("type") {
        let ty = ty.as_str().unwrap_or_default();
        if !has_type(value, ty) {
            out.push(format!(
                "{at}: {} has type {}, the schema wants {ty}",
                short(value),
                type_name(value)
            ));
            return;
        }
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            let allowed: Vec<String> = values.iter().map(Value::to_string).collect();
            out.push(format!(
                "{at}: {} is not one of the enum values [{}]",
                short(value),
                allowed.join(", ")
            ));
        }
    }
    match value {
        Value::String(text) => string_checks(s, text, at, out),
        Value::Number(n) => number_checks(s, n, at, out),
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = s
                .get("minItems")
                .and_then(Value::as_u64)
                .filter(|m| len < *m)
            {
                out.push(format!("{at}: {len} items, fewer than minItems {min}"));
            }
            if let Some(max) = s
                .get("maxItems")
                .and_then(Value::as_u64)
                .filter(|m| len > *m)
            {
                out.push(format!("{at}: {len} items, more than maxItems {max}"));
            }
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(
                        root,
                        item_schema,
                        item,
                        &format!("{at}[{i}]"),
                        depth + 1,
                        out,
                    );
                }
            }
        }
        Value::Object(fields) => {
            for name in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = name.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    out.push(format!("{at}: required field `{name}` is missing"));
                }
            }
            let properties = s.get("properties").and_then(Value::as_object);
            for (name, field) in fields {
                let field_at = format!("{at}.{name}");
                match (
                    properties.and_then(|p| p.get(name)),
                    s.get("additionalProperties"),
                ) {
                    (Some(field_schema), _) => {
                        check(root, field_schema, field, &field_at, depth + 1, out)
                    }
                    (None, Some(Value::Bool(false))) => out.push(format!(
                        "{field_at}: not a declared property (additionalProperties: false)"
                    )),
                    (None, Some(extra @ Value::Object(_))) => {
                        check(root, extra, field, &field_at, depth + 1, out)
                    }
                    (None, _) => {}
                }
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

fn string_checks(s: &serde_json::Map<String, Value>, text: &str, at: &str, out: &mut Vec<String>) {
    let len = text.chars().count() as u64;
    if let Some(min) = s
        .get("minLength")
        .and_then(Value::as_u64)
        .filter(|m| len < *m)
    {
        out.push(format!("{at}: {:?} is shorter than minLength {min}", text));
    }
    if let Some(max) = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .filter(|m| len > *m)
    {
        out.push(format!("{at}: {:?} is longer than maxLength {max}", text));
    }
    if let Some(pattern) = s.get("pattern") {
        let pattern = pattern.as_str().unwrap_or_default();
        match regress::Regex::new(pattern) {
            Ok(re) if re.find(text).is_some() => {}
            Ok(_) => out.push(format!(
                "{at}: {text:?} does not match the pattern {pattern}"
            )),
            Err(e) => out.push(format!(
                "{at}: the pattern {pattern} is not a valid ECMAScript regex: {e}"
            )),
        }
    }
}

fn number_checks(
    s: &serde_json::Map<String, Value>,
    n: &serde_json::Number,
    at: &str,
    out: &mut Vec<String>,
) {
    let x = n.as_f64().unwrap_or_default();
    if let Some(min) = s.get("minimum").and_then(Value::as_f64).filter(|m| x < *m) {
        out.push(format!("{at}: {n} is less than minimum {min}"));
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64).filter(|m| x > *m) {
        out.push(format!("{at}: {n} is more than maximum {max}"));
    }
    let fits = match s.get("format").and_then(Value::as_str) {
        Some("int32") => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        Some("int64") => n.is_i64(),
        _ => true,
    };
    if !fits {
        out.push(format!("{at}: {n} does not fit the format {}", s["format"]));
    }
}

/// A value, shortened for a message.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        text.chars().take(57).collect::<String>() + "…"
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root() -> Value {
        json!({"components": {"schemas": {
            "Digits": {"type": "string", "pattern": "^[0-9]+$"},
            "Status": {"type": "integer", "enum": [1, 2, 3]},
            "Body": {
                "type": "object",
                "required": ["start"],
                "properties": {
                    "start": {"allOf": [{"$ref": "#/components/schemas/Digits"}]},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "ids": {"type": "array", "items": {"type": "string", "minLength": 1}}
                }
            }
        }}})
    }

    fn body(value: Value) -> Vec<String> {
        let root = root();
        validate(&root, &json!({"$ref": "#/components/schemas/Body"}), &value)
    }

    #[test]
    fn valid_values_pass() {
        assert_eq!(
            body(json!({"start": "123", "status": 2, "ids": ["a"]})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_keyword_is_checked() {
        assert_eq!(body(json!({})), ["$: required field `start` is missing"]);
        assert_eq!(
            body(json!({"start": "12a"})),
            ["$.start: \"12a\" does not match the pattern ^[0-9]+$"]
        );
        assert_eq!(
            body(json!({"start": 12})),
            ["$.start: 12 has type integer, the schema wants string"]
        );
        assert_eq!(
            body(json!({"start": "1", "status": 9})),
            ["$.status: 9 is not one of the enum values [1, 2, 3]"]
        );
        assert_eq!(
            body(json!({"start": "1", "ids": [""]})),
            ["$.ids[0]: \"\" is shorter than minLength 1"]
        );
    }

    #[test]
    fn unknown_keywords_and_refs_are_reported() {
        let root = json!({});
        assert_eq!(
            validate(&root, &json!({"oneOf": []}), &json!(1)),
            ["$: keyword `oneOf` is not supported by the spec lint"]
        );
        assert_eq!(
            validate(&root, &json!({"$ref": "#/nowhere"}), &json!(1)),
            ["$: $ref \"#/nowhere\" does not resolve"]
        );
    }
}
