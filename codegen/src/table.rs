//! The operation table appended to every generated client: what the shared runtime needs of
//! each operation, read from the spec's standard fields and its `x-feishu-*` extensions.

use std::collections::BTreeMap;

use quote::quote;
use serde_json::Value;

use super::schemas;

/// The operation table of a spec, and where in it the operations with body rules are.
pub struct Table {
    /// `OPERATIONS` and `operation()`.
    pub tokens: proc_macro2::TokenStream,
    /// Each operation (by operationId) whose body has rules: its generated `send` checks the
    /// typed body against them before serialising it.
    pub ruled: BTreeMap<String, Ruled>,
    /// The index in `OPERATIONS` of each operation (by operationId): its generated `send` hands
    /// its entry to the runtime with the request built by progenitor's code (see [`super::send`]).
    pub index: BTreeMap<String, usize>,
    /// The JSON answer types (the success schemas), each with whether it has a `code`: each gets
    /// an impl of `crate::runtime::Envelope`, by which the runtime decodes it where a call is
    /// awaited (not in `OPERATIONS`: a library build then compiles no JSON parser per answer).
    pub envelopes: BTreeMap<String, bool>,
}

/// An operation whose request body has rules (`x-feishu-rules`).
pub struct Ruled {
    /// Its index in `OPERATIONS`.
    pub index: usize,
    /// The fields its rules read, one per slot in the rules' order (`crate::rules::Rule`), as
    /// the Rust fields of its generated body type; `None` when a field's Rust name is not its
    /// JSON name, or the body is a handwritten type (`x-rust-type`): the check then reads the
    /// body through `serde`.
    pub fields: Option<Vec<String>>,
}

/// One entry per operation, keyed by operationId: the token kinds it accepts (from `security`,
/// else the document's top-level `security`), whether its response is a streamed file, and its
/// request-body rules (`x-feishu-rules` on the body schema):
/// - `at-most-one-of: [a, b, …]` — at most one of the fields may be present;
/// - `exactly-one-of: [a, b, …]` — exactly one of the fields must be present;
/// - `ordered-times: [start, end]` — both unix-second strings, start ≤ end.
pub fn operations(raw: &Value) -> Result<Table, String> {
    let components: BTreeMap<&str, &Value> = schemas(raw).map(|(k, v)| (k.as_str(), v)).collect();
    let mut entries = Vec::new();
    let mut ruled = BTreeMap::new();
    let mut index_of = BTreeMap::new();
    let mut envelopes = BTreeMap::new();
    let mut arms = Vec::new();
    // Every documented error of the spec, each written once: operations share most of theirs.
    let mut error_rows_once: Vec<proc_macro2::TokenStream> = Vec::new();
    let mut error_index: BTreeMap<String, u16> = BTreeMap::new();
    let paths = raw
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(op_id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let tokens = token_kinds(op.get("security").or_else(|| raw.get("security")))
                .map_err(|e| format!("{method} {path}: {e}"))?;
            let mut errors = Vec::new();
            for row in error_rows(op).map_err(|e| format!("{method} {path}: {e}"))? {
                let key = row.to_string();
                let index = match error_index.get(&key) {
                    Some(&index) => index,
                    None => {
                        let index = u16::try_from(error_rows_once.len())
                            .map_err(|_| "more than 65,536 documented errors in one spec")?;
                        error_index.insert(key, index);
                        error_rows_once.push(row);
                        index
                    }
                };
                errors.push(proc_macro2::Literal::u16_unsuffixed(index));
            }
            let (rules, fields) = match op
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
            {
                Some(schema_ref) => {
                    let name = schema_ref.trim_start_matches("#/components/schemas/");
                    let schema = components
                        .get(name)
                        .ok_or_else(|| format!("{method} {path}: {schema_ref} does not exist"))?;
                    body_rules(name, schema, &components)?
                }
                None => (Vec::new(), None),
            };
            let file = match file_media_type(raw, op) {
                Some(media_type) => quote!(Some(#media_type)),
                None => quote!(None),
            };
            // The runtime hands over a decoded answer or a file's stream, nothing else.
            if success_schema(raw, op).is_none() && file_media_type(raw, op).is_none() {
                return Err(format!(
                    "{method} {path}: its 200 answer is neither JSON of a named schema \
                     (`$ref: \"#/components/schemas/…\"`) nor a file"
                ));
            }
            if let Some(name) = success_schema(raw, op) {
                let has_code = components
                    .get(name)
                    .and_then(|s| s.pointer("/properties/code"))
                    .is_some();
                envelopes.insert(name.to_string(), has_code);
            }
            let index = entries.len();
            if !rules.is_empty() {
                ruled.insert(op_id.to_string(), Ruled { index, fields });
            }
            index_of.insert(op_id.to_string(), index);
            arms.push(quote! { #op_id => Some(&OPERATIONS[#index]), });
            entries.push(quote! {
                crate::runtime::Operation {
                    tokens: &[#(#tokens),*],
                    rules: &[#(#rules),*],
                    errors: crate::runtime::ErrorTable {
                        rows: &DOCUMENTED_ERRORS,
                        of_operation: &[#(#errors),*],
                    },
                    file: #file,
                }
            });
        }
    }
    let error_count = error_rows_once.len();
    let tokens = quote! {
        /// Every operation of this spec: the access tokens it takes, its request-body rules
        /// (`x-feishu-rules`) and whether it streams a file, used by the shared runtime on every send.
        pub(crate) static OPERATIONS: &[crate::runtime::Operation] = &[#(#entries),*];

        /// The documented errors of every operation (`x-feishu-errors`), each once: a static of
        /// its own, which the operations' tables point into (rustc checks it once).
        static DOCUMENTED_ERRORS: [crate::DocumentedError; #error_count] = [#(#error_rows_once),*];

        /// The entry of [`OPERATIONS`] for an operationId: one `match`, however many operations
        /// the spec has (the fake looks up every request's).
        #[cfg(feature = "fake")]
        #[doc(hidden)]
        pub fn operation(operation_id: &str) -> Option<&'static crate::runtime::Operation> {
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    };
    Ok(Table {
        tokens,
        ruled,
        index: index_of,
        envelopes,
    })
}

/// The media type of the operation's 2xx response when that is content that is not JSON (a file
/// download): progenitor hands it over as a stream, the runtime bounds it by inactivity rather
/// than by the total request timeout and checks the body is such a file.
fn file_media_type(raw: &Value, op: &Value) -> Option<String> {
    let follow = |response: &'_ Value| {
        let target = response.get("$ref").and_then(Value::as_str);
        target
            .and_then(|t| raw.pointer(t.trim_start_matches('#')))
            .cloned()
            .unwrap_or_else(|| response.clone())
    };
    let is_json = |media: &String| media.split(';').next() == Some("application/json");
    let responses = op.get("responses").and_then(Value::as_object);
    responses
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .map(|(_, response)| follow(response))
        .find_map(|response| {
            let content = response.get("content").and_then(Value::as_object)?;
            if content.keys().any(is_json) {
                return None;
            }
            content.keys().next().cloned()
        })
}

/// The named component schema of a JSON `200` response, if it is one: the runtime checks a
/// success body decodes into it while it still has the response's status and headers.
pub(crate) fn success_schema<'a>(raw: &'a Value, op: &'a Value) -> Option<&'a str> {
    let mut response = op.pointer("/responses/200")?;
    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
        response = raw.pointer(target.trim_start_matches('#'))?;
    }
    response
        .pointer("/content/application~1json/schema/$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn token_kinds(security: Option<&Value>) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let mut kinds = Vec::new();
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        for name in requirement
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
        {
            kinds.push(match name {
                "tenant_access_token" => quote!(crate::runtime::TokenKind::Tenant),
                "user_access_token" => quote!(crate::runtime::TokenKind::User),
                // The runtime fetches tenant tokens only: an app token, like a user token, is one
                // the caller gives (`with_access_token`), which is what `User` makes it do.
                "app_access_token" => quote!(crate::runtime::TokenKind::User),
                other => {
                    return Err(format!(
                        "security scheme `{other}` is not tenant_access_token, user_access_token or app_access_token"
                    ))
                }
            });
        }
    }
    Ok(kinds)
}

/// The rules of a body schema, and the Rust fields they read (see [`Ruled::fields`]).
#[allow(clippy::type_complexity)]
fn body_rules(
    name: &str,
    schema: &Value,
    components: &BTreeMap<&str, &Value>,
) -> Result<(Vec<proc_macro2::TokenStream>, Option<Vec<String>>), String> {
    let where_ = format!("schema {name}: x-feishu-rules");
    let mut rules = Vec::new();
    let mut slots: Vec<String> = Vec::new();
    for rule in schema
        .get("x-feishu-rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (kind, fields) = rule
            .as_object()
            .and_then(|m| m.iter().next())
            .ok_or_else(|| format!("{where_}: each rule is a one-key map"))?;
        let fields: Vec<&str> = fields
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(missing) = fields
            .iter()
            .find(|f| props.is_none_or(|p| !p.contains_key(**f)))
        {
            return Err(format!(
                "{where_}: {kind} names `{missing}`, which is not a property"
            ));
        }
        slots.extend(fields.iter().map(|f| f.to_string()));
        rules.push(match (kind.as_str(), fields.as_slice()) {
            ("at-most-one-of", f) if f.len() >= 2 => quote!(crate::rules::Rule::AtMostOneOf(&[#(#f),*])),
            ("exactly-one-of", f) if f.len() >= 2 => quote!(crate::rules::Rule::ExactlyOneOf(&[#(#f),*])),
            ("ordered-times", [start, end]) => {
                quote!(crate::rules::Rule::OrderedTimes { start: #start, end: #end })
            }
            (other, _) => {
                return Err(format!(
                    "{where_}: `{other}` with {} fields is not a known rule (at-most-one-of and exactly-one-of take 2 or more fields, ordered-times takes 2)",
                    fields.len()
                ))
            }
        });
    }
    let handwritten = schema.get("x-rust-type").is_some();
    // An array or object field may be left out of the JSON when empty (typify's
    // `skip_serializing_if`), which reading the field itself would not see.
    let scalar = |field: &String| {
        let property = schema.pointer(&format!("/properties/{field}"));
        let target = property
            .and_then(|p| p.get("$ref").or_else(|| p.pointer("/allOf/0/$ref")))
            .and_then(Value::as_str)
            .map(|r| r.trim_start_matches("#/components/schemas/"));
        let resolved = match target {
            Some(target) => components.get(target).copied(),
            None => property,
        };
        resolved.is_some_and(|s| {
            !matches!(
                s.get("type").and_then(Value::as_str),
                Some("array" | "object")
            )
        })
    };
    let fields =
        (!handwritten && slots.iter().all(|f| is_rust_field(f) && scalar(f))).then_some(slots);
    Ok((rules, fields))
}

/// Whether a JSON property name is the name of its field in the generated Rust struct: a
/// lowercase identifier that is not a keyword (typify renames any other).
fn is_rust_field(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__")
        && !super::tokens::KEYWORDS.contains(&name)
}

/// The operation's error table (`x-feishu-errors: [{http, code, msg, advice?, retryable?}]`) as
/// `crate::DocumentedError` values: what each code means, its advice, whether it is retried.
fn error_rows(op: &Value) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let Some(rows) = op.get("x-feishu-errors") else {
        return Ok(Vec::new());
    };
    let rows = rows.as_array().ok_or("x-feishu-errors is not a list")?;
    rows.iter()
        .map(|row| {
            let bad = || {
                format!("x-feishu-errors: {row} is not {{http, code, msg, advice?, retryable?}}")
            };
            let code = row.get("code").and_then(Value::as_i64).ok_or_else(bad)?;
            let http = row
                .get("http")
                .and_then(Value::as_u64)
                .and_then(|h| u16::try_from(h).ok())
                .ok_or_else(bad)?;
            let msg = row.get("msg").and_then(Value::as_str).ok_or_else(bad)?;
            let advice = match row.get("advice") {
                None => quote!(None),
                Some(advice) => {
                    let advice = advice.as_str().ok_or_else(bad)?;
                    quote!(Some(#advice))
                }
            };
            let retryable = match row.get("retryable") {
                None => false,
                Some(flag) => flag.as_bool().ok_or_else(bad)?,
            };
            Ok(quote! {
                crate::DocumentedError::__row(#code, #http, #msg, #advice, #retryable)
            })
        })
        .collect()
}

/// Every operation's id with the media type of the file it answers with (`None` for JSON).
pub fn media_types(raw: &Value) -> Vec<(String, Option<String>)> {
    super::each_operation(raw)
        .filter_map(|op| {
            let id = op.get("operationId").and_then(Value::as_str)?;
            Some((id.to_string(), file_media_type(raw, op)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A spec of one operation whose body schema `Body` has `properties` and `rules`.
    fn spec(properties: Value, rules: Value, extra: Value) -> Value {
        let mut body =
            json!({ "type": "object", "properties": properties, "x-feishu-rules": rules });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        json!({
            "paths": { "/open-apis/x/v1/things": { "post": {
                "operationId": "create_thing",
                "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Body" } } } },
                "responses": { "200": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Body" } } } } }
            } } },
            "components": { "schemas": {
                "Body": body,
                "Seconds": { "type": "string" },
                "Tags": { "type": "array", "items": { "type": "string" } }
            } }
        })
    }

    fn fields(spec: &Value) -> Option<Vec<String>> {
        let table = operations(spec).unwrap();
        table.ruled["create_thing"].fields.clone()
    }

    #[test]
    fn rule_fields_are_read_from_the_struct_in_slot_order() {
        let spec = spec(
            json!({
                "a": { "type": "string" },
                "b": { "type": "string" },
                "start": { "allOf": [{ "$ref": "#/components/schemas/Seconds" }] },
                "end": { "$ref": "#/components/schemas/Seconds" }
            }),
            json!([{ "at-most-one-of": ["b", "a"] }, { "ordered-times": ["start", "end"] }]),
            json!({}),
        );
        assert_eq!(fields(&spec).unwrap(), ["b", "a", "start", "end"]);
    }

    #[test]
    fn rule_fields_go_through_serde_when_the_struct_may_differ() {
        // A keyword (typify renames it), an array (left out of the JSON when empty), a
        // handwritten body type.
        let keyword = spec(
            json!({ "type": { "type": "string" }, "a": { "type": "string" } }),
            json!([{ "at-most-one-of": ["type", "a"] }]),
            json!({}),
        );
        let array = spec(
            json!({ "tags": { "$ref": "#/components/schemas/Tags" }, "a": { "type": "string" } }),
            json!([{ "at-most-one-of": ["tags", "a"] }]),
            json!({}),
        );
        let handwritten = spec(
            json!({ "a": { "type": "string" }, "b": { "type": "string" } }),
            json!([{ "at-most-one-of": ["a", "b"] }]),
            json!({ "x-rust-type": { "crate": "x", "path": "x::Body", "version": "1" } }),
        );
        for spec in [keyword, array, handwritten] {
            assert_eq!(fields(&spec), None, "{spec}");
        }
    }
}
