//! The crate's own `send` for every operation builder.
//!
//! progenitor's `send()` returns `progenitor_client::Error`, decides success by the HTTP status
//! alone and decodes the body itself. Its builders keep their fields private, so the crate cannot
//! build the request another way; instead the generated code is adjusted in two places:
//!
//! - in progenitor's `pub mod builder`, each `pub async fn send` becomes
//!   `pub(super) async fn send_unscreened`: the request is still built by progenitor's code, but
//!   no one outside the generated module calls it directly; for an operation whose body has
//!   rules (`x-feishu-rules`), it checks the typed body against them before serialising it;
//! - beside it, each builder gets `send()` (the answer with its status and headers, or the
//!   crate's `Error`) and, when the answer is an envelope whose `data` is a named schema,
//!   `call()` (that `data`), both through `crate::runtime::send`, which decodes a success body
//!   once and hands errors over as they are.
//!
//! An operation whose answer the runtime decodes (a JSON `200` of a named schema, not a file),
//! with a JSON body or none and not an upload, whose request progenitor's code builds without
//! conditionals, gets `prepare_direct` in place of `send_unscreened`: the builder's values
//! checked, and a function that builds the request from them; its `send()` goes through
//! `crate::runtime::send_direct`, which builds the request again only for a retry and returns the
//! decoded answer itself, with no answer slot and nothing of progenitor's response handling.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
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
    /// For an operation sent directly (see [`wrap`]): its operationId and index in `OPERATIONS`.
    direct: Option<(String, usize)>,
}

/// Renames progenitor's `send` in the top-level `mod builder` of `tokens`, and returns the
/// tokens with the crate's `send`/`call` for each builder appended. `data_types` maps a success
/// type's name to the Rust type of its `data` field (see [`data_types`]); `ruled` the operations
/// whose body has rules to their index in `OPERATIONS`, `direct` the operations whose answer the
/// runtime decodes to theirs (see [`super::table::Table`]).
#[allow(clippy::too_many_arguments)]
pub fn wrap(
    tokens: TokenStream,
    data_types: &BTreeMap<String, TokenStream>,
    files: &BTreeMap<String, (String, &'static str)>,
    pages: &BTreeMap<String, TokenStream>,
    uploads: &BTreeMap<String, super::upload::Upload>,
    ids: &BTreeMap<String, String>,
    ruled: &BTreeMap<String, super::table::Ruled>,
    direct: &BTreeMap<String, usize>,
) -> Result<TokenStream, String> {
    // Uploads keep their own path (their multipart body is not progenitor's).
    let direct: BTreeMap<String, usize> = direct
        .iter()
        .filter(|(id, _)| !uploads.contains_key(&pascal(id)))
        .map(|(id, index)| (id.clone(), *index))
        .collect();
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
                    &direct,
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
    for Builder {
        name,
        answer,
        setters,
        direct,
    } in builders
    {
        if let Some(id) = ids.get(&name.to_string()) {
            arms.push(super::from_json::json_arm(
                id,
                &setters,
                uploads.get(&name.to_string()),
            ));
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
                pub fn call(
                    self,
                ) -> impl std::future::Future<Output = std::result::Result<#data, crate::Error>> + Send + 'a {
                    crate::runtime::finish(self.send(), |sent| Ok(sent?.into_inner().data))
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
        let sent = match direct {
            Some((id, index)) => {
                let index = proc_macro2::Literal::usize_unsuffixed(index);
                quote!(crate::runtime::send_direct(self.prepare_direct(), #id, &OPERATIONS[#index]))
            }
            None => quote!(crate::runtime::send(self.send_unscreened())),
        };
        stream.extend(quote! {
            impl<'a> builder::#name<'a> {
                /// Sends the request and returns Feishu's answer with its status and headers; any
                /// failure — refused before sending, transport, an error code at any HTTP status,
                /// an undecodable answer — is the crate's [`Error`](crate::Error).
                ///
                /// A plain function returning the runtime's future (not an `async fn`, which
                /// would keep a second copy of that future in its own state).
                pub fn send(
                    self,
                ) -> impl std::future::Future<
                    Output = std::result::Result<progenitor_client::ResponseValue<#answer>, crate::Error>,
                > + Send + 'a {
                    #sent
                }
                #call
                #download
                #pages
            }
        });
    }
    stream.extend(super::from_json::send_from_json(&arms));
    Ok(stream)
}

/// The builder module's body with each `pub async fn send` of an `impl<'a> Name<'a>` renamed.
fn rename_sends(
    module: &Group,
    builders: &mut Vec<Builder>,
    ruled: &BTreeMap<String, super::table::Ruled>,
    direct: &BTreeMap<String, usize>,
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
                    let (renamed, answer) = rename_send(body, ruled, direct)?;
                    if let Some((answer, direct)) = answer {
                        let trees: Vec<TokenTree> = body.stream().into_iter().collect();
                        builders.push(Builder {
                            name,
                            answer,
                            setters: super::from_json::setters(&trees),
                            direct,
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

/// An impl body with `pub async fn send(self) -> Result<ResponseValue<T>, …>` made
/// `pub(super) async fn send_unscreened` (with the body's rule check, for an operation in
/// `ruled`), and `T`; for an operation in `direct`, `prepare_direct` in its place (see
/// [`prepare_direct`]), and its operationId and index.
#[allow(clippy::type_complexity)]
fn rename_send(
    body: &Group,
    ruled: &BTreeMap<String, super::table::Ruled>,
    direct: &BTreeMap<String, usize>,
) -> Result<(Group, Option<(TokenStream, Option<(String, usize)>)>), String> {
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
        // Without the api-version header (see `without_api_version`) the header map of an
        // operation without header parameters is never appended to.
        let mut renamed: Vec<TokenTree> = quote!(#[allow(unused_mut)]).into_iter().collect();
        renamed.push(TokenTree::Ident(Ident::new("pub", Span::call_site())));
        renamed.push(TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            quote!(super),
        )));
        renamed.push(trees[i + 1].clone());
        renamed.push(trees[i + 2].clone());
        renamed.push(TokenTree::Ident(Ident::new(
            "send_unscreened",
            Span::call_site(),
        )));
        // `(self) -> Result < ResponseValue < T > , Error < … > > { … }`
        let signature_end = trees[i + 4..]
            .iter()
            .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
            .map(|p| i + 4 + p)
            .ok_or("a `send` without a body")?;
        let answer_ty = answer_type(&trees[i + 4..signature_end])?;
        renamed.extend(trees[i + 4..signature_end].iter().cloned());
        let TokenTree::Group(fn_body) = &trees[signature_end] else {
            unreachable!("found as a brace group above");
        };
        let mut fn_body = without_api_version(fn_body);
        let id = operation_id(&fn_body.stream()).ok_or("a `send` without an operation_id")?;
        if let Some(ruled) = ruled.get(&id) {
            fn_body = with_rule_check(&fn_body, &id, ruled)?;
        }
        let prepare = direct.get(&id).and_then(|_| prepare_direct(&fn_body));
        let direct = match &prepare {
            Some(_) => direct.get(&id).map(|index| (id, *index)),
            None => None,
        };
        answer = Some((answer_ty, direct));
        // An operation sent directly has no other use for progenitor's `send`: only the part
        // that checks the builder's values and builds the request is kept.
        match prepare {
            Some(prepare) => out.extend(prepare),
            None => {
                out.extend(renamed);
                out.push(TokenTree::Group(fn_body));
            }
        }
        i = signature_end + 1;
    }
    Ok((regroup(body, out.into_iter().collect()), answer))
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
/// body's rules too), run at once, and the part that builds the request from them (with the
/// `pre` hook), as a function the runtime calls for the first attempt and again for each retry
/// (`crate::runtime::send_direct`) — so that no copy of the request is kept in case of a retry —
/// and that decodes the answer and returns it, with no pass through progenitor's handling of the
/// response. `None` (the operation keeps progenitor's `send`) when the body has no `let url = …;`
/// before `let info = …;`, awaits before it, or builds the request with statements that might
/// move the checked values (conditionals: header parameters).
fn prepare_direct(body: &Group) -> Option<TokenStream> {
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let statement = |name: &str| {
        trees.windows(2).position(|w| {
            matches!(&w[0], TokenTree::Ident(l) if l == "let")
                && matches!(&w[1], TokenTree::Ident(i) if i == name)
        })
    };
    let (url, info) = (statement("url")?, statement("info")?);
    if url > info {
        return None;
    }
    fn mentions(stream: TokenStream, names: &[&str]) -> bool {
        stream.into_iter().any(|t| match t {
            TokenTree::Ident(a) => names.iter().any(|name| a == name),
            TokenTree::Group(g) => mentions(g.stream(), names),
            _ => false,
        })
    }
    let checks: TokenStream = trees[..url].iter().cloned().collect();
    let builds: TokenStream = trees[url..info].iter().cloned().collect();
    if mentions(checks.clone(), &["await"])
        || mentions(builds.clone(), &["await", "if", "match", "append", "move"])
    {
        return None;
    }
    let builds = lean_request(builds);
    // A body other than the JSON one `lean_request` writes would still need the `pre` hook.
    let pre = (calls(&builds, "json") || calls(&builds, "body"))
        .then(|| quote!(crate::runtime::pre(&mut request);));
    Some(quote! {
        #[allow(unused_mut)]
        pub(super) fn prepare_direct(
            self,
        ) -> Result<
            (
                &'a super::Client,
                impl Fn() -> Result<reqwest::Request, Error<crate::FeishuErrorBody>> + Send + Sync + 'a,
            ),
            Error<crate::FeishuErrorBody>,
        > {
            #checks
            Ok((client, move || {
                #builds
                #pre
                Ok(request)
            }))
        }
    })
}

/// The statements of progenitor's `send` that build the request, with reqwest's `.json(&body)`,
/// whose content type the `pre` hook would replace, as `.feishu_json(&body)`
/// (`crate::runtime::JsonBody`: Feishu's content type, set once).
fn lean_request(builds: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = builds.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut json = false;
    let mut i = 0;
    while i < trees.len() {
        let writes_json = punct(&trees[i], '.')
            && trees.get(i + 1).is_some_and(|t| ident(t, "json"))
            && matches!(trees.get(i + 2), Some(TokenTree::Group(g)) if g.stream().to_string() == "& body");
        if writes_json {
            out.push(trees[i].clone());
            out.push(TokenTree::Ident(Ident::new(
                "feishu_json",
                Span::call_site(),
            )));
            out.push(trees[i + 2].clone());
            json = true;
            i += 3;
            continue;
        }
        out.push(trees[i].clone());
        i += 1;
    }
    let lean: TokenStream = out.into_iter().collect();
    if json {
        quote!(use crate::runtime::JsonBody as _; #lean)
    } else {
        lean
    }
}

/// Whether `stream` calls the method `name` (`. name (…)`), at any depth.
fn calls(stream: &TokenStream, name: &str) -> bool {
    let trees: Vec<TokenTree> = stream.clone().into_iter().collect();
    trees.iter().enumerate().any(|(i, tree)| match tree {
        TokenTree::Punct(p) if p.as_char() == '.' => {
            matches!(trees.get(i + 1), Some(TokenTree::Ident(m)) if m == name)
                && matches!(trees.get(i + 2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        }
        TokenTree::Group(g) => calls(&g.stream(), name),
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
