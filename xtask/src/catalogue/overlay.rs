//! Hand knowledge on top of the imported facts: `openapi/overlay/<project>.yaml`, keyed by
//! operationId, tag and schema name (never by position), applied by the importer.
//!
//! ```yaml
//! info: {title: …, description: …}         # keys replace the imported info's
//! tags: {vc.export: <description>}         # descriptions of imported tags
//! operations:
//!   export_meeting_list:                   # an imported operationId
//!     x-feishu-scopes: ["vc:export"]       # each key replaces the imported value; null removes it
//!     requestBody: {…}
//! schemas:
//!   MeetingStatus: {…}                     # replaces the imported schema of that name, or adds one
//! events:
//!   remedy_approval:                       # an imported event type (x-feishu-events)
//!     payload: {$ref: …}                   # each key replaces the imported value; null removes it
//!     doc: https://…
//! ```
//!
//! An entry that targets nothing is an error (an operationId or tag the import does not have, an
//! added schema nothing refers to), so a renamed operation in a newer catalogue is noticed.
//! After the overlay, schemas nothing refers to are dropped ([`prune`]).

use std::collections::BTreeSet;

use yaml_serde::{Mapping, Value};

/// The order of an operation's keys in the output, as written by hand; others follow.
const OPERATION_ORDER: &[&str] = &[
    "operationId",
    "tags",
    "summary",
    "description",
    "security",
    "x-feishu-scopes",
    "x-feishu-no-scope-needed",
    "x-feishu-field-scopes",
    "x-feishu-permissions",
    "x-feishu-app-types",
    "x-feishu-rate-limit",
    "x-feishu-doc",
    "x-feishu-pagination",
    "x-feishu-unpaged",
    "x-feishu-errors",
    "parameters",
    "requestBody",
    "responses",
];

const SECTIONS: &[&str] = &["info", "tags", "operations", "schemas", "events"];

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn section<'v>(layer: &'v Value, name: &str) -> Result<Option<&'v Mapping>, String> {
    match layer.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Mapping(m)) => Ok(Some(m)),
        Some(_) => Err(format!("{name}: not a mapping")),
    }
}

/// Applies the overlay `layer` to the imported `spec`.
pub fn apply(spec: &mut Mapping, layer: &Value) -> Result<(), String> {
    let Some(top) = layer.as_mapping() else {
        return Err("the overlay is not a mapping".into());
    };
    if let Some(unknown) = top
        .keys()
        .filter_map(Value::as_str)
        .find(|k| !SECTIONS.contains(k))
    {
        return Err(format!(
            "unknown section `{unknown}` (expected {})",
            SECTIONS.join(", ")
        ));
    }
    if let Some(info) = section(layer, "info")? {
        if let Some(Value::Mapping(target)) = spec.get_mut("info") {
            for (k, v) in info {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(tags) = section(layer, "tags")? {
        let declared = spec.get_mut("tags").and_then(Value::as_sequence_mut);
        let declared = declared.ok_or("the import declares no tags")?;
        for (name, description) in tags {
            let tag = declared
                .iter_mut()
                .find(|t| t.get("name") == Some(name))
                .and_then(Value::as_mapping_mut)
                .ok_or_else(|| {
                    format!(
                        "tags.{}: the import has no such tag",
                        name.as_str().unwrap_or("?")
                    )
                })?;
            tag.insert(text("description"), description.clone());
        }
    }
    if let Some(operations) = section(layer, "operations")? {
        for (id, changes) in operations {
            let id = id.as_str().unwrap_or_default();
            let changes = changes
                .as_mapping()
                .ok_or_else(|| format!("operations.{id}: not a mapping"))?;
            let op = find_operation(spec, id).ok_or_else(|| {
                format!("operations.{id}: the import has no operation `{id}` (renamed in the catalogue?)")
            })?;
            for (key, value) in changes {
                if value.is_null() {
                    if op.remove(key).is_none() {
                        return Err(format!(
                            "operations.{id}.{}: removes nothing",
                            key.as_str().unwrap_or("?")
                        ));
                    }
                } else {
                    op.insert(key.clone(), value.clone());
                }
            }
            order(op);
        }
    }
    if let Some(events) = section(layer, "events")? {
        for (event_type, changes) in events {
            let event_type = event_type.as_str().unwrap_or_default();
            let changes = changes
                .as_mapping()
                .ok_or_else(|| format!("events.{event_type}: not a mapping"))?;
            let entry = spec
                .get_mut(super::events::KEY)
                .and_then(Value::as_sequence_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_mapping_mut)
                .find(|e| e.get("type").and_then(Value::as_str) == Some(event_type))
                .ok_or_else(|| {
                    format!("events.{event_type}: the import has no event `{event_type}`")
                })?;
            for (key, value) in changes {
                if value.is_null() {
                    if entry.remove(key).is_none() {
                        return Err(format!(
                            "events.{event_type}.{}: removes nothing",
                            key.as_str().unwrap_or("?")
                        ));
                    }
                } else {
                    entry.insert(key.clone(), value.clone());
                }
            }
            // `payload` stays last, as imported.
            if let Some(payload) = entry.remove("payload") {
                entry.insert(text("payload"), payload);
            }
        }
    }
    let mut added = Vec::new();
    if let Some(schemas) = section(layer, "schemas")? {
        let target = spec
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .and_then(Value::as_mapping_mut)
            .ok_or("the import has no components.schemas")?;
        for (name, schema) in schemas {
            if !target.contains_key(name) {
                added.push(name.as_str().unwrap_or_default().to_string());
            }
            target.insert(name.clone(), schema.clone());
        }
    }
    let used = reachable(spec);
    if let Some(unused) = added.iter().find(|n| !used.contains(*n)) {
        return Err(format!("schemas.{unused}: added, but nothing refers to it"));
    }
    Ok(())
}

fn find_operation<'s>(spec: &'s mut Mapping, id: &str) -> Option<&'s mut Mapping> {
    let paths = spec.get_mut("paths")?.as_mapping_mut()?;
    paths
        .values_mut()
        .filter_map(Value::as_mapping_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_mapping_mut)
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id))
}

/// Puts an operation's keys in the hand-written order.
fn order(op: &mut Mapping) {
    let mut sorted = Mapping::new();
    for key in OPERATION_ORDER {
        if let Some(value) = op.remove(*key) {
            sorted.insert(text(key), value);
        }
    }
    for (k, v) in std::mem::take(op) {
        sorted.insert(k, v);
    }
    *op = sorted;
}

/// The component schemas referred to from the paths or the events, directly or through other
/// schemas.
pub fn reachable(spec: &Mapping) -> BTreeSet<String> {
    let schemas = spec
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping);
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    refs(spec.get("paths").unwrap_or(&Value::Null), &mut todo);
    refs(
        spec.get(super::events::KEY).unwrap_or(&Value::Null),
        &mut todo,
    );
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = schemas.and_then(|s| s.get(name.as_str())) {
                refs(schema, &mut todo);
            }
        }
    }
    seen
}

/// Puts the component schemas only events use after the operations' (in their order), so that
/// the events' schemas follow the operations' and the overlay's.
pub fn events_last(spec: &mut Mapping) {
    let mut operations_only = spec.clone();
    operations_only.remove(super::events::KEY);
    let used = reachable(&operations_only);
    if let Some(Value::Mapping(schemas)) = spec
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
    {
        let (first, last): (Vec<_>, Vec<_>) = std::mem::take(schemas)
            .into_iter()
            .partition(|(name, _)| name.as_str().is_some_and(|n| used.contains(n)));
        schemas.extend(first);
        schemas.extend(last);
    }
}

fn refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Mapping(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_string());
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Sequence(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Drops the component schemas nothing refers to (imported ones the overlay replaced by hand
/// names, such as a response envelope several operations share).
pub fn prune(spec: &mut Mapping) {
    let used = reachable(spec);
    if let Some(Value::Mapping(schemas)) = spec
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
    {
        schemas.retain(|name, _| name.as_str().is_some_and(|n| used.contains(n)));
    }
}
