//! Absent and empty kept apart: optional arrays and maps are `Option`s.
//!
//! typify writes a property that is not required and whose type has a natural empty value (an
//! array, a map) as that type with `#[serde(default, skip_serializing_if = "…::is_empty")]`:
//! an absent field reads as empty, and an empty one the caller set is not sent — `[]` (which
//! clears a list in many of Feishu's updates) cannot be written, nor told from absence in an
//! answer. This pass makes each such field an `Option` (`None` absent, `Some(vec![])` sent as
//! `[]`), skipped only when `None`. The struct builders of the types keep taking the array or
//! map itself (`.field(vec![])`) and store it as `Some`; the field starts `None`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Group, Literal, TokenStream, TokenTree};
use quote::quote;

use super::tokens::{ident, punct, regroup};
use super::trim::{head, module_at, split_items};

/// progenitor's output with every optional array or map field of `mod types` an `Option` (see
/// the module's docs), and how many fields changed.
pub fn optional_collections(tokens: TokenStream) -> Result<(TokenStream, usize), String> {
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    let types_at = module_at(&top, "types").ok_or("progenitor's output has no `mod types`")?;
    let TokenTree::Group(types) = &top[types_at] else {
        unreachable!("module_at finds a group");
    };
    let mut changed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut items = Vec::new();
    for item in split_items(types.stream()) {
        match head(&item) {
            Some(("struct", name)) => {
                let (item, fields) = struct_fields(item);
                if !fields.is_empty() {
                    changed.insert(name, fields);
                }
                items.push(item);
            }
            _ => items.push(item),
        }
    }
    let mut out: Vec<TokenTree> = Vec::new();
    for item in items {
        match head(&item) {
            Some(("mod", name)) if name == "builder" => out.extend(builders(item, &changed)),
            _ => out.extend(item),
        }
    }
    let count = changed.values().map(BTreeSet::len).sum();
    top[types_at] = TokenTree::Group(regroup(types, out.into_iter().collect()));
    Ok((top.into_iter().collect(), count))
}

/// A struct item with its optional arrays and maps made `Option`s, and their names.
fn struct_fields(mut item: Vec<TokenTree>) -> (Vec<TokenTree>, BTreeSet<String>) {
    let mut names = BTreeSet::new();
    let Some(TokenTree::Group(body)) = item.last() else {
        return (item, names);
    };
    if body.delimiter() != Delimiter::Brace {
        return (item, names);
    }
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len() + 16);
    let mut i = 0;
    let mut skips_empty = false;
    while i < trees.len() {
        // An attribute: `# [serde (… skip_serializing_if = "…::is_empty" …)]`.
        if punct(&trees[i], '#') {
            if let Some(TokenTree::Group(attribute)) = trees.get(i + 1) {
                let (attribute, found) = skip_when_none(attribute);
                skips_empty |= found;
                out.extend([trees[i].clone(), TokenTree::Group(attribute)]);
                i += 2;
                continue;
            }
        }
        // `pub name : Type ,`
        let is_field = ident(&trees[i], "pub")
            && matches!(trees.get(i + 1), Some(TokenTree::Ident(_)))
            && trees.get(i + 2).is_some_and(lone_colon);
        if is_field && skips_empty {
            let end = type_end(&trees, i + 3);
            names.insert(trees[i + 1].to_string());
            out.extend(trees[i..i + 3].iter().cloned());
            let ty: TokenStream = trees[i + 3..end].iter().cloned().collect();
            out.extend(quote!(::std::option::Option<#ty>));
            i = end;
            skips_empty = false;
            continue;
        }
        if punct(&trees[i], ',') {
            skips_empty = false;
        }
        out.push(trees[i].clone());
        i += 1;
    }
    let body = regroup(body, out.into_iter().collect());
    *item.last_mut().expect("a body") = TokenTree::Group(body);
    (item, names)
}

/// A `serde(…)` attribute whose `skip_serializing_if` is an `is_empty` made `Option::is_none`,
/// and whether it was one.
fn skip_when_none(attribute: &Group) -> (Group, bool) {
    let trees: Vec<TokenTree> = attribute.stream().into_iter().collect();
    let (Some(serde), Some(TokenTree::Group(args))) = (trees.first(), trees.get(1)) else {
        return (attribute.clone(), false);
    };
    if !ident(serde, "serde") {
        return (attribute.clone(), false);
    }
    let mut found = false;
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    let mut out = Vec::with_capacity(args.len());
    for (i, tree) in args.iter().enumerate() {
        let is_empty_check = i >= 2
            && ident(&args[i - 2], "skip_serializing_if")
            && matches!(tree, TokenTree::Literal(l) if l.to_string().ends_with("::is_empty\""));
        if is_empty_check {
            found = true;
            out.push(TokenTree::Literal(Literal::string(
                "::std::option::Option::is_none",
            )));
        } else {
            out.push(tree.clone());
        }
    }
    if !found {
        return (attribute.clone(), false);
    }
    let inner: TokenStream = [
        serde.clone(),
        TokenTree::Group(regroup(
            match &trees[1] {
                TokenTree::Group(g) => g,
                _ => unreachable!("matched above"),
            },
            out.into_iter().collect(),
        )),
    ]
    .into_iter()
    .collect();
    (regroup(attribute, inner), true)
}

/// A `:` that is not the start of `::`.
fn lone_colon(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == proc_macro2::Spacing::Alone)
}

/// Where a type starting at `start` ends: at the first `,` outside angle brackets, or the end.
fn type_end(trees: &[TokenTree], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, tree) in trees.iter().enumerate().skip(start) {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => return i,
            _ => {}
        }
    }
    trees.len()
}

/// typify's `mod builder { … }` with the builders of the `changed` fields storing `Option`s:
/// the field `Result<T, String>` becomes `Result<Option<T>, String>` and its setter, still
/// taking what converts into `T`, stores `Some`.
fn builders(item: Vec<TokenTree>, changed: &BTreeMap<String, BTreeSet<String>>) -> Vec<TokenTree> {
    let mut item = item;
    let Some(TokenTree::Group(body)) = item.pop() else {
        return item;
    };
    let mut out: Vec<TokenTree> = Vec::new();
    for inner in split_items(body.stream()) {
        match head(&inner) {
            Some(("struct", name)) if changed.contains_key(&name) => {
                out.extend(builder_fields(inner, &changed[&name]));
            }
            Some(("impl", name)) if changed.contains_key(&name) => {
                out.extend(setters(inner, &changed[&name]));
            }
            _ => out.extend(inner),
        }
    }
    item.push(TokenTree::Group(regroup(&body, out.into_iter().collect())));
    item
}

/// A builder struct with each of `fields`, `name: Result<T, String>`, as
/// `Result<Option<T>, String>`.
fn builder_fields(mut item: Vec<TokenTree>, fields: &BTreeSet<String>) -> Vec<TokenTree> {
    let Some(TokenTree::Group(body)) = item.last() else {
        return item;
    };
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len() + 16);
    let mut i = 0;
    while i < trees.len() {
        // `name : :: std :: result :: Result < T , :: std :: string :: String > ,`
        let named = matches!(&trees[i], TokenTree::Ident(n) if fields.contains(&n.to_string()))
            && trees.get(i + 1).is_some_and(lone_colon)
            && (i == 0 || punct(&trees[i - 1], ','));
        if !named {
            out.push(trees[i].clone());
            i += 1;
            continue;
        }
        let end = type_end(&trees, i + 2);
        let Some(open) = trees[i + 2..end]
            .iter()
            .position(|t| punct(t, '<'))
            .map(|p| i + 2 + p)
        else {
            out.push(trees[i].clone());
            i += 1;
            continue;
        };
        // The `,` between the value type and the error type, at depth one.
        let mut depth = 0usize;
        let mut comma = None;
        for (k, tree) in trees.iter().enumerate().take(end).skip(open + 1) {
            match tree {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
                TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                    comma = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let Some(comma) = comma else {
            out.push(trees[i].clone());
            i += 1;
            continue;
        };
        out.extend(trees[i..=open].iter().cloned());
        let ty: TokenStream = trees[open + 1..comma].iter().cloned().collect();
        out.extend(quote!(::std::option::Option<#ty>));
        out.extend(trees[comma..end].iter().cloned());
        i = end;
    }
    let body = regroup(body, out.into_iter().collect());
    *item.last_mut().expect("a body") = TokenTree::Group(body);
    item
}

/// A builder impl whose setters of `fields` store `Some(value)`: `.try_into()` followed by
/// `.map(Option::Some)`.
fn setters(item: Vec<TokenTree>, fields: &BTreeSet<String>) -> Vec<TokenTree> {
    let mut item = item;
    let Some(TokenTree::Group(body)) = item.pop() else {
        return item;
    };
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut setter = false;
    for (i, tree) in trees.iter().enumerate() {
        if ident(tree, "fn") {
            setter = matches!(trees.get(i + 1), Some(TokenTree::Ident(n)) if fields.contains(&n.to_string()));
        }
        match tree {
            TokenTree::Group(g) if setter && g.delimiter() == Delimiter::Brace => {
                out.push(TokenTree::Group(regroup(
                    g,
                    some_after_try_into(g.stream()),
                )));
                setter = false;
            }
            _ => out.push(tree.clone()),
        }
    }
    item.push(TokenTree::Group(regroup(&body, out.into_iter().collect())));
    item
}

/// `stream` with `.try_into()` followed by `.map(::std::option::Option::Some)`, at any depth.
fn some_after_try_into(stream: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len() + 4);
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(g) => {
                out.push(TokenTree::Group(regroup(
                    g,
                    some_after_try_into(g.stream()),
                )));
                let converts = i >= 2
                    && punct(&trees[i - 2], '.')
                    && ident(&trees[i - 1], "try_into")
                    && g.delimiter() == Delimiter::Parenthesis
                    && g.stream().is_empty();
                if converts {
                    out.extend(quote!(.map(::std::option::Option::Some)));
                }
            }
            _ => out.push(tree.clone()),
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_arrays_and_maps_become_options_their_builders_store_some() {
        let input = quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, Debug, Default)]
                pub struct Body {
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub hidden_fields: ::std::vec::Vec<::std::string::String>,
                    #[doc = "kept"]
                    #[serde(rename = "Map", default, skip_serializing_if = "::serde_json::Map::is_empty")]
                    pub map: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    pub required: ::std::vec::Vec<i64>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub name: ::std::option::Option<::std::string::String>,
                }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                pub mod builder {
                    pub struct Body {
                        hidden_fields: ::std::result::Result<::std::vec::Vec<::std::string::String>, ::std::string::String>,
                        map: ::std::result::Result<::serde_json::Map<::std::string::String, ::serde_json::Value>, ::std::string::String>,
                        required: ::std::result::Result<::std::vec::Vec<i64>, ::std::string::String>,
                    }
                    impl Body {
                        pub fn hidden_fields<T>(mut self, value: T) -> Self
                        where T: ::std::convert::TryInto<::std::vec::Vec<::std::string::String>>, T::Error: ::std::fmt::Display
                        {
                            self.hidden_fields = value.try_into().map_err(|e| format!("{e}"));
                            self
                        }
                        pub fn required<T>(mut self, value: T) -> Self {
                            self.required = value.try_into().map_err(|e| format!("{e}"));
                            self
                        }
                    }
                }
            }
        };
        let (out, count) = optional_collections(input).unwrap();
        let squeeze = |s: String| s.split_whitespace().collect::<String>();
        let out = squeeze(out.to_string());
        assert_eq!(count, 2);
        for want in [
            quote! {
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub hidden_fields: ::std::option::Option<::std::vec::Vec<::std::string::String> >,
            },
            quote! {
                #[doc = "kept"]
                #[serde(rename = "Map", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub map: ::std::option::Option<::serde_json::Map<::std::string::String, ::serde_json::Value> >,
                pub required: ::std::vec::Vec<i64>,
            },
            quote! {
                hidden_fields: ::std::result::Result<::std::option::Option<::std::vec::Vec<::std::string::String> >, ::std::string::String>,
            },
            quote!(required: ::std::result::Result<::std::vec::Vec<i64>, ::std::string::String>,),
            quote!(self.hidden_fields = value.try_into().map(::std::option::Option::Some).map_err(|e| format!("{e}"));),
            quote!(self.required = value.try_into().map_err(|e| format!("{e}"));),
        ] {
            let want = squeeze(want.to_string());
            assert!(out.contains(&want), "{want}\nin {out}");
        }
    }
}
