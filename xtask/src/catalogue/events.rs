//! The event catalogue (`events/events.json`: the event types of the Node SDK's declarations, as
//! facts) → each service's `x-feishu-events` and the component schemas of its payloads.
//!
//! ```yaml
//! x-feishu-events:
//!   - type: im.message.receive_v1              # the event type as the platform spells it
//!     schema: "2.0"                            # the envelope: "2.0" (header + event) or "1.0"
//!     deprecated: true                         # only when the catalogue marks it
//!     doc: https://…                           # only when known (the overlay adds it)
//!     payload: {$ref: "#/components/schemas/MessageReceiveV1"}   # the `event` object
//! ```
//!
//! Decisions (also in `docs/events.md`), one per known defect of the catalogue:
//! - the payload is the `event` object only: the header (2.0) and the envelope (1.0: `ts`,
//!   `uuid`, `token`, and `type`, `app_id`, `tenant_key` inside `event`) are typed once by the
//!   events crate, so `header_fields` and `v1_fields` are not carried;
//! - `required`: kept for 2.0 (sparse, but the only facts there are); dropped for 1.0 (its
//!   declarations mark every field required, which says nothing); a body field that shadows a
//!   header field (`body_shadows`) is never required (the wire may carry it in the header only);
//! - literal unions (`enum`) are open: the values are kept as `x-feishu-values`, the field is a
//!   plain string, so a value not listed never fails decoding;
//! - `number` stays `type: number` (a float in Rust): it decodes any JSON number, integer or not;
//! - `any`/`unknown` → `{}` (any JSON value); an object without properties → `{}`, except a
//!   payload itself (an empty body), which stays an object without fields;
//! - a tuple (`prefixItems`) is a list: its members' common schema when they are alike (two
//!   `{open_id}` rooms, `[number, number]` pairs), else a list of any JSON values;
//! - names: the payload is the event type without its service, PascalCase
//!   (`im.message.receive_v1` → `MessageReceiveV1`; 1.0: `p2p_chat_create` →
//!   `P2pChatCreateEvent`, see [`payload_name`]); nested
//!   objects `<Payload><Property>`, list elements singular, identical shapes shared (first name
//!   wins), as for operations. Event schemas never share a component with an operation, so a
//!   build without events leaves them all out.

use yaml_serde::{Mapping, Value};

use super::names::{pascal, rust_spelling, singular};
use super::schema::{At, Components};

/// The top-level key of a spec's event list.
pub const KEY: &str = "x-feishu-events";

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// The catalogue's events, in declared order.
pub struct Catalogue {
    /// Each event entry as the catalogue holds it.
    pub events: Vec<serde_json::Value>,
}

/// Reads `events.json`.
pub fn read(text: &str) -> Result<Catalogue, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("events.json: {e}"))?;
    let events = doc
        .get("events")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .ok_or("events.json: no `events` list")?;
    for (i, event) in events.iter().enumerate() {
        for key in ["event_type", "schema", "service", "event"] {
            if event.get(key).is_none() {
                return Err(format!("events.json: events[{i}] has no `{key}`"));
            }
        }
    }
    Ok(Catalogue { events })
}

impl Catalogue {
    /// The service an event belongs to.
    pub fn service(event: &serde_json::Value) -> &str {
        event["service"].as_str().unwrap_or_default()
    }

    /// The events of `service`.
    pub fn of<'c>(&'c self, service: &'c str) -> impl Iterator<Item = &'c serde_json::Value> {
        self.events
            .iter()
            .filter(move |e| Self::service(e) == service)
    }
}

/// The Rust-facing name of an event's payload: a 2.0 type without its service, PascalCase
/// (`im.message.receive_v1` of `im` → `MessageReceiveV1`); a 1.0 type, which has no service
/// part and (but one) no version, PascalCase with `Event` after it (`message` →
/// `MessageEvent`, `leave_approvalV2` → `LeaveApprovalV2Event`), so that it names no
/// operation's schema (im's `Message`).
pub fn payload_name(service: &str, event_type: &str, schema: &str) -> String {
    if schema == "1.0" {
        return format!("{}Event", pascal(event_type));
    }
    let local = event_type
        .strip_prefix(service)
        .and_then(|rest| rest.strip_prefix('.'))
        .unwrap_or(event_type);
    pascal(local)
}

/// Converts the events of `service` into the `x-feishu-events` list, adding their payload
/// schemas to `schemas` (a name an operation's schema already has is an error).
pub fn import(
    service: &str,
    events: &[&serde_json::Value],
    schemas: &mut Mapping,
) -> Result<Vec<Value>, String> {
    // The events' own components: shapes are shared among the service's events, never with
    // its operations.
    let mut components = Components::new(None);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for event in events {
        let event_type = event["event_type"].as_str().unwrap_or_default();
        let place = format!("event {event_type}");
        if !seen.insert(event_type.to_string()) {
            return Err(format!("{place}: declared twice"));
        }
        let schema = match event["schema"].as_str() {
            Some(s @ ("2.0" | "1.0")) => s,
            other => return Err(format!("{place}: schema {other:?}")),
        };
        let shadows: Vec<&str> = event["body_shadows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect();
        let rules = Rules {
            required: schema == "2.0",
            shadows: &shadows,
        };
        let at = At::new(
            &place,
            payload_name(service, event_type, schema),
            "event".into(),
        );
        let body = &event["event"];
        if body["type"] != "object" || body.get("additionalProperties").is_some() {
            return Err(format!(
                "{place}: the event is not an object with properties"
            ));
        }
        let payload = match object(body, &rules, &at, 0, &mut components)? {
            Some(schema) => components.insert_named(schema, &at)?,
            // An empty body: an object without fields (the envelope says everything).
            None => components.insert_named(
                map([
                    ("type", text("object")),
                    ("properties", Value::Mapping(Mapping::new())),
                ]),
                &at,
            )?,
        };
        let mut entry = Mapping::new();
        entry.insert(text("type"), text(event_type));
        entry.insert(text("schema"), text(schema));
        if event["deprecated"].as_bool() == Some(true) {
            entry.insert(text("deprecated"), Value::Bool(true));
        }
        entry.insert(text("payload"), payload);
        out.push(Value::Mapping(entry));
    }
    for (name, schema) in components.schemas {
        if schemas.contains_key(&name) {
            return Err(format!(
                "event schema `{}` has the name of an operation's schema",
                name.as_str().unwrap_or_default()
            ));
        }
        schemas.insert(name, schema);
    }
    Ok(out)
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Mapping(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
}

struct Rules<'r> {
    /// Whether `required` is kept (schema 2.0).
    required: bool,
    /// Body fields that shadow header fields: never required.
    shadows: &'r [&'r str],
}

/// The schema of an object with properties (nested objects hoisted), `None` without any.
fn object(
    node: &serde_json::Value,
    rules: &Rules,
    at: &At,
    depth: usize,
    components: &mut Components,
) -> Result<Option<Value>, String> {
    let Some(properties) = node["properties"].as_object().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let mut converted = Mapping::new();
    for (name, property) in properties {
        let child = At {
            operation: at.operation,
            name: rust_spelling(&format!("{}{}", at.prefix, pascal(name))),
            item_name: rust_spelling(&format!("{}{}", at.prefix, pascal(&singular(name)))),
            prefix: format!("{}{}", at.prefix, pascal(name)),
            path: format!("{}.{name}", at.path),
            binary_ok: false,
        };
        converted.insert(
            text(name),
            convert(property, rules, &child, depth + 1, components)?,
        );
    }
    let mut out = Mapping::new();
    out.insert(text("type"), text("object"));
    if rules.required {
        let required: Vec<Value> = node["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .filter(|f| converted.contains_key(*f))
            .filter(|f| depth > 0 || !rules.shadows.contains(f))
            .map(text)
            .collect();
        if !required.is_empty() {
            out.insert(text("required"), Value::Sequence(required));
        }
    }
    out.insert(text("properties"), Value::Mapping(converted));
    Ok(Some(Value::Mapping(out)))
}

/// Converts one node of the catalogue's schema tree; objects with properties become a `$ref` to
/// a component named `at.name`.
fn convert(
    node: &serde_json::Value,
    rules: &Rules,
    at: &At,
    depth: usize,
    components: &mut Components,
) -> Result<Value, String> {
    let refuse = |what: String| format!("{}: {}: {what}", at.operation, at.path);
    if depth > 40 {
        return Err(refuse("nesting deeper than 40 levels".into()));
    }
    if node.get("x-ts-type").is_some() {
        // `any` / `unknown`: the source gives no type.
        return Ok(Value::Mapping(Mapping::new()));
    }
    let kind = node["type"].as_str().unwrap_or_default();
    if let Some(unknown) = node
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .find(|k| !KNOWN.contains(k))
    {
        return Err(refuse(format!("keyword `{unknown}`")));
    }
    Ok(match kind {
        "string" => match node.get("enum") {
            // Open: a value not listed must never fail decoding.
            Some(values) => {
                let values = values
                    .as_array()
                    .filter(|v| !v.is_empty() && v.iter().all(serde_json::Value::is_string))
                    .ok_or_else(|| refuse(format!("enum {values} on a string")))?;
                let values = values.iter().filter_map(|v| v.as_str()).map(text).collect();
                map([
                    ("type", text("string")),
                    ("x-feishu-values", Value::Sequence(values)),
                ])
            }
            None => map([("type", text("string"))]),
        },
        "number" | "boolean" if node.get("enum").is_none() => map([("type", text(kind))]),
        "array" => {
            let child = At::new(
                at.operation,
                rust_spelling(&at.item_name),
                format!("{}[]", at.path),
            );
            let items = match (node.get("items"), node["prefixItems"].as_array()) {
                (Some(items), None) => convert(items, rules, &child, depth + 1, components)?,
                // A tuple from samples is a list: of its members' schema when they are alike.
                (None, Some(members)) => {
                    let mut converted = Vec::new();
                    for member in members {
                        converted.push(convert(member, rules, &child, depth + 1, components)?);
                    }
                    match converted.split_first() {
                        Some((first, rest)) if rest.iter().all(|m| m == first) => first.clone(),
                        _ => Value::Mapping(Mapping::new()),
                    }
                }
                _ => return Err(refuse("an array without items".into())),
            };
            map([("type", text("array")), ("items", items)])
        }
        "object" => {
            if let Some(values) = node.get("additionalProperties") {
                let child = At::new(
                    at.operation,
                    rust_spelling(&at.item_name),
                    format!("{}{{}}", at.path),
                );
                let values = convert(values, rules, &child, depth + 1, components)?;
                return Ok(map([
                    ("type", text("object")),
                    ("additionalProperties", values),
                ]));
            }
            match object(node, rules, at, depth, components)? {
                Some(schema) => components.hoist(schema, at)?,
                None => Value::Mapping(Mapping::new()),
            }
        }
        other => return Err(refuse(format!("type `{other}`"))),
    })
}

/// The keywords a node of the event catalogue may have.
const KNOWN: &[&str] = &[
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "additionalProperties",
    "prefixItems",
    "minItems",
    "maxItems",
];
