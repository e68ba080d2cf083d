//! The 200 answer of an imported operation: the platform's envelope `{code, msg, data}` as
//! `<Op>Response`, `data` as `<Op>ResponseData`, and, for a paginated operation, the array field
//! of `data` that holds the items.

use yaml_serde::{Mapping, Value};

use super::schema::{reference, At, Components, Side};

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// The component a `$ref` names.
fn target<'c>(components: &'c mut Components, reference: &Value) -> Option<&'c mut Mapping> {
    let name = reference
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")?;
    components.schemas.get_mut(name)?.as_mapping_mut()
}

/// The 200's envelope `{code, msg, data}` as `<Op>Response`, with `data` as `<Op>ResponseData`;
/// for a paginated operation also the array field of `data` that holds the items.
pub fn answer(
    at: &str,
    pascal: &str,
    envelope: &Value,
    paginated: bool,
    components: &mut Components,
) -> Result<(Value, Option<String>), String> {
    let properties = envelope
        .get("properties")
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    if let Some(other) = properties
        .keys()
        .filter_map(Value::as_str)
        .find(|k| !["code", "msg", "data"].contains(k))
    {
        return Err(format!(
            "{at}: a 200 with `{other}` beside the envelope's code, msg and data"
        ));
    }
    let data = match properties.get("data") {
        Some(data) => {
            let here = At {
                prefix: pascal.to_string(),
                ..At::new(at, format!("{pascal}ResponseData"), "data".into())
            };
            Some(components.convert(data, Side::Response, &here, 0)?)
        }
        None => None,
    };
    let items = match (&data, paginated) {
        (Some(data), true) => list_field(components, data),
        _ => None,
    };
    let mut required = vec![text("code"), text("msg")];
    if items.is_some() {
        required.push(text("data"));
    }
    let mut code = Mapping::new();
    code.insert(text("type"), text("integer"));
    code.insert(text("format"), text("int64"));
    let mut msg = Mapping::new();
    msg.insert(text("type"), text("string"));
    let mut props = Mapping::new();
    props.insert(text("code"), Value::Mapping(code));
    props.insert(text("msg"), Value::Mapping(msg));
    if let Some(data) = data {
        props.insert(text("data"), data);
    }
    let mut schema = Mapping::new();
    schema.insert(text("type"), text("object"));
    schema.insert(text("required"), Value::Sequence(required));
    schema.insert(text("properties"), Value::Mapping(props));
    let name = format!("{pascal}Response");
    if components.schemas.contains_key(name.as_str()) {
        return Err(format!("{at}: a schema is already named {name}"));
    }
    components
        .schemas
        .insert(text(&name), Value::Mapping(schema));
    Ok((reference(&name), items))
}

/// The array-of-objects field of a paginated answer's `data`: `items` if there is one, else the
/// only such field that is not `deleted_…`; `None` when there is none or more than one, or when
/// `data` lacks `has_more` and `page_token`.
fn list_field(components: &mut Components, data: &Value) -> Option<String> {
    let data = target(components, data)?.clone();
    let props = data.get("properties")?.as_mapping()?;
    if props.get("has_more").is_none() || props.get("page_token").is_none() {
        return None;
    }
    let arrays: Vec<&str> = props
        .iter()
        .filter(|(_, p)| {
            p.get("type").and_then(Value::as_str) == Some("array")
                && p.get("items").and_then(|i| i.get("$ref")).is_some()
        })
        .filter_map(|(k, _)| k.as_str())
        .collect();
    if arrays.contains(&"items") {
        return Some("items".into());
    }
    let kept: Vec<&str> = arrays
        .into_iter()
        .filter(|a| !a.starts_with("deleted_"))
        .collect();
    match kept[..] {
        [only] => Some(only.to_string()),
        _ => None,
    }
}
