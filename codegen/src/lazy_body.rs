//! Operation builders whose struct body starts empty.
//!
//! progenitor's builder of an operation whose body is a struct holds the body's builder
//! (`Result<types::builder::X, String>`) and starts from its `Default`, which holds a freshly
//! allocated "no value supplied for …" `String` for each required field of the body: made, then
//! dropped, on every call that sets the body whole with `body(…)`. Here that field becomes
//! `Result<Option<types::builder::X>, String>`, starting at `Ok(None)`; the body's builder is
//! defaulted only when it is needed — by `body_map`, or at `send` when no body was given (whose
//! error then names the missing fields, as before).
//!
//! Such a builder (its body a JSON object) also takes fields the spec does not list:
//! `extra_body_field(name, value)` keeps them in `extra_fields` (`crate::runtime::ExtraFields`),
//! which `prepare_direct` merges into the typed body (see [`super::send`]).

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

use super::tokens::{ident, punct, regroup};

/// A builder struct's fields with its body made an `Option` (see the module), or `None` when its
/// body is not a struct's builder.
pub(crate) fn fields(fields: &Group) -> Option<Group> {
    let trees: Vec<TokenTree> = fields.stream().into_iter().collect();
    // `body : Result < types :: builder :: X , String >`
    let start = trees.windows(5).position(|w| {
        ident(&w[0], "body")
            && punct(&w[1], ':')
            && ident(&w[2], "Result")
            && punct(&w[3], '<')
            && ident(&w[4], "types")
    })?;
    let path = start + 4;
    let is_builder = trees.get(path + 3).is_some_and(|t| ident(t, "builder"));
    let comma = path + trees[path..].iter().position(|t| punct(t, ','))?;
    if !is_builder || comma != path + 7 {
        return None;
    }
    let mut out: Vec<TokenTree> = trees[..path].to_vec();
    out.push(TokenTree::Ident(Ident::new("Option", Span::call_site())));
    out.push(TokenTree::Punct(Punct::new('<', Spacing::Alone)));
    out.extend(trees[path..comma].iter().cloned());
    out.push(TokenTree::Punct(Punct::new('>', Spacing::Alone)));
    out.extend(trees[comma..].iter().cloned());
    if !out.last().is_some_and(|t| punct(t, ',')) {
        out.push(TokenTree::Punct(Punct::new(',', Spacing::Alone)));
    }
    out.extend(quote!(extra_fields: crate::runtime::ExtraFields,));
    Some(regroup(fields, out.into_iter().collect()))
}

/// The impl body of a builder whose struct [`fields`] changed, to match: `new` starts the body at
/// `Ok(None)`, `body(…)` stores `Some` (`crate::setter::some_body`), `body_map` and the checks of `send` default what is
/// `None`. Each of the four is found exactly once, or the builder is not the shape this expects.
pub(crate) fn methods(body: &Group, name: &str) -> Result<Group, String> {
    let rewrites = [
        (
            quote!(body : Ok(::std::default::Default::default())),
            quote!(body : Ok(None), extra_fields : ::std::default::Default::default()),
        ),
        (
            quote!(crate::setter::body),
            quote!(crate::setter::some_body),
        ),
        (
            quote!(self.body.map(f)),
            quote!(self.body.map(|body| Some(f(body.unwrap_or_default())))),
        ),
        (quote!(try_from(v)), quote!(try_from(v.unwrap_or_default()))),
    ];
    let rewrites: Vec<(Vec<String>, TokenStream)> = rewrites
        .into_iter()
        .map(|(pattern, replacement)| {
            (
                pattern.into_iter().map(|t| t.to_string()).collect(),
                replacement,
            )
        })
        .collect();
    let mut found = vec![0; rewrites.len()];
    let mut stream = replace(body.stream(), &rewrites, &mut found);
    for ((pattern, _), found) in rewrites.iter().zip(found) {
        if found != 1 {
            return Err(format!(
                "builder {name}: expected `{}` once in its methods, found it {found} times",
                pattern.join(" ")
            ));
        }
    }
    stream.extend(quote! {
        /// Adds a field the spec does not list (yet) to the JSON body, sent as `value` beside the
        /// typed fields. `send` refuses, before anything is sent, a field the typed body sets
        /// too or one given twice, and checks the merged body against the operation's rules.
        pub fn extra_body_field(
            mut self,
            name: impl Into<::std::string::String>,
            value: serde_json::Value,
        ) -> Self {
            self.extra_fields.push(name.into(), value);
            self
        }
    });
    Ok(regroup(body, stream))
}

/// `stream` with each run of trees that prints as one of the patterns replaced by its
/// replacement, at any depth, in one walk; `found` counts each pattern's matches.
fn replace(
    stream: TokenStream,
    rewrites: &[(Vec<String>, TokenStream)],
    found: &mut [usize],
) -> TokenStream {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    'trees: while i < trees.len() {
        for (k, (pattern, replacement)) in rewrites.iter().enumerate() {
            let matches = trees.len() - i >= pattern.len()
                && trees[i..i + pattern.len()]
                    .iter()
                    .zip(pattern)
                    .all(|(tree, want)| same(tree, want));
            if matches {
                out.extend(replacement.clone());
                found[k] += 1;
                i += pattern.len();
                continue 'trees;
            }
        }
        match &trees[i] {
            TokenTree::Group(group) => out.push(TokenTree::Group(regroup(
                group,
                replace(group.stream(), rewrites, found),
            ))),
            tree => out.push(tree.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// Whether `tree` prints as `want`. Identifiers and punctuation are compared without printing;
/// a group or literal is printed only when `want` could be its print (a group's starts with its
/// delimiter, and no literal prints as an identifier): printing a group prints all it holds.
fn same(tree: &TokenTree, want: &str) -> bool {
    match tree {
        TokenTree::Ident(i) => i == want,
        TokenTree::Punct(p) => want.len() == 1 && want.starts_with(p.as_char()),
        TokenTree::Group(group) => {
            let open = match group.delimiter() {
                Delimiter::Parenthesis => "(",
                Delimiter::Bracket => "[",
                Delimiter::Brace => "{",
                Delimiter::None => "",
            };
            want.starts_with(open) && group.to_string() == want
        }
        TokenTree::Literal(literal) => {
            !want.starts_with(|c: char| c == '_' || c.is_alphabetic())
                && literal.to_string() == want
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(stream: TokenStream) -> Group {
        Group::new(Delimiter::Brace, stream)
    }

    #[test]
    fn a_struct_body_becomes_optional_and_its_methods_default_it_on_demand() {
        let fields = group(quote! {
            client: &'a super::Client,
            body: Result<types::builder::Thing, String>,
        });
        let changed = super::fields(&fields).expect("a builder body");
        assert_eq!(
            changed.stream().to_string(),
            quote! {
                client: &'a super::Client,
                body: Result<Option<types::builder::Thing>, String>,
                extra_fields: crate::runtime::ExtraFields,
            }
            .to_string()
        );
        let methods = group(quote! {
            pub fn new(client: &'a super::Client) -> Self {
                Self { client: client, body: Ok(::std::default::Default::default()), }
            }
            pub fn body<V>(mut self, value: V) -> Self {
                self.body = crate::setter::body(value, "conversion to `Thing` for body failed");
                self
            }
            pub fn body_map<F>(mut self, f: F) -> Self {
                self.body = self.body.map(f);
                self
            }
            pub async fn send(self) {
                let body = body.and_then(|v| types::Thing::try_from(v).map_err(|e| e.to_string()));
            }
        });
        let changed = super::methods(&methods, "Thing")
            .unwrap()
            .stream()
            .to_string();
        for want in [
            quote!(body: Ok(None)),
            quote!(crate::setter::some_body(
                value,
                "conversion to `Thing` for body failed"
            )),
            quote!(self.body.map(|body| Some(f(body.unwrap_or_default())))),
            quote!(try_from(v.unwrap_or_default())),
            quote!(extra_fields: ::std::default::Default::default()),
            quote!(pub fn extra_body_field),
        ] {
            assert!(changed.contains(&want.to_string()), "{want} in {changed}");
        }
    }

    #[test]
    fn other_bodies_and_unexpected_builders_are_left_or_refused() {
        let raw = group(quote!(client: &'a super::Client, body: Result<reqwest::Body, String>,));
        assert!(super::fields(&raw).is_none());
        let plain = group(quote!(client: &'a super::Client, body: Result<types::Thing, String>,));
        assert!(super::fields(&plain).is_none());
        let methods = group(quote!(
            pub fn new() -> Self {
                Self { body: Ok(None) }
            }
        ));
        let err = super::methods(&methods, "Thing").unwrap_err();
        assert!(err.contains("builder Thing"), "{err}");
    }
}
