//! The build script of a crate that holds a generated service: [`service`].

use std::path::{Path, PathBuf};

use crate::{generate, run_quietly, Options};

/// The folder, in the package of a crate that holds a generated service, where its spec is (a
/// link to the workspace's `openapi/`, so the published package carries a copy).
pub const SPEC_DIR: &str = "openapi";

/// Generates the client of `service` from `openapi/<service>.yaml` of the package being built
/// (with the shared parts of `openapi/shared/` merged in) into `$OUT_DIR/<service>.rs`, which
/// the crate includes with `feishu_openapi_core::generated_service!`, and, with the package's
/// `fake` feature on, its spec as JSON into `$OUT_DIR/<service>.json` (the fake Feishu answers
/// from it). With its `schemars` feature on, every generated type derives `JsonSchema`; with its
/// `events` feature, the spec's events get their payload types and the `events` module
/// ([`crate::events`]).
///
/// Call it from a build script; a malformed spec stops the build with one line naming the file
/// and the problem.
pub fn service(service: &str) {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let spec_dir = manifest_dir.join(SPEC_DIR);
    let spec = spec_dir.join(format!("{service}.yaml"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!(
        "cargo:rerun-if-changed={}",
        spec_dir.join(crate::spec::SHARED_DIR).display()
    );
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let display = format!("{SPEC_DIR}/{service}.yaml");
    let options = Options {
        json_schema: std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some(),
        events: std::env::var_os("CARGO_FEATURE_EVENTS").is_some(),
        spec_json: std::env::var_os("CARGO_FEATURE_FAKE").is_some(),
    };
    // Progenitor's panics become errors (see `run_quietly`); keep their default message off
    // stderr.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let started = std::time::Instant::now();
    let result = run_quietly(|| generate(&spec, options))
        .map_err(|panic| format!("the generator panicked: {panic}"))
        .and_then(|generated| generated);
    std::panic::set_hook(previous);
    let generated = match result {
        Ok(generated) => generated,
        Err(message) => fail(&display, &message),
    };
    write(
        &display,
        &out_dir.join(format!("{service}.rs")),
        &generated.source,
    );
    if let Some(spec_json) = &generated.spec_json {
        write(
            &display,
            &out_dir.join(format!("{service}.json")),
            spec_json,
        );
    }
    build_print::info!(
        "{display} → {service}.rs ({} operations, {} ms)",
        generated.operations,
        started.elapsed().as_millis()
    );
}

fn write(display: &str, path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        fail(display, &format!("cannot write {}: {e}", path.display()));
    }
}

/// Stops the build with one readable line instead of a panic backtrace.
fn fail(file: &str, message: &str) -> ! {
    build_print::error!("{file}: {message}");
    eprintln!("error: invalid OpenAPI spec {file}: {message}");
    std::process::exit(1);
}
