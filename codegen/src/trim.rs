//! What each generated type needs, by the way it travels.
//!
//! typify gives every type of a spec the same code: `Serialize` and `Deserialize`, and a struct
//! builder (`types::X::builder()`, the `types::builder` module) with its conversions. A type
//! only a request carries is written, never read; a type only an answer carries is read, never
//! written, and nobody builds it. Before progenitor's output is wrapped, this pass finds, from
//! the operations, which types a request reaches and which an answer reaches (through the
//! fields of the types they hold) and keeps:
//!
//! - for a type no request reaches: `Deserialize` only, and no builder;
//! - for a type no answer reaches: `Serialize`, its builder, and `Deserialize` only with the
//!   crate's `fake` feature (the conformance suite sends requests given as JSON);
//! - for a type both reach: everything.
//!
//! Request roots are the types named in the fields of the operation builders (parameters and
//! bodies) and the upload forms; answer roots are the `T` of every `ResponseValue<types::T>`
//! and `Error<types::T>`. A type named by neither (a component schema no operation uses) is
//! treated as an answer.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::quote;

use super::tokens::{after_attributes_and_visibility, ident, punct, regroup};

/// How many types kept what, for the build's report and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trimmed {
    /// Types a request reaches and an answer does not.
    pub request_only: usize,
    /// Types no request reaches.
    pub answer_only: usize,
    /// Types both reach.
    pub both: usize,
}

/// progenitor's output with each type's code cut to the way it travels (see the module's
/// docs). `forms` are the upload forms' type names (the operations take them outside
/// progenitor's builders).
pub fn by_direction(
    tokens: TokenStream,
    forms: &[String],
) -> Result<(TokenStream, Trimmed), String> {
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    let types_at = module_at(&top, "types").ok_or("progenitor's output has no `mod types`")?;
    let builder_at =
        module_at(&top, "builder").ok_or("progenitor's output has no `mod builder`")?;
    let TokenTree::Group(types) = &top[types_at] else {
        unreachable!("module_at finds a group");
    };
    let items = split_items(types.stream());
    // Each type of `mod types` and the types its definition names.
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in &items {
        if let Some(("struct" | "enum", name)) = head(item) {
            defined.insert(name, BTreeSet::new());
        }
    }
    let names: BTreeSet<String> = defined.keys().cloned().collect();
    for item in &items {
        if let Some(("struct" | "enum", name)) = head(item) {
            let mut named = BTreeSet::new();
            mentions(item.iter().cloned().collect(), &names, &mut named);
            defined.insert(name, named);
        }
    }
    // The roots, outside `mod types`.
    let TokenTree::Group(operations) = &top[builder_at] else {
        unreachable!("module_at finds a group");
    };
    let mut request_roots: BTreeSet<String> = forms.iter().cloned().collect();
    for item in split_items(operations.stream()) {
        if let Some(("struct", _)) = head(&item) {
            after_types_path(item.into_iter().collect(), &mut request_roots);
        }
    }
    let mut answer_roots = BTreeSet::new();
    for (i, tree) in top.iter().enumerate() {
        if i != types_at {
            if let TokenTree::Group(g) = tree {
                answer_types(g.stream(), &mut answer_roots);
            }
        }
    }
    let requested = closure(&request_roots, &defined);
    let answered = closure(&answer_roots, &defined);

    let mut trimmed = Trimmed::default();
    for name in defined.keys() {
        match (requested.contains(name), answered.contains(name)) {
            (true, false) => trimmed.request_only += 1,
            (false, _) => trimmed.answer_only += 1,
            (true, true) => trimmed.both += 1,
        }
    }
    let mut out: Vec<TokenTree> = Vec::new();
    for item in items {
        match head(&item) {
            Some(("struct" | "enum", name)) if !requested.contains(&name) => {
                out.extend(without_derive(item, "Serialize", false));
            }
            Some(("struct" | "enum", name)) if !answered.contains(&name) => {
                out.extend(without_derive(item, "Deserialize", true));
            }
            // `impl X { pub fn builder() … }` of a type nobody builds.
            Some(("impl", name)) if !requested.contains(&name) && is_builder_fn(&item) => {}
            // typify's own `Deserialize` of a constrained type only requests carry.
            Some(("impl", name))
                if !answered.contains(&name)
                    && names.contains(&name)
                    && is_deserialize_impl(&item) =>
            {
                out.extend(quote!(#[cfg(feature = "fake")]));
                out.extend(item);
            }
            Some(("mod", name)) if name == "builder" => {
                out.extend(builders_kept(item, &requested));
            }
            _ => out.extend(item),
        }
    }
    top[types_at] = TokenTree::Group(regroup(types, out.into_iter().collect()));
    Ok((top.into_iter().collect(), trimmed))
}

/// The index of the body of the top-level `mod <name> { … }` in `trees`.
pub(crate) fn module_at(trees: &[TokenTree], name: &str) -> Option<usize> {
    trees
        .windows(3)
        .position(|w| {
            ident(&w[0], "mod")
                && ident(&w[1], name)
                && matches!(&w[2], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
        })
        .map(|at| at + 2)
}

/// The items of a module's body: each its attributes and tokens up to its body (a brace group)
/// or its `;`.
pub(crate) fn split_items(stream: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut items = Vec::new();
    let mut item = Vec::new();
    for tree in stream {
        let ends = match &tree {
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            TokenTree::Punct(p) => p.as_char() == ';',
            _ => false,
        };
        item.push(tree);
        if ends {
            items.push(std::mem::take(&mut item));
        }
    }
    if !item.is_empty() {
        items.push(item);
    }
    items
}

/// An item's keyword (`struct`, `enum`, `impl`, `mod`, …) and name: for an `impl`, the last
/// identifier of its self type (before its body or `where`).
pub(crate) fn head(item: &[TokenTree]) -> Option<(&'static str, String)> {
    let i = after_attributes_and_visibility(item);
    let keyword = match item.get(i)? {
        TokenTree::Ident(k) => k.to_string(),
        _ => return None,
    };
    let keyword: &'static str = match keyword.as_str() {
        "struct" => "struct",
        "enum" => "enum",
        "impl" => "impl",
        "mod" => "mod",
        _ => return None,
    };
    if keyword != "impl" {
        let TokenTree::Ident(name) = item.get(i + 1)? else {
            return None;
        };
        return Some((keyword, name.to_string()));
    }
    let end = item.iter().position(|t| {
        ident(t, "where") || matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
    })?;
    let name = item[..end].iter().rev().find_map(|t| match t {
        TokenTree::Ident(i) => Some(i.to_string()),
        _ => None,
    })?;
    Some(("impl", name))
}

/// Adds to `found` every identifier of `stream`, at any depth, that is in `names`.
fn mentions(stream: TokenStream, names: &BTreeSet<String>, found: &mut BTreeSet<String>) {
    for tree in stream {
        match tree {
            TokenTree::Ident(i) => {
                let i = i.to_string();
                if names.contains(&i) {
                    found.insert(i);
                }
            }
            TokenTree::Group(g) => mentions(g.stream(), names, found),
            _ => {}
        }
    }
}

/// Adds to `found` the `X` of every `types::X` and `types::builder::X` in `stream`.
fn after_types_path(stream: TokenStream, found: &mut BTreeSet<String>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        if let TokenTree::Group(g) = tree {
            after_types_path(g.stream(), found);
        }
        if ident(tree, "types") && path_sep(&trees, i + 1) {
            let mut at = i + 3;
            if trees.get(at).is_some_and(|t| ident(t, "builder")) && path_sep(&trees, at + 1) {
                at += 3;
            }
            if let Some(TokenTree::Ident(name)) = trees.get(at) {
                found.insert(name.to_string());
            }
        }
    }
}

/// Adds to `found` the `T` of every `ResponseValue<types::T>` and `Error<types::T>` in `stream`.
fn answer_types(stream: TokenStream, found: &mut BTreeSet<String>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        if let TokenTree::Group(g) = tree {
            answer_types(g.stream(), found);
        }
        let opens = (ident(tree, "ResponseValue") || ident(tree, "Error"))
            && trees.get(i + 1).is_some_and(|t| punct(t, '<'))
            && trees.get(i + 2).is_some_and(|t| ident(t, "types"))
            && path_sep(&trees, i + 3);
        if let (true, Some(TokenTree::Ident(name))) = (opens, trees.get(i + 5)) {
            found.insert(name.to_string());
        }
    }
}

fn path_sep(trees: &[TokenTree], at: usize) -> bool {
    trees.get(at).is_some_and(|t| punct(t, ':')) && trees.get(at + 1).is_some_and(|t| punct(t, ':'))
}

/// `roots` and every type their definitions name, transitively.
fn closure(
    roots: &BTreeSet<String>,
    defined: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&String> = roots.iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        todo.extend(defined.get(name).into_iter().flatten());
    }
    seen
}

/// An item with `::serde::<which>` taken out of its `#[derive(…)]`; with `under_fake`, given
/// back as `#[cfg_attr(feature = "fake", derive(::serde::<which>))]`.
fn without_derive(item: Vec<TokenTree>, which: &str, under_fake: bool) -> Vec<TokenTree> {
    let mut out = Vec::with_capacity(item.len() + 2);
    let mut trees = item.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let derive = match (&tree, trees.peek()) {
            (TokenTree::Punct(p), Some(TokenTree::Group(g)))
                if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket =>
            {
                derive_without(g, which)
            }
            _ => None,
        };
        let Some((attribute, removed)) = derive else {
            out.push(tree);
            continue;
        };
        trees.next();
        out.push(tree);
        out.push(TokenTree::Group(attribute));
        if removed && under_fake {
            let which = Ident::new(which, proc_macro2::Span::call_site());
            out.extend(quote!(#[cfg_attr(feature = "fake", derive(::serde::#which))]));
        }
    }
    out
}

/// For `derive(…)`, the attribute without the derive `::serde::<which>`, and whether it had it.
fn derive_without(attribute: &Group, which: &str) -> Option<(Group, bool)> {
    let trees: Vec<TokenTree> = attribute.stream().into_iter().collect();
    let [TokenTree::Ident(d), TokenTree::Group(list)] = trees.as_slice() else {
        return None;
    };
    if d != "derive" {
        return None;
    }
    let mut kept: Vec<TokenTree> = Vec::new();
    let mut entry: Vec<TokenTree> = Vec::new();
    let mut removed = false;
    let mut entries: Vec<Vec<TokenTree>> = Vec::new();
    for tree in list.stream() {
        if punct(&tree, ',') {
            entries.push(std::mem::take(&mut entry));
        } else {
            entry.push(tree);
        }
    }
    if !entry.is_empty() {
        entries.push(entry);
    }
    for entry in entries {
        let is_it = entry.last().is_some_and(|t| ident(t, which))
            && entry.iter().any(|t| ident(t, "serde"));
        if is_it {
            removed = true;
            continue;
        }
        if !kept.is_empty() {
            kept.extend(quote!(,));
        }
        kept.extend(entry);
    }
    let list = regroup(list, kept.into_iter().collect());
    let stream: TokenStream = [trees[0].clone(), TokenTree::Group(list)]
        .into_iter()
        .collect();
    Some((regroup(attribute, stream), removed))
}

/// Whether an `impl` item holds `fn builder`.
fn is_builder_fn(item: &[TokenTree]) -> bool {
    let Some(TokenTree::Group(body)) = item.last() else {
        return false;
    };
    let trees: Vec<TokenTree> = body.stream().into_iter().collect();
    trees
        .windows(2)
        .any(|w| ident(&w[0], "fn") && ident(&w[1], "builder"))
}

/// Whether an `impl` item's head (before `for`) names `name`: the trait it implements.
fn implements(item: &[TokenTree], name: &str) -> bool {
    let end = item
        .iter()
        .position(|t| ident(t, "for"))
        .unwrap_or(item.len());
    item[..end].iter().any(|t| ident(t, name))
}

/// Whether an `impl` item is `impl<'de> ::serde::Deserialize<'de> for X`.
fn is_deserialize_impl(item: &[TokenTree]) -> bool {
    implements(item, "Deserialize") && implements(item, "serde")
}

/// Whether an `impl` item is `impl TryFrom<…> for …`.
fn is_try_from_impl(item: &[TokenTree]) -> bool {
    implements(item, "TryFrom")
}

/// `mod builder { … }` of `mod types` with only the builders of the types in `requested`.
fn builders_kept(item: Vec<TokenTree>, requested: &BTreeSet<String>) -> Vec<TokenTree> {
    let mut item = item;
    let Some(TokenTree::Group(body)) = item.pop() else {
        return item;
    };
    let mut kept: Vec<TokenTree> = Vec::new();
    for builder in split_items(body.stream()) {
        match head(&builder) {
            Some((_, name)) if !requested.contains(&name) => {}
            // typify's `TryFrom` from the builder: its `?`s written out (see `plain_try`).
            Some(("impl", _)) if is_try_from_impl(&builder) => {
                kept.extend(super::plain_try::builder_fields(
                    builder.into_iter().collect(),
                ));
            }
            _ => kept.extend(builder),
        }
    }
    item.push(TokenTree::Group(regroup(&body, kept.into_iter().collect())));
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trimmed(tokens: TokenStream) -> (String, Trimmed) {
        let (out, counts) = by_direction(tokens, &[]).unwrap();
        (out.to_string(), counts)
    }

    #[test]
    fn answer_types_lose_their_builders_and_serialize_request_types_their_deserialize() {
        let input = quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Body { pub filter: Filter }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Filter { pub id: Shared }
                impl Filter { pub fn builder() -> builder::Filter { Default::default() } }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Shared(String);
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Answer { pub data: Option<AnswerData> }
                impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct AnswerData { pub id: Shared }
                impl AnswerData { pub fn builder() -> builder::AnswerData { Default::default() } }
                pub mod builder {
                    pub struct Body { filter: Result<super::Filter, String> }
                    impl ::std::convert::TryFrom<Body> for super::Body { }
                    pub struct Filter { id: Result<super::Shared, String> }
                    impl ::std::convert::From<super::Filter> for Filter { }
                    pub struct Answer { data: Result<Option<super::AnswerData>, String> }
                    impl ::std::default::Default for Answer { }
                    pub struct AnswerData { id: Result<super::Shared, String> }
                    impl AnswerData { }
                }
            }
            pub struct Client {}
            pub mod builder {
                pub struct Export<'a> { body: Result<types::builder::Body, String> }
                impl<'a> Export<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Answer>, Error<()>> { }
                }
            }
        };
        let (out, counts) = trimmed(input);
        assert_eq!(
            counts,
            Trimmed {
                request_only: 2,
                answer_only: 2,
                both: 1
            }
        );
        // Requests: Serialize, builders, Deserialize only for the fake.
        assert!(out.contains(
            "# [derive (:: serde :: Serialize , Clone , Debug)] # [cfg_attr (feature = \"fake\" , derive (:: serde :: Deserialize))] pub struct Body"
        ), "{out}");
        assert!(out.contains("impl Body { pub fn builder"), "{out}");
        assert!(out.contains("TryFrom < Body > for super :: Body"), "{out}");
        assert!(out.contains("From < super :: Filter > for Filter"), "{out}");
        // Both: untouched.
        assert!(out.contains(
            "# [derive (:: serde :: Deserialize , :: serde :: Serialize , Clone , Debug)] pub struct Shared"
        ), "{out}");
        // Answers: Deserialize, no builder.
        assert!(
            out.contains(
                "# [derive (:: serde :: Deserialize , Clone , Debug)] pub struct Answer {"
            ),
            "{out}"
        );
        assert!(!out.contains("impl Answer {"), "{out}");
        assert!(!out.contains("for Answer"), "{out}");
        assert!(!out.contains("impl AnswerData {"), "{out}");
        assert!(
            !out.contains("pub struct AnswerData { id : Result"),
            "{out}"
        );
    }

    #[test]
    fn a_constrained_request_type_deserializes_only_for_the_fake() {
        let input = quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, Debug)]
                pub struct Kind(i64);
                impl<'de> ::serde::Deserialize<'de> for Kind { fn deserialize() {} }
                impl ::std::convert::TryFrom<i64> for Kind { }
                pub mod builder {}
            }
            pub mod builder {
                pub struct List<'a> { kind: Result<Option<types::Kind>, String> }
            }
        };
        let (out, _) = trimmed(input);
        assert!(out.contains(
            "# [cfg (feature = \"fake\")] impl < 'de > :: serde :: Deserialize < 'de > for Kind"
        ), "{out}");
        assert!(
            out.contains("impl :: std :: convert :: TryFrom < i64 > for Kind"),
            "{out}"
        );
    }
}
