//! The code generation that `build.rs` runs (the `feishu-openapi-codegen` crate): which
//! services the cargo features enable (that every spec has a feature is the spec lint's check),
//! and synthetic specs of the benchmark — they pass the spec lint and generate a client with one
//! `OPERATIONS` entry per operation.

use std::path::{Path, PathBuf};

use xtask::lint::lint_sources;

use feishu_openapi_codegen::{generate, generate_all, service_enabled, Options, ALWAYS_ON};

#[test]
fn a_service_is_generated_when_cargo_says_its_feature_is_on() {
    let on = |var: &str| var == "CARGO_FEATURE_VC";
    assert!(service_enabled("vc", on));
    assert!(!service_enabled("im", on));
    assert!(
        service_enabled("help-desk", |v| v == "CARGO_FEATURE_HELP_DESK"),
        "cargo upper-cases the feature and writes `-` as `_`"
    );
    // The feature of the same name only: not another one, not the lower-case spelling.
    assert!(!service_enabled("im", |v| v == "CARGO_FEATURE_IM_EXTRA"));
    assert!(!service_enabled("im", |v| v == "CARGO_FEATURE_im"));
}

#[test]
fn the_always_on_services_need_no_feature() {
    assert_eq!(ALWAYS_ON, ["auth"]);
    for service in ALWAYS_ON {
        assert!(service_enabled(service, |_| false), "{service}");
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
    let generated = generate(
        &path,
        Options {
            json_schema: true,
            events: false,
            spec_json: false,
        },
    )
    .expect("a synthetic spec generates");
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
fn json_schema_is_derived_only_with_the_option() {
    let dir = temp("schema");
    let path = write_synthetic(&dir, "synth", 2);
    let derives = |json_schema| {
        generate(
            &path,
            Options {
                json_schema,
                events: false,
                spec_json: false,
            },
        )
        .expect("a synthetic spec generates")
        .source
        .matches("JsonSchema")
        .count()
    };
    assert_eq!(derives(false), 0, "no derive without the option");
    assert!(derives(true) > 0, "the option derives JsonSchema");
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
    let results = generate_all(
        &specs,
        2,
        Options {
            json_schema: true,
            events: false,
            spec_json: false,
        },
    );
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

/// An operation's request is worked out once, in `prepare_direct`, as the core's `Plan`: a
/// header parameter (a conditional) is read into its header map there and handed to the plan,
/// with the path, the query and the JSON body; no function of the operation's own builds it.
#[test]
fn a_request_with_a_header_parameter_is_planned_once() {
    let dir = temp("header");
    std::fs::create_dir_all(&dir).expect("a folder");
    let path = dir.join("synth.yaml");
    let mut spec = xtask::synth::spec("synth", 1);
    let operation = spec
        .pointer_mut("/paths/~1open-apis~1synth~1v1~1exports~1list_0/post")
        .expect("the synthetic operation");
    operation["parameters"]
        .as_array_mut()
        .expect("its parameters")
        .push(serde_json::json!({
            "name": "X-Request-Tag", "in": "header", "required": false,
            "schema": {"type": "string"}
        }));
    std::fs::write(&path, serde_json::to_string(&spec).expect("JSON")).expect("written");
    let generated = generate(&path, Options::default()).expect("the spec generates");
    let file = syn::parse_file(&generated.source).expect("the generated code parses");
    let source = prettyplease::unparse(&file);
    let prepare = &source[source.find("fn prepare_direct").expect("prepare_direct")..];
    let prepare = &prepare[..prepare.find("\n    }\n").unwrap_or(prepare.len())];
    let compact: String = prepare.split_whitespace().collect();
    assert!(
        compact.contains("ifletSome(value)=x_request_tag{header_map.append(\"X-Request-Tag\""),
        "the header is not read into the header map:\n{prepare}"
    );
    assert!(
        compact.contains(
            "crate::runtime::Plan::new(::reqwest::Method::POST,&client.baseurl,\"/open-apis/synth/v1/exports/list_0\",&[],)"
        ),
        "the request is not planned:\n{prepare}"
    );
    for call in [
        ".accept_json()",
        ".json(body)",
        ".query(&[(\"user_id_type\",&user_id_typeascrate::object::Value<'_>)])",
        ".headers(header_map)",
        ".prepared()",
    ] {
        assert!(
            compact.contains(call),
            "no `{call}` in the plan:\n{prepare}"
        );
    }
    assert!(
        !compact.contains("|client"),
        "a function builds the request:\n{prepare}"
    );
    let compact: String = source.split_whitespace().collect();
    assert!(compact.contains("crate::runtime::sending(self.prepare_direct(),"));
    let _ = std::fs::remove_dir_all(&dir);
}
