//! The specs of the enabled services as the generic test harnesses read them: every operation
//! with the values its examples give, sent through the generated hidden `feishu_openapi::__send_from_json`
//! (`tests/conformance.rs`, `tests/fake_generic.rs`).
#![allow(dead_code)]

use std::path::Path;

use feishu_openapi::{Error, FeishuClient};
use serde_json::{json, Map, Value};

/// Parameters by name.
pub type Params = Map<String, Value>;

/// Sends `operation` of `service` with JSON parameters and body through the generated client.
pub async fn send(
    feishu: &FeishuClient,
    service: &str,
    operation: &str,
    params: &Params,
    body: Option<&Value>,
) -> Result<(), Error> {
    feishu_openapi::__send_from_json(feishu, service, operation, params, body)
        .unwrap_or_else(|| panic!("this build has no operation {operation} of {service}"))
        .await
}

/// The services of this build: `auth` always, the others when their feature is on.
pub fn services() -> Vec<&'static str> {
    feishu_openapi::__SERVICES.to_vec()
}

pub fn spec(service: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("openapi/{service}.yaml"));
    feishu_openapi_codegen::spec::load(&path).expect("the spec loads")
}

/// `node`, or what its `$ref` points at.
pub fn follow<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(target) => spec
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{target} resolves")),
        None => node,
    }
}

/// A value for a parameter or property: its example, else its default, else its first enum
/// value, else a value of its type.
pub fn example_of(spec: &Value, holder: &Value) -> Value {
    let schema = holder.get("schema").map_or(holder, |s| follow(spec, s));
    let schema = schema
        .pointer("/allOf/0")
        .map_or(schema, |s| follow(spec, s));
    holder
        .get("example")
        .or_else(|| schema.get("example"))
        .or_else(|| schema.get("default"))
        .or_else(|| schema.pointer("/enum/0"))
        .cloned()
        .unwrap_or_else(|| match schema.get("type").and_then(Value::as_str) {
            Some("integer") => json!(1),
            // Not a whole number: a float goes out as `1.5` whichever way it is written.
            Some("number") => json!(1.5),
            Some("boolean") => json!(true),
            Some("array") => json!([example_of(spec, &schema["items"])]),
            _ => json!("x"),
        })
}

/// A value of `schema` for an operation whose spec gives no example (the operations imported
/// from the catalogue carry none): its example, default or first enum value where it has one,
/// else every property, one array element, and a value of each scalar type.
pub fn synthesize(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = follow(spec, schema);
    let schema = schema
        .pointer("/allOf/0")
        .map_or(schema, |s| follow(spec, s));
    if let Some(value) = schema
        .get("example")
        .or_else(|| schema.get("default"))
        .or_else(|| schema.pointer("/enum/0"))
    {
        return value.clone();
    }
    // Below this depth only what is required is filled in (a body nests up to 14 levels).
    const FULL_DEPTH: usize = 12;
    assert!(depth < 64, "a cycle of required properties");
    match schema.get("type").and_then(Value::as_str) {
        // A map (an empty one is left out of the request): one entry.
        Some("object") if schema.get("properties").is_none() => json!({"key": "x"}),
        Some("object") => {
            let required: Vec<&Value> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            Value::Object(
                schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(name, _)| {
                        depth < FULL_DEPTH || required.iter().any(|r| r.as_str() == Some(name))
                    })
                    .map(|(name, p)| (name.clone(), synthesize(spec, p, depth + 1)))
                    .collect(),
            )
        }
        Some("array") if depth < FULL_DEPTH => {
            json!([synthesize(spec, &schema["items"], depth + 1)])
        }
        Some("array") => json!([]),
        Some("integer") => json!(1),
        // Not a whole number: a float goes out as `1.5` whichever way it is written.
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("string") => json!("x"),
        _ => json!({}),
    }
}

/// One operation of a spec, with the values its examples give.
pub struct Operation {
    pub service: &'static str,
    pub id: String,
    pub method: String,
    pub path: String,
    pub op: Value,
    /// Parameters by name: path and query.
    pub params: Params,
    pub body: Option<Value>,
    pub multipart: bool,
    pub takes_token: bool,
    /// The media type of a file answer, if it is one.
    pub file: Option<String>,
}

pub fn operations(service: &'static str) -> Vec<Operation> {
    let spec = spec(service);
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            let mut params = Params::new();
            for parameter in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let parameter = follow(&spec, parameter);
                let name = parameter["name"].as_str().unwrap();
                if name == "page_token" {
                    continue; // the first page
                }
                params.insert(name.to_string(), example_of(&spec, parameter));
            }
            let content = op.pointer("/requestBody/content");
            let multipart = content.and_then(|c| c.get("multipart/form-data")).is_some();
            let body = content.and_then(|c| {
                if let Some(json) = c.get("application/json") {
                    return Some(
                        json.get("example")
                            .cloned()
                            .unwrap_or_else(|| synthesize(&spec, &json["schema"], 0)),
                    );
                }
                let form = follow(&spec, c.pointer("/multipart~1form-data/schema")?);
                let fields: Map<String, Value> = form["properties"]
                    .as_object()?
                    .iter()
                    .filter(|(_, p)| p.get("format").and_then(Value::as_str) != Some("binary"))
                    .map(|(name, p)| (name.clone(), example_of(&spec, p)))
                    .collect();
                Some(Value::Object(fields))
            });
            let ok = follow(&spec, &op["responses"]["200"]);
            let file = ok["content"]
                .as_object()
                .and_then(|c| c.keys().find(|k| !k.starts_with("application/json")))
                .cloned();
            out.push(Operation {
                service,
                id,
                method: method.to_uppercase(),
                path: path.clone(),
                takes_token: op["security"].as_array().is_some_and(|s| !s.is_empty()),
                op: op.clone(),
                params,
                body,
                multipart,
                file,
            });
        }
    }
    out
}

impl Operation {
    /// Sends the operation with its example parameters and body through `feishu`.
    pub async fn send_with(&self, feishu: &FeishuClient) -> Result<(), Error> {
        send(
            feishu,
            self.service,
            &self.id,
            &self.params,
            self.body.as_ref(),
        )
        .await
    }

    /// The path with its parameters filled in, percent-encoded.
    pub fn expected_path(&self) -> String {
        let mut path = self.path.clone();
        for (name, value) in &self.params {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            // Everything but RFC 3986's unreserved characters is percent-encoded.
            const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            let encoded = percent_encoding::utf8_percent_encode(&text, UNRESERVED).to_string();
            path = path.replace(&format!("{{{name}}}"), &encoded);
        }
        path
    }

    pub fn in_query(&self, name: &str) -> bool {
        !self.path.contains(&format!("{{{name}}}"))
    }
}

/// Each body rule (`x-feishu-rules`) of `operation`, broken by mutating its example: the rule's
/// kind, its fields, and the broken body.
pub fn broken_bodies(spec: &Value, operation: &Operation) -> Vec<(String, Vec<String>, Value)> {
    let Some(schema) = operation
        .op
        .pointer("/requestBody/content/application~1json/schema")
        .map(|s| follow(spec, s))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rule in schema["x-feishu-rules"].as_array().into_iter().flatten() {
        let mut body = operation.body.clone().unwrap();
        let object = body.as_object_mut().unwrap();
        let (kind, fields) = rule.as_object().unwrap().iter().next().unwrap();
        let fields: Vec<String> = fields
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect();
        match kind.as_str() {
            "at-most-one-of" => {
                for field in &fields {
                    let property = follow(spec, &schema["properties"][field.as_str()]);
                    object.insert(field.to_string(), example_of(spec, property));
                }
            }
            "exactly-one-of" => fields.iter().for_each(|f| {
                object.remove(f);
            }),
            "ordered-times" => {
                object.insert(fields[0].to_string(), json!("2000000000"));
                object.insert(fields[1].to_string(), json!("1000000000"));
            }
            other => panic!("{}: no mutation for the rule {other}", operation.id),
        }
        out.push((kind.clone(), fields, body));
    }
    out
}

/// Runs the checks of one operation, keeping their failure (a panic's message, after `at`)
/// instead of ending the walk over every operation: a test reports all failing operations at once
/// with [`no_failures`].
pub async fn checking(
    failures: &mut Vec<String>,
    at: String,
    checks: impl std::future::Future<Output = ()>,
) {
    use futures::FutureExt;
    if let Err(panic) = std::panic::AssertUnwindSafe(checks).catch_unwind().await {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        failures.push(format!("{at}: {message}"));
    }
}

/// Fails with every failure [`checking`] kept, one per line.
pub fn no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} operations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
