//! The code generation of `build.rs`, included here as a module (as `codegen-bench` does): which
//! services the cargo features enable, and synthetic specs of the benchmark — they pass the spec
//! lint and generate a client with one `OPERATIONS` entry per operation.

use std::path::{Path, PathBuf};

use xtask::lint::lint_sources;

#[allow(
    dead_code,
    reason = "only some functions of the build script are tested"
)]
#[path = "../../build.rs"]
mod build_script;

use build_script::{declared_features, generate, generate_all, service_enabled, ALWAYS_ON};

fn manifest() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
        .expect("the crate's Cargo.toml")
}

#[test]
fn the_crate_declares_a_feature_for_every_spec_but_the_always_on_ones() {
    let declared = declared_features(&manifest());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi");
    let mut services = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("openapi/") {
        let path = entry.expect("an entry").path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            services.push(
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .expect("a name")
                    .to_string(),
            );
        }
    }
    assert!(services.contains(&"vc".to_string()), "{services:?}");
    for service in &services {
        assert!(
            ALWAYS_ON.contains(&service.as_str()) || declared.contains(service),
            "openapi/{service}.yaml has no feature `{service}` in Cargo.toml: {declared:?}"
        );
    }
}

#[test]
fn features_are_read_from_the_features_table_only() {
    let text = r#"
[package]
name = "x" # not a feature
[features]
default = ["vc"]   # a comment
vc = []
"im" = []
fake = [
  "vc",
  "dep:hyper",
]
[dependencies]
serde = "1"
"#;
    let declared: Vec<String> = declared_features(text).into_iter().collect();
    assert_eq!(declared, ["default", "fake", "im", "vc"]);
    assert!(declared_features(&manifest()).contains("vc"));
    assert!(declared_features(&manifest()).contains("fake"));
}

#[test]
fn a_service_is_generated_when_its_feature_is_on() {
    let declared = declared_features("[features]\nvc = []\nim = []\n");
    let on = |var: &str| var == "CARGO_FEATURE_VC";
    assert_eq!(service_enabled("vc", &declared, on), Ok(true));
    assert_eq!(service_enabled("im", &declared, on), Ok(false));
    assert_eq!(
        service_enabled("auth", &declared, |_| false),
        Ok(true),
        "auth is always on"
    );
    let dashed = declared_features("[features]\nhelp-desk = []\n");
    assert_eq!(
        service_enabled("help-desk", &dashed, |v| v == "CARGO_FEATURE_HELP_DESK"),
        Ok(true)
    );
}

#[test]
fn a_service_without_a_feature_is_an_error_saying_what_to_add() {
    let declared = declared_features("[features]\nvc = []\n");
    let err = service_enabled("calendar", &declared, |_| true).expect_err("no feature");
    for words in [
        "`calendar` has no cargo feature",
        "add `calendar = []` to [features] in Cargo.toml",
        "#[cfg(feature = \"calendar\")]",
    ] {
        assert!(err.contains(words), "{words:?} is not in: {err}");
    }
}

fn write_synthetic(dir: &Path, service: &str, operations: usize) -> PathBuf {
    std::fs::create_dir_all(dir).expect("a folder");
    let path = dir.join(format!("{service}.yaml"));
    std::fs::write(&path, xtask::synth::spec_yaml(service, operations)).expect("written");
    path
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("xtask-codegen-test-{name}-{}", std::process::id()))
}

#[test]
fn synthetic_specs_pass_the_spec_lint() {
    for n in [1, 3] {
        let text = xtask::synth::spec_yaml("synth", n);
        let problems = lint_sources(&[("synth.yaml", &text)]);
        assert!(problems.is_empty(), "{n} operations: {problems:#?}");
        assert_eq!(text.matches("operationId: export_list_").count(), n);
    }
}

#[test]
fn synthetic_specs_generate_one_operation_entry_each() {
    let dir = temp("one");
    let path = write_synthetic(&dir, "synth", 3);
    let generated = generate(&path).expect("a synthetic spec generates");
    assert_eq!(generated.operations, 3);
    // The layout is for the compiler; printed by prettyplease it reads as the snapshots do (and
    // parsing it checks the layout kept the code intact).
    let file = syn::parse_file(&generated.source).expect("the generated code parses");
    let source = prettyplease::unparse(&file);
    for i in 0..3 {
        assert!(
            source.contains(&format!(
                "\"export_list_{i}\" => Some(&OPERATIONS[{i}usize])"
            )),
            "export_list_{i}"
        );
        assert!(
            source.contains(&format!("pub struct ExportList{i}Request")),
            "ExportList{i}Request"
        );
        assert!(
            source.contains(&format!("pub fn export_list_{i}(&self)")),
            "export_list_{i}()"
        );
    }
    assert_eq!(source.matches("crate::rules::Rule::AtMostOneOf").count(), 3);
    assert_eq!(
        source.matches("crate::rules::Rule::OrderedTimes").count(),
        3
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_all_keeps_the_order_and_reports_each_spec() {
    let dir = temp("all");
    let mut specs: Vec<PathBuf> = (0..4)
        .map(|k| write_synthetic(&dir, &format!("synth{k}"), k + 1))
        .collect();
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\npaths: [not, a, map]\n").expect("written");
    specs.insert(2, broken);
    let results = generate_all(&specs, 2);
    assert_eq!(results.len(), specs.len());
    let operations: Vec<Result<usize, String>> = results
        .into_iter()
        .map(|(result, _)| result.map(|g| g.operations))
        .collect();
    assert_eq!(operations[0], Ok(1));
    assert_eq!(operations[1], Ok(2));
    assert!(
        operations[2]
            .as_ref()
            .is_err_and(|e| e.contains("not an OpenAPI 3.0 document")),
        "{:?}",
        operations[2]
    );
    assert_eq!(operations[3], Ok(3));
    assert_eq!(operations[4], Ok(4));
    let _ = std::fs::remove_dir_all(&dir);
}
