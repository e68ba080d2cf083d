//! Code generation for feishu-openapi: one Rust client module per OpenAPI spec, with
//! progenitor, plus what the crate's shared runtime needs of each operation.
//!
//! Used by the crate's `build.rs` (which writes `$OUT_DIR/<service>.rs` for every enabled
//! service) and by its maintainer tools (`xtask`: the spec lint, the codegen benchmark), so that
//! both run the very same code. For `openapi/<service>.yaml`, [`generate`] gives:
//! - progenitor's output (Builder interface, merged tags, `schemars::JsonSchema` derives when
//!   [`Options::json_schema`] says so, inner type `crate::runtime::Runtime`), with named schemas replaced by handwritten Rust types where
//!   the spec says `x-rust-type`;
//! - every string enum open to values the spec does not list ([`open_enums`]), every optional
//!   array or map an `Option` ([`optional`]);
//! - each operation builder's `send()` (and `call()`, `download()`, `pages()` where they apply)
//!   through the shared runtime, in place of progenitor's (see [`send`]);
//! - `OPERATIONS` and `operation()` (for the fake): each operation's token kinds (`security`), body rules
//!   (`x-feishu-rules`), the media type of the file it streams, and a decode check of its 200
//!   type (see [`table`]).
//!
//! The output is laid out by one walk over the token trees ([`layout`]), not pretty-printed.
//! A malformed spec is an `Err` naming the problem, never a panic. Every spec is read with the
//! platform's shared parts merged in ([`spec`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

pub mod build;
pub mod data;
pub mod download;
pub mod events;
mod from_json;
mod inline;
pub mod layout;
mod lazy_body;
mod objects;
pub mod open_enums;
pub mod optional;
pub mod pages;
mod plain_try;
mod plan;
pub mod replies;
mod schema_list;
pub mod send;
mod services;
mod setters;
pub mod spec;
pub mod table;
mod tokens;
pub mod trim;
pub mod upload;

pub use services::{crate_root, ALWAYS_ON};

/// Generates `specs` on up to `workers` threads, one spec at a time per thread (a spec's syntax
/// trees cannot cross threads; its generated source can), and returns each spec's result and
/// generation time in the order of `specs`. Panics (progenitor asserts on some malformed specs)
/// become errors.
pub fn generate_all(
    specs: &[PathBuf],
    workers: usize,
    options: Options,
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
            let result = run_quietly(|| generate(spec, options))
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

/// Whether the spec of `service` is generated: always for [`ALWAYS_ON`], else when cargo says the
/// feature of the same name is on (`is_set("CARGO_FEATURE_<SERVICE>")`, upper case, `-` as `_`).
pub fn service_enabled(service: &str, is_set: impl Fn(&str) -> bool) -> bool {
    ALWAYS_ON.contains(&service)
        || is_set(&format!(
            "CARGO_FEATURE_{}",
            service.to_uppercase().replace('-', "_")
        ))
}

/// The `*.yaml` / `*.yml` files in `dir` (the service specs; the shared parts are in a folder
/// of their own, [`spec::SHARED_DIR`]), sorted.
pub fn list_specs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    spec::yaml_files(dir)
}

/// What the generated code is built with, beyond what every build has.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Every generated type derives `schemars::JsonSchema` (the crate's `schemars` feature).
    /// Off, the generated code never names schemars: the derives are about a fifth of a
    /// service's compile time.
    pub json_schema: bool,
    /// The spec's events (`x-feishu-events`) get their payload types and the `events` module
    /// (the crate's `events` feature). Off, the events and the schemas only they use are left
    /// out before progenitor reads the spec.
    pub events: bool,
    /// The spec is given as JSON too ([`Generated::spec_json`]; the crate's `fake` feature
    /// answers every operation from it). Off, it is not written out: a tenth of the generation.
    pub spec_json: bool,
}

/// The generated module of one spec.
pub struct Generated {
    /// The Rust source.
    pub source: String,
    /// How many operations the spec has.
    pub operations: usize,
    /// The spec as every tool reads it (shared parts merged), as JSON, when
    /// [`Options::spec_json`] asks for it: the fake Feishu answers every operation from it.
    pub spec_json: Option<String>,
}

/// Generates the client module of the spec at `path`: progenitor's output, each operation's
/// `send()` through the shared runtime, and `OPERATIONS`, formatted.
pub fn generate(path: &Path, options: Options) -> Result<Generated, String> {
    // The service's own file, with the shared parts of `openapi/shared/` merged in.
    let mut raw = spec::load(path)?;
    // The events, checked whatever the options; their schemas generated only when asked.
    let declared_events = events::declared(&raw)?;
    let events_module = if options.events {
        let service = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        Some(events::module(
            &service,
            &declared_events,
            &events::event_only_schemas(&raw),
        ))
    } else {
        events::strip(&mut raw);
        None
    };
    let spec_json = options.spec_json.then(|| raw.to_string());
    // The spec's own component schemas, before the uploads add their forms.
    let component_schemas = schema_list::component_schemas(&raw)?;
    // Uploads first: progenitor cannot take their multipart bodies (see `upload`).
    let uploads = upload::extract(&mut raw)?;
    // The vendor extensions first, from the raw document; then the document itself, moved.
    let replacements = replacements(&raw)?;
    let mut operations = table::operations(&raw)?;
    let data_types = send::data_types(&raw);
    let files = download::download_names(&table::media_types(&raw));
    let pages = pages::paginations(&raw)?;
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
        .with_inner_type(quote!(crate::runtime::Runtime));
    if options.json_schema {
        settings.with_derive("schemars::JsonSchema");
    }
    for (name, rust_type, impls) in replacements {
        settings.with_replacement(name, rust_type, impls.into_iter());
    }

    let mut generator = Generator::new(&settings);
    let tokens = run_quietly(|| generator.generate_tokens(&spec))
        .map_err(|panic| format!("progenitor gave up: {panic}"))?
        .map_err(|e| format!("progenitor: {e}"))?;
    // Each type keeps what the way it travels needs: no builder or `Serialize` for answers.
    let forms: Vec<String> = uploads.values().map(|upload| upload.form.clone()).collect();
    let (tokens, _) = trim::by_direction(tokens, &forms)?;
    // No answer fails on a value its enum does not list, and a request can send one.
    let (tokens, _) = open_enums::open(tokens)?;
    // An empty array or map the caller set is sent; an absent one reads as `None`.
    let (tokens, _) = optional::optional_collections(tokens)?;
    // An answer `{code, data, msg}` is the core's `ResponseBody<Data>` under its own name.
    let (tokens, replies) = replies::generic(tokens, &operations.envelopes)?;
    operations
        .envelopes
        .retain(|name, _| !replies.contains(name));
    // Each struct reads a JSON object with one written-out loop, not serde's derive (a third
    // of a service's rustc time).
    let (tokens, _) = objects::written_out(tokens)?;
    // Each setter converts its value with one call of the core's, not a closure of its own.
    let (tokens, _) = setters::shared(tokens);
    // Laid out by one walk over the token trees, not parsed and pretty-printed (that was 60 % of
    // the generation); the snapshot test prints the readable copy (see [`layout`]).
    // Moved, not interpolated: `quote!` would share the token trees with `tokens`, and the walk
    // would then copy every group it enters instead of moving it.
    let mut file = send::wrap(
        tokens,
        &data_types,
        &files,
        &pages,
        &uploads,
        &operations,
        &replies,
    )?;
    file.extend([operations.tokens, component_schemas]);
    file.extend(events_module);
    // Each method compiled where it is called, for the operations a caller uses.
    let (file, _) = inline::at_callers(file);
    let header = format!(
        "// @generated by build.rs from openapi/{} with progenitor — do not edit.\n\n",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let generated = Generated {
        source: header + &layout::layout(file),
        operations: spec.operations().count(),
        spec_json,
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

/// Every operation of a spec (what each path item holds under an HTTP method).
fn each_operation(raw: &Value) -> impl Iterator<Item = &Value> {
    raw.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .map(|(_, op)| op)
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
