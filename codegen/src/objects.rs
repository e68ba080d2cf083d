//! Each struct's `Deserialize`, written out as one loop over the JSON object's fields, and its
//! `Serialize` as one call of the core's `object::serialize`.
//!
//! serde's derive gives every struct a field enum with its own visitor and `Deserialize`, and a
//! visitor that reads both a map and a sequence: four impls and each field's code written four
//! times. In a service crate that is about a third of rustc's time, all of it type checking and
//! borrow checking of generic code (the parser is compiled where a call is awaited). A JSON
//! object is all Feishu sends, so this pass replaces the derive on every braced struct of
//! `mod types` by one `impl Deserialize`, a call of the core's `object::read`, whose one visitor
//! (for every struct) reads a map through the struct's `impl crate::object::Object`: each field
//! name is looked up by the core's `object::Field`, its value read into a local, and the struct
//! built at the end. What a reader sees is the same: a missing required field is serde's `missing field`
//! error, an absent `Option` or `#[serde(default)]` field its default, a `rename` read under
//! its wire name, a field the struct does not have skipped. Two things the derive accepted and
//! this does not: a struct written as a JSON array, and (where the derive refused it) a field
//! given twice reads as its last value, as `serde_json::Value` reads it.
//!
//! serde's `Serialize` derive compiles, for each request struct, a loop over its fields unrolled
//! and instantiated with the JSON serializer: about a quarter of a service's LLVM IR. Here each
//! struct hands its fields' wire names and values (behind `dyn`, through `erased-serde`) to the
//! core's `object::serialize`, compiled once per serializer; the JSON is the same: fields in
//! order, under their wire names, an `Option` marked `skip_serializing_if` left out when `None`.
//!
//! The code has no `?`: each one is a `Try` and a `From` resolution for the type checker and
//! more for the borrow checker, where a plain `match` costs rustc markedly less (with the
//! builders' and the operations' `?`s, see `plain_try`, about a fifth of corehr's build).
//!
//! A struct this pass cannot read (a tuple struct, a serde attribute on the struct, or one on a
//! field other than `rename`, `default` and `skip_serializing_if` of `Option::is_none`) keeps the
//! derives.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::tokens::{ident, punct, regroup};
use super::trim::{head, module_at, split_items};

/// progenitor's output with every braced struct of `mod types` deserialised by a written-out
/// impl instead of serde's derive (see the module's docs), and how many structs changed.
pub fn written_out(tokens: TokenStream) -> Result<(TokenStream, usize), String> {
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    let types_at = module_at(&top, "types").ok_or("progenitor's output has no `mod types`")?;
    let TokenTree::Group(types) = &top[types_at] else {
        unreachable!("module_at finds a group");
    };
    let mut out: Vec<TokenTree> = Vec::new();
    let mut count = 0;
    for item in split_items(types.stream()) {
        match head(&item) {
            Some(("struct", name)) => match rewrite(&item, &name) {
                Some(rewritten) => {
                    out.extend(rewritten);
                    count += 1;
                }
                None => out.extend(item),
            },
            _ => out.extend(item),
        }
    }
    top[types_at] = TokenTree::Group(regroup(types, out.into_iter().collect()));
    Ok((top.into_iter().collect(), count))
}

/// When the struct is deserialised: always, or with the crate's `fake` feature only.
#[derive(Clone, Copy, PartialEq)]
enum Reads {
    Always,
    UnderFake,
}

/// One field: its Rust name, its name on the wire, what its absence means, and whether it is
/// left out when `None` (`skip_serializing_if = "…Option::is_none"`).
struct Field {
    name: Ident,
    ty: TokenStream,
    wire: String,
    absent: Absent,
    skip_none: bool,
}

#[derive(Clone, Copy)]
enum Absent {
    /// An `Option`: `None`.
    None,
    /// `#[serde(default)]`: its type's default.
    Default,
    /// Required: serde's `missing field` error.
    Missing,
}

/// The struct without serde's derives and with the written-out impls after it; `None` when it
/// derives neither or this pass cannot read it.
fn rewrite(item: &[TokenTree], name: &str) -> Option<Vec<TokenTree>> {
    let Some(TokenTree::Group(body)) = item.last() else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let mut reads = None;
    let mut writes = false;
    let mut keeps_serde_attributes = false;
    let mut out: Vec<TokenTree> = Vec::with_capacity(item.len());
    let mut i = 0;
    while i + 1 < item.len() && punct(&item[i], '#') {
        let TokenTree::Group(attribute) = &item[i + 1] else {
            return None;
        };
        match attribute_kind(attribute) {
            Attribute::Derive(list) => {
                let kept = without_serde(&list);
                keeps_serde_attributes |= kept.schema;
                writes |= kept.serialize;
                if kept.deserialize {
                    reads = Some(Reads::Always);
                }
                let list = kept.list;
                out.push(item[i].clone());
                out.push(TokenTree::Group(regroup(attribute, quote!(derive(#list)))));
            }
            Attribute::FakeDeserialize => reads = Some(Reads::UnderFake),
            // A serde attribute on the struct itself: left to the derive.
            Attribute::Serde => return None,
            Attribute::Other => out.extend([item[i].clone(), item[i + 1].clone()]),
        }
        i += 2;
    }
    if reads.is_none() && !writes {
        return None;
    }
    let fields = fields(body.stream())?;
    // The head (`pub struct Name`), then the body with the fields' serde attributes kept only
    // for the derive that still reads them (schemars').
    out.extend(item[i..item.len() - 1].iter().cloned());
    let body_stream = if keeps_serde_attributes {
        body.stream()
    } else {
        without_serde_attributes(body.stream())
    };
    out.push(TokenTree::Group(regroup(body, body_stream)));
    let name = Ident::new(name, Span::call_site());
    if writes {
        out.extend(serialize_impl(&name, &fields));
    }
    if let Some(reads) = reads {
        let (deserialize, object) = deserialize_impl(&name, &fields);
        for item in [deserialize, object] {
            if reads == Reads::UnderFake {
                out.extend(quote!(#[cfg(feature = "fake")]));
            }
            out.extend(item);
        }
    }
    Some(out)
}

enum Attribute {
    Derive(TokenStream),
    FakeDeserialize,
    Serde,
    Other,
}

fn attribute_kind(attribute: &Group) -> Attribute {
    let trees: Vec<TokenTree> = attribute.stream().into_iter().collect();
    match trees.as_slice() {
        [TokenTree::Ident(d), TokenTree::Group(list)] if d == "derive" => {
            Attribute::Derive(list.stream())
        }
        [TokenTree::Ident(s), TokenTree::Group(_)] if s == "serde" => Attribute::Serde,
        [TokenTree::Ident(c), TokenTree::Group(args)] if c == "cfg_attr" => {
            let text = args.stream().to_string();
            if text.contains("\"fake\"") && text.contains("Deserialize") {
                Attribute::FakeDeserialize
            } else {
                Attribute::Other
            }
        }
        _ => Attribute::Other,
    }
}

/// A derive list without serde's derives, which of them it had, and whether a derive that reads
/// the fields' serde attributes (schemars' `JsonSchema`) stays.
struct Kept {
    list: TokenStream,
    deserialize: bool,
    serialize: bool,
    schema: bool,
}

fn without_serde(list: &TokenStream) -> Kept {
    let mut entries: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tree in list.clone() {
        if punct(&tree, ',') {
            entries.push(Vec::new());
        } else if let Some(last) = entries.last_mut() {
            last.push(tree);
        }
    }
    let mut kept = Kept {
        list: TokenStream::new(),
        deserialize: false,
        serialize: false,
        schema: false,
    };
    for entry in entries.into_iter().filter(|e| !e.is_empty()) {
        let last = entry.last();
        let serde = entry.iter().any(|t| ident(t, "serde"));
        if serde && last.is_some_and(|t| ident(t, "Deserialize")) {
            kept.deserialize = true;
            continue;
        }
        if serde && last.is_some_and(|t| ident(t, "Serialize")) {
            kept.serialize = true;
            continue;
        }
        kept.schema |= last.is_some_and(|t| ident(t, "JsonSchema"));
        if !kept.list.is_empty() {
            kept.list.extend(quote!(,));
        }
        kept.list.extend(entry);
    }
    kept
}

/// The fields of a braced struct's body; `None` for one this pass cannot read.
fn fields(body: TokenStream) -> Option<Vec<Field>> {
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut fields = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let mut wire = None;
        let mut default = false;
        let mut skip_none = false;
        while trees.get(i).is_some_and(|t| punct(t, '#')) {
            let TokenTree::Group(attribute) = trees.get(i + 1)? else {
                return None;
            };
            if let Attribute::Serde = attribute_kind(attribute) {
                let said = serde_field_attribute(attribute)?;
                wire = said.rename.or(wire);
                default |= said.default;
                skip_none |= said.skip_none;
            }
            i += 2;
        }
        if trees.get(i).is_some_and(|t| ident(t, "pub")) {
            i += 1;
            if matches!(trees.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
            {
                i += 1;
            }
        }
        let TokenTree::Ident(name) = trees.get(i)? else {
            return None;
        };
        if !trees.get(i + 1).is_some_and(|t| punct(t, ':')) {
            return None;
        }
        i += 2;
        // The type: up to a comma outside angle brackets.
        let start = i;
        let mut depth = 0usize;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.checked_sub(1)?,
                TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let ty: TokenStream = trees[start..i].iter().cloned().collect();
        let text = ty.to_string();
        let absent =
            if text.starts_with(":: std :: option :: Option <") || text.starts_with("Option <") {
                Absent::None
            } else if default {
                Absent::Default
            } else {
                Absent::Missing
            };
        let wire = wire.unwrap_or_else(|| {
            let name = name.to_string();
            name.strip_prefix("r#").unwrap_or(&name).to_string()
        });
        if skip_none && !matches!(absent, Absent::None) {
            // Only an `Option` can be skipped when `None`.
            return None;
        }
        fields.push(Field {
            name: name.clone(),
            ty,
            wire,
            absent,
            skip_none,
        });
        // The comma.
        i += 1;
    }
    Some(fields)
}

/// What a field's `#[serde(…)]` says.
struct Said {
    rename: Option<String>,
    default: bool,
    skip_none: bool,
}

/// A field's `#[serde(…)]`: its `rename`, `default` and `skip_serializing_if` (of `Option`'s
/// `is_none` only); `None` for anything else.
fn serde_field_attribute(attribute: &Group) -> Option<Said> {
    let trees: Vec<TokenTree> = attribute.stream().into_iter().collect();
    let TokenTree::Group(args) = trees.get(1)? else {
        return None;
    };
    let mut said = Said {
        rename: None,
        default: false,
        skip_none: false,
    };
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    for entry in args.split(|t| punct(t, ',')) {
        match entry {
            [] => {}
            [TokenTree::Ident(d)] if d == "default" => said.default = true,
            [TokenTree::Ident(k), eq, TokenTree::Literal(value)]
                if k == "skip_serializing_if" && punct(eq, '=') =>
            {
                let path = plain_string(value)?;
                if !matches!(
                    path.as_str(),
                    "::std::option::Option::is_none" | "Option::is_none"
                ) {
                    return None;
                }
                said.skip_none = true;
            }
            [TokenTree::Ident(k), eq, TokenTree::Literal(value)]
                if k == "rename" && punct(eq, '=') =>
            {
                said.rename = Some(plain_string(value)?);
            }
            _ => return None,
        }
    }
    Some(said)
}

/// The value of a plain string literal (no escapes, not raw).
fn plain_string(literal: &Literal) -> Option<String> {
    let text = literal.to_string();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then(|| inner.to_string())
}

/// The body's tokens without its fields' `#[serde(…)]` attributes.
fn without_serde_attributes(body: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if punct(&trees[i], '#') {
            if let Some(TokenTree::Group(attribute)) = trees.get(i + 1) {
                if let Attribute::Serde = attribute_kind(attribute) {
                    i += 2;
                    continue;
                }
            }
        }
        out.push(trees[i].clone());
        i += 1;
    }
    out.into_iter().collect()
}

/// `impl Serialize for name`: the fields' wire names and values handed to the core's one
/// `object::serialize`.
fn serialize_impl(name: &Ident, fields: &[Field]) -> TokenStream {
    let title = name.to_string();
    let entries = fields.iter().map(|field| {
        let name = &field.name;
        let wire = &field.wire;
        if field.skip_none {
            quote!((#wire, crate::object::unless_none(&self.#name)),)
        } else {
            quote!((#wire, ::std::option::Option::Some(&self.#name as crate::object::Value<'_>)),)
        }
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                crate::object::serialize(serializer, #title, &[#(#entries)*])
            }
        }
    }
}

/// `impl Deserialize for name`, one call of the core's `object::read`, whose one visitor serves
/// every struct, and `impl crate::object::Object for name`: its `visit_map`, reading the map
/// into one local per field.
fn deserialize_impl(name: &Ident, fields: &[Field]) -> (TokenStream, TokenStream) {
    let expecting = format!("struct {name}");
    let locals: Vec<Ident> = (0..fields.len()).map(|i| format_ident!("f{i}")).collect();
    let wires = fields.iter().map(|f| &f.wire);
    // Each local's type written out: rustc then infers none of them from the struct built at
    // the end.
    let slots: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ty = &f.ty;
            match f.absent {
                Absent::None => ty.clone(),
                Absent::Default | Absent::Missing => quote!(::std::option::Option<#ty>),
            }
        })
        .collect();
    let arms = fields
        .iter()
        .zip(&locals)
        .enumerate()
        .map(|(i, (field, local))| {
            let value = quote!(match map.next_value() {
                ::std::result::Result::Ok(value) => value,
                ::std::result::Result::Err(error) => return ::std::result::Result::Err(error),
            });
            let read = match field.absent {
                Absent::None => value,
                Absent::Default | Absent::Missing => quote!(::std::option::Option::Some(#value)),
            };
            quote!(#i => #local = #read,)
        });
    let built = fields.iter().zip(&locals).map(|(field, local)| {
        let name = &field.name;
        let wire = &field.wire;
        match field.absent {
            Absent::None => quote!(#name: #local,),
            Absent::Default => quote!(#name: #local.unwrap_or_default(),),
            Absent::Missing => quote!(
                #name: match #local {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => {
                        return ::std::result::Result::Err(::serde::de::Error::missing_field(#wire));
                    }
                },
            ),
        }
    });
    let deserialize = quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                crate::object::read(deserializer)
            }
        }
    };
    let object = quote! {
        impl<'de> crate::object::Object<'de> for #name {
            const EXPECTING: &'static str = #expecting;
            fn visit_map<A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                #(let mut #locals: #slots = ::std::option::Option::None;)*
                loop {
                    let field = match map.next_key_seed(crate::object::Field(&[#(#wires),*])) {
                        ::std::result::Result::Ok(::std::option::Option::Some(field)) => field,
                        ::std::result::Result::Ok(::std::option::Option::None) => break,
                        ::std::result::Result::Err(error) => {
                            return ::std::result::Result::Err(error);
                        }
                    };
                    match field {
                        #(#arms)*
                        _ => {
                            if let ::std::result::Result::Err(error) =
                                map.next_value::<::serde::de::IgnoredAny>()
                            {
                                return ::std::result::Result::Err(error);
                            }
                        }
                    }
                }
                ::std::result::Result::Ok(#name { #(#built)* })
            }
        }
    };
    (deserialize, object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(tokens: TokenStream) -> (String, usize) {
        let (out, count) = written_out(tokens).unwrap();
        (out.to_string(), count)
    }

    #[test]
    fn an_answer_struct_gets_the_written_out_impl_and_loses_its_serde_attributes() {
        let (out, count) = rewritten(quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Debug)]
                pub struct Answer {
                    pub code: i64,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub data: ::std::option::Option<AnswerData>,
                    #[serde(rename = "type", default)]
                    pub type_: ::std::vec::Vec<String>,
                }
            }
        });
        assert_eq!(count, 1);
        assert!(
            out.contains("# [derive (Clone , Debug)] pub struct Answer"),
            "{out}"
        );
        assert!(!out.contains("# [serde"), "{out}");
        assert!(
            out.contains("Field (& [\"code\" , \"data\" , \"type\"])"),
            "{out}"
        );
        assert!(out.contains("code : match f0"), "{out}");
        assert!(out.contains("missing_field (\"code\")"), "{out}");
        assert!(out.contains("data : f1 ,"), "{out}");
        assert!(out.contains("type_ : f2 . unwrap_or_default ()"), "{out}");
        // One visitor of the core's reads it: no visitor type of its own.
        assert!(
            out.contains("crate :: object :: read (deserializer)"),
            "{out}"
        );
        assert!(
            out.contains("impl < 'de > crate :: object :: Object < 'de > for Answer { const EXPECTING : & 'static str = \"struct Answer\" ;"),
            "{out}"
        );
        assert!(!out.contains("struct Visitor"), "{out}");
    }

    #[test]
    fn a_request_struct_is_written_by_the_core_and_read_only_with_the_fake() {
        let (out, count) = rewritten(quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, Debug)]
                #[cfg_attr(feature = "fake", derive(::serde::Deserialize))]
                pub struct Body {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub name: Option<String>,
                    #[serde(rename = "type")]
                    pub type_: String,
                    pub note: Option<String>,
                }
            }
        });
        assert_eq!(count, 1);
        assert!(!out.contains("cfg_attr"), "{out}");
        assert!(!out.contains("# [serde"), "{out}");
        assert!(
            out.contains("# [derive (Clone , Debug)] pub struct Body"),
            "{out}"
        );
        assert!(
            out.contains(
                "crate :: object :: serialize (serializer , \"Body\" , & [(\"name\" , crate :: object :: unless_none (& self . name)) , (\"type\" , :: std :: option :: Option :: Some (& self . type_ as crate :: object :: Value < '_ >)) , (\"note\" , :: std :: option :: Option :: Some (& self . note as crate :: object :: Value < '_ >)) ,])"
            ),
            "{out}"
        );
        assert!(out.contains(
            "# [cfg (feature = \"fake\")] impl < 'de > :: serde :: Deserialize < 'de > for Body"
        ), "{out}");
        assert!(out.contains(
            "# [cfg (feature = \"fake\")] impl < 'de > crate :: object :: Object < 'de > for Body"
        ), "{out}");
    }

    #[test]
    fn with_schemars_the_fields_keep_their_serde_attributes() {
        let (out, count) = rewritten(quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, ::schemars::JsonSchema)]
                pub struct Body {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub name: Option<String>,
                }
            }
        });
        assert_eq!(count, 1);
        assert!(
            out.contains("# [derive (Clone , :: schemars :: JsonSchema)]"),
            "{out}"
        );
        assert!(out.contains("# [serde (skip_serializing_if"), "{out}");
        assert!(out.contains("impl :: serde :: Serialize for Body"), "{out}");
    }

    #[test]
    fn what_the_pass_cannot_read_keeps_the_derive() {
        let input = quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone)]
                #[serde(transparent)]
                pub struct Wrapped(i64);
                #[derive(::serde::Serialize, Clone)]
                pub struct Listed {
                    #[serde(skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub items: ::std::vec::Vec<String>,
                }
                #[derive(::serde::Deserialize, Clone)]
                pub struct Flat {
                    #[serde(flatten)]
                    pub rest: ::serde_json::Map<String, ::serde_json::Value>,
                }
            }
        };
        let (out, count) = rewritten(input.clone());
        assert_eq!(count, 0);
        assert_eq!(out, input.to_string());
    }
}
