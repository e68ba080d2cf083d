//! Open enumerations: a value the spec does not list is kept, never an error.
//!
//! typify makes a string enumeration a Rust enum whose derived `Deserialize` refuses any other
//! string, and an integer enumeration a newtype whose `TryFrom` and `Deserialize` refuse any
//! other integer: an answer carrying a value Feishu added later would fail to decode, and a
//! request could not send one the spec does not list yet. This pass, run on progenitor's output
//! once each type's derives are cut to the way it travels ([`super::trim`]), rewrites both:
//!
//! - a string enum gets one more variant, `Other(String)` (`OtherValue` should the spec list a
//!   value typify names `Other`): the listed values keep their variants, any other string is
//!   `Other`, both ways. `as_str`, `Display`, `FromStr` (infallible), `From<&str>` and
//!   `From<String>` agree with each other and with the wire; `Serialize` writes `as_str()`,
//!   `Deserialize` (the core's `open_enum::deserialize_str`) takes any string. It is no longer
//!   `Copy` (it may hold a string). A derived `JsonSchema` becomes the listed values, as before.
//! - an integer newtype takes any integer: `From<i64>` in place of the checking `TryFrom`, a
//!   `Deserialize` that takes any integer, and `Copy`, `PartialEq`, `Eq`, `Hash`; its docs list
//!   the values the spec names.
//!
//! Each keeps the `Serialize`/`Deserialize` the trim left it (written by hand now, the
//! `Deserialize` of a request-only type still only with the `fake` feature). Anything that is
//! not one of these two shapes is left as it is.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::tokens::{ident, punct, regroup};
use super::trim::{head, module_at, split_items};

/// The name of the catch-all variant, unless the spec lists a value of that name.
pub const OTHER: &str = "Other";
/// The catch-all's name when [`OTHER`] is taken.
pub const OTHER_TAKEN: &str = "OtherValue";

/// How many enums were opened, for the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// String enums given an `Other` variant.
    pub strings: usize,
    /// Integer newtypes that take any integer.
    pub integers: usize,
}

/// progenitor's output with every string enum and integer newtype of `mod types` opened (see
/// the module's docs).
pub fn open(tokens: TokenStream) -> Result<(TokenStream, Opened), String> {
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    let types_at = module_at(&top, "types").ok_or("progenitor's output has no `mod types`")?;
    let TokenTree::Group(types) = &top[types_at] else {
        unreachable!("module_at finds a group");
    };
    let items = split_items(types.stream());
    let mut strings = BTreeMap::new();
    let mut integers = BTreeMap::new();
    for item in &items {
        match head(item) {
            Some(("enum", name)) => {
                if let Some(found) = string_enum(item) {
                    strings.insert(name, found);
                }
            }
            Some(("impl", name)) => {
                if let Some(found) = checked_integer(item) {
                    integers.insert(name, found);
                }
            }
            _ => {}
        }
    }
    // A newtype is opened only if it is the tuple struct of an integer its `TryFrom` checks.
    let newtypes: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match head(item) {
            Some(("struct", name))
                if integers
                    .get(&name)
                    .is_some_and(|i| is_newtype(item, &i.inner)) =>
            {
                Some(name)
            }
            _ => None,
        })
        .collect();
    integers.retain(|name, _| newtypes.contains(name));

    let opened = Opened {
        strings: strings.len(),
        integers: integers.len(),
    };
    let mut out: Vec<TokenTree> = Vec::new();
    for item in items {
        match head(&item) {
            Some(("enum", name)) if strings.contains_key(&name) => {
                out.extend(open_string_enum(&name, &strings[&name]));
            }
            Some(("impl", name)) if strings.contains_key(&name) && replaced_impl(&item) => {}
            Some(("struct", name)) if integers.contains_key(&name) => {
                out.extend(open_newtype(item, &integers[&name]));
            }
            Some(("impl", name)) if integers.contains_key(&name) => {
                out.extend(open_newtype_impl(item, &name, &integers[&name]));
            }
            _ => out.extend(item),
        }
    }
    top[types_at] = TokenTree::Group(regroup(types, out.into_iter().collect()));
    Ok((top.into_iter().collect(), opened))
}

/// What a string enum is made of.
struct StringEnum {
    /// Its attributes but `derive`, the `fake` one and `serde`: its docs.
    attributes: Vec<TokenTree>,
    /// Its derives but the serde ones, `Copy` and `JsonSchema`.
    derives: Vec<TokenStream>,
    serialize: bool,
    /// `Some(true)`: only with the `fake` feature.
    deserialize: Option<bool>,
    json_schema: bool,
    /// Each variant's attributes but `serde`, name, and value on the wire.
    variants: Vec<(Vec<TokenTree>, Ident, String)>,
}

/// The parts of `pub enum Name { … }` when it is a string enum: unit variants only, each named
/// by its `#[serde(rename = "…")]` or its own name, no other serde attribute.
fn string_enum(item: &[TokenTree]) -> Option<StringEnum> {
    let mut attributes = Vec::new();
    let mut derives = Vec::new();
    let (mut serialize, mut deserialize, mut json_schema) = (false, None, false);
    let mut i = 0;
    while punct(item.get(i)?, '#') {
        let TokenTree::Group(attribute) = item.get(i + 1)? else {
            return None;
        };
        let trees: Vec<TokenTree> = attribute.stream().into_iter().collect();
        match trees.first() {
            Some(t) if ident(t, "derive") => {
                let TokenTree::Group(list) = trees.get(1)? else {
                    return None;
                };
                for entry in entries(list.stream()) {
                    let last = entry.last().map(|t| t.to_string()).unwrap_or_default();
                    match last.as_str() {
                        "Serialize" => serialize = true,
                        "Deserialize" => deserialize = Some(false),
                        "JsonSchema" => json_schema = true,
                        "Copy" => {}
                        _ => derives.push(entry.into_iter().collect()),
                    }
                }
            }
            Some(t) if ident(t, "cfg_attr") => {
                let text = attribute.stream().to_string();
                if !(text.contains("\"fake\"") && text.contains("Deserialize")) {
                    return None;
                }
                deserialize = Some(true);
            }
            Some(t) if ident(t, "serde") => return None,
            _ => attributes.extend([item[i].clone(), item[i + 1].clone()]),
        }
        i += 2;
    }
    if !ident(item.get(i)?, "pub") || !ident(item.get(i + 1)?, "enum") {
        return None;
    }
    let TokenTree::Group(body) = item.get(i + 3)? else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace || item.len() != i + 4 {
        return None;
    }
    let mut variants = Vec::new();
    let mut trees = body.stream().into_iter().peekable();
    loop {
        let mut kept = Vec::new();
        let mut wire = None;
        while trees.peek().is_some_and(|t| punct(t, '#')) {
            let hash = trees.next()?;
            let TokenTree::Group(attribute) = trees.next()? else {
                return None;
            };
            let inner: Vec<TokenTree> = attribute.stream().into_iter().collect();
            if inner.first().is_some_and(|t| ident(t, "serde")) {
                wire = Some(renamed(&inner)?);
            } else {
                kept.extend([hash, TokenTree::Group(attribute)]);
            }
        }
        let Some(tree) = trees.next() else {
            if !kept.is_empty() {
                return None;
            }
            break;
        };
        let TokenTree::Ident(name) = tree else {
            return None;
        };
        match trees.next() {
            None => {}
            Some(t) if punct(&t, ',') => {}
            Some(_) => return None,
        }
        let wire = wire.unwrap_or_else(|| name.to_string());
        variants.push((kept, name, wire));
    }
    if variants.is_empty() {
        return None;
    }
    Some(StringEnum {
        attributes,
        derives,
        serialize,
        deserialize,
        json_schema,
        variants,
    })
}

/// The value of `serde(rename = "…")`, the attribute's only argument.
fn renamed(attribute: &[TokenTree]) -> Option<String> {
    let TokenTree::Group(args) = attribute.get(1)? else {
        return None;
    };
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    match args.as_slice() {
        [TokenTree::Ident(rename), eq, TokenTree::Literal(value)]
            if rename == "rename" && punct(eq, '=') =>
        {
            string_literal(value)
        }
        _ => None,
    }
}

/// The text of a plain string literal (`"…"`, the escapes typify writes: `\"`, `\\`).
fn string_literal(literal: &Literal) -> Option<String> {
    let text = literal.to_string();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'u' => {
                let braced: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let hex = braced.strip_prefix('{')?;
                out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The comma-separated entries of a list.
fn entries(stream: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut out = Vec::new();
    let mut entry = Vec::new();
    for tree in stream {
        if punct(&tree, ',') {
            out.push(std::mem::take(&mut entry));
        } else {
            entry.push(tree);
        }
    }
    if !entry.is_empty() {
        out.push(entry);
    }
    out
}

/// Whether an `impl … for Name` of a string enum is one this pass writes again: `Display`,
/// `FromStr`, `TryFrom<&str>`, `TryFrom<String>`.
fn replaced_impl(item: &[TokenTree]) -> bool {
    let end = item
        .iter()
        .position(|t| ident(t, "for"))
        .unwrap_or(item.len());
    item[..end]
        .iter()
        .any(|t| ident(t, "Display") || ident(t, "FromStr") || ident(t, "TryFrom"))
}

/// The open enum and its impls (see the module's docs).
fn open_string_enum(name: &str, parts: &StringEnum) -> TokenStream {
    let name = format_ident!("{name}");
    let taken = parts.variants.iter().any(|(_, v, _)| v == OTHER);
    let other = Ident::new(if taken { OTHER_TAKEN } else { OTHER }, Span::call_site());
    let attributes: TokenStream = parts.attributes.iter().cloned().collect();
    let derives = &parts.derives;
    let variants = parts.variants.iter().map(|(attributes, variant, _)| {
        let attributes: TokenStream = attributes.iter().cloned().collect();
        quote!(#attributes #variant,)
    });
    let names: Vec<&Ident> = parts.variants.iter().map(|(_, v, _)| v).collect();
    let wires: Vec<&String> = parts.variants.iter().map(|(_, _, w)| w).collect();
    let mut out = quote! {
        #attributes
        #[derive(#(#derives),*)]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list: kept as it came, sent as it is.
            #other(::std::string::String),
        }
        impl #name {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #wires,)*
                    Self::#other(value) => value,
                }
            }
            fn listed(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#wires => ::std::option::Option::Some(Self::#names),)*
                    _ => ::std::option::Option::None,
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, ::std::convert::Infallible> {
                ::std::result::Result::Ok(value.into())
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::listed(value).unwrap_or_else(|| Self::#other(value.to_string()))
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::listed(&value) {
                    ::std::option::Option::Some(listed) => listed,
                    ::std::option::Option::None => Self::#other(value),
                }
            }
        }
    };
    if parts.serialize {
        out.extend(quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        });
    }
    if let Some(fake_only) = parts.deserialize {
        if fake_only {
            out.extend(quote!(#[cfg(feature = "fake")]));
        }
        out.extend(quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    crate::open_enum::deserialize_str(deserializer)
                }
            }
        });
    }
    if parts.json_schema {
        let schema_name = name.to_string();
        out.extend(quote! {
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> ::std::string::String {
                    #schema_name.to_string()
                }
                fn json_schema(
                    _: &mut ::schemars::gen::SchemaGenerator,
                ) -> ::schemars::schema::Schema {
                    crate::open_enum::string_schema(&[#(#wires),*])
                }
            }
        });
    }
    out
}

/// An integer newtype's checked conversion.
struct CheckedInteger {
    /// The integer type (`i64`).
    inner: String,
    /// The values the spec lists, as typify wrote them (`1_i64`).
    values: Vec<Literal>,
}

/// `impl TryFrom<i64> for Name { … if ![1_i64, …].contains(&value) … }`: the integer and the
/// listed values.
fn checked_integer(item: &[TokenTree]) -> Option<CheckedInteger> {
    let at = item
        .windows(2)
        .position(|w| ident(&w[0], "TryFrom") && punct(&w[1], '<'))?;
    let TokenTree::Ident(inner) = item.get(at + 2)? else {
        return None;
    };
    let inner = inner.to_string();
    if !punct(item.get(at + 3)?, '>') || !is_integer(&inner) {
        return None;
    }
    let TokenTree::Group(body) = item.last()? else {
        return None;
    };
    let mut values = None;
    find_listed(body.stream(), &mut values);
    values.map(|values| CheckedInteger { inner, values })
}

/// The literals of the bracket group before `. contains`, at any depth.
fn find_listed(stream: TokenStream, found: &mut Option<Vec<Literal>>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        if found.is_some() {
            return;
        }
        if let TokenTree::Group(g) = tree {
            let contains = trees.get(i + 1).is_some_and(|t| punct(t, '.'))
                && trees.get(i + 2).is_some_and(|t| ident(t, "contains"));
            if g.delimiter() == Delimiter::Bracket && contains {
                *found = Some(
                    g.stream()
                        .into_iter()
                        .filter_map(|t| match t {
                            TokenTree::Literal(l) => Some(l),
                            _ => None,
                        })
                        .collect(),
                );
                return;
            }
            find_listed(g.stream(), found);
        }
    }
}

fn is_integer(name: &str) -> bool {
    matches!(
        name,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64"
    )
}

/// Whether `item` is `pub struct Name(<inner>);`.
fn is_newtype(item: &[TokenTree], inner: &str) -> bool {
    let n = item.len();
    n >= 5
        && punct(&item[n - 1], ';')
        && matches!(&item[n - 2], TokenTree::Group(g)
            if g.delimiter() == Delimiter::Parenthesis && g.stream().to_string() == inner)
}

/// The newtype with `Copy`, `PartialEq`, `Eq` and `Hash` derived and its listed values in its
/// docs.
fn open_newtype(item: Vec<TokenTree>, checked: &CheckedInteger) -> Vec<TokenTree> {
    let listed = checked
        .values
        .iter()
        .map(|v| {
            v.to_string()
                .split('_')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!(
        "The values the spec lists: {listed}. Any other integer is kept as it came, and sent as it is."
    );
    let mut out: Vec<TokenTree> = Vec::with_capacity(item.len() + 8);
    let mut trees = item.into_iter().peekable();
    let mut documented = false;
    while let Some(tree) = trees.next() {
        let derive = match (&tree, trees.peek()) {
            (TokenTree::Punct(p), Some(TokenTree::Group(g)))
                if p.as_char() == '#'
                    && g.delimiter() == Delimiter::Bracket
                    && g.stream()
                        .into_iter()
                        .next()
                        .is_some_and(|t| ident(&t, "derive")) =>
            {
                Some(g.clone())
            }
            _ => None,
        };
        let Some(attribute) = derive else {
            if !documented && ident(&tree, "pub") {
                out.extend(quote!(#[doc = ""] #[doc = #doc]));
                documented = true;
            }
            out.push(tree);
            continue;
        };
        trees.next();
        // After the type's own docs, before its derives.
        if !documented {
            out.extend(quote!(#[doc = ""] #[doc = #doc]));
            documented = true;
        }
        let trees_in: Vec<TokenTree> = attribute.stream().into_iter().collect();
        let (Some(d), Some(TokenTree::Group(list))) = (trees_in.first(), trees_in.get(1)) else {
            out.extend([tree, TokenTree::Group(attribute)]);
            continue;
        };
        let mut list_stream = list.stream();
        list_stream.extend(quote!(, Copy, PartialEq, Eq, Hash));
        let stream: TokenStream = [d.clone(), TokenTree::Group(regroup(list, list_stream))]
            .into_iter()
            .collect();
        out.extend([tree, TokenTree::Group(regroup(&attribute, stream))]);
    }
    out
}

/// An impl of an integer newtype: its checking `TryFrom` becomes `From`, its `Deserialize` takes
/// any integer (with the attributes it had: `#[cfg(feature = "fake")]`); the others stay.
fn open_newtype_impl(item: Vec<TokenTree>, name: &str, checked: &CheckedInteger) -> Vec<TokenTree> {
    let end = item
        .iter()
        .position(|t| ident(t, "for"))
        .unwrap_or(item.len());
    let tries = item[..end].iter().any(|t| ident(t, "TryFrom"));
    let deserializes = item[..end].iter().any(|t| ident(t, "Deserialize"));
    if !tries && !deserializes {
        return item;
    }
    let at = item.iter().position(|t| ident(t, "impl")).unwrap_or(0);
    let mut out: Vec<TokenTree> = item[..at].to_vec();
    let name = format_ident!("{name}");
    let inner = Ident::new(&checked.inner, Span::call_site());
    if tries {
        out.extend(quote! {
            impl ::std::convert::From<#inner> for #name {
                fn from(value: #inner) -> Self {
                    Self(value)
                }
            }
        });
    } else {
        out.extend(quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    <#inner as ::serde::Deserialize>::deserialize(deserializer).map(Self)
                }
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(tokens: TokenStream) -> (String, Opened) {
        let (out, counts) = open(tokens).unwrap();
        (out.to_string(), counts)
    }

    #[test]
    fn a_string_enum_gets_an_other_variant_and_its_impls_agree() {
        let input = quote! {
            pub mod types {
                #[doc = "`Mode`"]
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, schemars::JsonSchema)]
                pub enum Mode {
                    #[serde(rename = "group")]
                    Group,
                    #[serde(rename = "p2p")]
                    P2p,
                    Plain,
                }
                impl ::std::fmt::Display for Mode { fn fmt() {} }
                impl ::std::str::FromStr for Mode { type Err = (); }
                impl ::std::convert::TryFrom<&str> for Mode { }
                impl ::std::convert::TryFrom<::std::string::String> for Mode { }
                impl ::std::default::Default for Mode { fn default() -> Self { Mode::Group } }
            }
        };
        let (out, counts) = opened(input);
        assert_eq!(
            counts,
            Opened {
                strings: 1,
                integers: 0
            }
        );
        let want = quote! {
            #[doc = "`Mode`"]
            #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
            pub enum Mode {
                Group,
                P2p,
                Plain,
                /// A value the spec does not list: kept as it came, sent as it is.
                Other(::std::string::String),
            }
        }
        .to_string();
        assert!(out.contains(&want), "{out}");
        for want in [
            quote!(Self::Group => "group",),
            quote!(Self::Plain => "Plain",),
            quote!(Self::Other(value) => value,),
            quote!("p2p" => ::std::option::Option::Some(Self::P2p),),
            quote!(impl ::serde::Serialize for Mode),
            quote!(impl<'de> ::serde::Deserialize<'de> for Mode),
            quote!(crate::open_enum::string_schema(&["group", "p2p", "Plain"])),
            quote!(impl ::std::default::Default for Mode),
            quote!(
                type Err = ::std::convert::Infallible;
            ),
        ] {
            assert!(out.contains(&want.to_string()), "{want} in {out}");
        }
        assert_eq!(out.matches("TryFrom").count(), 0, "{out}");
        assert_eq!(out.matches("fmt :: Display for Mode").count(), 1, "{out}");
    }

    #[test]
    fn a_request_only_enum_deserializes_with_the_fake_only_and_other_may_be_taken() {
        let input = quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, Copy, Debug)]
                #[cfg_attr(feature = "fake", derive(::serde::Deserialize))]
                pub enum Kind {
                    #[serde(rename = "other")]
                    Other,
                }
            }
        };
        let (out, _) = opened(input);
        assert!(
            out.contains("OtherValue (:: std :: string :: String)"),
            "{out}"
        );
        assert!(
            out.contains(
                &quote!(#[cfg(feature = "fake")] impl<'de> ::serde::Deserialize<'de> for Kind)
                    .to_string()
            ),
            "{out}"
        );
        assert!(!out.contains("JsonSchema"), "{out}");
        assert!(!out.contains("cfg_attr"), "{out}");
    }

    #[test]
    fn enums_of_other_shapes_are_left_alone() {
        let input = quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum Either { A(String), B(i64) }
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub enum Payload { A { x: i64 } }
            }
        };
        let (out, counts) = opened(input.clone());
        assert_eq!(counts, Opened::default());
        assert_eq!(out, input.to_string());
    }

    #[test]
    fn an_integer_newtype_takes_any_integer() {
        let input = quote! {
            pub mod types {
                #[doc = "`Kind`"]
                #[derive(::serde::Serialize, Clone, Debug)]
                #[serde(transparent)]
                pub struct Kind(i64);
                impl ::std::ops::Deref for Kind { type Target = i64; }
                impl ::std::convert::TryFrom<i64> for Kind {
                    type Error = self::error::ConversionError;
                    fn try_from(value: i64) -> Result<Self, ConversionError> {
                        if ![1_i64, 2_i64].contains(&value) { Err("invalid value".into()) } else { Ok(Self(value)) }
                    }
                }
                #[cfg(feature = "fake")]
                impl<'de> ::serde::Deserialize<'de> for Kind {
                    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error> { Self::try_from(1) }
                }
                #[derive(::serde::Serialize, Clone, Debug)]
                pub struct Name(String);
                impl ::std::convert::TryFrom<&str> for Name { }
            }
        };
        let (out, counts) = opened(input);
        assert_eq!(
            counts,
            Opened {
                strings: 0,
                integers: 1
            }
        );
        for want in [
            quote!(#[derive(::serde::Serialize, Clone, Debug, Copy, PartialEq, Eq, Hash)]),
            quote!(#[doc = "The values the spec lists: 1, 2. Any other integer is kept as it came, and sent as it is."]),
            quote!(impl ::std::convert::From<i64> for Kind { fn from(value: i64) -> Self { Self(value) } }),
            quote!(#[cfg(feature = "fake")] impl<'de> ::serde::Deserialize<'de> for Kind),
            quote!(<i64 as ::serde::Deserialize>::deserialize(deserializer).map(Self)),
            quote!(impl ::std::ops::Deref for Kind),
        ] {
            assert!(out.contains(&want.to_string()), "{want} in {out}");
        }
        assert!(!out.contains("invalid value"), "{out}");
        assert!(out.contains("TryFrom < & str > for Name"), "{out}");
    }
}
