//! Generates one client module per OpenAPI spec in `openapi/` with progenitor.
//!
//! For `openapi/<service>.yaml` it writes `$OUT_DIR/<service>.rs`, which `src/<service>/mod.rs`
//! includes. Besides progenitor's output, each generated file gets:
//! - the `ClientHooks` impl that routes every call through the shared runtime (`crate::runtime`);
//! - `OPERATIONS`, each operation's token kinds (`security`), body rules (`x-feishu-rules`) and
//!   whether it streams a file (a 2xx response that is not JSON);
//! - replacements of named schemas by handwritten Rust types declared with `x-rust-type`.
//!
//! A malformed spec stops the build with a message naming the file and the problem.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

const SPEC_DIR: &str = "openapi";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={SPEC_DIR}");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let specs = match list_specs(Path::new(SPEC_DIR)) {
        Ok(specs) => specs,
        Err(message) => fail(SPEC_DIR, &message),
    };
    for spec in specs {
        println!("cargo:rerun-if-changed={}", spec.display());
        let display = spec.display().to_string();
        let started = Instant::now();
        match generate(&spec) {
            Ok(generated) => {
                let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                let target = out_dir.join(format!("{stem}.rs"));
                if let Err(e) = std::fs::write(&target, generated.source) {
                    fail(&display, &format!("cannot write {}: {e}", target.display()));
                }
                build_print::info!(
                    "feishu-openapi: {display} → {stem}.rs ({} operations, {} ms)",
                    generated.operations,
                    started.elapsed().as_millis()
                );
            }
            Err(message) => fail(&display, &message),
        }
    }
}

/// Stops the build with one readable line instead of a panic backtrace.
fn fail(file: &str, message: &str) -> ! {
    build_print::error!("{file}: {message}");
    eprintln!("error: invalid OpenAPI spec {file}: {message}");
    std::process::exit(1);
}

fn list_specs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    let mut specs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    specs.sort();
    Ok(specs)
}

struct Generated {
    source: String,
    operations: usize,
}

fn generate(path: &Path) -> Result<Generated, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let raw: Value = serde_yaml::from_str(&text).map_err(|e| format!("not valid YAML: {e}"))?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(raw.clone())
        .map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    if !spec.openapi.starts_with("3.0.") {
        return Err(format!("OpenAPI {} is not supported; use 3.0.x", spec.openapi));
    }

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::runtime::Runtime))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("schemars::JsonSchema");
    for (name, rust_type, impls) in replacements(&raw)? {
        settings.with_replacement(name, rust_type, impls.into_iter());
    }
    let operations = operations(&raw)?;

    let mut generator = Generator::new(&settings);
    let tokens = run_quietly(|| generator.generate_tokens(&spec))
        .map_err(|panic| format!("progenitor gave up: {panic}"))?
        .map_err(|e| format!("progenitor: {e}"))?;
    let hooks = quote! {
        impl progenitor_client::ClientHooks<crate::runtime::Runtime> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                crate::runtime::pre(request, info, OPERATIONS).map_err(progenitor_client::Error::InvalidRequest)
            }
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo as _;
                crate::runtime::exec(self.client(), self.inner(), request, info, OPERATIONS).await
            }
        }
    };
    let file: syn::File = syn::parse2(quote! { #tokens #hooks #operations })
        .map_err(|e| format!("generated code does not parse: {e}"))?;
    let header = format!(
        "// @generated by build.rs from {} with progenitor — do not edit.\n\n",
        path.display()
    );
    Ok(Generated {
        source: header + &prettyplease::unparse(&file),
        operations: spec.operations().count(),
    })
}

/// Runs progenitor, turning its panics (it asserts on some malformed specs) into an error.
fn run_quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

fn schemas(raw: &Value) -> impl Iterator<Item = (&String, &Value)> {
    raw.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// `x-rust-type: crate::path::Type` (with `x-rust-impls: [FromStr, Display, Default]`) on a
/// component schema replaces the generated type by a handwritten one.
fn replacements(raw: &Value) -> Result<Vec<(String, String, Vec<TypeImpl>)>, String> {
    let mut out = Vec::new();
    for (name, schema) in schemas(raw) {
        let Some(rust_type) = schema.get("x-rust-type") else {
            continue;
        };
        let rust_type = rust_type
            .as_str()
            .ok_or_else(|| format!("schema {name}: x-rust-type must be a string path"))?;
        let mut impls = Vec::new();
        for imp in schema.get("x-rust-impls").and_then(Value::as_array).into_iter().flatten() {
            let imp = imp.as_str().unwrap_or_default();
            impls.push(
                imp.parse::<TypeImpl>()
                    .map_err(|e| format!("schema {name}: x-rust-impls: {e}"))?,
            );
        }
        out.push((name.clone(), rust_type.to_string(), impls));
    }
    Ok(out)
}

/// One entry per operation, keyed by operationId: the token kinds it accepts (from `security`,
/// else the document's top-level `security`), whether its response is a streamed file, and its
/// request-body rules (`x-feishu-rules` on the body schema):
/// - `at-most-one-of: [a, b, …]` — at most one of the fields may be present;
/// - `exactly-one-of: [a, b, …]` — exactly one of the fields must be present;
/// - `ordered-times: [start, end]` — both unix-second strings, start ≤ end.
fn operations(raw: &Value) -> Result<proc_macro2::TokenStream, String> {
    let components: BTreeMap<&str, &Value> = schemas(raw).map(|(k, v)| (k.as_str(), v)).collect();
    let mut entries = Vec::new();
    let paths = raw.get("paths").and_then(Value::as_object).into_iter().flatten();
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(op_id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let tokens = token_kinds(op.get("security").or_else(|| raw.get("security")))
                .map_err(|e| format!("{method} {path}: {e}"))?;
            let rules = match op
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
            {
                Some(schema_ref) => {
                    let name = schema_ref.trim_start_matches("#/components/schemas/");
                    let schema = components
                        .get(name)
                        .ok_or_else(|| format!("{method} {path}: {schema_ref} does not exist"))?;
                    body_rules(name, schema)?
                }
                None => Vec::new(),
            };
            let streaming = streams_a_file(raw, op);
            entries.push(quote! {
                crate::runtime::Operation { operation_id: #op_id, tokens: &[#(#tokens),*], rules: &[#(#rules),*], streaming: #streaming }
            });
        }
    }
    Ok(quote! {
        /// Every operation of this spec: the access tokens it takes, its request-body rules
        /// (`x-feishu-rules`) and whether it streams a file, used by the shared runtime on every send.
        pub(crate) static OPERATIONS: &[crate::runtime::Operation] = &[#(#entries),*];
    })
}

/// `true` when the operation's 2xx response is content that is not JSON (a file download):
/// progenitor hands it over as a stream, and the runtime bounds it by inactivity rather than by
/// the total request timeout.
fn streams_a_file(raw: &Value, op: &Value) -> bool {
    let follow = |response: &'_ Value| {
        let target = response.get("$ref").and_then(Value::as_str);
        target
            .and_then(|t| raw.pointer(t.trim_start_matches('#')))
            .cloned()
            .unwrap_or_else(|| response.clone())
    };
    let is_json = |media: &String| media.split(';').next() == Some("application/json");
    let responses = op.get("responses").and_then(Value::as_object);
    responses
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .map(|(_, response)| follow(response))
        .any(|response| {
            let content = response.get("content").and_then(Value::as_object);
            content.is_some_and(|c| !c.is_empty() && !c.keys().any(is_json))
        })
}

fn token_kinds(security: Option<&Value>) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let mut kinds = Vec::new();
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        for name in requirement.as_object().into_iter().flatten().map(|(k, _)| k.as_str()) {
            kinds.push(match name {
                "tenant_access_token" => quote!(crate::runtime::TokenKind::Tenant),
                "user_access_token" => quote!(crate::runtime::TokenKind::User),
                other => return Err(format!("security scheme `{other}` is not tenant_access_token or user_access_token")),
            });
        }
    }
    Ok(kinds)
}

fn body_rules(name: &str, schema: &Value) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let where_ = format!("schema {name}: x-feishu-rules");
    let mut rules = Vec::new();
    for rule in schema.get("x-feishu-rules").and_then(Value::as_array).into_iter().flatten() {
        let (kind, fields) = rule
            .as_object()
            .and_then(|m| m.iter().next())
            .ok_or_else(|| format!("{where_}: each rule is a one-key map"))?;
        let fields: Vec<&str> = fields
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(missing) = fields.iter().find(|f| props.is_none_or(|p| !p.contains_key(**f))) {
            return Err(format!("{where_}: {kind} names `{missing}`, which is not a property"));
        }
        rules.push(match (kind.as_str(), fields.as_slice()) {
            ("at-most-one-of", f) if f.len() >= 2 => quote!(crate::rules::Rule::AtMostOneOf(&[#(#f),*])),
            ("exactly-one-of", f) if f.len() >= 2 => quote!(crate::rules::Rule::ExactlyOneOf(&[#(#f),*])),
            ("ordered-times", [start, end]) => {
                quote!(crate::rules::Rule::OrderedTimes { start: #start, end: #end })
            }
            (other, _) => {
                return Err(format!(
                    "{where_}: `{other}` with {} fields is not a known rule (at-most-one-of and exactly-one-of take 2 or more fields, ordered-times takes 2)",
                    fields.len()
                ))
            }
        });
    }
    Ok(rules)
}
