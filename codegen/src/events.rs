//! Event payloads: what a spec declares under `x-feishu-events`, and the generated `events`
//! module of its service.
//!
//! ```yaml
//! x-feishu-events:
//!   - type: im.message.receive_v1      # the event type as the platform spells it
//!     schema: "2.0"                    # its envelope: "2.0" or "1.0"
//!     deprecated: true                 # optional
//!     doc: https://…                   # optional
//!     payload: {$ref: "#/components/schemas/MessageReceiveV1"}
//! ```
//!
//! Each payload is a component schema that progenitor generates like the others (into
//! `types`); an answer-like type: `Deserialize` only ([`crate::trim`]: no operation reaches it).
//! With [`Options::events`](crate::Options::events) the generated code gets
//! `pub mod events`: the payloads and the types only they use, re-exported, each payload
//! implementing `feishu_openapi_events::EventPayload`. Without it the events, and the schemas
//! only they use, are left out before progenitor sees the spec: they cost nothing.

use std::collections::BTreeSet;

use heck::ToPascalCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// The key of the list.
pub const KEY: &str = "x-feishu-events";

/// One declared event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type, `im.message.receive_v1`.
    pub event_type: String,
    /// Whether it comes in the 1.0 envelope (else 2.0).
    pub v1: bool,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Its doc page, if known.
    pub doc: Option<String>,
    /// The component schema of its payload.
    pub payload: String,
}

/// The events `raw` declares, checked: each entry a mapping with a `type`, a `schema` of "2.0"
/// or "1.0" and a `payload` that is a `$ref` to a component schema of the spec; types unique.
pub fn declared(raw: &Value) -> Result<Vec<Event>, String> {
    let Some(list) = raw.get(KEY) else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| format!("{KEY}: not a list"))?;
    let mut out: Vec<Event> = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let at = format!("{KEY}[{i}]");
        let entry = entry
            .as_object()
            .ok_or_else(|| format!("{at}: not a mapping"))?;
        if let Some(unknown) = entry
            .keys()
            .find(|k| !["type", "schema", "deprecated", "doc", "payload"].contains(&k.as_str()))
        {
            return Err(format!("{at}: unknown key `{unknown}`"));
        }
        let event_type = entry
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| {
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            })
            .ok_or_else(|| {
                format!("{at}: `type` must be an event type (letters, digits, `_`, `.`)")
            })?
            .to_string();
        let at = format!("{KEY} {event_type}");
        let v1 = match entry.get("schema").and_then(Value::as_str) {
            Some("2.0") => false,
            Some("1.0") => true,
            _ => return Err(format!("{at}: `schema` must be \"2.0\" or \"1.0\"")),
        };
        let deprecated = match entry.get("deprecated") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(format!("{at}: `deprecated` must be true or false")),
        };
        let doc = match entry.get("doc") {
            None => None,
            Some(Value::String(url)) if url.starts_with("https://") => Some(url.clone()),
            Some(_) => return Err(format!("{at}: `doc` must be an https:// URL")),
        };
        let payload = entry
            .get("payload")
            .and_then(|p| p.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| format!("{at}: `payload` must be a $ref to a component schema"))?;
        let schema = raw
            .pointer("/components/schemas")
            .and_then(|s| s.get(payload))
            .ok_or_else(|| format!("{at}: the payload schema `{payload}` does not exist"))?;
        if schema.get("type").and_then(Value::as_str) != Some("object")
            || schema.get("properties").is_none()
        {
            return Err(format!(
                "{at}: the payload schema `{payload}` must be an object with `properties`"
            ));
        }
        if out.iter().any(|e| e.event_type == event_type) {
            return Err(format!("{at}: declared twice"));
        }
        if let Some(other) = out.iter().find(|e| e.payload == payload) {
            return Err(format!(
                "{at}: the payload `{payload}` is also {}'s (each event needs a type of its own)",
                other.event_type
            ));
        }
        out.push(Event {
            event_type,
            v1,
            deprecated,
            doc,
            payload: payload.to_string(),
        });
    }
    Ok(out)
}

/// The component schemas only the events use: reached from `x-feishu-events` and not from
/// anything else of the spec (paths, parameters, responses).
pub fn event_only_schemas(raw: &Value) -> BTreeSet<String> {
    let mut rest = raw.clone();
    let events = rest
        .as_object_mut()
        .and_then(|r| r.remove(KEY))
        .unwrap_or(Value::Null);
    let schemas = rest
        .pointer_mut("/components/schemas")
        .map(Value::take)
        .unwrap_or(Value::Null);
    let closure = |start: &Value| {
        let mut seen = BTreeSet::new();
        let mut todo = Vec::new();
        refs(start, &mut todo);
        while let Some(name) = todo.pop() {
            if seen.insert(name.clone()) {
                if let Some(schema) = schemas.get(&name) {
                    refs(schema, &mut todo);
                }
            }
        }
        seen
    };
    let used_elsewhere = closure(&rest);
    closure(&events)
        .into_iter()
        .filter(|name| !used_elsewhere.contains(name))
        .collect()
}

fn refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_string());
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Leaves the events and the schemas only they use out of `raw`.
pub fn strip(raw: &mut Value) {
    let only = event_only_schemas(raw);
    if let Some(r) = raw.as_object_mut() {
        r.remove(KEY);
    }
    if let Some(Value::Object(schemas)) = raw.pointer_mut("/components/schemas") {
        schemas.retain(|name, _| !only.contains(name));
    }
}

/// The Rust name progenitor (typify) gives the component schema `name`: its PascalCase (heck's),
/// which differs from the name where a word follows digits (`…V1I18nNames` → `…V1i18nNames`).
pub(crate) fn rust_name(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", name.to_pascal_case())
}

/// The generated `pub mod events` of `service`: the payloads (and the types only events use)
/// re-exported, each payload's `EventPayload`, and the hidden `__EVENTS` (each event type with a
/// decode check of its payload, for the tests).
pub fn module(service: &str, events: &[Event], event_only: &BTreeSet<String>) -> TokenStream {
    let payloads: BTreeSet<&str> = events.iter().map(|e| e.payload.as_str()).collect();
    let reexports = events.iter().map(|event| {
        let ty = rust_name(&event.payload);
        let mut doc = format!(
            "The payload of the event `{}` (schema {}): the `event` object; the envelope is \
             the [`Event`](feishu_openapi_events::Event)'s.",
            event.event_type,
            if event.v1 { "1.0" } else { "2.0" }
        );
        if event.deprecated {
            doc.push_str(" Deprecated by the platform.");
        }
        if let Some(url) = &event.doc {
            doc.push_str(&format!(" [Doc page]({url})."));
        }
        quote! {
            #[doc = #doc]
            pub use super::types::#ty;
        }
    });
    let nested = event_only
        .iter()
        .filter(|name| !payloads.contains(name.as_str()))
        .map(|name| rust_name(name));
    let impls = events.iter().map(|event| {
        let ty = rust_name(&event.payload);
        let event_type = &event.event_type;
        let schema = if event.v1 {
            quote!(V1)
        } else {
            quote!(V2)
        };
        quote! {
            impl ::feishu_openapi_events::EventPayload for super::types::#ty {
                const EVENT_TYPE: &'static str = #event_type;
                const SCHEMA: ::feishu_openapi_events::Schema = ::feishu_openapi_events::Schema::#schema;
            }
        }
    });
    let table = events.iter().map(|event| {
        let ty = rust_name(&event.payload);
        let event_type = &event.event_type;
        let payload = &event.payload;
        quote! { (#event_type, #payload, __decode::<super::types::#ty>) }
    });
    let doc = format!(
        "The events of `{service}`: one payload type per event type, for \
         [`Dispatcher::on`](feishu_openapi_events::Dispatcher::on) (cargo feature `events`). \
         Every field is optional unless the platform marks it required; unknown fields are \
         ignored, and values of listed kinds are plain strings, so a new value never fails."
    );
    quote! {
        #[doc = #doc]
        pub mod events {
            #(#reexports)*
            #[doc(no_inline)]
            pub use super::types::{#(#nested),*};
            #(#impls)*

            /// Each event type with its payload schema's name and a decode check of its payload
            /// (the `event` object as JSON text), for the tests. Not part of the API.
            #[doc(hidden)]
            pub const __EVENTS: &[(&str, &str, fn(&str) -> Result<(), String>)] = &[#(#table),*];

            fn __decode<T: ::serde::de::DeserializeOwned>(json: &str) -> Result<(), String> {
                ::serde_json::from_str::<T>(json).map(drop).map_err(|e| e.to_string())
            }
        }
    }
}
