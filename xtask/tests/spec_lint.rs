//! The spec lint over every file in `openapi/`, and small bad specs that show each check failing.

use std::path::PathBuf;

use serde_json::{json, Value};
use xtask::lint::{
    feature_problems, lint_dir, lint_features, lint_sources, lint_with_shared,
    upload_feature_problems, Problem,
};

/// Problems in `openapi/` that are known and reported, each waiting for a spec fix. An entry that
/// no longer occurs fails the test too: remove it with the fix.
/// Problems accepted for now, each with the reason; the test fails when one is gone, so the
/// list never goes stale. Empty: every spec passes.
const KNOWN_PROBLEMS: &[&str] = &[];

#[test]
fn every_spec_in_openapi_passes_the_lint() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi");
    let problems = lint_dir(&dir).expect("openapi/ is readable");
    let list: Vec<String> = problems.iter().map(Problem::to_string).collect();
    let new: Vec<&String> = list
        .iter()
        .filter(|p| !KNOWN_PROBLEMS.contains(&p.as_str()))
        .collect();
    let fixed: Vec<&&str> = KNOWN_PROBLEMS
        .iter()
        .filter(|k| !list.iter().any(|p| p == **k))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{} spec lint problem(s):\n{}\n{} fixed, to remove from KNOWN_PROBLEMS:\n{}",
        new.len(),
        new.iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        fixed.len(),
        fixed.iter().map(|p| **p).collect::<Vec<_>>().join("\n"),
    );
}

#[test]
fn every_spec_in_openapi_has_a_cargo_feature() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let problems = lint_features(&root.join("openapi"), &root.join("Cargo.toml"))
        .expect("openapi/ and Cargo.toml are readable");
    let list: Vec<String> = problems.iter().map(Problem::to_string).collect();
    assert!(list.is_empty(), "{}", list.join("\n"));
}

#[test]
fn every_spec_in_openapi_has_its_crate_in_services() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let problems = xtask::workspace::check(&root).expect("openapi/ and services/ are readable");
    assert!(
        problems.is_empty(),
        "{}\nrun `cargo run -p xtask --bin services` to bring them up to date",
        problems.join("\n")
    );
}

/// A manifest with features in the forms TOML allows, and names that are not features.
const MANIFEST: &str = r#"
[package]
name = "x" # calendar = [] in a comment is not a feature
description = """
[features]
calendar = []
"""

[features]
default = ["vc"]   # a comment
vc = ["dep:base64"]
"help-desk" = []
fake = [
  "vc",
  "dep:hyper",
]

[dependencies]
calendar = "1"
"#;

fn feature_problem_list(files: &[&str], manifest: &str) -> Vec<String> {
    feature_problems(files, manifest)
        .iter()
        .map(Problem::to_string)
        .collect()
}

#[test]
fn every_service_but_auth_needs_a_feature_of_its_name() {
    let files = ["auth.yaml", "help-desk.yaml", "vc.yaml"];
    assert_eq!(feature_problem_list(&files, MANIFEST), Vec::<String>::new());
    // `calendar` is named in a comment, a string and [dependencies], never in [features].
    let problems = feature_problem_list(&["calendar.yaml", "vc.yaml", "im.yml"], MANIFEST);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    for (problem, service) in problems.iter().zip(["calendar", "im"]) {
        for words in [
            format!(": cargo feature: the service `{service}` has no cargo feature"),
            "run `cargo run -p xtask --bin services`".to_string(),
            "makes its crate in services/".to_string(),
        ] {
            assert!(problem.contains(&words), "{words:?} is not in: {problem}");
        }
    }
    assert!(problems[0].starts_with("calendar.yaml: "), "{problems:?}");
    assert!(problems[1].starts_with("im.yml: "), "{problems:?}");
}

#[test]
fn features_are_read_as_toml() {
    for manifest in [
        "features = { vc = [], im = [] }",
        "features.vc = []\nfeatures.im = [\"vc\"]",
        "[features]\n'vc' = []\n\"im\" = []",
    ] {
        let problems = feature_problem_list(&["vc.yaml", "im.yaml"], manifest);
        assert!(problems.is_empty(), "{manifest}: {problems:?}");
    }
    assert_eq!(
        feature_problem_list(&["vc.yaml"], "[package]\nname = \"x\"\n").len(),
        1,
        "no [features] table: no service has a feature"
    );
    assert_eq!(
        feature_problem_list(&["vc.yaml"], "features = 1"),
        ["Cargo.toml: [features]: is not a table"]
    );
    let broken = feature_problem_list(&["vc.yaml"], "[features\nvc = []");
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].starts_with("Cargo.toml: document: not valid TOML"),
        "{broken:?}"
    );
}

/// A small spec that follows every convention.
fn good() -> Value {
    yaml_serde::from_str(
        r##"
openapi: 3.0.3
info: {title: t, version: v1}
tags:
  - name: demo.export
paths:
  /open-apis/demo/v1/exports/meeting_list:
    post:
      operationId: export_meeting_list
      tags: [demo.export]
      security:
        - tenant_access_token: []
      x-feishu-scopes: ["demo:export"]
      x-feishu-errors:
        - {http: 400, code: 121003, msg: param error, advice: 参数错误}
      parameters:
        - $ref: "#/components/parameters/user_id_type"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/Request"
            example: {start_time: "1655276858", meeting_status: 2, meeting_no: "123456789"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, required: [code], properties: {code: {type: integer}}}
              example: {code: 0}
        4XX:
          $ref: "#/components/responses/FeishuError"
        5XX:
          $ref: "#/components/responses/FeishuError"
components:
  securitySchemes:
    tenant_access_token: {type: http, scheme: bearer}
  parameters:
    user_id_type:
      name: user_id_type
      in: query
      schema: {type: string, enum: [open_id, user_id], x-enum-descriptions: {open_id: 应用内, user_id: 租户内}}
      example: open_id
  responses:
    FeishuError:
      description: error
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/FeishuError"
  schemas:
    Request:
      type: object
      required: [start_time]
      x-feishu-rules:
        - at-most-one-of: [meeting_no, user_id]
      properties:
        start_time:
          allOf: [{$ref: "#/components/schemas/UnixSeconds"}]
          example: "1655276858"
        meeting_status:
          type: integer
          enum: [1, 2]
          x-enum-descriptions: {"1": 进行中, "2": 已结束}
          x-enum-varnames: [Ongoing, Ended]
          example: 2
        meeting_no: {type: string, pattern: "^[0-9]{9}$", example: "123456789"}
        user_id: {type: string, minLength: 1}
    UnixSeconds: {type: string, pattern: "^[0-9]+$", example: "1655276858"}
    FeishuError:
      type: object
      required: [code, msg]
      x-rust-type: crate::FeishuErrorBody
      properties: {code: {type: integer}, msg: {type: string}}
"##,
    )
    .unwrap()
}

const OP: &str = "/paths/~1open-apis~1demo~1v1~1exports~1meeting_list/post";
const WHERE: &str =
    "demo.yaml: operation export_meeting_list (POST /open-apis/demo/v1/exports/meeting_list)";

fn lint(spec: &Value) -> Vec<String> {
    let text = yaml_serde::to_string(spec).unwrap();
    lint_sources(&[("demo.yaml", &text)])
        .iter()
        .map(Problem::to_string)
        .collect()
}

/// `good()` changed by `edit` gives exactly the problems `expected`.
#[track_caller]
fn assert_problems(edit: impl FnOnce(&mut Value), expected: &[&str]) {
    let mut spec = good();
    edit(&mut spec);
    assert_eq!(lint(&spec), expected);
}

/// Sets (or adds) the value at `pointer`.
fn set(spec: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = spec
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match parent {
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
        Value::Object(fields) => {
            fields.insert(key.replace("~1", "/").replace("~0", "~"), value);
        }
        _ => panic!("{parent} is not a container"),
    }
}

fn remove(spec: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    spec.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove(key)
        .unwrap();
}

#[test]
fn the_good_spec_passes() {
    assert_eq!(lint(&good()), Vec::<String>::new());
}

#[test]
fn operation_ids_follow_the_convention_and_are_unique() {
    assert_problems(
        |s| set(s, &format!("{OP}/operationId"), json!("exportMeetingList")),
        &[
            "demo.yaml: operation exportMeetingList (POST /open-apis/demo/v1/exports/meeting_list): operationId `exportMeetingList` is not snake_case `<resource>_<method>`",
            "demo.yaml: operation exportMeetingList (POST /open-apis/demo/v1/exports/meeting_list): operationId `exportMeetingList` does not start with its tag's resource: `export_<method>`",
        ],
    );
    // Unique within a service (a module of its own); two services may share one.
    let text = yaml_serde::to_string(&good()).unwrap();
    let problems = lint_sources(&[
        ("demo.yaml", &text),
        ("demo2.yaml", &text.replace("demo.export", "demo2.export")),
    ]);
    assert_eq!(problems, Vec::<Problem>::new());
    let mut twice = good();
    let op = twice.pointer(OP).unwrap().clone();
    set(
        &mut twice,
        "/paths/~1open-apis~1demo~1v1~1exports~1again",
        json!({"post": op}),
    );
    let problems: Vec<String> =
        lint_sources(&[("demo.yaml", &yaml_serde::to_string(&twice).unwrap())])
            .iter()
            .map(Problem::to_string)
            .collect();
    assert_eq!(
        problems,
        [format!("{WHERE}: operationId `export_meeting_list` is also used by demo.yaml: operation export_meeting_list (POST /open-apis/demo/v1/exports/again)")]
    );
}

#[test]
fn the_tag_is_service_dot_resource() {
    assert_problems(
        |s| set(s, &format!("{OP}/tags"), json!(["vc.export"])),
        &[
            &format!("{WHERE}: tag `vc.export` is not `demo.<resource>`"),
            &format!("{WHERE}: tag `vc.export` is not declared in the top-level `tags`"),
        ],
    );
    assert_problems(
        |s| set(s, &format!("{OP}/tags"), json!([])),
        &[&format!(
            "{WHERE}: has tags []; expected exactly one, `demo.<resource>`"
        )],
    );
}

#[test]
fn token_kinds_and_scopes_are_declared() {
    assert_problems(
        |s| remove(s, &format!("{OP}/security")),
        &[&format!(
            "{WHERE}: declares no `security` (its token kinds, e.g. `- tenant_access_token: []`; `[]` for none)"
        )],
    );
    assert_problems(
        |s| remove(s, &format!("{OP}/x-feishu-scopes")),
        &[&format!(
            "{WHERE}: declares no `x-feishu-scopes` (the scopes, like vc:export)"
        )],
    );
    assert_problems(
        |s| set(s, &format!("{OP}/x-feishu-scopes"), json!([])),
        &[&format!(
            "{WHERE}: x-feishu-scopes is empty, but the operation takes a token (if the doc says it needs none, say `x-feishu-no-scope-needed: true`)"
        )],
    );
    assert_problems(
        |s| set(s, &format!("{OP}/security"), json!([{"app_token": []}])),
        &[&format!(
            "{WHERE}: security names `app_token`, which is not in components.securitySchemes"
        )],
    );
    // An operation that takes no token (the token endpoints) declares both empty.
    assert_problems(
        |s| {
            set(s, &format!("{OP}/security"), json!([]));
            set(s, &format!("{OP}/x-feishu-scopes"), json!([]));
        },
        &[],
    );
}

#[test]
fn error_responses_use_the_shared_envelope() {
    assert_problems(
        |s| {
            set(
                s,
                &format!("{OP}/responses/4XX"),
                json!({"description": "error", "content": {"application/json": {"schema": {"type": "object"}}}}),
            )
        },
        &[&format!(
            "{WHERE}: 4XX response does not use the shared envelope (`$ref: \"#/components/responses/FeishuError\"`)"
        )],
    );
    assert_problems(
        |s| remove(s, &format!("{OP}/responses/5XX")),
        &[&format!(
            "{WHERE}: no 5XX response: add `5XX: {{$ref: \"#/components/responses/FeishuError\"}}`"
        )],
    );
    assert_problems(
        |s| remove(s, "/components/schemas/FeishuError/x-rust-type"),
        &["demo.yaml: schema FeishuError: must be replaced by the shared Rust type: `x-rust-type: crate::FeishuErrorBody`"],
    );
}

#[test]
fn examples_validate_against_their_schemas() {
    assert_problems(
        |s| set(s, &format!("{OP}/requestBody/content/application~1json/example/start_time"), json!(1655276858)),
        &[&format!(
            "{WHERE}: request body application/json example: $.start_time: 1655276858 has type integer, the schema wants string"
        )],
    );
    assert_problems(
        |s| set(s, &format!("{OP}/requestBody/content/application~1json/example/meeting_no"), json!("12345")),
        &[&format!(
            "{WHERE}: request body application/json example: $.meeting_no: \"12345\" does not match the pattern ^[0-9]{{9}}$"
        )],
    );
    assert_problems(
        |s| remove(s, &format!("{OP}/requestBody/content/application~1json/example/start_time")),
        &[&format!("{WHERE}: request body application/json example: $: required field `start_time` is missing")],
    );
    assert_problems(
        |s| set(s, &format!("{OP}/responses/200/content/application~1json/example/code"), json!("0")),
        &[&format!(
            "{WHERE}: 200 response application/json example: $.code: \"0\" has type string, the schema wants integer"
        )],
    );
    assert_problems(
        |s| set(s, "/components/schemas/Request/properties/meeting_status/example", json!(7)),
        &["demo.yaml: schema Request.meeting_status: example: $: 7 is not one of the enum values [1, 2]"],
    );
    assert_problems(
        |s| set(s, "/components/schemas/Request/properties/start_time/example", json!("soon")),
        &["demo.yaml: schema Request.start_time: example: $: \"soon\" does not match the pattern ^[0-9]+$"],
    );
    assert_problems(
        |s| set(s, "/components/parameters/user_id_type/example", json!("union_id")),
        &["demo.yaml: parameter user_id_type: parameter user_id_type example: $: \"union_id\" is not one of the enum values [\"open_id\", \"user_id\"]"],
    );
}

#[test]
fn request_examples_obey_the_body_rules() {
    assert_problems(
        |s| set(s, &format!("{OP}/requestBody/content/application~1json/example/user_id"), json!("ou_1")),
        &[&format!(
            "{WHERE}: request body example breaks x-feishu-rules `at-most-one-of: [meeting_no, user_id]` (it sets meeting_no, user_id); the client would refuse it"
        )],
    );
}

#[test]
fn every_enum_value_has_a_meaning() {
    assert_problems(
        |s| remove(s, "/components/schemas/Request/properties/meeting_status/x-enum-descriptions/2"),
        &["demo.yaml: schema Request.meeting_status: enum value 2 has no meaning in x-enum-descriptions"],
    );
    assert_problems(
        |s| remove(s, "/components/schemas/Request/properties/meeting_status/x-enum-descriptions"),
        &["demo.yaml: schema Request.meeting_status: enum has no x-enum-descriptions: write down the meaning of each value"],
    );
    assert_problems(
        |s| set(s, "/components/schemas/Request/properties/meeting_status/x-enum-descriptions/9", json!("?")),
        &["demo.yaml: schema Request.meeting_status: x-enum-descriptions names 9, which is not an enum value"],
    );
    assert_problems(
        |s| set(s, "/components/schemas/Request/properties/meeting_status/x-enum-varnames", json!(["Ongoing"])),
        &["demo.yaml: schema Request.meeting_status: x-enum-varnames must name each enum value, in order"],
    );
}

#[test]
fn other_mistakes_are_named() {
    assert_problems(
        |s| set(s, &format!("{OP}/x-feishu-errors/0/http"), json!(302)),
        &[&format!(
            "{WHERE}: x-feishu-errors entry {{\"advice\":\"参数错误\",\"code\":121003,\"http\":302,\"msg\":\"param error\"}} is not {{http: 4xx/5xx (or 200/202: Feishu sends some error codes in a success status), code: integer, msg, advice?: text, retryable?: bool}}"
        )],
    );
    assert_problems(
        |s| {
            set(
                s,
                "/components/schemas/Request/properties/user_id",
                json!({"oneOf": [{"type": "string"}]}),
            )
        },
        &["demo.yaml: schema Request.user_id: keyword `oneOf` is not supported by the spec lint"],
    );
    assert_problems(
        |s| set(s, "/components/schemas/Request/properties/user_id", json!({"$ref": "#/components/schemas/Nope"})),
        &["demo.yaml: #/components/schemas/Request/properties/user_id: $ref \"#/components/schemas/Nope\" does not resolve"],
    );
    let problems: Vec<String> = lint_sources(&[("broken.yaml", "paths: [")])
        .iter()
        .map(Problem::to_string)
        .collect();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("broken.yaml: document: not valid YAML"),
        "{problems:?}"
    );
}

/// The shared parts (`openapi/shared/`) are written once: a service spec that writes the servers
/// or a shared component again is a problem naming it.
#[test]
fn a_spec_that_repeats_a_shared_part_is_a_problem() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi");
    let shared = feishu_openapi_codegen::spec::shared_parts(&dir).expect("openapi/shared/ reads");
    assert!(
        !shared.is_empty(),
        "openapi/shared/ has the platform's parts"
    );
    let vc = std::fs::read_to_string(dir.join("vc.yaml")).unwrap();
    assert!(lint_with_shared(&[("vc.yaml", &vc)], &shared).is_empty());

    let servers = format!("{vc}servers:\n  - url: https://open.feishu.cn\n");
    let problems = lint_with_shared(&[("vc.yaml", &servers)], &shared);
    assert!(
        problems.iter().any(|p| p.message.starts_with("servers")),
        "{problems:?}"
    );

    let mut spec: Value = yaml_serde::from_str(&vc).unwrap();
    spec["components"]["schemas"]["UserIdType"] = json!({"type": "string"});
    let text = yaml_serde::to_string(&spec).unwrap();
    let problems = lint_with_shared(&[("vc.yaml", &text)], &shared);
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("components.schemas.UserIdType")
                && p.message.contains("shared/platform.yaml")),
        "{problems:?}"
    );
}

/// A service with a file upload needs its feature to turn on `upload` (the multipart runtime).
#[test]
fn a_service_with_uploads_needs_the_upload_feature() {
    let with = "[features]\nim = [\"upload\"]\nupload = []\n";
    assert!(upload_feature_problems(&["im.yaml"], with).is_empty());
    let without = "[features]\nim = []\nupload = []\n";
    let problems: Vec<String> = upload_feature_problems(&["im.yaml"], without)
        .iter()
        .map(Problem::to_string)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("must turn on the upload support"),
        "{problems:?}"
    );
}

/// `x-feishu-events`: each entry's shape, its payload's `$ref`, unique types, and a 2.0 type
/// that starts with the service.
#[test]
fn events_are_checked() {
    let payload = json!({"$ref": "#/components/schemas/Request"});
    let event = |t: &str, schema: &str| json!({"type": t, "schema": schema, "payload": payload});
    // A good list passes.
    assert_problems(
        |s| {
            set(
                s,
                "/x-feishu-events",
                json!([event("demo.thing.created_v1", "2.0")]),
            )
        },
        &[],
    );
    let cases: [(Value, &str); 5] = [
        (
            json!([event("im.thing.created_v1", "2.0")]),
            "demo.yaml: x-feishu-events im.thing.created_v1: a schema 2.0 event type starts with its service, `demo.`",
        ),
        (
            json!([event("thing", "3.0")]),
            "demo.yaml: x-feishu-events thing: `schema` must be \"2.0\" or \"1.0\"",
        ),
        (
            json!([event("thing", "1.0"), event("thing", "1.0")]),
            "demo.yaml: x-feishu-events thing: declared twice",
        ),
        (
            json!([{"type": "thing", "schema": "1.0", "payload": {"$ref": "#/components/schemas/Nope"}}]),
            "demo.yaml: x-feishu-events thing: the payload schema `Nope` does not exist",
        ),
        (
            json!([event("a", "1.0"), event("b", "1.0")]),
            "demo.yaml: x-feishu-events b: the payload `Request` is also a's (each event needs a type of its own)",
        ),
    ];
    for (events, message) in cases {
        let mut spec = good();
        set(&mut spec, "/x-feishu-events", events);
        let problems = lint(&spec);
        assert!(
            problems.iter().any(|p| p == message),
            "{problems:?} does not say {message:?}"
        );
    }
}

#[test]
fn a_paginated_operation_has_what_its_pager_needs() {
    // The demo operation takes no `page_token`, and its answer gives none back.
    let problems = {
        let mut spec = good();
        set(
            &mut spec,
            &format!("{OP}/x-feishu-pagination"),
            json!({"items": "items"}),
        );
        lint(&spec)
    };
    assert!(
        problems.iter().any(|p| p
            .contains("x-feishu-pagination: the operation has no query parameter `page_token`")),
        "{problems:?}"
    );
    assert_problems(
        |s| set(s, &format!("{OP}/x-feishu-unpaged"), json!(" ")),
        &["demo.yaml: operation export_meeting_list: x-feishu-unpaged is the reason the operation is not paged, in words"],
    );
}

#[test]
fn plain_scalars_that_yaml_1_1_misreads_are_refused() {
    let text = spec_with_a_plain_no();
    let problems = xtask::lint::lint_sources(&[("demo.yaml", text.as_str())]);
    assert!(
        problems.iter().any(|p| p
            .message
            .contains("`no` is a string here but a YAML 1.1 reader")),
        "{problems:?}"
    );
}

/// A spec text with an enum value `no` written plain.
fn spec_with_a_plain_no() -> String {
    "openapi: 3.0.3\ninfo: {title: demo, version: v1}\npaths: {}\ncomponents:\n  schemas:\n    Answer:\n      type: string\n      enum: [yes_please, no]\n".to_string()
}
