//! Answer types of the shape `{code: i64, data: Option<T>, msg: String}` as aliases of the core's
//! generic `ResponseBody<T>`.
//!
//! Nearly every operation's answer is that envelope around its own `data` type. As a struct of
//! its own, each one cost a service crate its derives, its `Deserialize` and its runtime impls
//! (about 7 % of im's rustc time); as `pub type ChatGetResponse = ResponseBody<ChatGetData>`, it
//! costs one line, and its name, fields and reading stay what they were. An answer with another
//! shape (no `code`, a required `data`, more fields) keeps its struct.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::tokens::{ident, punct, regroup};
use super::trim::{head, module_at, split_items};

/// progenitor's output with every answer type of `answers` (their names, see
/// `table::Table::envelopes`) that has the envelope's shape made an alias of
/// `crate::ResponseBody`, and the names of those.
pub fn generic(
    tokens: TokenStream,
    answers: &BTreeMap<String, bool>,
) -> Result<(TokenStream, BTreeSet<String>), String> {
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    let types_at = module_at(&top, "types").ok_or("progenitor's output has no `mod types`")?;
    let TokenTree::Group(types) = &top[types_at] else {
        unreachable!("module_at finds a group");
    };
    let mut out: Vec<TokenTree> = Vec::new();
    let mut aliased = BTreeSet::new();
    for item in split_items(types.stream()) {
        let alias = match head(&item) {
            Some(("struct", name)) if answers.contains_key(&name) => alias(&item, &name),
            _ => None,
        };
        match alias {
            Some(alias) => {
                out.extend(alias);
                aliased.extend(head(&item).map(|(_, name)| name));
            }
            None => out.extend(item),
        }
    }
    top[types_at] = TokenTree::Group(regroup(types, out.into_iter().collect()));
    Ok((top.into_iter().collect(), aliased))
}

/// The alias standing for the struct `item`, with its doc attributes; `None` when the struct
/// is not exactly the envelope or has attributes other than docs and derives.
fn alias(item: &[TokenTree], name: &str) -> Option<TokenStream> {
    let Some(TokenTree::Group(body)) = item.last() else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let mut docs = TokenStream::new();
    let mut i = 0;
    while punct(item.get(i)?, '#') {
        let TokenTree::Group(attribute) = item.get(i + 1)? else {
            return None;
        };
        match attribute.stream().into_iter().next() {
            Some(first) if ident(&first, "doc") => {
                docs.extend([item[i].clone(), item[i + 1].clone()]);
            }
            Some(first) if ident(&first, "derive") => {}
            _ => return None,
        }
        i += 2;
    }
    let fields = fields(body.stream());
    let [(code, code_ty), (data, data_ty), (msg, msg_ty)] = fields.as_slice() else {
        return None;
    };
    let data_ty = data_ty.trim();
    let inner = data_ty
        .strip_prefix(":: std :: option :: Option <")
        .and_then(|rest| rest.strip_suffix('>'))?;
    let envelope = (
        code.as_str(),
        code_ty.trim(),
        data.as_str(),
        msg.as_str(),
        msg_ty.trim(),
    ) == ("code", "i64", "data", "msg", ":: std :: string :: String");
    if !envelope {
        return None;
    }
    let inner: TokenStream = inner.parse().ok()?;
    let name = format_ident!("{name}");
    Some(quote! {
        #docs
        pub type #name = crate::ResponseBody<#inner>;
    })
}

/// A struct body's fields: each one's name and its type as text, attributes left out; a field
/// that is not `pub name: Type` gives an empty name.
fn fields(body: TokenStream) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut field: Vec<TokenTree> = Vec::new();
    let mut depth = 0usize;
    let mut trees = body.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match &tree {
            // An attribute: `#` and its bracket group.
            TokenTree::Punct(p) if p.as_char() == '#' && field.is_empty() => {
                trees.next();
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                fields.push(field_of(&std::mem::take(&mut field)));
                continue;
            }
            _ => {}
        }
        field.push(tree);
    }
    if !field.is_empty() {
        fields.push(field_of(&field));
    }
    fields
}

/// `pub name : Type` as its name and the text of its type.
fn field_of(field: &[TokenTree]) -> (String, String) {
    match field {
        [visibility, TokenTree::Ident(name), colon, ty @ ..]
            if ident(visibility, "pub") && punct(colon, ':') =>
        {
            (
                name.to_string(),
                ty.iter().cloned().collect::<TokenStream>().to_string(),
            )
        }
        _ => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(names: &[&str]) -> BTreeMap<String, bool> {
        names.iter().map(|n| (n.to_string(), true)).collect()
    }

    #[test]
    fn the_envelope_becomes_an_alias_and_other_shapes_stay() {
        let tokens = quote! {
            pub mod types {
                #[doc = "`GetResponse`"]
                #[derive(Clone, Debug)]
                pub struct GetResponse {
                    pub code: i64,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub data: ::std::option::Option<GetResponseData>,
                    pub msg: ::std::string::String,
                }
                #[derive(Clone, Debug)]
                pub struct ListResponse {
                    pub code: i64,
                    pub data: ListResponseData,
                    pub msg: ::std::string::String,
                }
                #[derive(Clone, Debug)]
                pub struct GetResponseData {
                    pub code: i64,
                    pub data: ::std::option::Option<i64>,
                    pub msg: ::std::string::String,
                }
            }
        };
        let (out, aliased) = generic(tokens, &answers(&["GetResponse", "ListResponse"])).unwrap();
        assert_eq!(aliased, BTreeSet::from(["GetResponse".to_string()]));
        let text = out.to_string();
        assert!(
            text.contains("pub type GetResponse = crate :: ResponseBody < GetResponseData > ;"),
            "{text}"
        );
        assert!(
            text.contains("# [doc = \"`GetResponse`\"] pub type"),
            "{text}"
        );
        assert!(text.contains("pub struct ListResponse"), "{text}");
        // Not an answer: stays a struct whatever its shape.
        assert!(text.contains("pub struct GetResponseData"), "{text}");
    }
}
