//! One catalogue operation → one operation in this crate's conventions.
//!
//! | catalogue | here |
//! |---|---|
//! | `operationId` `<project>_<resource>_<method>` | `<resource>_<method>` ([`super::names`]) |
//! | tag `meeting.recording` | `<project>.meeting_recording` |
//! | `externalDocs.url` | `x-feishu-doc` |
//! | `x-lark-access-tokens` tenant / user / app | `security`: `tenant_access_token`, `user_access_token`, `app_access_token` (in that order) |
//! | `x-lark-scopes`, `x-lark-field-scopes` | `x-feishu-scopes`, `x-feishu-field-scopes`; no scopes → `[]` with `x-feishu-no-scope-needed: true` |
//! | `x-lark-error-mappings` `{code, httpCode, msg}` | `x-feishu-errors` `{http, code, msg}`, one row per code (the first) |
//! | `x-lark-rate-limit: {tier: N}` | `x-feishu-rate-limit: tier N` |
//! | `x-lark-pagination: true`, or the shape | `x-feishu-pagination: {items?, token?, request?}` when the request carries `page_token` (query or body) and the answer's `data` gives one back; flagged but not so: `x-feishu-unpaged: <why>` |
//! | `x-lark-file-download: true` | the 200 is `application/octet-stream`, `format: binary` |
//! | `x-lark-file-upload: true` | nothing more: a `multipart/form-data` body is the upload (the flag without one is ignored) |
//! | `summary`, `description`, `x-lark-id-transform` | dropped (prose; the gateway's id conversion) |

use yaml_serde::{Mapping, Value};

use super::answer::{answer, Paging, TokenIn};
use super::names;
use super::schema::{At, Components, Side};
use super::Patch;

/// An imported operation.
pub struct Imported {
    /// Its operationId (ours).
    pub id: String,
    /// Its tag, `<project>.<resource>`.
    pub tag: String,
    /// The operation object.
    pub operation: Mapping,
}

const KNOWN: &[&str] = &[
    "operationId",
    "summary",
    "description",
    "tags",
    "externalDocs",
    "parameters",
    "requestBody",
    "responses",
    "x-lark-access-tokens",
    "x-lark-scopes",
    "x-lark-field-scopes",
    "x-lark-error-mappings",
    "x-lark-rate-limit",
    "x-lark-pagination",
    "x-lark-file-upload",
    "x-lark-file-download",
    "x-lark-id-transform",
];

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn strings(values: &[&str]) -> Value {
    Value::Sequence(values.iter().map(|s| text(s)).collect())
}

const ERROR_REF: &str = "#/components/responses/FeishuError";
const MULTIPART: &str = "multipart/form-data";
const JSON: &str = "application/json";

/// Imports the operation `op` at `method path` of `project`; its schemas go into `components`.
pub fn import(
    project: &str,
    path: &str,
    method: &str,
    op: &Value,
    patch: &Patch,
    components: &mut Components,
) -> Result<Imported, String> {
    let catalogue_id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
    let at = format!(
        "operation {catalogue_id} ({} {path})",
        method.to_uppercase()
    );
    let refuse = |construct: &str| format!("{at}: {construct}");
    let op_map = op.as_mapping().ok_or_else(|| refuse("not a mapping"))?;
    if let Some(unknown) = op_map
        .keys()
        .filter_map(Value::as_str)
        .find(|k| !KNOWN.contains(k))
    {
        return Err(refuse(&format!("operation key `{unknown}`")));
    }
    let id = names::operation_id(project, catalogue_id)
        .ok_or_else(|| refuse("operationId is not `<project>_<resource>_<method>`"))?;
    let pascal = names::pascal(&id);
    let tag = match op
        .get("tags")
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
    {
        Some([tag]) => names::tag(project, tag.as_str().unwrap_or_default()),
        _ => return Err(refuse("not exactly one tag")),
    };
    let resource = tag.split_once('.').map(|(_, r)| r).unwrap_or_default();
    if !id.starts_with(&format!("{resource}_")) {
        return Err(refuse(&format!(
            "operationId `{id}` does not start with its tag's resource `{resource}`"
        )));
    }
    let mut out = Mapping::new();
    out.insert(text("operationId"), text(&id));
    out.insert(text("tags"), strings(&[&tag]));
    out.insert(text("security"), security(op).map_err(|e| refuse(&e))?);
    let scopes = list(op, "x-lark-scopes").map_err(|e| refuse(&e))?;
    let no_scope = scopes.is_empty();
    out.insert(text("x-feishu-scopes"), Value::Sequence(scopes));
    if no_scope {
        out.insert(text("x-feishu-no-scope-needed"), Value::Bool(true));
    }
    let field_scopes = list(op, "x-lark-field-scopes").map_err(|e| refuse(&e))?;
    if !field_scopes.is_empty() {
        out.insert(text("x-feishu-field-scopes"), Value::Sequence(field_scopes));
    }
    match op
        .get("x-lark-rate-limit")
        .and_then(|r| r.get("tier"))
        .and_then(Value::as_u64)
    {
        Some(tier) => {
            out.insert(text("x-feishu-rate-limit"), text(&format!("tier {tier}")));
        }
        None if op.get("x-lark-rate-limit").is_some() => {
            return Err(refuse("x-lark-rate-limit is not {tier: N}"))
        }
        None => {}
    }
    if let Some(url) = op
        .get("externalDocs")
        .and_then(|d| d.get("url"))
        .and_then(Value::as_str)
    {
        out.insert(text("x-feishu-doc"), text(url));
    }
    let errors = errors(op).map_err(|e| refuse(&e))?;

    // Parameters.
    let mut parameters = Vec::new();
    let mut takes_page_token = false;
    for parameter in op
        .get("parameters")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| refuse("a parameter without a name"))?;
        let place = parameter
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !["path", "query"].contains(&place) {
            return Err(refuse(&format!("parameter {name} in `{place}`")));
        }
        takes_page_token |= name == "page_token" && place == "query";
        let schema = parameter
            .get("schema")
            .ok_or_else(|| refuse(&format!("parameter {name} without a schema")))?;
        if name == "user_id_type" && place == "query" && is_user_id_type(schema) {
            // The shared parameter, keeping the catalogue's required flag.
            let shared_name = match parameter.get("required").and_then(Value::as_bool) {
                Some(true) => "user_id_type_required",
                _ => "user_id_type",
            };
            let mut shared = Mapping::new();
            shared.insert(
                text("$ref"),
                text(&format!("#/components/parameters/{shared_name}")),
            );
            parameters.push(Value::Mapping(shared));
            continue;
        }
        let here = At::new(
            &at,
            format!("{pascal}{}", names::pascal(name)),
            format!("parameter {name}"),
        );
        let converted = components.convert(schema, Side::Request, &here, 0)?;
        let mut p = Mapping::new();
        p.insert(text("name"), text(name));
        p.insert(text("in"), text(place));
        let required = place == "path"
            || parameter
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        p.insert(text("required"), Value::Bool(required));
        p.insert(text("schema"), converted);
        parameters.push(Value::Mapping(p));
    }

    // Request body.
    let mut request_body = None;
    let mut body_takes_token = false;
    if let Some(body) = op.get("requestBody") {
        let content = body
            .get("content")
            .and_then(Value::as_mapping)
            .ok_or_else(|| refuse("a request body without content"))?;
        let [(media, media_object)] = content.iter().collect::<Vec<_>>()[..] else {
            return Err(refuse("a request body with more than one media type"));
        };
        let media = media.as_str().unwrap_or_default();
        let schema = media_object
            .get("schema")
            .ok_or_else(|| refuse("a request body without a schema"))?;
        let key = format!("{} {path}", method.to_uppercase());
        let required = patch
            .get(&key)
            .ok_or_else(|| refuse("a request body without an entry in body-required-patch.json"))?;
        let here = At::new(&at, format!("{pascal}Request"), "body".into());
        let converted = match media {
            JSON => {
                let mut inline = components.convert_inline(schema, Side::Request, &here)?;
                body_takes_token = inline
                    .get("properties")
                    .and_then(|p| p.get("page_token"))
                    .is_some();
                if inline.get("properties").is_some() {
                    restore_required(&mut inline, required).map_err(|e| refuse(&e))?;
                    components.hoist(inline, &here)?
                } else if required.is_empty() {
                    inline
                } else {
                    return Err(refuse(
                        "body-required-patch.json names fields of a body without properties",
                    ));
                }
            }
            MULTIPART => {
                let form = At {
                    binary_ok: true,
                    ..here
                };
                let mut inline = components.convert_inline(schema, Side::Request, &form)?;
                restore_required(&mut inline, required).map_err(|e| refuse(&e))?;
                inline
            }
            other => return Err(refuse(&format!("request body media type `{other}`"))),
        };
        let mut media_out = Mapping::new();
        media_out.insert(text("schema"), converted);
        let mut content_out = Mapping::new();
        content_out.insert(text(media), Value::Mapping(media_out));
        let mut body_out = Mapping::new();
        body_out.insert(
            text("required"),
            Value::Bool(
                body.get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
        );
        body_out.insert(text("content"), Value::Mapping(content_out));
        request_body = Some(body_out);
    }

    // The answer.
    let download = op
        .get("x-lark-file-download")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let response = op
        .get("responses")
        .and_then(|r| r.get("200"))
        .ok_or_else(|| refuse("no 200 response"))?;
    let answers = response
        .get("content")
        .and_then(Value::as_mapping)
        .ok_or_else(|| refuse("a 200 without content"))?;
    if answers.len() != 1 || answers.get(JSON).is_none() {
        return Err(refuse("a 200 that is not only application/json"));
    }
    let mut ok = Mapping::new();
    let mut pagination = Paging::No;
    if download {
        ok.insert(text("description"), text("The file, streamed."));
        let mut schema = Mapping::new();
        schema.insert(text("type"), text("string"));
        schema.insert(text("format"), text("binary"));
        let mut media = Mapping::new();
        media.insert(text("schema"), Value::Mapping(schema));
        let mut content = Mapping::new();
        content.insert(text("application/octet-stream"), Value::Mapping(media));
        ok.insert(text("content"), Value::Mapping(content));
    } else {
        let envelope = answers
            .get(JSON)
            .and_then(|m| m.get("schema"))
            .ok_or_else(|| refuse("a 200 without a schema"))?;
        let flagged = op
            .get("x-lark-pagination")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let request_token = if takes_page_token {
            Some(TokenIn::Query)
        } else if body_takes_token {
            Some(TokenIn::Body)
        } else {
            None
        };
        let (schema, paging) = answer(&at, &pascal, envelope, request_token, flagged, components)?;
        pagination = paging;
        ok.insert(text("description"), text("Success (code 0)."));
        let mut media = Mapping::new();
        media.insert(text("schema"), schema);
        let mut content = Mapping::new();
        content.insert(text(JSON), Value::Mapping(media));
        ok.insert(text("content"), Value::Mapping(content));
    }
    match pagination {
        Paging::Pages {
            items,
            token,
            request,
        } => {
            // Defaults left out: `token: page_token`, `request: query`.
            let mut p = Mapping::new();
            if let Some(items) = items {
                p.insert(text("items"), text(&items));
            }
            if token != "page_token" {
                p.insert(text("token"), text(&token));
            }
            if request == TokenIn::Body {
                p.insert(text("request"), text("body"));
            }
            out.insert(text("x-feishu-pagination"), Value::Mapping(p));
        }
        Paging::Unpaged(why) => {
            out.insert(text("x-feishu-unpaged"), text(&why));
        }
        Paging::No => {}
    }
    if !errors.is_empty() {
        out.insert(text("x-feishu-errors"), Value::Sequence(errors));
    }
    if !parameters.is_empty() {
        out.insert(text("parameters"), Value::Sequence(parameters));
    }
    if let Some(body) = request_body {
        out.insert(text("requestBody"), Value::Mapping(body));
    }
    let mut responses = Mapping::new();
    responses.insert(text("200"), Value::Mapping(ok));
    for class in ["4XX", "5XX"] {
        let mut shared = Mapping::new();
        shared.insert(text("$ref"), text(ERROR_REF));
        responses.insert(text(class), Value::Mapping(shared));
    }
    out.insert(text("responses"), Value::Mapping(responses));
    Ok(Imported {
        id,
        tag,
        operation: out,
    })
}

/// `tenant`, `user`, `app` → security requirements, in that order; no tokens → `[]`.
fn security(op: &Value) -> Result<Value, String> {
    let kinds = list(op, "x-lark-access-tokens")?;
    let mut out = Vec::new();
    for (kind, scheme) in [
        ("tenant", "tenant_access_token"),
        ("user", "user_access_token"),
        ("app", "app_access_token"),
    ] {
        if kinds.iter().any(|k| k.as_str() == Some(kind)) {
            let mut m = Mapping::new();
            m.insert(text(scheme), Value::Sequence(Vec::new()));
            out.push(Value::Mapping(m));
        }
    }
    if let Some(other) = kinds
        .iter()
        .find(|k| !matches!(k.as_str(), Some("tenant" | "user" | "app")))
    {
        return Err(format!("access token kind {other:?}"));
    }
    Ok(Value::Sequence(out))
}

/// A list of strings under `key` (empty when absent).
fn list(op: &Value, key: &str) -> Result<Vec<Value>, String> {
    match op.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Sequence(items)) if items.iter().all(Value::is_string) => Ok(items.clone()),
        Some(other) => Err(format!("{key} is {other:?}, not a list of strings")),
    }
}

fn errors(op: &Value) -> Result<Vec<Value>, String> {
    let mut rows: Vec<Value> = Vec::new();
    for row in op
        .get("x-lark-error-mappings")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let code = row.get("code").and_then(Value::as_i64);
        let http = row.get("httpCode").and_then(Value::as_u64);
        let msg = row.get("msg").and_then(Value::as_str);
        let (Some(code), Some(http), Some(msg)) = (code, http, msg) else {
            return Err(format!("error row {row:?} is not {{code, httpCode, msg}}"));
        };
        let mut m = Mapping::new();
        m.insert(text("http"), Value::from(http));
        m.insert(text("code"), Value::from(code));
        m.insert(text("msg"), text(msg));
        // One row per code: the client looks a code's row up by the code alone, so a second
        // row (a repeat, or the code at another status) would never be read.
        if !rows
            .iter()
            .any(|r| r.get("code") == Some(&Value::from(code)))
        {
            rows.push(Value::Mapping(m));
        }
    }
    Ok(rows)
}

/// The catalogue's `user_id_type` with exactly the three user ID kinds: the shared parameter.
fn is_user_id_type(schema: &Value) -> bool {
    let mut values: Vec<&str> = schema
        .get("enum")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    values.sort_unstable();
    values == ["open_id", "union_id", "user_id"]
}

/// `required` of an object schema := `fields` (each must be a property).
fn restore_required(schema: &mut Value, fields: &[String]) -> Result<(), String> {
    let Some(m) = schema.as_mapping_mut() else {
        return Err("the body is not an object".into());
    };
    let properties = m.get("properties").and_then(Value::as_mapping);
    if let Some(missing) = fields
        .iter()
        .find(|f| properties.is_none_or(|p| !p.contains_key(f.as_str())))
    {
        return Err(format!(
            "body-required-patch.json requires `{missing}`, which is not a body property"
        ));
    }
    m.remove("required");
    if !fields.is_empty() {
        let list = Value::Sequence(fields.iter().map(|f| text(f)).collect());
        // `required` goes before `properties`, as written by hand.
        let props = m.remove("properties");
        m.insert(text("required"), list);
        if let Some(props) = props {
            m.insert(text("properties"), props);
        }
    }
    Ok(())
}
