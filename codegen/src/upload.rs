//! File uploads: operations whose request body is `multipart/form-data`, which progenitor cannot
//! generate ("unexpected content type").
//!
//! Before progenitor sees the spec, each such body is taken out of its operation: its non-file
//! properties become a component schema `<Operation>Form` (so the form's other fields are typed,
//! enums included), and its `format: binary` properties are the files. The operation's `send()`
//! and `call()` then take the form and one `crate::upload::UploadFile` per file, and the runtime
//! streams them as the request's multipart body (`crate::runtime::Multipart::upload`).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

/// One upload operation, keyed by its builder's name in the map [`extract`] returns.
pub struct Upload {
    /// The component schema of the form's other fields.
    pub form: String,
    /// The file fields, in the spec's order, and whether each is required.
    pub files: Vec<(String, bool)>,
}

const MULTIPART: &str = "multipart/form-data";

/// Takes every `multipart/form-data` request body out of `raw`, adding its form schema to the
/// components; returns the uploads by builder name.
pub fn extract(raw: &mut Value) -> Result<BTreeMap<String, Upload>, String> {
    let mut uploads = BTreeMap::new();
    let mut forms = Vec::new();
    let paths = raw.get_mut("paths").and_then(Value::as_object_mut);
    for (path, item) in paths.into_iter().flatten() {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let Some(schema) = op
                .pointer(&format!(
                    "/requestBody/content/{}/schema",
                    MULTIPART.replace('/', "~1")
                ))
                .cloned()
            else {
                continue;
            };
            let fail = |what: &str| format!("{method} {path}: multipart/form-data: {what}");
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| fail("the operation has no operationId"))?
                .to_string();
            let properties = schema
                .get("properties")
                .and_then(Value::as_object)
                .ok_or_else(|| fail("the body is not an object with properties"))?;
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut fields = Map::new();
            let mut files = Vec::new();
            for (name, property) in properties {
                if property.get("format").and_then(Value::as_str) == Some("binary") {
                    files.push((name.clone(), required.contains(&name.as_str())));
                } else {
                    fields.insert(name.clone(), property.clone());
                }
            }
            if files.is_empty() {
                return Err(fail("no file field (`type: string, format: binary`)"));
            }
            let form = format!("{}Form", super::tokens::pascal(&id));
            let form_required: Vec<Value> = required
                .iter()
                .filter(|r| fields.contains_key(**r))
                .map(|r| Value::String(r.to_string()))
                .collect();
            let mut form_schema = Map::new();
            form_schema.insert("type".into(), "object".into());
            if !form_required.is_empty() {
                form_schema.insert("required".into(), Value::Array(form_required));
            }
            form_schema.insert("properties".into(), Value::Object(fields));
            forms.push((form.clone(), Value::Object(form_schema)));
            if let Some(op) = op.as_object_mut() {
                op.remove("requestBody");
            }
            uploads.insert(super::tokens::pascal(&id), Upload { form, files });
        }
    }
    if !forms.is_empty() {
        let schemas = raw
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
            .ok_or("an upload's form needs components.schemas")?;
        for (name, schema) in forms {
            if schemas.insert(name.clone(), schema).is_some() {
                return Err(format!(
                    "components.schemas.{name} exists: it is an upload's form"
                ));
            }
        }
    }
    Ok(uploads)
}

/// `send(self, form, file…)` and, when the answer has a named `data`, `call(…)` for an upload;
/// `sent` sends the multipart `body` (`crate::runtime::Multipart::upload`).
pub fn methods(
    upload: &Upload,
    answer: &TokenStream,
    data: Option<&super::data::Data>,
    sent: TokenStream,
    id: &str,
) -> TokenStream {
    let form = format_ident!("{}", upload.form);
    let names: Vec<_> = upload
        .files
        .iter()
        .map(|(n, _)| format_ident!("{n}"))
        .collect();
    let types: Vec<_> = upload
        .files
        .iter()
        .map(|(_, required)| {
            if *required {
                quote!(crate::upload::UploadFile)
            } else {
                quote!(Option<crate::upload::UploadFile>)
            }
        })
        .collect();
    let adds: Vec<_> = upload
        .files
        .iter()
        .map(|(name, required)| {
            let ident = format_ident!("{name}");
            if *required {
                quote!(let body = body.file(#name, #ident);)
            } else {
                quote!(let body = match #ident { Some(file) => body.file(#name, file), None => body };)
            }
        })
        .collect();
    let call = data.map(|data| {
        let take = data.take(quote!(self.send(form, #(#names),*).await), answer, id);
        let data = &data.ty;
        quote! {
            /// Uploads the form and its files and returns the `data` of Feishu's answer; any
            /// failure is the crate's [`Error`](crate::Error).
            pub async fn call<F>(
                self,
                form: F,
                #(#names: #types),*
            ) -> std::result::Result<#data, crate::Error>
            where
                F: std::convert::TryInto<types::#form>,
                F::Error: std::fmt::Display,
            {
                #take
            }
        }
    });
    quote! {
        /// Uploads the form and its files as `multipart/form-data`, each file streamed from its
        /// source (never read whole into memory), and returns Feishu's answer with its status
        /// and headers; any failure is the crate's [`Error`](crate::Error). An upload is sent
        /// once: a stream cannot be replayed, so it is not retried. The form is the type or its
        /// builder; one that does not build is refused before anything is sent.
        pub async fn send<F>(
            self,
            form: F,
            #(#names: #types),*
        ) -> std::result::Result<progenitor_client::ResponseValue<#answer>, crate::Error>
        where
            F: std::convert::TryInto<types::#form>,
            F::Error: std::fmt::Display,
        {
            let form: types::#form = form
                .try_into()
                .map_err(|e| crate::Error::Validation(format!("the upload's form: {e}")))?;
            let body = crate::runtime::Multipart::form(&form)?;
            #(#adds)*
            #sent.await
        }
        #call
    }
}
