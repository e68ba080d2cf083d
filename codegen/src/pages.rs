//! Pagination: `pages()` and `items()` for every operation with `x-feishu-pagination`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::tokens::pascal;

/// A paginated operation's code: its builder's methods, and the impls saying how it pages.
pub struct Pagination {
    /// `pages()` and `items()`, in the builder's `impl`.
    pub methods: TokenStream,
    /// `impl Paged` (and `PagedItems`) for the builder.
    pub impls: TokenStream,
}

/// For each operation with `x-feishu-pagination`, keyed by its builder's name: `pages()`, and
/// `items()` when it names the page's list (`items: <field>`) — streams that follow the page
/// token (`crate::runtime::Pages` and `Items`, implemented once) — and how the builder pages
/// (its impls of `crate::runtime::Paged` and `PagedItems`).
///
/// The extension's keys: `items` (an array field of `data`, of a named schema or of strings;
/// optional), `token` (the field of `data` with the next page's token; `page_token` unless
/// given), `request` (`query`, the default, or `body`: where the request carries `page_token`).
/// The request must have that `page_token` (a query parameter, or a field of its body's named
/// schema), and the answer be an envelope whose required `data` names a schema with the token
/// field; `has_more` is read when `data` has it. Anything else is an error naming what is
/// missing.
pub fn paginations(raw: &Value) -> Result<BTreeMap<String, Pagination>, String> {
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
        let Some(keys) = pagination.as_object() else {
            return Err(fail("not a mapping"));
        };
        if let Some(unknown) = keys
            .keys()
            .find(|k| !["items", "token", "request"].contains(&k.as_str()))
        {
            return Err(fail(&format!("unknown key `{unknown}`")));
        }
        let text = |key: &str| match keys.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(fail(&format!("`{key}` is not a string"))),
        };
        let items_field = text("items")?;
        let token_field = text("token")?.unwrap_or("page_token");
        let in_body = match text("request")? {
            None | Some("query") => false,
            Some("body") => true,
            Some(other) => return Err(fail(&format!("`request: {other}` (query or body)"))),
        };
        if in_body {
            let body = op
                .pointer("/requestBody/content/application~1json/schema")
                .and_then(reference)
                .and_then(|name| schema(&name))
                .ok_or_else(|| fail("`request: body`, but the body is not a named schema"))?;
            if body.pointer("/properties/page_token").is_none() {
                return Err(fail("`request: body`, but the body has no `page_token`"));
            }
        } else {
            let takes_token = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|p| p.get("name").and_then(Value::as_str) == Some("page_token"));
            if !takes_token {
                return Err(fail("the operation has no query parameter `page_token`"));
            }
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
        if data
            .pointer(&format!("/properties/{token_field}/type"))
            .and_then(Value::as_str)
            != Some("string")
        {
            return Err(fail(&format!("`data` has no string `{token_field}`")));
        }
        let data_ty = format_ident!("{data_name}");
        let answer_ty = format_ident!("{envelope_name}");
        let has_more = if data.pointer("/properties/has_more").is_none() {
            quote!(true)
        } else if required(data, "has_more") {
            quote!(data.has_more)
        } else {
            quote!(data.has_more.unwrap_or(false))
        };
        let token = format_ident!("{token_field}");
        let token = if required(data, token_field) {
            quote!(Some(data.#token.as_str()))
        } else {
            quote!(data.#token.as_deref())
        };
        let with_token = if in_body {
            quote!(self.body_map(|body| body.page_token(token)))
        } else {
            quote!(self.page_token(token))
        };
        let builder = format_ident!("{}", pascal(id));

        let (items_method, items_impl) = match items_field {
            None => (quote!(), quote!()),
            Some(field) => {
                let elements = data
                    .pointer(&format!("/properties/{field}"))
                    .filter(|f| f.get("type").and_then(Value::as_str) == Some("array"))
                    .and_then(|f| f.get("items"))
                    .ok_or_else(|| fail(&format!("`data.{field}` is not an array")))?;
                let item_ty = match reference(elements) {
                    Some(name) => {
                        let name = format_ident!("{name}");
                        quote!(types::#name)
                    }
                    None if elements.get("type").and_then(Value::as_str) == Some("string") => {
                        quote!(String)
                    }
                    None => {
                        return Err(fail(&format!(
                            "`data.{field}` is neither an array of a named schema nor of strings"
                        )))
                    }
                };
                let list = if required(data, field) {
                    let field = format_ident!("{field}");
                    quote!(data.#field)
                } else {
                    let field = format_ident!("{field}");
                    quote!(data.#field.unwrap_or_default())
                };
                (
                    quote! {
                        /// Every item of every page (see [`pages`](Self::pages)).
                        pub fn items(self) -> crate::runtime::Items<'a, Self> {
                            crate::runtime::items_of(self)
                        }
                    },
                    quote! {
                        impl<'a> crate::runtime::PagedItems<'a> for builder::#builder<'a> {
                            type Item = #item_ty;
                            fn items(data: types::#data_ty) -> Vec<#item_ty> {
                                #list
                            }
                        }
                    },
                )
            }
        };
        out.insert(
            pascal(id),
            Pagination {
                methods: quote! {
                    /// Every page of the answer, one request each, following the page token: ends
                    /// after a page whose `has_more` is false or whose token is absent or empty. A
                    /// token that comes back twice, or more than [`MAX_PAGES`](crate::MAX_PAGES)
                    /// pages, ends it with an error.
                    pub fn pages(self) -> crate::runtime::Pages<'a, Self> {
                        crate::runtime::pages_of(self)
                    }
                    #items_method
                },
                impls: quote! {
                    impl<'a> crate::runtime::Paged<'a> for builder::#builder<'a> {
                        type Page = types::#data_ty;
                        type Answer = types::#answer_ty;
                        fn with_token(self, token: String) -> Self {
                            #with_token
                        }
                        fn more(data: &types::#data_ty) -> (bool, Option<&str>) {
                            (#has_more, #token)
                        }
                        fn fetch(self) -> crate::runtime::Calling<'a, types::#answer_ty> {
                            self.call()
                        }
                    }
                    #items_impl
                },
            },
        );
    }
    Ok(out)
}
