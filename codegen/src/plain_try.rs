//! `?` written out as a `match` where the generated code has many of them.
//!
//! Each `?` is, for rustc, a call of `Try::branch`, a match on its `ControlFlow` and a
//! `FromResidual` conversion, each resolved by the type checker and borrow checked, for every
//! use. A `match` on the `Result` and a `return` of the error cost markedly less. Two places
//! hold most of the `?`s of a service's code, one per field or parameter:
//!
//! - typify's `TryFrom` from a struct builder to its type: `field: value.field?,`;
//! - the checks of an operation builder's values before its request is built (progenitor's, and
//!   the rule and extra-field checks this crate adds): `let x = <expr>.map_err(Error::InvalidRequest)?;`.
//!
//! With the written-out `Deserialize` (see `objects`), which has none either, this takes about a
//! fifth off corehr's build (269 operations).

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use quote::quote;

use super::tokens::{ident, punct, regroup};

/// `tokens` with every `value . <field> ?` written as a match returning the error converted
/// with `From` (typify's `TryFrom` impls: `value` is the builder being converted), at any depth.
pub(crate) fn builder_fields(tokens: TokenStream) -> TokenStream {
    rewrite_each(tokens, &field_try)
}

/// `value . <field> ?` at `trees[at]` as its match, and the index after the `?`.
fn field_try(trees: &[TokenTree], at: usize) -> Replacement {
    let is_field_try = ident(&trees[at], "value")
        && trees.get(at + 1).is_some_and(|t| punct(t, '.'))
        && matches!(trees.get(at + 2), Some(TokenTree::Ident(_)))
        && trees.get(at + 3).is_some_and(|t| punct(t, '?'));
    if !is_field_try {
        return None;
    }
    let field = &trees[at + 2];
    let rewritten = quote! {
        match value.#field {
            ::std::result::Result::Ok(value) => value,
            ::std::result::Result::Err(error) => {
                return ::std::result::Result::Err(::std::convert::From::from(error));
            }
        }
    };
    Some((rewritten, at + 4))
}

/// `tokens` with every statement `let <pattern> = <expr> . map_err(Error :: InvalidRequest) ? ;`
/// written as `let <pattern> = match <expr> { Ok(v) => v, Err(e) => return
/// Err(Error::InvalidRequest(e)) };` (the checks of an operation builder's values), at any depth.
pub(crate) fn checks(tokens: TokenStream) -> TokenStream {
    rewrite_each(tokens, &|trees, at| {
        ident(&trees[at], "let")
            .then(|| check_statement(trees, at))
            .flatten()
    })
}

/// What replaces the tokens from an index: the new tokens and the index after the old ones.
type Replacement = Option<(TokenStream, usize)>;

/// `tokens` with each place where `rewrite` gives a replacement (and the index after what it
/// replaces) replaced, every group walked the same way.
fn rewrite_each(
    tokens: TokenStream,
    rewrite: &dyn Fn(&[TokenTree], usize) -> Replacement,
) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some((rewritten, end)) = rewrite(&trees, i) {
            out.extend(rewritten);
            i = end;
            continue;
        }
        out.push(match &trees[i] {
            TokenTree::Group(g) => TokenTree::Group(regroup(g, rewrite_each(g.stream(), rewrite))),
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

/// The statement starting at `trees[at]` (`let`) rewritten, and the index after its `;`; `None`
/// when it is not `let … = <expr> . map_err(Error :: InvalidRequest) ? ;`.
fn check_statement(trees: &[TokenTree], at: usize) -> Replacement {
    let equals = at + trees[at..].iter().position(|t| punct(t, '='))?;
    let semi = at + trees[at..].iter().position(|t| punct(t, ';'))?;
    if semi < equals + 5 {
        return None;
    }
    let tail = &trees[semi - 4..semi];
    let is_invalid_request = matches!(&tail[2], TokenTree::Group(g)
        if g.delimiter() == Delimiter::Parenthesis
            && g.stream().to_string().replace(' ', "") == "Error::InvalidRequest");
    if !(punct(&tail[0], '.') && ident(&tail[1], "map_err") && is_invalid_request) {
        return None;
    }
    if !punct(&tail[3], '?') {
        return None;
    }
    let pattern: TokenStream = trees[at + 1..equals].iter().cloned().collect();
    let expr: TokenStream = checks(trees[equals + 1..semi - 4].iter().cloned().collect());
    let error = Ident::new("error", Span::call_site());
    Some((
        quote! {
            let #pattern = match #expr {
                ::std::result::Result::Ok(value) => value,
                ::std::result::Result::Err(#error) => {
                    return ::std::result::Result::Err(Error::InvalidRequest(#error));
                }
            };
        },
        semi + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_builder_field_try_becomes_a_match() {
        let out = builder_fields(quote! {
            fn try_from(value: B) -> Result<Self, E> { Ok(Self { a: value.a?, b: value.b? }) }
        })
        .to_string();
        assert!(!out.contains('?'), "{out}");
        assert!(out.contains("a : match value . a {"), "{out}");
        assert!(
            out.contains(":: std :: convert :: From :: from (error)"),
            "{out}"
        );
    }

    #[test]
    fn a_check_becomes_a_match_and_other_statements_stay() {
        let out = checks(quote! {
            let chat_id = chat_id.map_err(Error::InvalidRequest)?;
            let body = body.and_then(|v| T::try_from(v).map_err(|e| e.to_string())).map_err(Error::InvalidRequest)?;
            let request = client.get(url).build()?;
        })
        .to_string();
        assert!(out.contains("let chat_id = match chat_id {"), "{out}");
        assert!(out.contains("let body = match body . and_then"), "{out}");
        assert!(out.contains("Error :: InvalidRequest (error)"), "{out}");
        assert!(
            out.contains("let request = client . get (url) . build () ? ;"),
            "{out}"
        );
    }
}
