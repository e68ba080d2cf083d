//! The catalogue importer on the fixtures of `tests/fixtures/catalogue/` (catalogue-shaped, prose
//! replaced by `placeholder`): the expected output, determinism, each refusal, and the overlays
//! giving back exactly the committed `openapi/vc.yaml` and `openapi/im.yaml`.

use std::path::{Path, PathBuf};

use yaml_serde::Value;

use xtask::catalogue::{self, overlay, Patch};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogue")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn patch() -> Patch {
    catalogue::read_patch(&read(&fixtures().join("body-required-patch.json"))).unwrap()
}

fn doc(project: &str) -> Value {
    yaml_serde::from_str(&read(&fixtures().join(format!("{project}.yaml")))).unwrap()
}

fn event_catalogue() -> catalogue::events::Catalogue {
    catalogue::events::read(&read(&fixtures().join("events/events.json"))).unwrap()
}

fn overlay_of(service: &str) -> Value {
    yaml_serde::from_str(&read(
        &root().join(format!("openapi/overlay/{service}.yaml")),
    ))
    .unwrap()
}

/// `UPDATE_EXPECTED=1 cargo test -p xtask --test catalogue` rewrites the expected output.
#[test]
fn the_fixture_imports_to_the_expected_spec() {
    let out = catalogue::render("demo", &doc("demo"), &patch(), None).unwrap();
    let expected = fixtures().join("expected/demo.yaml");
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::create_dir_all(expected.parent().unwrap()).unwrap();
        std::fs::write(&expected, &out).unwrap();
    }
    assert_eq!(out, read(&expected), "differs from {}", expected.display());
}

#[test]
fn no_prose_is_carried_over() {
    for project in ["demo", "vc", "im"] {
        let out = catalogue::render(project, &doc(project), &patch(), None).unwrap();
        assert!(
            !out.contains("placeholder"),
            "{project}: prose in the output:\n{out}"
        );
        // Only the two response descriptions OpenAPI requires, in our words.
        let ours = [
            "description: Success (code 0).",
            "description: The file, streamed.",
        ];
        // (A property named `description` opens a mapping: `description:` alone.)
        for line in out
            .lines()
            .filter(|l| l.contains("description:") && l.trim() != "description:")
        {
            assert!(
                ours.contains(&line.trim()),
                "{project}: a description in the output: {line}"
            );
        }
        assert!(
            !out.contains("example:"),
            "{project}: an example in the output"
        );
    }
}

#[test]
fn the_import_is_deterministic_and_idempotent() {
    let first = catalogue::render("demo", &doc("demo"), &patch(), None).unwrap();
    let second = catalogue::render("demo", &doc("demo"), &patch(), None).unwrap();
    assert_eq!(first, second);
    // Through the files, twice into the same folder: the same bytes.
    let out = std::env::temp_dir().join(format!("import-catalogue-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let only = ["demo".to_string()];
    let imported = catalogue::import_dir(&fixtures(), Some(&only), &out).unwrap();
    assert_eq!(imported.written, [("demo".to_string(), 7, 4)]);
    assert_eq!(imported.events_left_out, [("elsewhere".to_string(), 1)]);
    let once = read(&out.join("demo.yaml"));
    catalogue::import_dir(&fixtures(), Some(&only), &out).unwrap();
    assert_eq!(once, read(&out.join("demo.yaml")));
    let events = event_catalogue();
    let demo_events: Vec<_> = events.of("demo").collect();
    let with_events =
        catalogue::render_with_events("demo", &doc("demo"), &patch(), &demo_events, None).unwrap();
    assert_eq!(once, with_events);
    assert!(with_events.starts_with(&first[..first.find("\ncomponents:").unwrap()]));
    std::fs::remove_dir_all(&out).unwrap();
}

/// The fixture's facts, as the import states them.
#[test]
fn each_construct_is_mapped_as_decided() {
    let out = catalogue::render("demo", &doc("demo"), &patch(), None).unwrap();
    let spec: Value = yaml_serde::from_str(&out).unwrap();
    let schema = |name: &str| spec["components"]["schemas"][name].clone();
    let ops = &spec["paths"]["/open-apis/demo/v1/widgets"];
    let create = &ops["post"];
    assert_eq!(create["operationId"], "widget_create");
    assert_eq!(create["tags"][0], "demo.widget");
    // tenant before user, whatever the catalogue's order.
    assert!(create["security"][0].get("tenant_access_token").is_some());
    assert!(create["security"][1].get("user_access_token").is_some());
    assert_eq!(create["x-feishu-rate-limit"], "tier 3");
    assert_eq!(
        create["x-feishu-errors"].as_sequence().unwrap().len(),
        2,
        "repeats dropped"
    );
    assert_eq!(create["x-feishu-errors"][1]["http"], 200);
    assert_eq!(
        create["parameters"][0]["$ref"],
        "#/components/parameters/user_id_type"
    );
    let body = schema("WidgetCreateRequest");
    assert_eq!(
        body["required"],
        yaml_serde::from_str::<Value>("[widget_id, level]").unwrap()
    );
    assert_eq!(body["properties"]["widget_id"]["type"], "string");
    assert_eq!(body["properties"]["widget_id"]["format"], "int64");
    // `x-lark-original-type: int64` on a string: a number on the wire.
    assert_eq!(body["properties"]["legacy_id"]["type"], "integer");
    assert_eq!(body["properties"]["legacy_id"]["format"], "int64");
    assert_eq!(body["properties"]["level"]["enum"][2], 3);
    assert!(body["properties"]["flag"].get("enum").is_none());
    assert_eq!(body["properties"]["labels"]["type"], "object");
    assert!(body["properties"]["labels"]
        .get("additionalProperties")
        .is_some());
    assert_eq!(
        body["properties"]["anything"],
        Value::Mapping(Default::default())
    );
    assert_eq!(
        body["properties"]["extra"],
        Value::Mapping(Default::default())
    );
    assert_eq!(
        body["properties"]["owner"]["$ref"],
        "#/components/schemas/WidgetCreateRequestOwner"
    );
    assert_eq!(schema("WidgetCreateRequestOwner")["required"][0], "user_id");
    assert_eq!(
        body["properties"]["parts"]["items"]["$ref"],
        "#/components/schemas/WidgetCreateRequestPart"
    );
    // Responses: no `required`, no closed enum.
    let widget = schema("WidgetCreateWidget");
    assert!(widget.get("required").is_none());
    assert!(widget["properties"]["status"].get("enum").is_none());
    assert_eq!(
        widget["properties"]["status"]["x-feishu-values"][0],
        "active"
    );
    assert!(schema("WidgetCreateWidgetOwner").get("required").is_none());
    // Pagination: the list field found in data.
    let list = &ops["get"];
    assert_eq!(list["x-feishu-pagination"]["items"], "items");
    assert_eq!(
        schema("WidgetListItem")["properties"]["kind"].get("enum"),
        None
    );
    // Paginated over a list of strings; an app token; camelCase method.
    let batch = &spec["paths"]["/open-apis/demo/v1/widgets/{widget_id}/parts/batchQuery"]["post"];
    assert_eq!(batch["operationId"], "widget_part_batch_query");
    assert_eq!(batch["x-feishu-pagination"]["items"], "part_ids");
    // Paginated by shape (not flagged): the token in the body, `next_page_token` in the
    // answer, whose envelope is a `$ref` to a one-member `allOf`; a required `user_id_type`
    // stays required.
    let search = &spec["paths"]["/open-apis/demo/v1/widgets/search"]["post"];
    assert_eq!(search["x-feishu-pagination"]["items"], "items");
    assert_eq!(search["x-feishu-pagination"]["token"], "next_page_token");
    assert_eq!(search["x-feishu-pagination"]["request"], "body");
    assert_eq!(
        search["parameters"][0]["$ref"],
        "#/components/parameters/user_id_type_required"
    );
    assert_eq!(
        schema("WidgetSearchResponse")["properties"]["data"]["$ref"],
        "#/components/schemas/WidgetSearchResponseData"
    );
    // Flagged, but the answer gives no token back: unpaged, with the reason.
    let comments = &spec["paths"]["/open-apis/demo/v1/widgets/{widget_id}/comments"]["get"];
    assert!(comments.get("x-feishu-pagination").is_none());
    assert!(comments["x-feishu-unpaged"]
        .as_str()
        .unwrap()
        .contains("no string `page_token`"));
    assert!(batch["security"][0].get("app_access_token").is_some());
    assert_eq!(batch["x-feishu-no-scope-needed"], true);
    // Upload and download.
    let image = &spec["paths"]["/open-apis/demo/v1/widgets/{widget_id}/image"];
    let form = &image["put"]["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(form["properties"]["image"]["format"], "binary");
    assert_eq!(form["required"][1], "image");
    let file = &image["get"]["responses"]["200"]["content"]["application/octet-stream"]["schema"];
    assert_eq!(file["format"], "binary");
}

/// A catalogue edit that the importer must refuse, and what the message must name.
fn refused(edit: impl FnOnce(&mut Value), project_patch: Option<Patch>, names: &[&str]) {
    let mut demo = doc("demo");
    edit(&mut demo);
    let error = catalogue::render("demo", &demo, &project_patch.unwrap_or_else(patch), None)
        .expect_err("the importer accepted it");
    for name in names {
        assert!(error.contains(name), "{error:?} does not name {name:?}");
    }
}

fn create(demo: &mut Value) -> &mut Value {
    &mut demo["paths"]["/open-apis/demo/v1/widgets"]["post"]
}

fn body(demo: &mut Value) -> &mut Value {
    &mut create(demo)["requestBody"]["content"]["application/json"]["schema"]["properties"]
}

fn yaml(text: &str) -> Value {
    yaml_serde::from_str(text).unwrap()
}

#[test]
fn each_unknown_construct_is_refused_naming_the_operation() {
    const OP: &str = "operation demo_widget_create (POST /open-apis/demo/v1/widgets)";
    refused(
        |d| body(d)["anything"] = yaml("{oneOf: [{type: string}, {type: integer}]}"),
        None,
        &[OP, "body.anything", "schema keyword `oneOf`"],
    );
    refused(
        |d| body(d)["labels"]["x-lark-original-type"] = yaml("set"),
        None,
        &[OP, "body.labels", "x-lark-original-type"],
    );
    refused(
        |d| body(d)["widget_id"]["format"] = yaml("date-time"),
        None,
        &[OP, "string format `date-time`"],
    );
    refused(
        |d| body(d)["level"]["enum"] = yaml("[a, b]"),
        None,
        &[OP, "body.level", "does not match its type"],
    );
    refused(
        |d| body(d)["parts"] = yaml("{type: array}"),
        None,
        &[OP, "an array without items"],
    );
    refused(
        |d| body(d)["owner"] = yaml("{$ref: '#/components/schemas/Nowhere'}"),
        None,
        &[OP, "Nowhere"],
    );
    refused(
        |d| body(d)["owner"] = yaml("{allOf: [{type: string}, {type: integer}]}"),
        None,
        &[OP, "allOf with 2 members"],
    );
    refused(
        |d| body(d)["x"] = yaml("{type: tuple}"),
        None,
        &[OP, "type `tuple`"],
    );
    refused(
        |d| body(d)["x"] = yaml("{format: int64}"),
        None,
        &[OP, "a schema without a type"],
    );
    refused(
        |d| body(d)["image"] = yaml("{type: string, format: binary}"),
        None,
        &[OP, "string format `binary`"],
    );
    refused(
        |d| create(d)["x-lark-callbacks"] = yaml("[]"),
        None,
        &[OP, "operation key `x-lark-callbacks`"],
    );
    refused(
        |d| create(d)["x-lark-access-tokens"] = yaml("[tenant, robot]"),
        None,
        &[OP, "access token kind"],
    );
    refused(
        |d| create(d)["x-lark-rate-limit"] = yaml("{qps: 5}"),
        None,
        &[OP, "x-lark-rate-limit"],
    );
    refused(
        |d| create(d)["x-lark-error-mappings"] = yaml("[{code: x, httpCode: 400, msg: m}]"),
        None,
        &[OP, "error row"],
    );
    refused(
        |d| create(d)["operationId"] = yaml("widget_create"),
        None,
        &["widget_create", "`<project>_<resource>_<method>`"],
    );
    refused(
        |d| create(d)["tags"] = yaml("[gadget]"),
        None,
        &[OP, "does not start with its tag's resource"],
    );
    refused(
        |d| create(d)["parameters"][1]["in"] = yaml("header"),
        None,
        &[OP, "in `header`"],
    );
    refused(
        |d| create(d)["requestBody"]["content"]["text/plain"] = yaml("{schema: {type: string}}"),
        None,
        &[OP, "more than one media type"],
    );
    refused(
        |d| {
            create(d)["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
                ["token"] = yaml("{type: string}")
        },
        None,
        &[OP, "`token` beside the envelope"],
    );
    // The patch: a body without an entry, and an entry naming a field the body lacks.
    let mut without = patch();
    without.remove("POST /open-apis/demo/v1/widgets");
    refused(|_| {}, Some(without), &[OP, "body-required-patch.json"]);
    let mut wrong = patch();
    wrong.insert(
        "POST /open-apis/demo/v1/widgets".into(),
        vec!["colour".into()],
    );
    refused(|_| {}, Some(wrong), &[OP, "`colour`"]);
}

/// The operations of `service` in the committed spec, and the scrubbed catalogue extract plus the
/// overlay: the overlaid operations, and every schema they use, are exactly the committed ones.
fn overlay_gives_the_committed_spec(service: &str) {
    let layer = overlay_of(service);
    let out = catalogue::render(service, &doc(service), &patch(), Some(&layer)).unwrap();
    let imported: Value = yaml_serde::from_str(&out).unwrap();
    let committed: Value =
        yaml_serde::from_str(&read(&root().join(format!("openapi/{service}.yaml")))).unwrap();
    let operations = |spec: &Value| -> Vec<(String, Value)> {
        spec["paths"]
            .as_mapping()
            .unwrap()
            .values()
            .flat_map(|item| item.as_mapping().unwrap().values().cloned())
            .map(|op| (op["operationId"].as_str().unwrap().to_string(), op))
            .collect()
    };
    let committed_ops = operations(&committed);
    let overlaid: Vec<&str> = layer["operations"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(Value::as_str)
        .collect();
    assert!(!overlaid.is_empty());
    for id in &overlaid {
        let ours = operations(&imported)
            .into_iter()
            .find(|(i, _)| i == id)
            .unwrap()
            .1;
        let theirs = &committed_ops.iter().find(|(i, _)| i == id).unwrap().1;
        assert_eq!(&ours, theirs, "{service}: operation {id}");
    }
    let mut spec = imported.as_mapping().unwrap().clone();
    // Only the overlaid operations' schemas.
    if let Some(Value::Mapping(paths)) = spec.get_mut("paths") {
        for item in paths.values_mut() {
            if let Value::Mapping(item) = item {
                item.retain(|_, op| {
                    overlaid.contains(&op["operationId"].as_str().unwrap_or_default())
                });
            }
        }
    }
    for name in overlay::reachable(&spec) {
        assert_eq!(
            imported["components"]["schemas"][name.as_str()],
            committed["components"]["schemas"][name.as_str()],
            "{service}: schema {name}"
        );
    }
}

#[test]
fn the_vc_overlay_gives_the_committed_vc_spec() {
    overlay_gives_the_committed_spec("vc");
}

#[test]
fn the_im_overlay_gives_the_committed_im_spec() {
    overlay_gives_the_committed_spec("im");
}

#[test]
fn an_overlay_entry_that_targets_nothing_is_refused() {
    let cases = [
        (
            "operations: {export_renamed: {summary: x}}",
            "operations.export_renamed: the import has no operation",
        ),
        (
            "tags: {vc.nothing: x}",
            "tags.vc.nothing: the import has no such tag",
        ),
        (
            "schemas: {Orphan: {type: string}}",
            "schemas.Orphan: added, but nothing refers to it",
        ),
        (
            "operations: {export_get: {x-feishu-app-types: null}}",
            "operations.export_get.x-feishu-app-types: removes nothing",
        ),
        ("colours: {}", "unknown section `colours`"),
    ];
    for (layer, message) in cases {
        let error = catalogue::render("vc", &doc("vc"), &patch(), Some(&yaml(layer))).unwrap_err();
        assert!(
            error.contains(message),
            "{error:?} does not say {message:?}"
        );
    }
}

/// The event catalogue's defects, handled as decided (docs/events.md): open enums, `number`,
/// `any`, maps, empty objects, tuples, the shadowed header field, 1.0's required flags, empty
/// bodies, deprecation; the envelope fields are not carried.
#[test]
fn events_are_imported_as_decided() {
    let events = event_catalogue();
    let demo: Vec<_> = events.of("demo").collect();
    let out = catalogue::render_with_events("demo", &doc("demo"), &patch(), &demo, None).unwrap();
    let spec: Value = yaml_serde::from_str(&out).unwrap();
    let declared = yaml(
        r##"
- {type: demo.widget.created_v1, schema: "2.0", payload: {$ref: "#/components/schemas/WidgetCreatedV1"}}
- {type: demo.widget.deleted_v1, schema: "2.0", payload: {$ref: "#/components/schemas/WidgetDeletedV1"}}
- {type: widget_add, schema: "1.0", deprecated: true, payload: {$ref: "#/components/schemas/WidgetAddEvent"}}
- {type: widget_scope_change, schema: "1.0", payload: {$ref: "#/components/schemas/WidgetScopeChangeEvent"}}
"##,
    );
    assert_eq!(spec["x-feishu-events"], declared);
    let schemas = &spec["components"]["schemas"];
    let expected = yaml(
        r##"
WidgetCreatedV1Widget:
  type: object
  required: [widget_id]
  properties:
    widget_id: {type: string}
    colour: {type: string, x-feishu-values: [red, blue]}
    weight: {type: number}
    labels: {type: object, additionalProperties: {type: string}}
    owner: {$ref: "#/components/schemas/WidgetCreatedV1WidgetOwner"}
WidgetCreatedV1WidgetOwner:
  type: object
  properties: {open_id: {type: string}}
WidgetCreatedV1:
  type: object
  required: [widget]
  properties:
    widget: {$ref: "#/components/schemas/WidgetCreatedV1Widget"}
    extra: {}
    nothing: {}
    event_id: {type: string}
WidgetDeletedV1:
  type: object
  properties:
    owner: {$ref: "#/components/schemas/WidgetCreatedV1WidgetOwner"}
    pairs: {type: array, items: {type: array, items: {type: number}}}
    mixed: {type: array, items: {}}
WidgetAddEvent:
  type: object
  properties: {widget_id: {type: string}}
WidgetScopeChangeEvent:
  type: object
  properties: {}
"##,
    );
    for (name, schema) in expected.as_mapping().unwrap() {
        assert_eq!(&schemas[name.as_str().unwrap()], schema, "schema {name:?}");
    }
    // The operations' schemas come first, the events' after them.
    let names: Vec<&str> = schemas
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(Value::as_str)
        .collect();
    let first_event = names.iter().position(|n| n.starts_with("Widget")).unwrap();
    assert!(
        names[first_event..].iter().all(|n| n.starts_with("Widget")),
        "{names:?}"
    );
}

/// A catalogue schema with its `$ref`s and one-member `allOf`s followed.
fn resolved<'v>(doc: &'v Value, mut node: &'v Value) -> &'v Value {
    loop {
        if let Some(name) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            node = &doc["components"]["schemas"][name];
        } else if let Some([only]) = node
            .get("allOf")
            .and_then(Value::as_sequence)
            .map(Vec::as_slice)
        {
            node = only;
        } else {
            return node;
        }
    }
}

/// Every operation whose catalogue answer gives `data` fields is imported with a typed `data`
/// (a named schema), however the catalogue reaches its envelope (`$ref`, `allOf`, inline).
#[test]
fn every_answer_the_catalogue_types_is_typed() {
    let mut checked = 0;
    for project in ["demo", "vc", "im"] {
        let doc = doc(project);
        let out: Value =
            yaml_serde::from_str(&catalogue::render(project, &doc, &patch(), None).unwrap())
                .unwrap();
        for (path, item) in doc["paths"].as_mapping().unwrap() {
            for (method, op) in item.as_mapping().unwrap() {
                let Some(schema) = op
                    .get("responses")
                    .and_then(|r| r.get("200"))
                    .and_then(|r| r.get("content"))
                    .and_then(|c| c.get("application/json"))
                    .and_then(|m| m.get("schema"))
                else {
                    continue;
                };
                if op.get("x-lark-file-download").is_some() {
                    continue;
                }
                let envelope = resolved(&doc, schema);
                let Some(data) = envelope.get("properties").and_then(|p| p.get("data")) else {
                    continue;
                };
                let fields = resolved(&doc, data).get("properties");
                if fields
                    .and_then(Value::as_mapping)
                    .is_none_or(|f| f.is_empty())
                {
                    continue;
                }
                let ours = &out["paths"][path][method];
                let answer = ours["responses"]["200"]["content"]["application/json"]["schema"]
                    ["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .unwrap();
                let typed = out["components"]["schemas"][answer]["properties"]["data"]
                    .get("$ref")
                    .is_some();
                assert!(
                    typed,
                    "{project}: {} {}: the catalogue types `data`, the import does not",
                    method.as_str().unwrap(),
                    path.as_str().unwrap()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} answers checked");
}

/// An overlay (or any substitution) that makes a parameter the catalogue requires optional
/// stops the import, naming the operation and the parameter.
#[test]
fn a_parameter_the_catalogue_requires_cannot_become_optional() {
    let layer = yaml(
        "operations:\n  widget_search:\n    parameters:\n      - $ref: \"#/components/parameters/user_id_type\"\n",
    );
    let error = catalogue::render("demo", &doc("demo"), &patch(), Some(&layer)).unwrap_err();
    assert!(
        error.contains("operation widget_search (POST /open-apis/demo/v1/widgets/search): parameter `user_id_type` (query) is required by the catalogue but not here"),
        "{error}"
    );
}
