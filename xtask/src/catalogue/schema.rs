//! Catalogue schemas → this crate's schemas: facts kept (types, formats, `required`, enum
//! values), prose dropped (`description`, `example`, `x-enum-descriptions`), the catalogue's
//! defects repaired, and every object with properties hoisted into a component schema named from
//! the operation and the property path.
//!
//! Decisions (also in `docs/importing-the-catalogue.md`):
//! - `$ref` and one-member `allOf` are followed and inlined, then named here: the catalogue's
//!   own component names (`Schema`, `Data2`) carry no meaning. Two places with the very same
//!   converted shape share one component (the first name given wins).
//! - `type: string, format: int64` stays a string (ids and unix times are sent as strings);
//!   `x-lark-original-type: int64` on a string is a number (`integer`, `int64`): the wire sends
//!   those fields as JSON numbers (the docs' examples, the Go SDK's `*int64`).
//! - `x-lark-original-type: map` → `{type: object, additionalProperties: {}}` (the value type is
//!   not stated, so any JSON value); `x-lark-original-type: union` → `{}` (any JSON value).
//! - An object without properties → `{}`, a free-form JSON value.
//! - Boolean enums are dropped (`[true, false]` says nothing; one catalogue enum is
//!   `[true, 'fasle']`).
//! - `default` is dropped: it is the server's default, and progenitor would send it on every
//!   request.
//! - Request side: `required` and `enum` are kept (strict). Response side: no `required`, no
//!   `enum` (the values are kept as `x-feishu-values`, which nothing checks): a field Feishu
//!   leaves out, or a new enum value, must never fail decoding.
//! - Anything else (another `x-lark-original-type`, `oneOf`, an unknown keyword or type) is
//!   refused, naming the operation and the construct.

use std::collections::HashMap;

use yaml_serde::{Mapping, Value};

use super::names::{pascal, singular};

/// Which way a schema travels: requests stay strict, responses are tolerant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// A request body or a parameter.
    Request,
    /// A response body.
    Response,
}

/// The component schemas of one imported spec, built while its operations are converted.
pub struct Components<'a> {
    /// The catalogue file's `components.schemas`, which `$ref`s point into.
    catalogue: Option<&'a Mapping>,
    /// The components made so far, in the order they were named.
    pub schemas: Mapping,
    /// The YAML text of each component's schema → its name, to share identical shapes.
    shapes: HashMap<String, String>,
}

/// Where a schema is: the operation (for messages) and the name its hoisted objects take.
pub struct At<'s> {
    /// `operation export_meeting_list (POST /open-apis/…)`.
    pub operation: &'s str,
    /// The component name for this place (`ExportMeetingListRequest`, `ChatListItem`).
    pub name: String,
    /// The name the elements take if this place is an array (`ChatListItem` for `items`).
    pub item_name: String,
    /// What the names of its properties' schemas start with (usually `name`; the operation's
    /// name for the answer's `data`, so that `data.items[]` is `ChatListItem`).
    pub prefix: String,
    /// The path inside the body, for messages (`body.filter.user_ids[]`).
    pub path: String,
    /// Whether `format: binary` is allowed here (the top-level fields of a multipart body).
    pub binary_ok: bool,
}

impl<'s> At<'s> {
    fn refuse(&self, construct: impl std::fmt::Display) -> String {
        format!("{}: {}: {construct}", self.operation, self.path)
    }

    /// A place named `name` whose array elements would be `<name>Item`.
    pub fn new(operation: &'s str, name: String, path: String) -> Self {
        At {
            operation,
            item_name: format!("{name}Item"),
            prefix: name.clone(),
            name,
            path,
            binary_ok: false,
        }
    }
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Mapping(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
}

/// `{$ref: "#/components/schemas/<name>"}`.
pub fn reference(name: &str) -> Value {
    map([("$ref", text(&format!("#/components/schemas/{name}")))])
}

impl<'a> Components<'a> {
    /// Components for one catalogue file, whose `components.schemas` is `catalogue`.
    pub fn new(catalogue: Option<&'a Mapping>) -> Self {
        Self {
            catalogue,
            schemas: Mapping::new(),
            shapes: HashMap::new(),
        }
    }

    /// Names `schema` `name` (or the name an identical shape already has) and returns a `$ref`
    /// to it. Two different shapes wanting one name is an error naming both places.
    pub fn hoist(&mut self, schema: Value, at: &At) -> Result<Value, String> {
        let shape = yaml_serde::to_string(&schema).map_err(|e| at.refuse(e))?;
        if let Some(name) = self.shapes.get(&shape) {
            return Ok(reference(name));
        }
        let key = text(&at.name);
        if self.schemas.contains_key(&key) {
            return Err(at.refuse(format!(
                "two different schemas would both be named `{}`",
                at.name
            )));
        }
        self.schemas.insert(key, schema);
        self.shapes.insert(shape, at.name.clone());
        Ok(reference(&at.name))
    }

    /// Names `schema` `at.name` whatever shapes exist (an event's payload is a type of its own,
    /// even when another event's body has the same shape) and returns a `$ref` to it.
    pub fn insert_named(&mut self, schema: Value, at: &At) -> Result<Value, String> {
        let key = text(&at.name);
        if self.schemas.contains_key(&key) {
            return Err(at.refuse(format!(
                "two different schemas would both be named `{}`",
                at.name
            )));
        }
        self.schemas.insert(key, schema);
        Ok(reference(&at.name))
    }

    /// Converts one catalogue schema; objects with properties come back as a `$ref` to a new
    /// component named `at.name`.
    pub fn convert(
        &mut self,
        node: &Value,
        side: Side,
        at: &At,
        depth: usize,
    ) -> Result<Value, String> {
        let object = self.object_of(node, side, at, depth)?;
        match object {
            Converted::Object(schema) => self.hoist(schema, at),
            Converted::Inline(schema) => Ok(schema),
        }
    }

    /// Converts an object schema's properties and `required` without hoisting it (request bodies
    /// of multipart forms stay inline, as the upload support reads them).
    pub fn convert_inline(&mut self, node: &Value, side: Side, at: &At) -> Result<Value, String> {
        match self.object_of(node, side, at, 0)? {
            Converted::Object(schema) | Converted::Inline(schema) => Ok(schema),
        }
    }

    /// `node` with its `$ref`s and one-member `allOf`s followed, for places that read a
    /// catalogue schema's keywords without converting it (the answer's envelope).
    pub fn resolve<'n>(&self, node: &'n Value, at: &At) -> Result<&'n Value, String>
    where
        'a: 'n,
    {
        let mut node = self.follow(node, at)?;
        for _ in 0..40 {
            match node
                .get("allOf")
                .and_then(Value::as_sequence)
                .map(Vec::as_slice)
            {
                Some([only]) => node = self.follow(only, at)?,
                _ => return Ok(node),
            }
        }
        Err(at.refuse("`$ref`s and `allOf`s nested deeper than 40 levels"))
    }

    fn follow<'n>(&self, node: &'n Value, at: &At) -> Result<&'n Value, String>
    where
        'a: 'n,
    {
        let Some(target) = node.get("$ref") else {
            return Ok(node);
        };
        let name = target
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| at.refuse(format!("$ref {target:?} is not a local component schema")))?;
        self.catalogue
            .and_then(|c| c.get(name))
            .ok_or_else(|| at.refuse(format!("$ref to {name}, which does not exist")))
    }

    fn object_of(
        &mut self,
        node: &Value,
        side: Side,
        at: &At,
        depth: usize,
    ) -> Result<Converted, String> {
        if depth > 40 {
            return Err(at.refuse("schema nesting deeper than 40 levels"));
        }
        let node = self.follow(node, at)?;
        let Some(s) = node.as_mapping() else {
            return Err(at.refuse("a schema that is not a mapping"));
        };
        if let Some(all_of) = s.get("allOf") {
            let parts = all_of.as_sequence().map(Vec::as_slice).unwrap_or_default();
            let [only] = parts else {
                return Err(at.refuse(format!("allOf with {} members", parts.len())));
            };
            if let Some(extra) = keys(s).find(|k| !["allOf", "description", "example"].contains(k))
            {
                return Err(at.refuse(format!("allOf beside `{extra}`")));
            }
            return self.object_of(only, side, at, depth + 1);
        }
        if let Some(unknown) = keys(s).find(|k| !KNOWN.contains(k)) {
            return Err(at.refuse(format!("schema keyword `{unknown}`")));
        }
        if let Some(original) = s.get("x-lark-original-type") {
            match original.as_str() {
                Some("map") => {
                    return Ok(Converted::Inline(map([
                        ("type", text("object")),
                        ("additionalProperties", Value::Mapping(Mapping::new())),
                    ])))
                }
                Some("union") => return Ok(Converted::Inline(Value::Mapping(Mapping::new()))),
                // The wire carries these as JSON numbers (the catalogue keeps the type the
                // SDKs generate from, `int64`, beside a `string` that is wrong for them).
                Some("int64") if s.get("type").and_then(Value::as_str) == Some("string") => {
                    return Ok(Converted::Inline(map([
                        ("type", text("integer")),
                        ("format", text("int64")),
                    ])))
                }
                _ => return Err(at.refuse(format!("x-lark-original-type {original:?}"))),
            }
        }
        let kind = s
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| at.refuse("a schema without a type"))?;
        let mut out = Mapping::new();
        out.insert(text("type"), text(kind));
        match kind {
            "string" => {
                match s.get("format").and_then(Value::as_str) {
                    None => {}
                    Some("int64") => {
                        out.insert(text("format"), text("int64"));
                    }
                    Some("binary") if at.binary_ok => {
                        out.insert(text("format"), text("binary"));
                    }
                    Some(other) => return Err(at.refuse(format!("string format `{other}`"))),
                }
                self.enum_values(s, side, at, &mut out, Value::is_string)?;
            }
            "integer" | "number" => {
                if let Some(format) = s.get("format") {
                    return Err(at.refuse(format!("{kind} format {format:?}")));
                }
                let ok = if kind == "integer" {
                    Value::is_i64
                } else {
                    Value::is_number
                };
                self.enum_values(s, side, at, &mut out, ok)?;
            }
            "boolean" => {}
            "array" => {
                let items = s
                    .get("items")
                    .ok_or_else(|| at.refuse("an array without items"))?;
                let child = At::new(at.operation, at.item_name.clone(), format!("{}[]", at.path));
                out.insert(text("items"), self.convert(items, side, &child, depth + 1)?);
            }
            "object" => {
                let properties = s.get("properties").and_then(Value::as_mapping);
                let Some(properties) = properties.filter(|p| !p.is_empty()) else {
                    return Ok(Converted::Inline(Value::Mapping(Mapping::new())));
                };
                let mut converted = Mapping::new();
                for (name, property) in properties {
                    let name = name
                        .as_str()
                        .ok_or_else(|| at.refuse("a property name that is not a string"))?;
                    let child = At {
                        operation: at.operation,
                        name: format!("{}{}", at.prefix, pascal(name)),
                        item_name: format!("{}{}", at.prefix, pascal(&singular(name))),
                        prefix: format!("{}{}", at.prefix, pascal(name)),
                        path: format!("{}.{name}", at.path),
                        binary_ok: at.binary_ok,
                    };
                    converted.insert(text(name), self.convert(property, side, &child, depth + 1)?);
                }
                if side == Side::Request {
                    let required: Vec<Value> = s
                        .get("required")
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                        .filter(|f| f.as_str().is_some_and(|f| converted.contains_key(f)))
                        .cloned()
                        .collect();
                    if !required.is_empty() {
                        out.insert(text("required"), Value::Sequence(required));
                    }
                }
                out.insert(text("properties"), Value::Mapping(converted));
                return Ok(Converted::Object(Value::Mapping(out)));
            }
            other => return Err(at.refuse(format!("type `{other}`"))),
        }
        Ok(Converted::Inline(Value::Mapping(out)))
    }

    /// Copies `enum` (request side) or its values as `x-feishu-values` (response side).
    fn enum_values(
        &self,
        s: &Mapping,
        side: Side,
        at: &At,
        out: &mut Mapping,
        ok: fn(&Value) -> bool,
    ) -> Result<(), String> {
        let Some(values) = s.get("enum") else {
            return Ok(());
        };
        let values = values
            .as_sequence()
            .filter(|v| !v.is_empty() && v.iter().all(ok))
            .ok_or_else(|| at.refuse(format!("enum {values:?} does not match its type")))?;
        let key = match side {
            Side::Request => "enum",
            Side::Response => "x-feishu-values",
        };
        out.insert(text(key), Value::Sequence(values.clone()));
        Ok(())
    }
}

/// The keywords a catalogue schema may have (besides `allOf`, handled first).
const KNOWN: &[&str] = &[
    "type",
    "format",
    "properties",
    "items",
    "required",
    "enum",
    "x-lark-original-type",
    "$ref",
    "description",
    "example",
    "x-enum-descriptions",
    "default",
    "x-lark-id-types",
];

fn keys(s: &Mapping) -> impl Iterator<Item = &str> {
    s.keys().filter_map(Value::as_str)
}

/// A converted schema: an object to hoist, or something written in place.
enum Converted {
    Object(Value),
    Inline(Value),
}
