//! The crate's own `send` for every operation builder.
//!
//! progenitor's `send()` returns `progenitor_client::Error`, decides success by the HTTP status
//! alone and decodes the body itself. Its builders keep their fields private, so the crate cannot
//! build the request another way; instead the generated code is adjusted:
//!
//! - in progenitor's `pub mod builder`, each `pub async fn send` gives way to
//!   `pub(super) fn prepare_direct` (see `prepare_direct` below): the part of it that checks the
//!   builder's values — and, for an operation whose body has rules (`x-feishu-rules`), the typed
//!   body against them before it is serialised — and a function that builds the request from
//!   them; nothing of progenitor's response handling is kept;
//! - beside it, each builder gets `send()` (the answer with its status and headers, or the
//!   crate's `Error`) and, when the answer is an envelope whose `data` is a named schema,
//!   `call()` (that `data`): the runtime's named futures `crate::runtime::Sending` and `Calling`
//!   (an upload's request with its body, `crate::runtime::Multipart::upload`, see
//!   [`super::upload`]), which send the request when polled, build it again only for a retry,
//!   and return the decoded answer — or a file's stream once it is checked — themselves;
//! - after them, each JSON answer type's `impl crate::runtime::Envelope` (its `code`, by which
//!   the runtime decodes it) and, for one whose `data` `call()` returns, `impl WithData`.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::{format_ident, quote};
use serde_json::Value;

use super::tokens::{ident, punct, regroup};

/// One builder whose `send` was renamed: its type name and the `T` of its
/// `Result<ResponseValue<T>, Error<…>>`.
struct Builder {
    name: Ident,
    answer: TokenStream,
    /// Its setters: the parameter (or `body`) and the type its value converts into.
    setters: Vec<(Ident, TokenStream)>,
    /// Its operationId and index in `OPERATIONS`.
    id: String,
    index: usize,
    /// Whether it takes extra body fields (`extra_body_field`).
    extra: bool,
}

/// What [`rename_send`] found of a builder's `send`: the `T` of its answer, its operationId and
/// index in `OPERATIONS`.
struct Sent {
    answer: TokenStream,
    id: String,
    index: usize,
}

/// Replaces progenitor's `send` in the top-level `mod builder` of `tokens` by `prepare_direct`,
/// and returns the tokens with the crate's `send`/`call` for each builder appended. `data_types`
/// maps a success type's name to the Rust type of its `data` field (see [`data_types`]); `table`
/// gives the operations whose body has rules, every operation's index in `OPERATIONS` and how
/// its answer decodes (see [`super::table::Table`]); `replies` names the answers that are
/// `crate::ResponseBody` (see [`super::replies`]), whose impls are the core's.
pub fn wrap(
    tokens: TokenStream,
    data_types: &BTreeMap<String, super::data::Data>,
    files: &BTreeMap<String, (String, &'static str)>,
    pages: &BTreeMap<String, super::pages::Pagination>,
    uploads: &BTreeMap<String, super::upload::Upload>,
    table: &super::table::Table,
    replies: &std::collections::BTreeSet<String>,
) -> Result<TokenStream, String> {
    let (ruled, index) = (&table.ruled, &table.index);
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
                out.push(TokenTree::Group(rename_sends(
                    &body,
                    &mut builders,
                    ruled,
                    index,
                )?));
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
    let mut answers_with_data = BTreeMap::new();
    for Builder {
        name,
        answer,
        setters,
        id,
        index,
        extra,
    } in builders
    {
        arms.push(super::from_json::json_arm(
            &id,
            &setters,
            uploads.get(&name.to_string()),
            extra,
        ));
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        // A `ResponseBody` has its `WithData` in the core.
        if let Some(data) = data_types
            .get(&last_ident(&answer))
            .filter(|_| !replies.contains(&last_ident(&answer)))
        {
            answers_with_data.insert(last_ident(&answer), (answer.clone(), data));
        }
        if let Some(upload) = uploads.get(&name.to_string()) {
            let sent = quote! {
                crate::runtime::sending(
                    self.prepare_direct().map(|(client, build)| (client, body.upload(build))),
                    #id,
                    &OPERATIONS[#index],
                )
            };
            let methods = super::upload::methods(
                upload,
                &answer,
                data_types.get(&last_ident(&answer)),
                sent,
                &id,
            );
            stream.extend(quote! {
                impl<'a> builder::#name<'a> {
                    #methods
                }
            });
            continue;
        }
        let call = data_types.get(&last_ident(&answer)).map(|_| {
            quote! {
                /// Sends the request and returns the `data` of Feishu's answer; any failure is the
                /// crate's [`Error`](crate::Error), with Feishu's code and log id where there is one.
                pub fn call(
                    self,
                ) -> crate::runtime::Calling<'a, #answer, crate::runtime::call::Prepared<'a>> {
                    self.send().data()
                }
            }
        });
        let (pages, paged) = match pages.get(&name.to_string()) {
            Some(pagination) => (Some(&pagination.methods), Some(&pagination.impls)),
            None => (None, None),
        };
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
                pub fn send(
                    self,
                ) -> crate::runtime::Sending<'a, #answer, crate::runtime::call::Prepared<'a>> {
                    crate::runtime::sending(self.prepare_direct(), #id, &OPERATIONS[#index])
                }
                #call
                #download
                #pages
            }
            #paged
        });
    }
    // How each answer type decodes (its `code`), and the `data` a `call()` takes.
    stream.extend(table.envelopes.iter().map(|(name, has_code)| {
        let ty = format_ident!("{name}");
        let code = if *has_code {
            quote!(self.code)
        } else {
            quote!(0)
        };
        quote! {
            impl crate::runtime::Envelope for types::#ty {
                fn code(&self) -> i64 {
                    #code
                }
            }
        }
    }));
    stream.extend(answers_with_data.values().map(|(answer, data)| {
        let ty = &data.ty;
        let take = if data.required {
            quote!(Some(self.data))
        } else {
            quote!(self.data)
        };
        quote! {
            impl crate::runtime::WithData for #answer {
                type Data = #ty;
                fn data(self) -> Option<#ty> {
                    #take
                }
            }
        }
    }));
    stream.extend(super::from_json::send_from_json(&arms));
    Ok(stream)
}

/// The builder module's body with each `pub async fn send` of an `impl<'a> Name<'a>` replaced.
fn rename_sends(
    module: &Group,
    builders: &mut Vec<Builder>,
    ruled: &BTreeMap<String, super::table::Ruled>,
    index: &BTreeMap<String, usize>,
) -> Result<Group, String> {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut impl_name: Option<Ident> = None;
    let mut struct_name: Option<Ident> = None;
    // The builders whose struct body starts empty (see `lazy_body`).
    let mut lazy = std::collections::BTreeSet::new();
    for tree in module.stream() {
        match &tree {
            TokenTree::Ident(i) if i == "impl" => impl_name = None,
            TokenTree::Ident(i) if matches!(out.last(), Some(TokenTree::Ident(s)) if s == "struct") =>
            {
                struct_name = Some(i.clone());
            }
            TokenTree::Ident(i)
                if impl_name.is_none() && out.last().is_some_and(is_close_angle) =>
            {
                impl_name = Some(i.clone());
            }
            TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {
                if let Some(name) = struct_name.take() {
                    if let Some(fields) = super::lazy_body::fields(body) {
                        lazy.insert(name.to_string());
                        out.push(TokenTree::Group(fields));
                        continue;
                    }
                }
                if let Some(name) = impl_name.take() {
                    let lazy_body;
                    let body = if lazy.contains(&name.to_string()) {
                        lazy_body = super::lazy_body::methods(body, &name.to_string())?;
                        &lazy_body
                    } else {
                        body
                    };
                    let extra = lazy.contains(&name.to_string());
                    let (renamed, sent) = rename_send(body, ruled, index, extra)?;
                    if let Some(Sent { answer, id, index }) = sent {
                        let trees: Vec<TokenTree> = body.stream().into_iter().collect();
                        builders.push(Builder {
                            name,
                            answer,
                            setters: super::from_json::setters(&trees),
                            id,
                            index,
                            extra,
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
    Ok(regroup(module, out.into_iter().collect()))
}

fn is_close_angle(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == '>')
}

/// An impl body with `pub async fn send(self) -> Result<ResponseValue<T>, …>` replaced by
/// `prepare_direct` (see [`prepare_direct`]; with the body's rule check, for an operation in
/// `ruled`; merging the caller's extra body fields, for a builder with `extra`), and what it
/// found of that `send`.
fn rename_send(
    body: &Group,
    ruled: &BTreeMap<String, super::table::Ruled>,
    index: &BTreeMap<String, usize>,
    extra: bool,
) -> Result<(Group, Option<Sent>), String> {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut sent = None;
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
        // `(self) -> Result < ResponseValue < T > , Error < … > > { … }`
        let signature_end = trees[i + 4..]
            .iter()
            .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
            .map(|p| i + 4 + p)
            .ok_or("a `send` without a body")?;
        let answer = answer_type(&trees[i + 4..signature_end])?;
        let TokenTree::Group(fn_body) = &trees[signature_end] else {
            unreachable!("found as a brace group above");
        };
        let mut fn_body = without_api_version(fn_body);
        let id = operation_id(&fn_body.stream()).ok_or("a `send` without an operation_id")?;
        let index = *index
            .get(&id)
            .ok_or_else(|| format!("{id}: not in the operation table"))?;
        if extra {
            fn_body = with_extra_fields(&fn_body, &id, index)?;
        }
        // After the merge was written: the check goes right after the first `let body`, on the
        // typed body.
        if let Some(ruled) = ruled.get(&id) {
            fn_body = with_rule_check(&fn_body, &id, ruled)?;
        }
        out.extend(prepare_direct(&fn_body).map_err(|problem| format!("{id}: {problem}"))?);
        sent = Some(Sent { answer, id, index });
        i = signature_end + 1;
    }
    Ok((regroup(body, out.into_iter().collect()), sent))
}

/// A `send` body without progenitor's `api-version` header, which Feishu does not have (it
/// versions its paths instead): the statement `header_map.append(…"api-version"…);` is left
/// out, and the map's capacity (`HeaderMap::with_capacity(n)`, one per header) made one
/// smaller; an operation without header parameters then has no header map at all
/// ([`without_header_map`]).
fn without_api_version(body: &Group) -> Group {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut no_headers = false;
    let mut i = 0;
    while i < trees.len() {
        let appends_api_version = matches!(&trees[i], TokenTree::Ident(m) if m == "header_map")
            && matches!(trees.get(i + 2), Some(TokenTree::Ident(a)) if a == "append")
            && matches!(trees.get(i + 3), Some(TokenTree::Group(g))
                if g.stream().to_string().contains("\"api-version\""))
            && matches!(trees.get(i + 4), Some(TokenTree::Punct(p)) if p.as_char() == ';');
        if appends_api_version {
            i += 5;
            continue;
        }
        let sizes_header_map = matches!(&trees[i], TokenTree::Ident(w) if w == "with_capacity")
            && i >= 3
            && matches!(&trees[i - 3], TokenTree::Ident(h) if h == "HeaderMap");
        if let (true, Some(TokenTree::Group(args))) = (sizes_header_map, trees.get(i + 1)) {
            let capacity: Option<usize> = args
                .stream()
                .to_string()
                .trim_end_matches("usize")
                .trim()
                .parse()
                .ok();
            if let Some(capacity) = capacity {
                no_headers = capacity <= 1;
                let smaller = proc_macro2::Literal::usize_suffixed(capacity.saturating_sub(1));
                out.push(trees[i].clone());
                out.push(TokenTree::Group(Group::new(
                    Delimiter::Parenthesis,
                    TokenTree::Literal(smaller).into(),
                )));
                i += 2;
                continue;
            }
        }
        out.push(trees[i].clone());
        i += 1;
    }
    if no_headers {
        out = without_header_map(out);
    }
    regroup(body, out.into_iter().collect())
}

/// The trees of a `send` body whose header map stays empty, without it: the statement
/// `let mut header_map = …;` and the call `.headers(header_map)`, which merged an empty map into
/// the request's.
fn without_header_map(trees: Vec<TokenTree>) -> Vec<TokenTree> {
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let at = |k: usize, name: &str| trees.get(i + k).is_some_and(|t| ident(t, name));
        if at(0, "let") && at(1, "mut") && at(2, "header_map") {
            i += trees[i..]
                .iter()
                .position(|t| punct(t, ';'))
                .map_or(trees.len() - i, |end| end + 1);
            continue;
        }
        let merges = punct(&trees[i], '.')
            && at(1, "headers")
            && matches!(trees.get(i + 2), Some(TokenTree::Group(g)) if g.stream().to_string() == "header_map");
        if merges {
            i += 3;
            continue;
        }
        out.push(trees[i].clone());
        i += 1;
    }
    out
}

/// `fn prepare_direct(self)`: the part of a `send` body that checks the builder's values (the
/// body's rules too) and the request they make, worked out once as the core's `Plan` (see
/// [`super::plan`]), boxed as `Prepared`: the runtime sends a copy of it at each attempt
/// (`crate::runtime::Sending`). Boxed, the operation's requests have one type for every
/// operation. An error when the body has no `let url = …;` before `let info = OperationInfo …;`,
/// awaits before it, or builds its request in a way a plan does not know.
fn prepare_direct(body: &Group) -> Result<TokenStream, String> {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let info = trees
        .windows(4)
        .position(|w| ident(&w[0], "let") && ident(&w[1], "info") && ident(&w[3], "OperationInfo"))
        .ok_or("progenitor's `send` has no `let info = OperationInfo …;`")?;
    // progenitor names the URL `url`, or `_url`, `__url` … when a parameter is called so.
    let url = trees[..info]
        .windows(2)
        .rposition(|w| {
            ident(&w[0], "let")
                && matches!(&w[1], TokenTree::Ident(i) if i.to_string().trim_start_matches('_') == "url")
        })
        .ok_or("progenitor's `send` has no `let url = …;` before `let info`")?;
    let checks: TokenStream = trees[..url].iter().cloned().collect();
    let builds: TokenStream = trees[url..info].iter().cloned().collect();
    if mentions(&checks, &["await"]) || mentions(&builds, &["await"]) {
        return Err("progenitor's `send` awaits before it sends".into());
    }
    let (headers, plan) = super::plan::request(builds)?;
    // The checks' `?`s written out (see `plain_try`).
    let checks = super::plain_try::checks(checks);
    Ok(quote! {
        #[allow(unused_mut)]
        pub(super) fn prepare_direct(
            self,
        ) -> Result<(&'a super::Client, crate::runtime::call::Prepared<'a>), Error<crate::FeishuErrorBody>>
        {
            #checks
            #headers
            match #plan.prepared() {
                Ok(prepared) => Ok((client, prepared)),
                Err(why) => Err(Error::InvalidRequest(why)),
            }
        }
    })
}

/// Whether `stream` names one of `names`, at any depth.
fn mentions(stream: &TokenStream, names: &[&str]) -> bool {
    stream.clone().into_iter().any(|t| match t {
        TokenTree::Ident(a) => names.iter().any(|name| a == name),
        TokenTree::Group(g) => mentions(&g.stream(), names),
        _ => false,
    })
}

/// The operationId a `send` body names (`OperationInfo { operation_id: "…" }`).
fn operation_id(stream: &TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = stream.clone().into_iter().collect();
    trees.iter().enumerate().find_map(|(i, tree)| match tree {
        TokenTree::Ident(name) if name == "operation_id" => {
            match (trees.get(i + 1), trees.get(i + 2)) {
                (Some(TokenTree::Punct(colon)), Some(TokenTree::Literal(id)))
                    if colon.as_char() == ':' =>
                {
                    let id = id.to_string();
                    Some(id.trim_matches('"').to_string())
                }
                _ => None,
            }
        }
        TokenTree::Group(group) => operation_id(&group.stream()),
        _ => None,
    })
}

/// A `send` body that checks the typed body against its operation's rules right after
/// `let body = …;` (where the builder's body has become the operation's body type), before it
/// is serialised: a refusal is the same `InvalidRequest` the message of which names the fields
/// and the rule, and no JSON is parsed on the way. The fields the rules read are read straight
/// from the body's struct where their Rust names are known (`crate::rules::check_fields`), else
/// through its `Serialize` (`crate::rules::check_typed`).
fn with_rule_check(body: &Group, id: &str, ruled: &super::table::Ruled) -> Result<Group, String> {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let start = trees
        .windows(3)
        .position(|w| {
            matches!(&w[0], TokenTree::Ident(l) if l == "let")
                && matches!(&w[1], TokenTree::Ident(b) if b == "body")
                && matches!(&w[2], TokenTree::Punct(p) if p.as_char() == '=')
        })
        .ok_or_else(|| format!("{id}: its body has rules, but its `send` has no `let body`"))?;
    let end = trees[start..]
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
        .map(|p| start + p + 1)
        .ok_or_else(|| format!("{id}: an unterminated `let body`"))?;
    let index = proc_macro2::Literal::usize_unsuffixed(ruled.index);
    let check = match &ruled.fields {
        Some(fields) => {
            let fields = fields.iter().map(|f| format_ident!("{f}"));
            quote! {
                crate::rules::check_fields(super::OPERATIONS[#index].rules, #id, &body, || {
                    Some([#(Some(crate::rules::seen(&body.#fields)?)),*])
                })
            }
        }
        None => quote!(crate::rules::check_typed(super::OPERATIONS[#index].rules, #id, &body)),
    };
    let check = quote! {
        #check.map_err(|broken| Error::InvalidRequest(broken.to_string()))?;
    };
    let mut out: Vec<TokenTree> = trees[..end].to_vec();
    out.extend(check);
    out.extend(trees[end..].iter().cloned());
    Ok(regroup(body, out.into_iter().collect()))
}

/// A `send` body that merges the builder's `extra_fields` into its typed body right after
/// `let body = …;` (`crate::runtime::ExtraFields::merge`: the body as typed when there are none;
/// a field the typed body sets, or one given twice, is an `InvalidRequest`, as is a merged body
/// its operation's rules refuse). The builder's fields are taken apart with `extra_fields` too.
fn with_extra_fields(body: &Group, id: &str, index: usize) -> Result<Group, String> {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len() + 24);
    let mut taken_apart = false;
    let mut merged = false;
    let mut i = 0;
    while i < trees.len() {
        // `let Self { … } = self;`
        if !taken_apart
            && ident(&trees[i], "let")
            && trees.get(i + 1).is_some_and(|t| ident(t, "Self"))
        {
            if let Some(TokenTree::Group(fields)) = trees.get(i + 2) {
                let mut stream = fields.stream();
                if !stream
                    .clone()
                    .into_iter()
                    .last()
                    .is_some_and(|t| punct(&t, ','))
                {
                    stream.extend(quote!(,));
                }
                stream.extend(quote!(extra_fields));
                out.extend([trees[i].clone(), trees[i + 1].clone()]);
                out.push(TokenTree::Group(regroup(fields, stream)));
                taken_apart = true;
                i += 3;
                continue;
            }
        }
        let binds_body = !merged
            && ident(&trees[i], "let")
            && trees.get(i + 1).is_some_and(|t| ident(t, "body"))
            && trees.get(i + 2).is_some_and(|t| punct(t, '='));
        if binds_body {
            let end = trees[i..]
                .iter()
                .position(|t| punct(t, ';'))
                .map(|p| i + p + 1)
                .ok_or_else(|| format!("{id}: an unterminated `let body`"))?;
            out.extend(trees[i..end].iter().cloned());
            let index = proc_macro2::Literal::usize_unsuffixed(index);
            out.extend(quote! {
                let body = extra_fields
                    .merge(&body, super::OPERATIONS[#index].rules, #id)
                    .map_err(Error::InvalidRequest)?;
            });
            merged = true;
            i = end;
            continue;
        }
        out.push(trees[i].clone());
        i += 1;
    }
    if !taken_apart || !merged {
        return Err(format!(
            "{id}: its builder takes extra body fields, but its `send` has no `let Self {{ … }} = self;` and `let body`"
        ));
    }
    Ok(regroup(body, out.into_iter().collect()))
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
pub fn data_types(raw: &Value) -> BTreeMap<String, super::data::Data> {
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
            super::data::Data {
                ty: quote!(types::#ty),
                required,
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
