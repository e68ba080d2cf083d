//! The 200 answer of an imported operation: the platform's envelope `{code, msg, data}` as
//! `<Op>Response`, `data` as `<Op>ResponseData`, and whether the operation pages ([`Paging`]),
//! decided by shape: a page token the request can carry and one the answer gives back.

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

/// Where a request carries `page_token`: a query parameter, or a top-level field of its JSON
/// body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenIn {
    /// The query parameter `page_token`.
    Query,
    /// The body's field `page_token`.
    Body,
}

/// How an operation pages, as its spec will say (`x-feishu-pagination`).
#[derive(Debug, PartialEq, Eq)]
pub enum Paging {
    /// It does not.
    No,
    /// `pages()`, and `items()` when `items` names the page's one list.
    Pages {
        /// The array field of `data` holding the page's items, if there is exactly one.
        items: Option<String>,
        /// The field of `data` holding the next page's token (`page_token`,
        /// `next_page_token`).
        token: String,
        /// Where the request carries the token.
        request: TokenIn,
    },
    /// The catalogue flags it paginated, but it cannot be paged: why.
    Unpaged(String),
}

/// The 200's envelope `{code, msg, data}` as `<Op>Response`, with `data` as `<Op>ResponseData`,
/// read through `$ref`s and one-member `allOf`s; and how the operation pages, given where its
/// request can carry a page token and whether the catalogue flags it.
pub fn answer(
    at: &str,
    pascal: &str,
    envelope: &Value,
    request_token: Option<TokenIn>,
    flagged: bool,
    components: &mut Components,
) -> Result<(Value, Paging), String> {
    let whole = At::new(at, format!("{pascal}Response"), "answer".into());
    let properties = components
        .resolve(envelope, &whole)?
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
    let data_fields = data
        .as_ref()
        .and_then(|d| target(components, d))
        .and_then(|d| d.get("properties"))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let paging = paging(&data_fields, request_token, flagged);
    let mut required = vec![text("code"), text("msg")];
    if matches!(paging, Paging::Pages { .. }) {
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
    Ok((reference(&name), paging))
}

/// The answer's token field: `page_token`, else `next_page_token`, a string.
const ANSWER_TOKENS: &[&str] = &["page_token", "next_page_token"];

/// Pages when the request can carry a token and `data` gives one back (whatever the catalogue's
/// flag says); a flagged operation that cannot is [`Paging::Unpaged`], with the reason.
fn paging(data: &Mapping, request: Option<TokenIn>, flagged: bool) -> Paging {
    let token = ANSWER_TOKENS.iter().find(|t| {
        data.get(**t)
            .and_then(|f| f.get("type"))
            .and_then(Value::as_str)
            == Some("string")
    });
    match (request, token) {
        (Some(request), Some(token)) => Paging::Pages {
            items: list_field(data),
            token: token.to_string(),
            request,
        },
        _ if !flagged => Paging::No,
        (None, _) => Paging::Unpaged(
            "flagged paginated by the catalogue, but the request has no `page_token`".into(),
        ),
        (Some(_), None) => Paging::Unpaged(
            "flagged paginated by the catalogue, but the answer's `data` has no string \
             `page_token` or `next_page_token`"
                .into(),
        ),
    }
}

/// The list of a page: the array field of `data` named `items` if there is one, else its only
/// array field not named `deleted_…`; `None` when there is none or more than one. Its elements
/// are objects (a named schema) or strings.
fn list_field(data: &Mapping) -> Option<String> {
    let arrays: Vec<&str> = data
        .iter()
        .filter(|(_, p)| {
            let items = p.get("items");
            p.get("type").and_then(Value::as_str) == Some("array")
                && (items.and_then(|i| i.get("$ref")).is_some()
                    || items.and_then(|i| i.get("type")).and_then(Value::as_str) == Some("string"))
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
