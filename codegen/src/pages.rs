//! Pagination: `pages()` and `items()` for every operation with `x-feishu-pagination`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::tokens::pascal;

/// For each operation with `x-feishu-pagination: {items: <field>}`, keyed by its builder's name:
/// `pages()` and `items()`, streams that follow `page_token` (implemented once, in
/// `crate::runtime::pages`). The operation must take the query parameter `page_token`, and its
/// answer be an envelope whose required `data` names a schema with `has_more`, `page_token` and
/// the array `<field>` of a named schema; anything else is an error naming what is missing.
pub fn paginations(raw: &Value) -> Result<BTreeMap<String, TokenStream>, String> {
    let schema = |name: &str| raw.pointer(&format!("/components/schemas/{name}"));
    let reference = |node: &Value| {
        node.get("$ref")
            .or_else(|| node.pointer("/allOf/0/$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_string)
    };
    let required = |schema: &Value, field: &str| {
        schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|f| f == field))
    };
    let mut out = BTreeMap::new();
    for op in super::each_operation(raw) {
        let Some(pagination) = op.get("x-feishu-pagination") else {
            continue;
        };
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let fail = |what: &str| format!("operation {id}: x-feishu-pagination: {what}");
        let items_field = pagination
            .get("items")
            .and_then(Value::as_str)
            .ok_or_else(|| fail("needs `items: <the answer's array field>`"))?;
        let takes_token = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|p| p.get("name").and_then(Value::as_str) == Some("page_token"));
        if !takes_token {
            return Err(fail("the operation has no query parameter `page_token`"));
        }
        let envelope_name = super::table::success_schema(raw, op)
            .ok_or_else(|| fail("the 200 answer is not a named schema"))?;
        let envelope = schema(envelope_name).ok_or_else(|| fail("no answer schema"))?;
        let data_name = envelope
            .pointer("/properties/data")
            .and_then(reference)
            .filter(|_| required(envelope, "data"))
            .ok_or_else(|| fail("the answer's `data` is not a required named schema"))?;
        let data = schema(&data_name).ok_or_else(|| fail("no schema for `data`"))?;
        let item_name = data
            .pointer(&format!("/properties/{items_field}/items"))
            .and_then(reference)
            .ok_or_else(|| {
                fail(&format!(
                    "`data.{items_field}` is not an array of a named schema"
                ))
            })?;
        for field in ["has_more", "page_token"] {
            if data.pointer(&format!("/properties/{field}")).is_none() {
                return Err(fail(&format!("`data` has no `{field}`")));
            }
        }
        let data_ty = format_ident!("{data_name}");
        let item_ty = format_ident!("{item_name}");
        let items = format_ident!("{items_field}");
        let has_more = if required(data, "has_more") {
            quote!(data.has_more)
        } else {
            quote!(data.has_more.unwrap_or(false))
        };
        // An optional array is an `Option` (see `optional`): an absent one, no items.
        let items = if required(data, items_field) {
            quote!(data.#items)
        } else {
            quote!(data.#items.unwrap_or_default())
        };
        let token = if required(data, "page_token") {
            quote!(Some(data.page_token.as_str()))
        } else {
            quote!(data.page_token.as_deref())
        };
        out.insert(
                pascal(id),
                quote! {
                    /// Every page of the answer, one request each, following `page_token`: ends
                    /// after a page whose `has_more` is false or whose `page_token` is absent or
                    /// empty. A `page_token` that comes back twice, or more than
                    /// [`MAX_PAGES`](crate::MAX_PAGES) pages, ends it with an error.
                    pub fn pages(
                        self,
                    ) -> impl futures::Stream<Item = std::result::Result<types::#data_ty, crate::Error>> + Send + 'a {
                        crate::runtime::pages(
                            self,
                            |builder, token| builder.page_token(token),
                            |builder| builder.call(),
                            |data: &types::#data_ty| (#has_more, #token),
                        )
                    }
                    /// Every item of every page (see [`pages`](Self::pages)).
                    pub fn items(
                        self,
                    ) -> impl futures::Stream<Item = std::result::Result<types::#item_ty, crate::Error>> + Send + 'a {
                        crate::runtime::items(self.pages(), |data: types::#data_ty| #items)
                    }
                },
            );
    }
    Ok(out)
}
