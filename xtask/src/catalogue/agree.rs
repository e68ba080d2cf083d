//! Facts of the catalogue that the written spec must keep, whatever replaced them on the way (a
//! shared parameter, an overlay entry): checked on every import.

use yaml_serde::{Mapping, Value};

/// The shared parameters every spec gets (`openapi/shared/platform.yaml`).
const PLATFORM: &str = include_str!("../../../openapi/shared/platform.yaml");

/// Whether a parameter of `spec` (inline, or a `$ref` to the spec's or the platform's
/// `components.parameters`) is required, with its name and place.
fn parameter<'v>(spec: &'v Mapping, platform: &'v Value, p: &'v Value) -> Option<&'v Value> {
    let Some(target) = p.get("$ref").and_then(Value::as_str) else {
        return Some(p);
    };
    let name = target.strip_prefix("#/components/parameters/")?;
    spec.get("components")
        .and_then(|c| c.get("parameters"))
        .and_then(|ps| ps.get(name))
        .or_else(|| platform.get("components")?.get("parameters")?.get(name))
}

/// Every parameter the catalogue requires is required in `spec`: an error naming the first
/// operation and parameter that is less required.
pub fn parameters_required(doc: &Value, spec: &Mapping) -> Result<(), String> {
    let platform: Value =
        yaml_serde::from_str(PLATFORM).map_err(|e| format!("shared/platform.yaml: {e}"))?;
    let ours = spec.get("paths").and_then(Value::as_mapping);
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let Some(mine) = ours.and_then(|o| o.get(path)).and_then(|i| i.get(method)) else {
                continue;
            };
            let list = |o: &Value| -> Vec<Value> {
                o.get("parameters")
                    .and_then(Value::as_sequence)
                    .cloned()
                    .unwrap_or_default()
            };
            for theirs in list(op) {
                let name = theirs
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let place = theirs.get("in").and_then(Value::as_str).unwrap_or_default();
                let required = place == "path"
                    || theirs.get("required").and_then(Value::as_bool) == Some(true);
                if !required {
                    continue;
                }
                let mine_list = list(mine);
                let kept = mine_list
                    .iter()
                    .filter_map(|p| parameter(spec, &platform, p))
                    .find(|p| {
                        p.get("name").and_then(Value::as_str) == Some(name)
                            && p.get("in").and_then(Value::as_str) == Some(place)
                    })
                    .is_some_and(|p| p.get("required").and_then(Value::as_bool) == Some(true));
                if !kept {
                    let id = mine
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    return Err(format!(
                        "operation {id} ({} {}): parameter `{name}` ({place}) is required by \
                         the catalogue but not here",
                        method.as_str().unwrap_or_default().to_uppercase(),
                        path.as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    Ok(())
}
