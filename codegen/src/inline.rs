//! Every method of the generated code compiled where it is called.
//!
//! A crate compiles to machine code each of its functions that is not generic, whether any
//! caller uses it or not: an operation's builder, its `send()` and the building of its request,
//! typify's builders' conversions, the open enums' conversions. That was about two thirds of a
//! service crate's LLVM IR, paid by every user for every operation of the service. This pass
//! marks each method of the generated `impl` blocks `#[inline]`, which makes rustc compile it
//! in the crates that call it, for the operations they call (as it does for generic code, such
//! as the answers' `Deserialize`); the code is the same.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

use super::tokens::{after_attributes_and_visibility, ident, punct, regroup};
use super::trim::{head, split_items};

/// `tokens` (a module's items) with each method of its `impl` blocks, and of its modules',
/// `#[inline]`, and how many were marked.
pub fn at_callers(tokens: TokenStream) -> (TokenStream, usize) {
    let mut count = 0;
    let out = module(tokens, &mut count);
    (out, count)
}

fn module(tokens: TokenStream, count: &mut usize) -> TokenStream {
    let mut out: Vec<TokenTree> = Vec::new();
    for mut item in split_items(tokens) {
        let kind = head(&item).map(|(kind, _)| kind);
        if matches!(kind, Some("mod" | "impl")) {
            if let Some(TokenTree::Group(body)) = item.pop() {
                let inner = match kind {
                    Some("mod") => module(body.stream(), count),
                    _ => methods(body.stream(), count),
                };
                item.push(TokenTree::Group(regroup(&body, inner)));
            }
        }
        out.extend(item);
    }
    out.into_iter().collect()
}

/// An `impl` block's items, each function `#[inline]`.
fn methods(tokens: TokenStream, count: &mut usize) -> TokenStream {
    let mut out: Vec<TokenTree> = Vec::new();
    for item in split_items(tokens) {
        if is_function(&item) && !has_inline(&item) {
            out.extend(quote!(#[inline]));
            *count += 1;
        }
        out.extend(item);
    }
    out.into_iter().collect()
}

/// Whether an item (attributes first) is a function with a body.
fn is_function(item: &[TokenTree]) -> bool {
    let mut i = after_attributes_and_visibility(item);
    while item
        .get(i)
        .is_some_and(|t| ident(t, "const") || ident(t, "async") || ident(t, "unsafe"))
    {
        i += 1;
    }
    item.get(i).is_some_and(|t| ident(t, "fn"))
        && matches!(item.last(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
}

/// Whether an item's attributes already say `inline`.
fn has_inline(item: &[TokenTree]) -> bool {
    item.chunks(2)
        .take_while(|pair| punct(&pair[0], '#'))
        .any(|pair| {
            matches!(pair.get(1), Some(TokenTree::Group(g))
                if g.stream().into_iter().next().is_some_and(|t| ident(&t, "inline")))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_methods_of_every_impl_block_are_inline_and_nothing_else_changes() {
        let (out, count) = at_callers(quote! {
            pub struct Client { baseurl: String }
            impl Client {
                #[doc = "Sends a `GET` request"]
                pub fn chat_get(&self) -> builder::ChatGet<'_> { builder::ChatGet::new(self) }
                #[inline]
                pub fn baseurl(&self) -> &String { &self.baseurl }
            }
            pub mod builder {
                impl<'a> ChatGet<'a> {
                    pub fn new(client: &'a super::Client) -> Self { Self { client } }
                    pub(super) fn prepare_direct(self) -> Result<(), String> { Ok(()) }
                    type Alias = u8;
                }
            }
            pub(crate) static OPERATIONS: &[u8] = &[];
            pub fn operation(id: &str) -> Option<u8> { None }
        });
        let out = out.to_string();
        assert_eq!(count, 3, "{out}");
        assert!(
            out.contains(
                "impl Client { # [inline] # [doc = \"Sends a `GET` request\"] pub fn chat_get"
            ),
            "{out}"
        );
        assert!(out.contains("# [inline] pub fn baseurl"), "{out}");
        assert!(!out.contains("# [inline] # [inline]"), "{out}");
        assert!(out.contains("# [inline] pub fn new"), "{out}");
        assert!(
            out.contains("# [inline] pub (super) fn prepare_direct"),
            "{out}"
        );
        assert!(out.contains("type Alias = u8 ;"), "{out}");
        // Free functions are left as they are.
        assert!(out.contains("; pub fn operation"), "{out}");
    }
}
