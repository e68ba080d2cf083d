//! Which services are cargo features, shared by `build.rs` and the spec lint in `xtask`, so
//! that both agree on the exceptions; and what the crate root knows of the enabled services.

use proc_macro2::{Ident, Span};
use quote::quote;

/// Services generated whatever the features: the runtime's token cache needs `auth`. Every other
/// spec in `openapi/` is generated only when the cargo feature of its name is on, and the spec
/// lint fails for a spec without such a feature.
pub const ALWAYS_ON: &[&str] = &["auth"];

/// The crate root of `feishu-openapi` for the enabled `services` (`$OUT_DIR/services.rs`): each
/// service crate re-exported as the module of its name, with an accessor on `FeishuClient`
/// (except [`ALWAYS_ON`]: `auth` is the core's, reached through the `Connection`); and, hidden,
/// the list of them, each one's component schemas with their Rust types (for the schema
/// agreement test), each one's spec and operation table (for the fake), and any operation of any
/// of them sent from JSON values (for the conformance suite and the fake's tests), and each
/// one's events (with the `events` feature, for the events tests), so that the tests need no
/// list of services.
pub fn crate_root(services: &[String]) -> String {
    let path = |service: &String| -> proc_macro2::TokenStream {
        let module = Ident::new(service, Span::call_site());
        if ALWAYS_ON.contains(&service.as_str()) {
            quote!(feishu_openapi_core::#module)
        } else {
            quote!(crate::#module)
        }
    };
    let paths: Vec<_> = services.iter().map(path).collect();
    let crates = services
        .iter()
        .filter(|s| !ALWAYS_ON.contains(&s.as_str()))
        .map(|service| {
            let module = Ident::new(service, Span::call_site());
            let krate = Ident::new(&format!("feishu_openapi_{service}"), Span::call_site());
            let doc = format!(
                "The `{service}` service's client ([`{service}`](crate::{service})), sharing this \
                 client's connection pool and identity."
            );
            quote! {
                #[doc(no_inline)]
                pub use #krate as #module;

                impl crate::FeishuClient {
                    #[doc = #doc]
                    pub fn #module(&self) -> #module::Client {
                        #module::Client::from(self.connection())
                    }
                }
            }
        });
    let accessor = |service: &String| -> proc_macro2::TokenStream {
        let module = Ident::new(service, Span::call_site());
        quote!(feishu.#module())
    };
    let accessors: Vec<_> = services.iter().map(accessor).collect();
    let with_events: Vec<&String> = services
        .iter()
        .filter(|s| !ALWAYS_ON.contains(&s.as_str()))
        .collect();
    let event_paths: Vec<_> = with_events.iter().map(|s| path(s)).collect();
    let tokens = quote! {
        #(#crates)*

        /// The services of this build: `auth`, and every service whose feature is on. Not part
        /// of the API.
        #[doc(hidden)]
        pub const __SERVICES: &[&str] = &[#(#services),*];

        /// Every enabled service with its component schemas, each with the JSON Schema of the
        /// Rust type standing for it, for the schema agreement test. Not part of the API.
        #[cfg(feature = "schemars")]
        #[doc(hidden)]
        pub fn __component_schemas(
        ) -> Vec<(&'static str, Vec<(&'static str, schemars::schema::RootSchema)>)> {
            vec![#((#services, #paths::__component_schemas())),*]
        }

        /// A generated event: its type, its payload schema's name, a decode check of a payload.
        /// Not part of the API.
        #[cfg(all(feature = "events", feature = "fake"))]
        #[doc(hidden)]
        pub type __EventEntry = (&'static str, &'static str, fn(&str) -> Result<(), String>);

        /// Every enabled service (but the core's `auth`) with its spec as JSON and its generated
        /// events: each event type, its payload schema's name and a decode check of a payload,
        /// for the tests. Not part of the API.
        #[cfg(all(feature = "events", feature = "fake"))]
        #[doc(hidden)]
        pub fn __events() -> Vec<(&'static str, &'static str, &'static [__EventEntry])> {
            vec![#((#with_events, #event_paths::__SPEC_JSON, #event_paths::events::__EVENTS)),*]
        }

        /// The lookup of an operation's entry in a service's generated table, by operationId.
        #[cfg(feature = "fake")]
        pub(crate) type Lookup = fn(&str) -> Option<&'static feishu_openapi_core::runtime::Operation>;

        /// Every enabled service, its spec as JSON, and the lookup of its generated operation
        /// table, for the fake Feishu.
        #[cfg(feature = "fake")]
        pub(crate) const SPECS: &[(&str, &str, Lookup)] =
            &[#((#services, #paths::__SPEC_JSON, #paths::operation)),*];

        /// What `__send_from_json` returns for an operation it has: the call. Not part of the API.
        #[cfg(feature = "fake")]
        #[doc(hidden)]
        pub type __SentFromJson<'a> = feishu_openapi_core::__private::__SentFromJson<'a>;

        /// Sends the operation `operation` of `service` through `feishu`, its parameters (by
        /// name) and body given as JSON values (see each service's `__send_from_json`); `None`
        /// for a service or operation this build does not have. Not part of the API.
        #[cfg(feature = "fake")]
        #[doc(hidden)]
        pub fn __send_from_json<'a>(
            feishu: &crate::FeishuClient,
            service: &str,
            operation: &str,
            params: &'a serde_json::Map<String, serde_json::Value>,
            body: Option<&'a serde_json::Value>,
        ) -> Option<__SentFromJson<'a>> {
            match service {
                #(#services => #paths::__send_from_json(#accessors, operation, params, body),)*
                _ => None,
            }
        }
    };
    format!(
        "// @generated by build.rs — do not edit.\n\n{}",
        crate::layout::layout(tokens)
    )
}
