//! `__send_from_json`: every operation of a service sent with its parameters and body given as
//! JSON values — the spec's examples — so that one harness (`tests/conformance.rs`) can check
//! every operation of every spec without code per endpoint. Hidden: not part of the API.

use proc_macro2::{Delimiter, Ident, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::tokens::KEYWORDS;

/// `__send_from_json`: any operation of the service sent with its parameters and body given as
/// JSON values (a spec's examples), for the generated conformance tests. Not part of the API.
pub(crate) fn send_from_json(arms: &[TokenStream]) -> TokenStream {
    quote! {
        /// Sends the operation `operation_id` with `client` and its parameters (by name) and body
        /// (or, for an upload, its form, with a small file per file field) given as JSON values;
        /// `None` for an operation the service does not have. For the conformance tests: not part
        /// of the API. With the fake Feishu only (`fake`), which the tests turn on.
        #[cfg(feature = "fake")]
        #[doc(hidden)]
        pub fn __send_from_json<'a>(
            client: Client,
            operation_id: &str,
            params: &'a serde_json::Map<String, serde_json::Value>,
            body: Option<&'a serde_json::Value>,
        ) -> Option<crate::__SentFromJson<'a>> {
            #[allow(dead_code, reason = "a service whose operations take no parameters")]
            fn value<T: serde::de::DeserializeOwned>(
                name: &str,
                value: &serde_json::Value,
            ) -> std::result::Result<T, crate::Error> {
                serde_json::from_value(value.clone())
                    .map_err(|e| crate::Error::Validation(format!("{name}: {e}")))
            }
            let _ = (&params, &body, &client);
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    }
}

/// One operation's arm of [`send_from_json`]. A JSON body's top-level fields its type does not
/// hold are sent as extra body fields where the builder takes them (`extra`), else refused, as
/// is any such field deeper down (`crate::runtime::json_body`): none is dropped silently.
pub(crate) fn json_arm(
    id: &str,
    setters: &[(Ident, TokenStream)],
    upload: Option<&super::upload::Upload>,
    extra: bool,
) -> TokenStream {
    let method = format_ident!("{id}");
    let sets = setters
        .iter()
        .filter(|(name, _)| name != "body")
        .map(|(name, ty)| {
            // progenitor names a parameter that is a Rust keyword `<name>_` (`type` → `type_`).
            let setter = name.to_string();
            let key = setter
                .strip_suffix('_')
                .filter(|k| KEYWORDS.contains(k))
                .unwrap_or(&setter);
            quote! {
                if let Some(v) = params.get(#key) {
                    request = request.#name(value::<#ty>(#key, v)?);
                }
            }
        });
    let body = setters
        .iter()
        .find(|(name, _)| name == "body")
        .map(|(_, ty)| {
            let forward = if extra {
                quote! {
                    for (name, value) in extra {
                        request = request.extra_body_field(name, value);
                    }
                }
            } else {
                quote! {
                    if let Some((name, _)) = extra.first() {
                        return Err(crate::Error::Validation(format!(
                            "body.{name}: not a field of the body's type, which takes no extra field"
                        )));
                    }
                }
            };
            quote! {
                if let Some(v) = body {
                    let (typed, extra) = crate::runtime::json_body::<#ty>(v)
                        .map_err(crate::Error::Validation)?;
                    request = request.body(typed);
                    #forward
                }
            }
        });
    let send = match upload {
        None => quote!(request.send().await.map(|_| ())),
        Some(upload) => {
            let form = format_ident!("{}", upload.form);
            let files = upload.files.iter().map(|(name, required)| {
                let file =
                    quote!(crate::upload::UploadFile::from_bytes(#name, &b"conformance"[..]));
                if *required {
                    file
                } else {
                    quote!(Some(#file))
                }
            });
            quote! {
                let form: types::#form = value("form", body.unwrap_or(&serde_json::Value::Null))?;
                request.send(form, #(#files),*).await.map(|_| ())
            }
        }
    };
    quote! {
        #id => Some(Box::pin(async move {
            let client = client;
            #[allow(unused_mut)]
            let mut request = client.#method();
            #(#sets)*
            #body
            #send
        })),
    }
}

/// The setters of a builder's impl body: `pub fn NAME<V>(mut self, value: V) -> Self where V:
/// std::convert::TryInto<TYPE>`, with TYPE.
pub(crate) fn setters(body: &[TokenTree]) -> Vec<(Ident, TokenStream)> {
    let mut out = Vec::new();
    for (i, tree) in body.iter().enumerate() {
        let TokenTree::Ident(fn_kw) = tree else {
            continue;
        };
        if fn_kw != "fn" {
            continue;
        }
        let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(open)), Some(TokenTree::Ident(v))) =
            (body.get(i + 1), body.get(i + 2), body.get(i + 3))
        else {
            continue;
        };
        if open.as_char() != '<' || v != "V" {
            continue;
        }
        // The signature runs to the function's body.
        let end = body[i..]
            .iter()
            .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
            .map_or(body.len(), |p| i + p);
        let signature = &body[i..end];
        let Some(start) = signature.windows(2).position(|w| {
            matches!(&w[0], TokenTree::Ident(t) if t == "TryInto")
                && matches!(&w[1], TokenTree::Punct(p) if p.as_char() == '<')
        }) else {
            continue;
        };
        let mut depth = 0usize;
        let mut ty = Vec::new();
        for tree in &signature[start + 2..] {
            match tree {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            ty.push(tree.clone());
        }
        out.push((name.clone(), ty.into_iter().collect()));
    }
    out
}
