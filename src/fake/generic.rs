//! Every operation of every enabled service, answered from its spec: the operations no plug-in
//! takes (see [`super::plugin`]).
//!
//! For a request it finds the operation by method and path template (`routes` has checked the
//! bearer token against the operation's token kinds by then), then checks, as Feishu would:
//! required path and query parameters and their enums; a JSON body's required fields, their
//! JSON types and enums, and its `x-feishu-rules` with the client's own checker
//! (`crate::rules`); a multipart body's content type. A bad parameter or field is code 99992402
//! `field validation failed` at HTTP 400 with `field_violations` naming it. A request that
//! passes gets the answer [`super::example`] builds from the spec.

use std::sync::OnceLock;

use http::{Method, StatusCode};
use serde_json::Value;

use super::reply::{FieldViolation, Reply};
use super::state::{Core, RecordedRequest};
use crate::runtime::TokenKind;

/// The lookup of a service's generated operation table by operationId.
// `SPECS`: every enabled service, its spec as JSON and the lookup of its operation table,
// written by build.rs.
use crate::SPECS;

/// Feishu's code for a request whose fields fail validation.
const FIELD_VALIDATION_FAILED: i64 = 99992402;

/// One segment of a path template.
enum Segment {
    /// Literal text.
    Text(String),
    /// A `{parameter}`, with the pattern its schema gives it, if any.
    Parameter(Option<regress::Regex>),
}

impl Segment {
    fn matches(&self, actual: &str) -> bool {
        match self {
            Segment::Text(text) => text == actual,
            Segment::Parameter(None) => !actual.is_empty(),
            Segment::Parameter(Some(pattern)) => {
                // A value that breaks the parameter's pattern is not this operation's path.
                pattern
                    .find(actual)
                    .is_some_and(|m| m.range() == (0..actual.len()))
            }
        }
    }
}

/// One operation of a spec.
pub(super) struct Operation {
    /// Its service's name.
    service: &'static str,
    id: String,
    method: Method,
    segments: Vec<Segment>,
    /// Index into [`Catalog::specs`].
    spec: usize,
    op: Value,
    /// Its entry in the generated operation table: token kinds, body rules.
    table: Option<&'static crate::runtime::Operation>,
}

impl Operation {
    /// Its operationId.
    pub(super) fn id(&'static self) -> &'static str {
        &self.id
    }

    /// Its service and operationId, as a fault's [`Endpoint`](super::Endpoint) names them.
    pub(super) fn name(&'static self) -> (&'static str, &'static str) {
        (self.service, &self.id)
    }

    /// The token kinds it accepts (empty: it takes none).
    pub(super) fn tokens(&self) -> &'static [TokenKind] {
        self.table.map_or(&[], |t| t.tokens)
    }
}

struct Catalog {
    specs: Vec<Value>,
    operations: Vec<Operation>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut specs = Vec::new();
        let mut operations = Vec::new();
        for (service, text, table) in SPECS {
            let spec: Value = serde_json::from_str(text).expect("build.rs writes valid JSON");
            for (path, item) in spec["paths"].as_object().into_iter().flatten() {
                for (method, op) in item.as_object().into_iter().flatten() {
                    let Ok(method) = method.to_uppercase().parse::<Method>() else {
                        continue;
                    };
                    let segments = path
                        .split('/')
                        .map(
                            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                                Some(name) => Segment::Parameter(path_pattern(&spec, op, name)),
                                None => Segment::Text(s.to_string()),
                            },
                        )
                        .collect();
                    let id = op["operationId"].as_str().unwrap_or_default().to_string();
                    operations.push(Operation {
                        service,
                        table: table(&id),
                        id,
                        method,
                        segments,
                        spec: specs.len(),
                        op: op.clone(),
                    });
                }
            }
            specs.push(spec);
        }
        Catalog { specs, operations }
    })
}

/// The operation of an enabled service that a request is for.
pub(super) fn find(method: &Method, path: &str) -> Option<&'static Operation> {
    let segments: Vec<&str> = path.split('/').collect();
    catalog().operations.iter().find(|o| {
        o.method == *method
            && o.segments.len() == segments.len()
            && o.segments
                .iter()
                .zip(&segments)
                .all(|(template, actual)| template.matches(actual))
    })
}

/// The service and operationId a request is for, when an enabled service has its operation.
pub(super) fn operation_id(method: &Method, path: &str) -> Option<(&'static str, &'static str)> {
    find(method, path).map(Operation::name)
}

/// The answer of a [`Fault::ServerError`](super::Fault::ServerError) to a request for
/// `operation`: its documented server error (the first `x-feishu-errors` row at HTTP 500), else
/// (no such row, or no operation of an enabled service) a gateway's HTML page at HTTP 500.
pub(super) fn server_error(operation: Option<&Operation>) -> Reply {
    let documented = operation.and_then(|o| {
        o.op["x-feishu-errors"]
            .as_array()?
            .iter()
            .find(|row| row["http"] == 500)
    });
    match documented {
        Some(row) => Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            row["code"].as_i64().unwrap_or_default(),
            row["msg"].as_str().unwrap_or_default(),
        ),
        None => Reply::Html {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: "<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>",
        },
    }
}

/// The answer to a request for `operation` that no plug-in takes.
pub(super) fn answer(core: &mut Core, operation: &Operation, request: &RecordedRequest) -> Reply {
    let spec = &catalog().specs[operation.spec];
    let op = &operation.op;
    let mut violations = Vec::new();
    check_parameters(spec, op, request, &mut violations);
    check_body(spec, op, request, &mut violations);
    if violations.is_empty() {
        check_rules(operation, request, &mut violations);
    }
    if let Some(first) = violations.first() {
        let mut reply = Reply::error(
            StatusCode::BAD_REQUEST,
            FIELD_VALIDATION_FAILED,
            "field validation failed",
        )
        .with_message(format!("{}: {}", first.field, first.description));
        for violation in &violations {
            reply = reply.with_field_violation(violation);
        }
        return reply;
    }
    super::example::success(spec, op, &mut core.ids)
}

/// The body's `x-feishu-rules`, checked by the client's own checker: one violation per field
/// it names.
fn check_rules(
    operation: &Operation,
    request: &RecordedRequest,
    violations: &mut Vec<FieldViolation>,
) {
    let rules = operation.table.map_or(&[][..], |t| t.rules);
    if let Err(broken) = crate::rules::check(rules, &operation.id, &request.body) {
        let body = request.json().unwrap_or_default();
        for field in &broken.fields {
            let value = body.get(field).map(Value::to_string).unwrap_or_default();
            violations.push(FieldViolation::new(field, value, broken.rule.clone()));
        }
    }
}

/// The pattern of the path parameter `name` of `op`, when its schema has one.
fn path_pattern(spec: &Value, op: &Value, name: &str) -> Option<regress::Regex> {
    let parameter = op["parameters"]
        .as_array()?
        .iter()
        .map(|p| follow(spec, p))
        .find(|p| p["in"] == "path" && p["name"] == name)?;
    let pattern = follow(spec, &parameter["schema"])["pattern"].as_str()?;
    regress::Regex::new(pattern).ok()
}

/// `node`, or what its `$ref` (or single-element `allOf`) stands for.
pub(super) fn follow<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(target) => spec.pointer(target.trim_start_matches('#')).unwrap_or(node),
        None => match node.pointer("/allOf/0") {
            Some(inner) if node["allOf"].as_array().is_some_and(|a| a.len() == 1) => {
                follow(spec, inner)
            }
            _ => node,
        },
    }
}

fn check_parameters(
    spec: &Value,
    op: &Value,
    request: &RecordedRequest,
    violations: &mut Vec<FieldViolation>,
) {
    for parameter in op["parameters"].as_array().into_iter().flatten() {
        let parameter = follow(spec, parameter);
        if parameter["in"] != "query" {
            continue;
        }
        let name = parameter["name"].as_str().unwrap_or_default();
        match request.query_param(name) {
            None if parameter["required"] == true => violations.push(FieldViolation {
                field: name.to_string(),
                value: String::new(),
                description: "is required".into(),
            }),
            None => {}
            Some(value) => {
                let schema = follow(spec, &parameter["schema"]);
                if let Some(allowed) = schema["enum"].as_array() {
                    let known = allowed
                        .iter()
                        .any(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string) == value);
                    if !known {
                        violations.push(FieldViolation {
                            field: name.to_string(),
                            value: value.clone(),
                            description: format!(
                                "must be one of {}",
                                Value::Array(allowed.clone())
                            ),
                        });
                    }
                }
            }
        }
    }
}

fn check_body(
    spec: &Value,
    op: &Value,
    request: &RecordedRequest,
    violations: &mut Vec<FieldViolation>,
) {
    let Some(content) = op.pointer("/requestBody/content") else {
        return;
    };
    let content_type = request.header("content-type").unwrap_or_default();
    if content.get("multipart/form-data").is_some() {
        if !content_type.starts_with("multipart/form-data") {
            violations.push(FieldViolation {
                field: "Content-Type".into(),
                value: content_type.to_string(),
                description: "must be multipart/form-data".into(),
            });
        }
        return;
    }
    let Some(schema) = content.pointer("/application~1json/schema") else {
        return;
    };
    match request.json() {
        Some(body) => check_value(spec, follow(spec, schema), &body, "", violations),
        None => violations.push(FieldViolation {
            field: "body".into(),
            value: String::new(),
            description: "must be a JSON object".into(),
        }),
    }
}

/// The JSON type, required fields and enums of `value` against `schema`, recursively.
fn check_value(
    spec: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    violations: &mut Vec<FieldViolation>,
) {
    let mut fail = |description: String| {
        violations.push(FieldViolation {
            field: if at.is_empty() {
                "body".into()
            } else {
                at.to_string()
            },
            value: value.to_string(),
            description,
        })
    };
    let fits = match schema["type"].as_str() {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !fits {
        return fail(format!("must be of type {}", schema["type"]));
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return fail(format!("must be one of {}", Value::Array(allowed.clone())));
        }
    }
    if let Some(object) = value.as_object() {
        for field in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if object.get(field).is_none_or(Value::is_null) {
                let path = if at.is_empty() {
                    field.to_string()
                } else {
                    format!("{at}.{field}")
                };
                violations.push(FieldViolation {
                    field: path,
                    value: String::new(),
                    description: "is required".into(),
                });
            }
        }
        for (name, inner) in object {
            if let Some(property) = schema.pointer(&format!("/properties/{name}")) {
                let path = if at.is_empty() {
                    name.clone()
                } else {
                    format!("{at}.{name}")
                };
                check_value(spec, follow(spec, property), inner, &path, violations);
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, inner) in array.iter().enumerate() {
            check_value(
                spec,
                follow(spec, items),
                inner,
                &format!("{at}[{i}]"),
                violations,
            );
        }
    }
}
