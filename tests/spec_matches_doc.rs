//! The spec (`openapi/vc.yaml`) transcribes the official doc page of export_meeting_list
//! (`tests/fixtures/export-meeting-list.md`, the source of truth), read from its tables:
//! path and method, token kinds, scope and permissions, the query parameter, every body field with
//! its JSON type, required flag, example, Chinese description and enum values with their
//! meanings, the error table, and the request and response examples.

use crate::common;

use std::collections::BTreeMap;

use common::{doc_request_example, doc_response_example, DOC_PAGE, FILTERS};
use serde_json::Value;

const OPERATION: &str = "/paths/~1open-apis~1vc~1v1~1exports~1meeting_list/post";

fn spec() -> Value {
    feishu_openapi_codegen::spec::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/vc.yaml"),
    )
    .expect("openapi/vc.yaml, with the shared parts merged in")
}

fn operation(spec: &Value) -> &Value {
    spec.pointer(OPERATION)
        .expect("the spec has POST /open-apis/vc/v1/exports/meeting_list")
}

/// Follows `$ref` and a single-element `allOf`, keeping nothing of the outer schema.
fn resolve<'a>(mut schema: &'a Value, spec: &'a Value) -> &'a Value {
    loop {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            schema = spec
                .pointer(reference.trim_start_matches('#'))
                .expect("a $ref that resolves");
        } else if let Some([only]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            schema = only;
        } else {
            return schema;
        }
    }
}

/// The rows of the first Markdown table after the heading line `heading`, header row excluded.
fn table(heading: &str) -> Vec<Vec<String>> {
    let rows: Vec<Vec<String>> = DOC_PAGE
        .lines()
        .skip_while(|line| line.trim() != heading)
        .skip(1)
        .skip_while(|line| !line.trim_start().starts_with('|'))
        .take_while(|line| line.trim_start().starts_with('|'))
        .map(|line| {
            let line = line.trim().trim_start_matches('|').trim_end_matches('|');
            line.split('|')
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect();
    assert!(rows.len() >= 2, "no table under {heading:?}");
    assert!(
        rows[1]
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':')),
        "row 2 separates the header"
    );
    rows.into_iter().skip(2).collect()
}

/// The value of the row `key` in the "基本" table (all of them, for repeated keys).
fn basics(key: &str) -> Vec<String> {
    let rows: Vec<String> = DOC_PAGE
        .lines()
        .skip_while(|line| !line.starts_with("| 基本"))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            (cells.first() == Some(&key)).then(|| cells[1].to_string())
        })
        .collect();
    assert!(!rows.is_empty(), "the doc has no row {key:?}");
    rows
}

/// Items of a cell separated by `<br>`.
fn items(cell: &str) -> Vec<String> {
    cell.split("<br>")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One body field of the doc: name, JSON type, required, description, example, enum values.
#[derive(Debug)]
struct DocField {
    name: String,
    json_type: String,
    required: bool,
    description: String,
    example: Option<String>,
    values: BTreeMap<String, String>,
}

fn doc_fields() -> Vec<DocField> {
    table("### 请求体")
        .into_iter()
        .map(|row| {
            let [name, json_type, required, description] =
                <[String; 4]>::try_from(row).expect("4 columns");
            let parts = items(&description);
            let example = parts
                .iter()
                .find_map(|p| p.strip_prefix("**示例**:").map(|e| e.trim().to_string()));
            let values = parts
                .iter()
                .filter_map(|p| p.strip_prefix("- "))
                .filter_map(|p| p.split_once(':'))
                .map(|(value, meaning)| (value.trim().to_string(), meaning.trim().to_string()))
                .collect();
            let required = match required.as_str() {
                "是" => true,
                "否" => false,
                other => panic!("{name}: required is 是 or 否, not {other:?}"),
            };
            DocField {
                name,
                json_type,
                required,
                description: parts[0].clone(),
                example,
                values,
            }
        })
        .collect()
}

#[test]
fn path_method_and_servers() {
    let spec = spec();
    let url = basics("HTTP URL").remove(0);
    let url = url.trim_matches('`');
    let (host, path) = url.split_at(url.find("/open-apis").expect("an Open API path"));
    let methods: Vec<&String> = spec["paths"][path]
        .as_object()
        .expect("the doc's path is in the spec")
        .keys()
        .collect();
    let doc_method = basics("HTTP Method").remove(0).to_lowercase();
    assert_eq!(methods, [&doc_method]);
    assert!(
        spec["servers"]
            .as_array()
            .expect("servers")
            .iter()
            .any(|s| s["url"] == host),
        "the doc's host {host} is one of the spec's servers"
    );
    assert!(operation(&spec)["summary"]
        .as_str()
        .expect("a summary")
        .contains("导出会议明细"));
}

#[test]
fn token_kinds_scopes_permissions_and_app_types() {
    let spec = spec();
    let op = operation(&spec);
    let tokens: Vec<String> = basics("支持的访问令牌")
        .remove(0)
        .split(',')
        .map(|t| t.trim().to_string())
        .collect();
    let security: Vec<String> = op["security"]
        .as_array()
        .expect("security")
        .iter()
        .flat_map(|req| req.as_object().expect("a requirement").keys().cloned())
        .collect();
    assert_eq!(security, tokens);
    for token in &tokens {
        let scheme = &spec["components"]["securitySchemes"][token.as_str()];
        assert_eq!(
            (scheme["type"].as_str(), scheme["scheme"].as_str()),
            (Some("http"), Some("bearer")),
            "{token}"
        );
    }
    let app_types: Vec<String> = basics("支持的应用类型")
        .remove(0)
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(op["x-feishu-app-types"], serde_json::json!(app_types));

    let looks_like_scope = |s: &str| {
        s.contains(':')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || "_.:".contains(c))
    };
    let (scopes, permissions): (Vec<String>, Vec<String>) = basics("权限要求")
        .iter()
        .flat_map(|cell| items(cell))
        .partition(|s| looks_like_scope(s));
    assert_eq!(scopes, ["vc:export"]);
    assert_eq!(op["x-feishu-scopes"], serde_json::json!(scopes));
    let spec_permissions: Vec<&str> = op["x-feishu-permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(spec_permissions.len(), permissions.len());
    for (spec_p, doc_p) in spec_permissions.iter().zip(&permissions) {
        assert!(
            spec_p.starts_with(doc_p.as_str()),
            "{spec_p:?} transcribes {doc_p:?}"
        );
    }
}

#[test]
fn query_parameter_user_id_type() {
    let spec = spec();
    let rows = table("### 查询参数");
    let params: Vec<&Value> = operation(&spec)["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| resolve(p, &spec))
        .collect();
    assert_eq!(params.len(), rows.len());
    for (row, param) in rows.iter().zip(params) {
        assert_eq!(param["name"], row[0].as_str());
        assert_eq!(param["in"], "query");
        assert_eq!(
            param["required"].as_bool().unwrap_or(false),
            row[2] == "是",
            "{}",
            row[0]
        );
        assert_eq!(
            resolve(&param["schema"], &spec)["type"],
            row[1].as_str(),
            "{}",
            row[0]
        );
        assert!(
            param["description"]
                .as_str()
                .unwrap_or_default()
                .contains(&row[3]),
            "{}",
            row[0]
        );
    }
}

#[test]
fn every_body_field_with_type_required_flag_example_and_description() {
    let spec = spec();
    let body = resolve(
        &operation(&spec)["requestBody"]["content"]["application/json"]["schema"],
        &spec,
    );
    let properties = body["properties"].as_object().expect("properties");
    let fields = doc_fields();
    assert_eq!(fields.len(), 7);
    let doc_names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut spec_names: Vec<&str> = properties.keys().map(String::as_str).collect();
    let mut sorted = doc_names.clone();
    sorted.sort_unstable();
    spec_names.sort_unstable();
    assert_eq!(spec_names, sorted, "the spec has exactly the doc's fields");
    let required: Vec<&str> = body["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for field in &fields {
        let property = &properties[&field.name];
        let resolved = resolve(property, &spec);
        assert_eq!(
            resolved["type"],
            field.json_type.as_str(),
            "{}: JSON type",
            field.name
        );
        assert_eq!(
            required.contains(&field.name.as_str()),
            field.required,
            "{}: required",
            field.name
        );
        let description = property["description"].as_str().unwrap_or_default();
        assert!(
            description.contains(&field.description),
            "{}: {description:?} keeps {:?}",
            field.name,
            field.description
        );
        let example = property
            .get("example")
            .or_else(|| resolved.get("example"))
            .expect("an example");
        let example = example
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| example.to_string());
        assert_eq!(Some(example), field.example, "{}: example", field.name);
    }
}

#[test]
fn every_enum_value_with_its_meaning() {
    let spec = spec();
    let body = spec
        .pointer("/components/schemas/ExportMeetingListRequest/properties")
        .expect("the body schema");
    let with_values: Vec<DocField> = doc_fields()
        .into_iter()
        .filter(|f| !f.values.is_empty())
        .collect();
    let names: Vec<&str> = with_values.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["meeting_status", "meeting_type"]);
    for field in with_values {
        let schema = resolve(&body[&field.name], &spec);
        let spec_values: Vec<String> = schema["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(Value::to_string)
            .collect();
        let doc_values: Vec<String> = field.values.keys().cloned().collect();
        assert_eq!(spec_values, doc_values, "{}: enum values", field.name);
        for (value, meaning) in &field.values {
            let described = schema["x-enum-descriptions"][value.as_str()]
                .as_str()
                .unwrap_or_default();
            assert!(
                described.starts_with(meaning.as_str()),
                "{} = {value}: {described:?} keeps {meaning:?}",
                field.name
            );
        }
    }
}

#[test]
fn error_table_equals_x_feishu_errors() {
    let spec = spec();
    let doc: Vec<(u64, u64, String, String)> = table("### 错误码")
        .into_iter()
        .map(|row| {
            (
                row[0].parse().expect("a status"),
                row[1].parse().expect("a code"),
                row[2].clone(),
                row[3].clone(),
            )
        })
        .collect();
    assert_eq!(doc.len(), 5);
    let spec_errors = operation(&spec)["x-feishu-errors"]
        .as_array()
        .expect("x-feishu-errors");
    let transcribed: Vec<(u64, u64, String)> = spec_errors
        .iter()
        .map(|e| {
            (
                e["http"].as_u64().expect("http"),
                e["code"].as_u64().expect("code"),
                e["msg"].as_str().expect("msg").into(),
            )
        })
        .collect();
    let expected: Vec<(u64, u64, String)> =
        doc.iter().map(|(h, c, m, _)| (*h, *c, m.clone())).collect();
    assert_eq!(transcribed, expected);
    for (entry, (_, code, _, advice)) in spec_errors.iter().zip(&doc) {
        let spec_advice = entry["advice"].as_str().unwrap_or_default();
        assert!(
            spec_advice.starts_with(advice.as_str()),
            "{code}: {spec_advice:?} keeps {advice:?}"
        );
    }
    // Every documented status is covered by a response class that uses the shared error schema.
    let responses = &operation(&spec)["responses"];
    for (status, code, _, _) in &doc {
        let class = format!("{}XX", status / 100);
        assert!(
            responses.get(&class).is_some(),
            "{code}: HTTP {status} has no {class} response"
        );
    }
}

#[test]
fn request_example_is_the_docs() {
    let spec = spec();
    let example = &operation(&spec)["requestBody"]["content"]["application/json"]["example"];
    let doc = doc_request_example();
    if example == &doc {
        return;
    }
    // The doc's example sets all four filters, which its own rule forbids. A spec may keep fewer
    // of them (at most one) so that its example is a valid request; nothing else may differ.
    let (example, doc) = (
        example.as_object().expect("an object"),
        doc.as_object().expect("an object"),
    );
    for (field, value) in doc {
        if FILTERS.contains(&field.as_str()) {
            if let Some(kept) = example.get(field) {
                assert_eq!(kept, value, "{field}: a kept filter keeps the doc's value");
            }
        } else {
            assert_eq!(example.get(field), Some(value), "{field}: as in the doc");
        }
    }
    let extra: Vec<&String> = example.keys().filter(|k| !doc.contains_key(*k)).collect();
    assert!(
        extra.is_empty(),
        "fields the doc's example does not have: {extra:?}"
    );
    let filters = FILTERS.iter().filter(|f| example.contains_key(**f)).count();
    assert!(
        filters <= 1,
        "an example that is not the doc's must be valid: {filters} filters"
    );
}

#[test]
fn response_example_equals_the_docs() {
    let spec = spec();
    let example = &operation(&spec)["responses"]["200"]["content"]["application/json"]["example"];
    assert_eq!(example, &doc_response_example());
}

#[test]
fn the_doc_parser_reads_what_it_should() {
    // Guard against vacuous passes: the tables are found and read as expected.
    let fields = doc_fields();
    let start = &fields[0];
    assert_eq!(
        (
            start.name.as_str(),
            start.json_type.as_str(),
            start.required
        ),
        ("start_time", "string", true)
    );
    assert_eq!(start.example.as_deref(), Some("1655276858"));
    let status = fields
        .iter()
        .find(|f| f.name == "meeting_status")
        .expect("meeting_status");
    assert_eq!(status.values.get("3").map(String::as_str), Some("待召开"));
    assert_eq!(table("### 错误码")[4][1], "121005");
    assert_eq!(basics("HTTP Method"), ["POST"]);
    assert_eq!(basics("权限要求").len(), 2);
}
