//! progenitor's statements that build an operation's request, as one chain of calls of the
//! core's `crate::runtime::Plan` (see its module): the request is worked out once, in
//! `prepare_direct`, by non-generic functions, where progenitor's code builds it in a function
//! of its own with reqwest's generic builder (a `format!` of the URL, a generic `query` per
//! parameter type, a generic `header`), which rustc checked for every operation.
//!
//! progenitor writes, between `let url = …;` and `let info = OperationInfo …;`:
//!
//! ```text
//! let url = format!("{}/open-apis/x/{}", client.baseurl, encode_path(&id.to_string()),);
//! let mut header_map = …; if let Some(value) = tag { header_map.append("X-Tag", …?); }
//! #[allow(unused_mut)]
//! let mut request = client.client.post(url)
//!     .header(ACCEPT, HeaderValue::from_static("application/json"))
//!     .json(&body)
//!     .query(&progenitor_client::QueryParam::new("page_size", &page_size))
//!     .headers(header_map)
//!     .build()?;
//! ```
//!
//! which becomes the header statements as they are (their `?` is progenitor's error, as in
//! `prepare_direct`) and
//!
//! ```text
//! crate::runtime::Plan::new(Method::POST, &client.baseurl, "/open-apis/x/{}", &[&id as &dyn Display])
//!     .accept_json()
//!     .json(body)
//!     .query(&[("page_size", &page_size as crate::object::Value<'_>)])
//!     .headers(header_map)
//! ```
//!
//! `body` is then the JSON `ExtraFields::merge` wrote (every operation with a JSON body merges
//! its extra fields), moved into the plan. Anything else progenitor writes there stops the
//! generation with an error naming it, so that a new progenitor cannot change a request
//! unnoticed.

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::tokens::{ident, punct};

/// progenitor's request-building statements `builds`: the statements to keep (header
/// parameters) and the `Plan` expression.
pub(crate) fn request(builds: TokenStream) -> Result<(TokenStream, TokenStream), String> {
    let trees: Vec<TokenTree> = builds.into_iter().collect();
    let url_end = trees
        .iter()
        .position(|t| punct(t, ';'))
        .ok_or("no `let url = …;`")?;
    let (path, params) = url(&trees[..url_end])?;
    let request = (url_end + 1..trees.len())
        .find(|&i| {
            ident(&trees[i], "let")
                && trees.get(i + 1).is_some_and(|t| ident(t, "mut"))
                && matches!(trees.get(i + 2), Some(TokenTree::Ident(name))
                    if name.to_string().trim_start_matches('_') == "request")
        })
        .ok_or("no `let mut request = …;`")?;
    // The statements between the two, without the `#[allow(unused_mut)]` of `request`.
    let mut kept_end = request;
    if kept_end >= url_end + 3
        && punct(&trees[kept_end - 2], '#')
        && matches!(&trees[kept_end - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
    {
        kept_end -= 2;
    }
    let kept: TokenStream = trees[url_end + 1..kept_end].iter().cloned().collect();
    let plan = chain(&trees[request + 3..], path, params)?;
    Ok((kept, plan))
}

/// `let url = format!("{}<path>", client.baseurl, encode_path(&<param>.to_string()), …)`: the
/// path (its `{}`s the parameters) and each parameter's expression.
fn url(statement: &[TokenTree]) -> Result<(Literal, Vec<TokenStream>), String> {
    let format = statement
        .iter()
        .position(|t| ident(t, "format"))
        .ok_or("the URL is not a `format!`")?;
    let Some(TokenTree::Group(arguments)) = statement.get(format + 2) else {
        return Err("the URL is not a `format!`".into());
    };
    let arguments: Vec<TokenTree> = arguments.stream().into_iter().collect();
    let mut split = arguments.split(|t| punct(t, ','));
    let template = match split.next() {
        Some([TokenTree::Literal(template)]) => template.to_string(),
        _ => return Err("the URL's format is not a string".into()),
    };
    let path = template
        .strip_prefix("\"{}")
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| !t.contains('\\'))
        .ok_or_else(|| format!("the URL's format {template} does not start at the base URL"))?;
    let base: TokenStream = split.next().unwrap_or_default().iter().cloned().collect();
    if base.to_string() != "client . baseurl" {
        return Err(format!(
            "the URL starts at `{base}`, not the client's base URL"
        ));
    }
    let mut params = Vec::new();
    for argument in split.filter(|a| !a.is_empty()) {
        // `encode_path (& <param> . to_string ())`
        let inner = match argument {
            [TokenTree::Ident(f), TokenTree::Group(g)] if f == "encode_path" => g.stream(),
            _ => return Err("a path parameter is not `encode_path(&….to_string())`".into()),
        };
        let inner: Vec<TokenTree> = inner.into_iter().collect();
        let value = match inner.as_slice() {
            [amp, value @ .., dot, to_string, TokenTree::Group(empty)]
                if punct(amp, '&')
                    && punct(dot, '.')
                    && ident(to_string, "to_string")
                    && empty.stream().is_empty() =>
            {
                value.iter().cloned().collect()
            }
            _ => return Err("a path parameter is not `encode_path(&….to_string())`".into()),
        };
        params.push(value);
    }
    Ok((Literal::string(path), params))
}

/// The calls `client . client . <method> (url) . … . build () ? ;` as the plan's chain.
fn chain(
    trees: &[TokenTree],
    path: Literal,
    params: Vec<TokenStream>,
) -> Result<TokenStream, String> {
    // `= client . client . <method> (url)`
    let method = match trees {
        [eq, client, _, http, _, TokenTree::Ident(method), TokenTree::Group(_), ..]
            if punct(eq, '=') && ident(client, "client") && ident(http, "client") =>
        {
            method.to_string()
        }
        _ => return Err("the request does not start at `client.client.<method>(url)`".into()),
    };
    if !["get", "post", "put", "patch", "delete", "head"].contains(&method.as_str()) {
        return Err(format!(
            "the request's method `{method}` is not an HTTP method"
        ));
    }
    let method = format_ident!("{}", method.to_uppercase());
    let mut plan = quote! {
        crate::runtime::Plan::new(
            ::reqwest::Method::#method,
            &client.baseurl,
            #path,
            &[#(&#params as &dyn ::std::fmt::Display,)*],
        )
    };
    let mut query = TokenStream::new();
    let mut i = 7;
    loop {
        let (Some(dot), Some(TokenTree::Ident(name)), Some(TokenTree::Group(arguments))) =
            (trees.get(i), trees.get(i + 1), trees.get(i + 2))
        else {
            return Err("the request's calls do not end in `.build()?`".into());
        };
        if !punct(dot, '.') {
            return Err("the request's calls do not end in `.build()?`".into());
        }
        let arguments = arguments.stream();
        let name = name.to_string();
        if name != "query" && !query.is_empty() {
            plan.extend(quote!(.query(&[#query])));
            query = TokenStream::new();
        }
        match name.as_str() {
            "build" => break,
            "header" if is_accept_json(&arguments) => plan.extend(quote!(.accept_json())),
            "json" if arguments.to_string() == "& body" => plan.extend(quote!(.json(body))),
            "headers" => plan.extend(quote!(.headers(#arguments))),
            "query" => {
                let (name, value) = query_param(arguments)
                    .ok_or("a query parameter is not `&progenitor_client::QueryParam::new(…)`")?;
                query.extend(quote!((#name, #value as crate::object::Value<'_>),));
            }
            _ => {
                return Err(format!(
                    "the request calls `.{name}({arguments})`, which a plan does not know"
                ))
            }
        }
        i += 3;
    }
    Ok(plan)
}

/// `::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json",),`
fn is_accept_json(arguments: &TokenStream) -> bool {
    let text = arguments.to_string();
    text.starts_with(":: reqwest :: header :: ACCEPT ,")
        && text.contains("HeaderValue :: from_static (\"application/json\"")
}

/// `&progenitor_client::QueryParam::new(name, value)`: its name and value expressions.
fn query_param(call: TokenStream) -> Option<(TokenStream, TokenStream)> {
    let inner: Vec<TokenTree> = call.into_iter().collect();
    let path = "& progenitor_client :: QueryParam :: new";
    let (TokenTree::Group(arguments), head) = inner.split_last()? else {
        return None;
    };
    if head.iter().cloned().collect::<TokenStream>().to_string() != path {
        return None;
    }
    let arguments: Vec<TokenTree> = arguments.stream().into_iter().collect();
    let comma = arguments.iter().position(|t| punct(t, ','))?;
    let name: TokenStream = arguments[..comma].iter().cloned().collect();
    let value: TokenStream = arguments[comma + 1..].iter().cloned().collect();
    Some((name, value))
}
