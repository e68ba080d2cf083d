//! The crate's own `send` for every operation builder.
//!
//! progenitor's `send()` returns `progenitor_client::Error`, decides success by the HTTP status
//! alone and decodes the body itself. Its builders keep their fields private, so the crate cannot
//! build the request another way; instead the generated code is adjusted in two places:
//!
//! - in progenitor's `pub mod builder`, each `pub async fn send` becomes
//!   `pub(super) async fn send_unscreened`: the request is still built by progenitor's code, but
//!   no one outside the generated module calls it directly;
//! - beside it, each builder gets `send()` (the answer with its status and headers, or the
//!   crate's `Error`) and, when the answer is an envelope whose `data` is a named schema,
//!   `call()` (that `data`), both through `crate::runtime::send`, which decodes a success body
//!   once and hands errors over as they are.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use serde_json::Value;

/// One builder whose `send` was renamed: its type name and the `T` of its
/// `Result<ResponseValue<T>, Error<…>>`.
struct Builder {
    name: Ident,
    answer: TokenStream,
    /// Its setters: the parameter (or `body`) and the type its value converts into.
    setters: Vec<(Ident, TokenStream)>,
}

/// Renames progenitor's `send` in the top-level `mod builder` of `tokens`, and returns the
/// tokens with the crate's `send`/`call` for each builder appended. `data_types` maps a success
/// type's name to the Rust type of its `data` field (see [`data_types`]).
pub fn wrap(
    tokens: TokenStream,
    data_types: &BTreeMap<String, TokenStream>,
    files: &BTreeMap<String, (String, &'static str)>,
    pages: &BTreeMap<String, TokenStream>,
    uploads: &BTreeMap<String, super::upload::Upload>,
    ids: &BTreeMap<String, String>,
) -> Result<TokenStream, String> {
    let mut builders = Vec::new();
    let mut out: Vec<TokenTree> = Vec::new();
    let mut found_module = false;
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let is_builder_mod = matches!(&tree, TokenTree::Ident(i) if i == "mod")
            && matches!(trees.peek(), Some(TokenTree::Ident(i)) if i == "builder");
        out.push(tree);
        if !is_builder_mod {
            continue;
        }
        out.extend(trees.next()); // `builder`
        match trees.next() {
            Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
                out.push(TokenTree::Group(rename_sends(&body, &mut builders)?));
                found_module = true;
            }
            _ => return Err("progenitor's `mod builder` has no body".into()),
        }
    }
    if !found_module {
        return Err("progenitor's output has no `mod builder`".into());
    }
    let mut stream: TokenStream = out.into_iter().collect();
    let mut arms = Vec::new();
    for Builder {
        name,
        answer,
        setters,
    } in builders
    {
        if let Some(id) = ids.get(&name.to_string()) {
            arms.push(json_arm(id, &setters, uploads.get(&name.to_string())));
        }
        if let Some(upload) = uploads.get(&name.to_string()) {
            let methods =
                super::upload::methods(upload, &answer, data_types.get(&last_ident(&answer)));
            stream.extend(quote! {
                impl<'a> builder::#name<'a> {
                    #methods
                }
            });
            continue;
        }
        let call = data_types.get(&last_ident(&answer)).map(|data| {
            quote! {
                /// Sends the request and returns the `data` of Feishu's answer; any failure is the
                /// crate's [`Error`](crate::Error), with Feishu's code and log id where there is one.
                pub async fn call(self) -> std::result::Result<#data, crate::Error> {
                    Ok(self.send().await?.into_inner().data)
                }
            }
        });
        let pages = pages.get(&name.to_string());
        let download = files.get(&name.to_string()).map(|(id, ext)| {
            quote! {
                /// Downloads the file this operation answers with, streamed: choose a progress
                /// callback, then where it goes — a folder (under the name Feishu offers, made
                /// safe), a path (atomically), or any writer. See [`crate::download::Download`].
                pub fn download(self) -> crate::download::Download<'a> {
                    crate::download::Download::new(
                        self.send(),
                        crate::download::fallback(#id, None, #ext),
                    )
                }
            }
        });
        stream.extend(quote! {
            impl<'a> builder::#name<'a> {
                /// Sends the request and returns Feishu's answer with its status and headers; any
                /// failure — refused before sending, transport, an error code at any HTTP status,
                /// an undecodable answer — is the crate's [`Error`](crate::Error).
                pub async fn send(
                    self,
                ) -> std::result::Result<progenitor_client::ResponseValue<#answer>, crate::Error> {
                    crate::runtime::send(self.send_unscreened()).await
                }
                #call
                #download
                #pages
            }
        });
    }
    stream.extend(send_from_json(&arms));
    Ok(stream)
}

/// `__send_from_json`: any operation of the service sent with its parameters and body given as
/// JSON values (a spec's examples), for the generated conformance tests. Not part of the API.
fn send_from_json(arms: &[TokenStream]) -> TokenStream {
    quote! {
        /// Sends the operation `operation_id` with its parameters (by name) and body (or, for an
        /// upload, its form, with a small file per file field) given as JSON values; `None` for
        /// an operation the service does not have. For the conformance tests: not part of the API.
        #[doc(hidden)]
        pub fn __send_from_json<'a>(
            client: &'a Client,
            operation_id: &str,
            params: &'a serde_json::Map<String, serde_json::Value>,
            body: Option<&'a serde_json::Value>,
        ) -> Option<
            std::pin::Pin<
                Box<dyn std::future::Future<Output = std::result::Result<(), crate::Error>> + Send + 'a>,
            >,
        > {
            fn value<T: serde::de::DeserializeOwned>(
                name: &str,
                value: &serde_json::Value,
            ) -> std::result::Result<T, crate::Error> {
                serde_json::from_value(value.clone())
                    .map_err(|e| crate::Error::Validation(format!("{name}: {e}")))
            }
            let _ = (&params, &body);
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    }
}

/// One operation's arm of [`send_from_json`].
fn json_arm(
    id: &str,
    setters: &[(Ident, TokenStream)],
    upload: Option<&super::upload::Upload>,
) -> TokenStream {
    let method = format_ident!("{id}");
    let sets = setters
        .iter()
        .filter(|(name, _)| name != "body")
        .map(|(name, ty)| {
            let key = name.to_string();
            quote! {
                if let Some(v) = params.get(#key) {
                    request = request.#name(value::<#ty>(#key, v)?);
                }
            }
        });
    let body = setters
        .iter()
        .find(|(name, _)| name == "body")
        .map(|(_, ty)| {
            quote! {
                if let Some(v) = body {
                    request = request.body(value::<#ty>("body", v)?);
                }
            }
        });
    let send = match upload {
        None => quote!(request.send().await.map(|_| ())),
        Some(upload) => {
            let form = format_ident!("{}", upload.form);
            let files = upload.files.iter().map(|(name, required)| {
                let file =
                    quote!(crate::upload::UploadFile::from_bytes(#name, &b"conformance"[..]));
                if *required {
                    file
                } else {
                    quote!(Some(#file))
                }
            });
            quote! {
                let form: types::#form = value("form", body.unwrap_or(&serde_json::Value::Null))?;
                request.send(form, #(#files),*).await.map(|_| ())
            }
        }
    };
    quote! {
        #id => Some(Box::pin(async move {
            #[allow(unused_mut)]
            let mut request = client.#method();
            #(#sets)*
            #body
            #send
        })),
    }
}

/// The setters of a builder's impl body: `pub fn NAME<V>(mut self, value: V) -> Self where V:
/// std::convert::TryInto<TYPE>`, with TYPE.
fn setters(body: &[TokenTree]) -> Vec<(Ident, TokenStream)> {
    let mut out = Vec::new();
    for (i, tree) in body.iter().enumerate() {
        let TokenTree::Ident(fn_kw) = tree else {
            continue;
        };
        if fn_kw != "fn" {
            continue;
        }
        let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(open)), Some(TokenTree::Ident(v))) =
            (body.get(i + 1), body.get(i + 2), body.get(i + 3))
        else {
            continue;
        };
        if open.as_char() != '<' || v != "V" {
            continue;
        }
        // The signature runs to the function's body.
        let end = body[i..]
            .iter()
            .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
            .map_or(body.len(), |p| i + p);
        let signature = &body[i..end];
        let Some(start) = signature.windows(2).position(|w| {
            matches!(&w[0], TokenTree::Ident(t) if t == "TryInto")
                && matches!(&w[1], TokenTree::Punct(p) if p.as_char() == '<')
        }) else {
            continue;
        };
        let mut depth = 0usize;
        let mut ty = Vec::new();
        for tree in &signature[start + 2..] {
            match tree {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            ty.push(tree.clone());
        }
        out.push((name.clone(), ty.into_iter().collect()));
    }
    out
}

/// The builder module's body with each `pub async fn send` of an `impl<'a> Name<'a>` renamed.
fn rename_sends(module: &Group, builders: &mut Vec<Builder>) -> Result<Group, String> {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut impl_name: Option<Ident> = None;
    for tree in module.stream() {
        match &tree {
            TokenTree::Ident(i) if i == "impl" => impl_name = None,
            TokenTree::Ident(i)
                if impl_name.is_none() && out.last().is_some_and(is_close_angle) =>
            {
                impl_name = Some(i.clone());
            }
            TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {
                if let Some(name) = impl_name.take() {
                    let (renamed, answer) = rename_send(body)?;
                    if let Some(answer) = answer {
                        let trees: Vec<TokenTree> = body.stream().into_iter().collect();
                        builders.push(Builder {
                            name,
                            answer,
                            setters: setters(&trees),
                        });
                    }
                    out.push(TokenTree::Group(renamed));
                    continue;
                }
            }
            _ => {}
        }
        out.push(tree);
    }
    let mut group = Group::new(Delimiter::Brace, out.into_iter().collect());
    group.set_span(module.span());
    Ok(group)
}

fn is_close_angle(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == '>')
}

/// An impl body with `pub async fn send(self) -> Result<ResponseValue<T>, …>` made
/// `pub(super) async fn send_unscreened`, and `T`.
fn rename_send(body: &Group) -> Result<(Group, Option<TokenStream>), String> {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out = Vec::with_capacity(trees.len() + 1);
    let mut answer = None;
    let mut i = 0;
    while i < trees.len() {
        let is_send = matches!(&trees[i], TokenTree::Ident(p) if p == "pub")
            && matches!(trees.get(i + 1), Some(TokenTree::Ident(a)) if a == "async")
            && matches!(trees.get(i + 2), Some(TokenTree::Ident(f)) if f == "fn")
            && matches!(trees.get(i + 3), Some(TokenTree::Ident(s)) if s == "send");
        if !is_send {
            out.push(trees[i].clone());
            i += 1;
            continue;
        }
        out.push(TokenTree::Ident(Ident::new("pub", Span::call_site())));
        out.push(TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            quote!(super),
        )));
        out.push(trees[i + 1].clone());
        out.push(trees[i + 2].clone());
        out.push(TokenTree::Ident(Ident::new(
            "send_unscreened",
            Span::call_site(),
        )));
        // `(self) -> Result < ResponseValue < T > , Error < … > > { … }`
        let signature_end = trees[i + 4..]
            .iter()
            .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
            .map(|p| i + 4 + p)
            .ok_or("a `send` without a body")?;
        answer = Some(answer_type(&trees[i + 4..signature_end])?);
        i += 4;
    }
    let mut group = Group::new(Delimiter::Brace, out.into_iter().collect());
    group.set_span(body.span());
    Ok((group, answer))
}

/// `T` out of `(self) -> Result<ResponseValue<T>, Error<…>>`.
fn answer_type(signature: &[TokenTree]) -> Result<TokenStream, String> {
    let start = signature
        .windows(2)
        .position(|w| {
            matches!(&w[0], TokenTree::Ident(i) if i == "ResponseValue")
                && matches!(&w[1], TokenTree::Punct(p) if p.as_char() == '<')
        })
        .ok_or("a `send` that does not return a ResponseValue")?
        + 2;
    let mut depth = 0usize;
    let mut answer = Vec::new();
    for tree in &signature[start..] {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => {
                if depth == 0 {
                    return Ok(answer.into_iter().collect());
                }
                depth -= 1;
            }
            _ => {}
        }
        answer.push(tree.clone());
    }
    Err("an unterminated ResponseValue<…>".into())
}

/// The last identifier of a type path (`types::ExportTaskCreated` → `ExportTaskCreated`).
fn last_ident(path: &TokenStream) -> String {
    path.clone()
        .into_iter()
        .filter_map(|t| match t {
            TokenTree::Ident(i) => Some(i.to_string()),
            _ => None,
        })
        .last()
        .unwrap_or_default()
}

/// For each component schema that is a Feishu envelope whose `data` is a named schema (a `$ref`,
/// or `allOf` of one), the Rust type of that `data` field: `types::<Name>`, or
/// `Option<types::<Name>>` when `data` is not required.
pub fn data_types(raw: &Value) -> BTreeMap<String, TokenStream> {
    let mut out = BTreeMap::new();
    for (name, schema) in super::schemas(raw) {
        let Some(data) = schema.pointer("/properties/data") else {
            continue;
        };
        let target = data
            .get("$ref")
            .or_else(|| data.pointer("/allOf/0/$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"));
        let Some(target) = target.filter(|t| is_type_name(t)) else {
            continue;
        };
        let ty = format_ident!("{target}");
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|f| f == "data"));
        out.insert(
            name.clone(),
            if required {
                quote!(types::#ty)
            } else {
                quote!(Option<types::#ty>)
            },
        );
    }
    out
}

/// A schema name that progenitor keeps as the type's name (PascalCase, letters and digits).
fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// For each operation whose answer is a file, keyed by its builder's name (the operationId in
/// PascalCase, as progenitor names it): the name a download gets when Feishu offers none,
/// `<operationId>.<extension of the declared media type>`.
pub fn download_names(
    operations: &[(String, Option<String>)],
) -> BTreeMap<String, (String, &'static str)> {
    operations
        .iter()
        .filter_map(|(id, media_type)| {
            let ext = extension(media_type.as_deref()?);
            Some((pascal(id), (id.clone(), ext)))
        })
        .collect()
}

/// The usual file extension of a media type; `bin` for one without.
fn extension(media_type: &str) -> &'static str {
    match media_type.split(';').next().unwrap_or_default().trim() {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "text/csv" => "csv",
        _ => "bin",
    }
}

/// `export_download` → `ExportDownload`.
pub(crate) fn pascal(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

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
                        crate::runtime::items(self.pages(), |data: types::#data_ty| data.#items)
                    }
                },
            );
    }
    Ok(out)
}
