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
    /// The index in `OPERATIONS` of each operation (by operationId) whose body has rules: its
    /// generated `send` checks the typed body against them before serialising it.
    pub ruled: BTreeMap<String, usize>,
    /// The index in `OPERATIONS` of each operation (by operationId) whose answer the runtime
    /// decodes itself (a JSON `200` of a named schema, not a file) and whose request body, if
    /// any, is JSON: its generated `send` hands the request built by progenitor's code straight
    /// to the runtime (see [`super::send`]).
    pub direct: BTreeMap<String, usize>,
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
    let mut direct = BTreeMap::new();
    let mut arms = Vec::new();
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
            let errors = error_rows(op).map_err(|e| format!("{method} {path}: {e}"))?;
            let rules = match op
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
            {
                Some(schema_ref) => {
                    let name = schema_ref.trim_start_matches("#/components/schemas/");
                    let schema = components
                        .get(name)
                        .ok_or_else(|| format!("{method} {path}: {schema_ref} does not exist"))?;
                    body_rules(name, schema)?
                }
                None => Vec::new(),
            };
            let file = match file_media_type(raw, op) {
                Some(media_type) => quote!(Some(#media_type)),
                None => quote!(None),
            };
            let json_body = op.get("requestBody").is_none_or(|body| {
                body.get("content")
                    .and_then(Value::as_object)
                    .is_some_and(|content| {
                        !content.is_empty()
                            && content.keys().all(|media| media == "application/json")
                    })
            });
            let decoded = success_schema(raw, op).is_some();
            let streams = file_media_type(raw, op).is_some();
            let decodes = match success_schema(raw, op) {
                Some(name) => {
                    let ty = quote::format_ident!("{name}");
                    let has_code = components
                        .get(name)
                        .and_then(|s| s.pointer("/properties/code"))
                        .is_some();
                    let code = if has_code {
                        quote!(answer.code)
                    } else {
                        quote!(0)
                    };
                    quote!(Some(|body: &[u8]| {
                        let answer = serde_json::from_slice::<types::#ty>(body).ok()?;
                        Some((#code, Box::new(answer) as Box<dyn std::any::Any + Send>))
                    }))
                }
                None => quote!(None),
            };
            let index = entries.len();
            if !rules.is_empty() {
                ruled.insert(op_id.to_string(), index);
            }
            if decoded && !streams && json_body {
                direct.insert(op_id.to_string(), index);
            }
            arms.push(quote! { #op_id => Some(&OPERATIONS[#index]), });
            entries.push(quote! {
                crate::runtime::Operation {
                    tokens: &[#(#tokens),*],
                    rules: &[#(#rules),*],
                    errors: &[#(#errors),*],
                    file: #file,
                    decodes: #decodes,
                }
            });
        }
    }
    let tokens = quote! {
        /// Every operation of this spec: the access tokens it takes, its request-body rules
        /// (`x-feishu-rules`) and whether it streams a file, used by the shared runtime on every send.
        pub(crate) static OPERATIONS: &[crate::runtime::Operation] = &[#(#entries),*];

        /// The entry of [`OPERATIONS`] for an operationId: one `match`, however many operations
        /// the spec has (the hooks look it up on every send).
        pub(crate) fn operation(operation_id: &str) -> Option<&'static crate::runtime::Operation> {
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    };
    Ok(Table {
        tokens,
        ruled,
        direct,
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

fn body_rules(name: &str, schema: &Value) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let where_ = format!("schema {name}: x-feishu-rules");
    let mut rules = Vec::new();
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
    Ok(rules)
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
                crate::DocumentedError {
                    code: #code,
                    http_status: #http,
                    msg: #msg,
                    advice: #advice,
                    retryable: #retryable,
                }
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
