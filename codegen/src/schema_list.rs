//! `__component_schemas`: every component schema of a spec with the JSON Schema (schemars) of
//! the Rust type standing for it, so that the schema agreement test covers every schema of every
//! enabled spec without a hand-written list. Hidden: not part of the API.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// The hidden function listing the spec's component schemas and their Rust types: the
/// handwritten type of an `x-rust-type` schema, else the generated `types::<Name>`.
pub(crate) fn component_schemas(raw: &Value) -> Result<TokenStream, String> {
    let mut entries = Vec::new();
    for (name, schema) in super::schemas(raw) {
        let ty = match schema.get("x-rust-type").and_then(Value::as_str) {
            Some(path) => path
                .parse::<TokenStream>()
                .map_err(|e| format!("schema {name}: x-rust-type `{path}`: {e}"))?,
            None => {
                let ident = crate::events::rust_name(name);
                quote!(types::#ident)
            }
        };
        entries.push(quote! { (#name, schemars::schema_for!(#ty)) });
    }
    Ok(quote! {
        /// Every component schema of the spec with the JSON Schema of the Rust type standing for
        /// it, for the schema agreement test. Not part of the API.
        #[cfg(feature = "schemars")]
        #[doc(hidden)]
        pub fn __component_schemas() -> Vec<(&'static str, schemars::schema::RootSchema)> {
            vec![#(#entries),*]
        }
    })
}
