//! Generates one client module per OpenAPI spec in `openapi/` with progenitor.
//!
//! For `openapi/<service>.yaml` it writes `$OUT_DIR/<service>.rs`, which `src/<service>/mod.rs`
//! includes. Besides progenitor's output, each generated file gets:
//! - the `ClientHooks` impl that routes every call through the shared runtime (`crate::runtime`);
//! - `OPERATIONS`, each operation's token kinds (`security`), body rules (`x-feishu-rules`) and
//!   whether it streams a file (a 2xx response that is not JSON);
//! - replacements of named schemas by handwritten Rust types declared with `x-rust-type`.
//!
//! Services are cargo features: a spec is generated only when its service's feature is on
//! (`CARGO_FEATURE_<SERVICE>`, which cargo sets for each enabled feature), except the services in
//! [`ALWAYS_ON`]. That every spec has a feature of its name in `Cargo.toml` is checked by the spec
//! lint (`xtask`), not here: a build script only sees the features that are on.
//!
//! A malformed spec stops the build with a message naming the file and the problem.
//!
//! The maintainer tools (`xtask`) include this file as a module to measure the very same
//! generation code (`codegen-bench`) and to test the feature rule; keep what they call
//! `pub(crate)`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

#[path = "build/layout.rs"]
pub(crate) mod layout;
#[path = "build/services.rs"]
mod services;

pub(crate) use services::ALWAYS_ON;

const SPEC_DIR: &str = "openapi";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={SPEC_DIR}");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let specs = match list_specs(Path::new(SPEC_DIR)) {
        Ok(specs) => specs,
        Err(message) => fail(SPEC_DIR, &message),
    };
    let mut enabled = Vec::new();
    for spec in specs {
        println!("cargo:rerun-if-changed={}", spec.display());
        let display = spec.display().to_string();
        let service = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if service_enabled(service, |var| std::env::var_os(var).is_some()) {
            enabled.push(spec);
        } else {
            build_print::info!("feishu-openapi: {display} skipped (feature `{service}` is off)");
        }
    }
    // Cargo's job count for this build (`-j`), shared with the compilers running beside it.
    let workers = std::env::var("NUM_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    // Progenitor's panics become errors (see `run_quietly`); keep their default message off stderr.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let results = generate_all(&enabled, workers);
    std::panic::set_hook(previous);
    for (spec, (result, took)) in enabled.iter().zip(results) {
        let display = spec.display().to_string();
        match result {
            Ok(generated) => {
                let stem = spec
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default();
                let target = out_dir.join(format!("{stem}.rs"));
                if let Err(e) = std::fs::write(&target, generated.source) {
                    fail(&display, &format!("cannot write {}: {e}", target.display()));
                }
                build_print::info!(
                    "feishu-openapi: {display} → {stem}.rs ({} operations, {} ms)",
                    generated.operations,
                    took.as_millis()
                );
            }
            Err(message) => fail(&display, &message),
        }
    }
}

/// Generates `specs` on up to `workers` threads, one spec at a time per thread (a spec's syntax
/// trees cannot cross threads; its generated source can), and returns each spec's result and
/// generation time in the order of `specs`. Panics (progenitor asserts on some malformed specs)
/// become errors.
pub(crate) fn generate_all(
    specs: &[PathBuf],
    workers: usize,
) -> Vec<(Result<Generated, String>, Duration)> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(spec) = specs.get(i) else {
                return done;
            };
            let started = Instant::now();
            let result = run_quietly(|| generate(spec))
                .map_err(|panic| format!("the generator panicked: {panic}"))
                .and_then(|generated| generated);
            done.push((i, result, started.elapsed()));
        }
    };
    let done: Vec<_> = std::thread::scope(|scope| {
        let threads: Vec<_> = (1..workers.clamp(1, specs.len().max(1)))
            .map(|_| scope.spawn(work))
            .collect();
        let mut done = work();
        for thread in threads {
            done.extend(thread.join().unwrap_or_default());
        }
        done
    });
    let mut slots: Vec<Option<(Result<Generated, String>, Duration)>> =
        specs.iter().map(|_| None).collect();
    for (i, result, took) in done {
        slots[i] = Some((result, took));
    }
    let lost = || {
        (
            Err("not generated: a generation thread stopped".to_string()),
            Duration::ZERO,
        )
    };
    slots
        .into_iter()
        .map(|slot| slot.unwrap_or_else(lost))
        .collect()
}

/// Stops the build with one readable line instead of a panic backtrace.
fn fail(file: &str, message: &str) -> ! {
    build_print::error!("{file}: {message}");
    eprintln!("error: invalid OpenAPI spec {file}: {message}");
    std::process::exit(1);
}

/// Whether the spec of `service` is generated: always for [`ALWAYS_ON`], else when cargo says the
/// feature of the same name is on (`is_set("CARGO_FEATURE_<SERVICE>")`, upper case, `-` as `_`).
pub(crate) fn service_enabled(service: &str, is_set: impl Fn(&str) -> bool) -> bool {
    ALWAYS_ON.contains(&service)
        || is_set(&format!(
            "CARGO_FEATURE_{}",
            service.to_uppercase().replace('-', "_")
        ))
}

fn list_specs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    let mut specs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            )
        })
        .collect();
    specs.sort();
    Ok(specs)
}

/// The generated module of one spec.
pub(crate) struct Generated {
    /// The Rust source.
    pub(crate) source: String,
    /// How many operations the spec has.
    pub(crate) operations: usize,
}

/// Generates the client module of the spec at `path`: progenitor's output, the `ClientHooks`
/// impl and `OPERATIONS`, formatted.
pub(crate) fn generate(path: &Path) -> Result<Generated, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let raw: Value = yaml_serde::from_str(&text).map_err(|e| format!("not valid YAML: {e}"))?;
    // The vendor extensions first, from the raw document; then the document itself, moved.
    let replacements = replacements(&raw)?;
    let operations = operations(&raw)?;
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(raw).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    if !spec.openapi.starts_with("3.0.") {
        return Err(format!(
            "OpenAPI {} is not supported; use 3.0.x",
            spec.openapi
        ));
    }

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::runtime::Runtime))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("schemars::JsonSchema");
    for (name, rust_type, impls) in replacements {
        settings.with_replacement(name, rust_type, impls.into_iter());
    }

    let mut generator = Generator::new(&settings);
    let tokens = run_quietly(|| generator.generate_tokens(&spec))
        .map_err(|panic| format!("progenitor gave up: {panic}"))?
        .map_err(|e| format!("progenitor: {e}"))?;
    let hooks = quote! {
        // Plain functions returning futures (not `async fn`): the call's state goes straight to
        // the runtime, which boxes it once, instead of being copied through a hook future.
        impl progenitor_client::ClientHooks<crate::runtime::Runtime> for Client {
            fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> impl std::future::Future<Output = std::result::Result<(), progenitor_client::Error<E>>> {
                std::future::ready(
                    crate::runtime::pre(request, info, operation(info.operation_id))
                        .map_err(progenitor_client::Error::InvalidRequest),
                )
            }
            fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
                use progenitor_client::ClientInfo as _;
                crate::runtime::exec(self.client(), self.inner(), request, info, operation(info.operation_id))
            }
        }
    };
    // Laid out by one walk over the token trees, not parsed and pretty-printed (that was 60 % of
    // the generation); the snapshot test prints the readable copy (see `build/layout.rs`).
    // Moved, not interpolated: `quote!` would share the token trees with `tokens`, and the walk
    // would then copy every group it enters instead of moving it.
    let mut file = tokens;
    file.extend([hooks, operations]);
    let header = format!(
        "// @generated by build.rs from {} with progenitor — do not edit.\n\n",
        path.display()
    );
    let generated = Generated {
        source: header + &layout::layout(file),
        operations: spec.operations().count(),
    };
    // Freeing the generator's and the spec's trees (millions of small allocations) costs about as
    // much as building them; the build script exits right after, and the memory goes back with
    // the process.
    std::mem::forget((generator, spec));
    Ok(generated)
}

/// Runs `f`, turning its panics (progenitor asserts on some malformed specs) into an error.
fn run_quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
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
        for imp in schema
            .get("x-rust-impls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
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
    let mut arms = Vec::new();
    let paths = raw
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
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
            let file = match file_media_type(raw, op) {
                Some(media_type) => quote!(Some(#media_type)),
                None => quote!(None),
            };
            let decodes = match success_schema(raw, op) {
                Some(name) => {
                    let ty = quote::format_ident!("{name}");
                    let has_code = components
                        .get(name)
                        .and_then(|s| s.pointer("/properties/code"))
                        .is_some();
                    let code = if has_code {
                        quote!(|v| v.code)
                    } else {
                        quote!(|_| 0)
                    };
                    quote!(Some(|body: &[u8]| {
                        serde_json::from_slice::<types::#ty>(body).ok().map(#code)
                    }))
                }
                None => quote!(None),
            };
            let index = entries.len();
            arms.push(quote! { #op_id => Some(&OPERATIONS[#index]), });
            entries.push(quote! {
                crate::runtime::Operation {
                    tokens: &[#(#tokens),*],
                    rules: &[#(#rules),*],
                    file: #file,
                    decodes: #decodes,
                }
            });
        }
    }
    Ok(quote! {
        /// Every operation of this spec: the access tokens it takes, its request-body rules
        /// (`x-feishu-rules`) and whether it streams a file, used by the shared runtime on every send.
        pub(crate) static OPERATIONS: &[crate::runtime::Operation] = &[#(#entries),*];

        /// The entry of [`OPERATIONS`] for an operationId: one `match`, however many operations
        /// the spec has (the hooks look it up on every send).
        pub(crate) fn operation(operation_id: &str) -> Option<&'static crate::runtime::Operation> {
            match operation_id {
                #(#arms)*
                _ => None,
            }
        }
    })
}

/// The media type of the operation's 2xx response when that is content that is not JSON (a file
/// download): progenitor hands it over as a stream, the runtime bounds it by inactivity rather
/// than by the total request timeout and checks the body is such a file.
fn file_media_type(raw: &Value, op: &Value) -> Option<String> {
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
        .find_map(|response| {
            let content = response.get("content").and_then(Value::as_object)?;
            if content.keys().any(is_json) {
                return None;
            }
            content.keys().next().cloned()
        })
}

/// The named component schema of a JSON `200` response, if it is one: the runtime checks a
/// success body decodes into it while it still has the response's status and headers.
fn success_schema<'a>(raw: &'a Value, op: &'a Value) -> Option<&'a str> {
    let mut response = op.pointer("/responses/200")?;
    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
        response = raw.pointer(target.trim_start_matches('#'))?;
    }
    response
        .pointer("/content/application~1json/schema/$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn token_kinds(security: Option<&Value>) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let mut kinds = Vec::new();
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        for name in requirement
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
        {
            kinds.push(match name {
                "tenant_access_token" => quote!(crate::runtime::TokenKind::Tenant),
                "user_access_token" => quote!(crate::runtime::TokenKind::User),
                other => {
                    return Err(format!(
                        "security scheme `{other}` is not tenant_access_token or user_access_token"
                    ))
                }
            });
        }
    }
    Ok(kinds)
}

fn body_rules(name: &str, schema: &Value) -> Result<Vec<proc_macro2::TokenStream>, String> {
    let where_ = format!("schema {name}: x-feishu-rules");
    let mut rules = Vec::new();
    for rule in schema
        .get("x-feishu-rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (kind, fields) = rule
            .as_object()
            .and_then(|m| m.iter().next())
            .ok_or_else(|| format!("{where_}: each rule is a one-key map"))?;
        let fields: Vec<&str> = fields
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(missing) = fields
            .iter()
            .find(|f| props.is_none_or(|p| !p.contains_key(**f)))
        {
            return Err(format!(
                "{where_}: {kind} names `{missing}`, which is not a property"
            ));
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
