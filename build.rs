//! Generates one client module per OpenAPI spec in `openapi/`, with the crate's code generator
//! (`codegen/`, package `feishu-openapi-codegen`).
//!
//! For `openapi/<service>.yaml` it writes `$OUT_DIR/<service>.rs`, which `src/<service>/mod.rs`
//! includes. Services are cargo features: a spec is generated only when its service's feature is
//! on (`CARGO_FEATURE_<SERVICE>`, which cargo sets for each enabled feature), except the services
//! in `ALWAYS_ON`. That every spec has a feature of its name in `Cargo.toml` is checked by the
//! spec lint (`xtask`), not here: a build script only sees the features that are on.
//!
//! A malformed spec stops the build with a message naming the file and the problem.

use std::path::{Path, PathBuf};

use feishu_openapi_codegen::{generate_all, list_specs, service_enabled, Options};

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
    let mut skipped = Vec::new();
    for spec in specs {
        println!("cargo:rerun-if-changed={}", spec.display());
        let service = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if service_enabled(service, |var| std::env::var_os(var).is_some()) {
            enabled.push(spec);
        } else {
            skipped.push(service.to_string());
        }
    }
    if !skipped.is_empty() {
        build_print::info!(
            "feishu-openapi: {} services not generated (their features are off): {}",
            skipped.len(),
            skipped.join(", ")
        );
    }
    // Cargo's job count for this build (`-j`), shared with the compilers running beside it.
    let workers = std::env::var("NUM_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    // Progenitor's panics become errors (see `run_quietly`); keep their default message off stderr.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    // The `schemars` feature: every generated type derives `JsonSchema`.
    let options = Options {
        json_schema: std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some(),
    };
    let results = generate_all(&enabled, workers, options);
    std::panic::set_hook(previous);
    for shape in feishu_openapi_codegen::SHAPES {
        println!("cargo::rustc-check-cfg=cfg({shape})");
    }
    let mut shapes = std::collections::BTreeSet::new();
    let mut spec_files = Vec::new();
    for (spec, (result, took)) in enabled.iter().zip(results) {
        let display = spec.display().to_string();
        match result {
            Ok(generated) => {
                let stem = spec
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default();
                let target = out_dir.join(format!("{stem}.rs"));
                shapes.extend(generated.shapes);
                let json = out_dir.join(format!("{stem}.json"));
                if let Err(e) = std::fs::write(&json, &generated.spec_json) {
                    fail(&display, &format!("cannot write {}: {e}", json.display()));
                }
                spec_files.push(stem.to_string());
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
    // The enabled services' specs and operation tables, for the fake Feishu (feature `fake`),
    // which answers every operation from them.
    let list: String = spec_files
        .iter()
        .map(|stem| {
            format!(
                "    (\"{stem}\", include_str!(concat!(env!(\"OUT_DIR\"), \"/{stem}.json\")), crate::{stem}::operation),\n"
            )
        })
        .collect();
    let specs = format!("/// Every enabled service, its spec as JSON, and the lookup of its generated operation table.\npub(crate) const SPECS: &[(&str, &str, Lookup)] = &[\n{list}];\n");
    if let Err(e) = std::fs::write(out_dir.join("specs.rs"), specs) {
        fail("specs.rs", &format!("cannot write: {e}"));
    }
    // What the crate root knows of the enabled services (hidden, for the tests).
    let services = feishu_openapi_codegen::crate_root(&spec_files);
    if let Err(e) = std::fs::write(out_dir.join("services.rs"), services) {
        fail("services.rs", &format!("cannot write: {e}"));
    }
    // The runtime's support for a shape is compiled only when an enabled service uses it.
    for shape in shapes {
        println!("cargo::rustc-cfg={shape}");
    }
}

/// Stops the build with one readable line instead of a panic backtrace.
fn fail(file: &str, message: &str) -> ! {
    build_print::error!("{file}: {message}");
    eprintln!("error: invalid OpenAPI spec {file}: {message}");
    std::process::exit(1);
}
