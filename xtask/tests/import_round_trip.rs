//! Imports the doc page of "导出会议明细" (the repo's copy in `tests/fixtures/`) and compares the
//! result with the meeting_list part of `openapi/vc.yaml`: the path item and the schemas it
//! references, as parsed values. What the hand-written spec adds on purpose is normalised away
//! below, one listed exception at a time; anything else that differs fails the test.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Map, Value};

const PATH: &str = "/open-apis/vc/v1/exports/meeting_list";
const SCHEMAS: &str = "#/components/schemas/";

fn repo_file(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

/// The importer's output for the fixture, read back from its YAML text.
fn imported() -> Value {
    let yaml = xtask::import_page(
        &repo_file("tests/fixtures/export-meeting-list.md"),
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("the fixture does not import: {e}"));
    yaml_serde::from_str(&yaml)
        .unwrap_or_else(|e| panic!("the importer wrote YAML that does not parse: {e}\n{yaml}"))
}

fn hand_written() -> Value {
    feishu_openapi_codegen::spec::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/vc.yaml"),
    )
    .expect("openapi/vc.yaml, with the shared parts merged in")
}

/// `{"path": <the path item>, "schemas": {<every component schema it references, transitively>}}`.
fn part(spec: &Value) -> Value {
    let item = spec["paths"][PATH].clone();
    assert!(item.is_object(), "no path item {PATH}");
    let mut schemas = Map::new();
    let mut todo = refs(&item);
    while let Some(name) = todo.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        let schema = spec["components"]["schemas"][&name].clone();
        assert!(
            schema.is_object(),
            "schema {name} is referenced but not defined"
        );
        todo.extend(refs(&schema));
        schemas.insert(name, schema);
    }
    serde_json::json!({"path": item, "schemas": schemas})
}

/// The names of the component schemas that `node` references.
fn refs(node: &Value) -> Vec<String> {
    match node {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| {
                match (k.as_str(), v.as_str().and_then(|r| r.strip_prefix(SCHEMAS))) {
                    ("$ref", Some(name)) => vec![name.to_string()],
                    _ => refs(v),
                }
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

/// Drops an English translation added after the doc's Chinese text: `中文 — English` or
/// `中文 (English)`.
fn strip_translation(text: &str) -> String {
    let text = text.split(" — ").next().unwrap_or(text);
    if let Some(inner) = text.strip_suffix(')') {
        let mut depth = 1;
        for (i, c) in inner.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                if inner[..i].ends_with(' ') {
                    return inner[..i].trim_end().to_string();
                }
                break;
            }
        }
    }
    text.to_string()
}

fn string_mut<'v>(value: &'v mut Value, pointer: &str) -> &'v mut Value {
    let found = value.pointer_mut(pointer);
    found.unwrap_or_else(|| panic!("the hand-written spec has no {pointer}"))
}

fn remove(value: &mut Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let parent = value.pointer_mut(parent).and_then(Value::as_object_mut);
    parent.and_then(|p| p.remove(key)).unwrap_or_else(|| {
        panic!("the hand-written spec has no {pointer} (the exception is stale)")
    })
}

fn rewrite_refs(node: &mut Value, from: &str, to: &str) {
    match node {
        Value::Object(m) => {
            for (key, value) in m.iter_mut() {
                if key == "$ref" && value.as_str() == Some(&format!("{SCHEMAS}{from}")) {
                    *value = Value::String(format!("{SCHEMAS}{to}"));
                } else {
                    rewrite_refs(value, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, from, to)),
        _ => {}
    }
}

/// Applies every listed exception to the hand-written part, checking each one against the
/// imported part where it can.
fn normalise(hand: &mut Value, imported: &Value) {
    let op = "/path/post";
    let request = "/schemas/ExportMeetingListRequest";

    // 1. Named types replace the doc's plain types in the request and response bodies: a property written
    //    `allOf: [{$ref: <Named>}]`, where <Named> carries `x-rust-type`, is the doc's inline
    //    type. Inline <Named>, keeping the property's own description and example and dropping
    //    what is hand-made on <Named>: `x-rust-type`/`x-rust-impls` (the Rust replacement),
    //    `x-enum-varnames` (Rust variant names), `pattern` and `minLength` (constraints the doc
    //    states in words or not at all), and its own `description`/`example`.
    const HAND_MADE_ON_NAMED: &[&str] = &[
        "x-rust-type",
        "x-rust-impls",
        "x-enum-varnames",
        "pattern",
        "minLength",
        "description",
        "example",
    ];
    let schemas = hand["schemas"].as_object().cloned().expect("schemas");
    let mut inlined = BTreeSet::new();
    // The same in the response: the task id is `TaskId` (digits, checked on arrival).
    for properties in [
        format!("{request}/properties"),
        "/schemas/ExportTaskRef/properties".to_string(),
    ] {
        let properties = string_mut(hand, &properties);
        for (field, property) in properties.as_object_mut().expect("properties") {
            let Some(name) = property
                .pointer("/allOf/0/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMAS))
                .map(str::to_string)
            else {
                continue;
            };
            assert_eq!(
                property["allOf"].as_array().map(Vec::len),
                Some(1),
                "{field}: allOf of one $ref"
            );
            let named = &schemas[&name];
            assert!(
                named.get("x-rust-type").is_some(),
                "{field}: {name} is not a replaced named type"
            );
            let property = property.as_object_mut().expect("a property is a map");
            property.remove("allOf");
            for (key, value) in named.as_object().expect("a schema is a map") {
                if !HAND_MADE_ON_NAMED.contains(&key.as_str()) {
                    let clash = property.insert(key.clone(), value.clone());
                    assert!(
                        clash.is_none(),
                        "{field}: both the property and {name} set {key}"
                    );
                }
            }
            inlined.insert(name);
        }
    }
    let expected: BTreeSet<String> = [
        "TaskId",
        "UnixSeconds",
        "MeetingStatus",
        "MeetingNo",
        "UserId",
        "RoomId",
        "MeetingType",
    ]
    .map(String::from)
    .into();
    assert_eq!(
        inlined, expected,
        "the named types that exception 1 inlines"
    );
    for name in &inlined {
        remove(hand, &format!("/schemas/{name}"));
    }

    // 2. The hand-written spec names the response schemas after what they are, shared by the
    //    export family; the importer names them after the operation.
    for (from, to) in [
        ("ExportTaskCreated", "ExportMeetingListResponse"),
        ("ExportTaskRef", "ExportMeetingListResponseData"),
    ] {
        let schema = remove(hand, &format!("/schemas/{from}"));
        string_mut(hand, "/schemas")
            .as_object_mut()
            .expect("schemas")
            .insert(to.into(), schema);
        rewrite_refs(hand, from, to);
    }

    // 3. Summary and description are English, with the doc's Chinese text in parentheses.
    let summary = imported
        .pointer(&format!("{op}/summary"))
        .and_then(Value::as_str)
        .expect("summary");
    let hand_summary = string_mut(hand, &format!("{op}/summary"));
    assert!(
        hand_summary
            .as_str()
            .is_some_and(|s| s.ends_with(&format!("({summary})"))),
        "summary {hand_summary}"
    );
    *hand_summary = summary.into();
    let description = imported
        .pointer(&format!("{op}/description"))
        .and_then(Value::as_str)
        .expect("description");
    let hand_description = string_mut(hand, &format!("{op}/description"));
    let quoted = format!("({})", description.trim_end_matches('。'));
    assert!(
        hand_description
            .as_str()
            .is_some_and(|d| d.contains(&quoted)),
        "description {hand_description}"
    );
    *hand_description = description.into();

    // 4. English translations after the doc's Chinese text (`中文 — English`, `中文 (English)`)
    //    in property descriptions, enum meanings, permission names and error advice.
    let strip = |v: &mut Value| {
        if let Some(s) = v.as_str() {
            *v = Value::String(strip_translation(s));
        }
    };
    for property in string_mut(hand, &format!("{request}/properties"))
        .as_object_mut()
        .expect("properties")
        .values_mut()
    {
        if let Some(d) = property.get_mut("description") {
            strip(d);
        }
        for meaning in property
            .get_mut("x-enum-descriptions")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            strip(meaning.1);
        }
    }
    string_mut(hand, &format!("{op}/x-feishu-permissions"))
        .as_array_mut()
        .expect("a list")
        .iter_mut()
        .for_each(strip);
    for error in string_mut(hand, &format!("{op}/x-feishu-errors"))
        .as_array_mut()
        .expect("a list")
    {
        strip(&mut error["advice"]);
        // Which codes are worth retrying is the crate's decision (the doc says "retry" in words).
        if let Some(row) = error.as_object_mut() {
            row.remove("retryable");
        }
    }

    // 5. Text the doc page does not have: the rate limit (the page copy has no 频率限制 row),
    //    the descriptions of the request and response schemas, the description of `task_id`
    //    (the page copy has no response-body table), and the 200 response's wording (the
    //    importer writes a generic one).
    remove(hand, &format!("{op}/x-feishu-rate-limit"));
    // What the catalogue import adds beside the seed: the doc link and the field scope (the
    // page's 字段权限要求, which the doc-page importer does not read).
    remove(hand, &format!("{op}/x-feishu-doc"));
    remove(hand, &format!("{op}/x-feishu-field-scopes"));
    remove(hand, &format!("{request}/description"));
    remove(hand, "/schemas/ExportMeetingListResponse/description");
    remove(
        hand,
        "/schemas/ExportMeetingListResponseData/properties/task_id/description",
    );
    *string_mut(hand, &format!("{op}/responses/200/description")) = imported
        .pointer(&format!("{op}/responses/200/description"))
        .cloned()
        .expect("200 description");

    // 6. Body rules (`x-feishu-rules`) are hand-made: the doc says "最多一个筛选条件" in words.
    //    Check that the at-most-one-of rule names exactly the fields whose doc text says so.
    let rules = remove(hand, &format!("{request}/x-feishu-rules"));
    let at_most_one: BTreeSet<&str> = rules
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("at-most-one-of"))
        .flat_map(|f| f.as_array().into_iter().flatten().filter_map(Value::as_str))
        .collect();
    let said_in_words: BTreeSet<&str> = imported
        .pointer(&format!("{request}/properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, p)| {
            p["description"]
                .as_str()
                .is_some_and(|d| d.contains("最多一个筛选条件"))
        })
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        at_most_one, said_in_words,
        "the at-most-one-of rule against the doc's words"
    );

    // 7. The request example may set fewer fields than the doc's: the doc's example sets all
    //    four mutually exclusive filters, breaking its own rule. The hand-written example must
    //    be the doc's with fields left out.
    let example = format!("{op}/requestBody/content/application~1json/example");
    let doc_example = imported
        .pointer(&example)
        .cloned()
        .expect("a request example");
    let hand_example = string_mut(hand, &example);
    let is_subset = hand_example
        .as_object()
        .is_some_and(|h| h.iter().all(|(k, v)| doc_example.get(k) == Some(v)));
    assert!(
        is_subset,
        "the request example {hand_example} is not the doc's {doc_example} with fields left out"
    );
    *hand_example = doc_example;
}

/// The JSON pointers where two values differ.
fn differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let next = format!("{at}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => differences(p, q, next, out),
                    (Some(p), None) => {
                        out.push(format!("{next}: only in the hand-written spec: {p}"))
                    }
                    (None, Some(q)) => out.push(format!("{next}: only in the import: {q}")),
                    (None, None) => unreachable!(),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(format!("{at}: hand-written {a}, imported {b}")),
        _ => {}
    }
}

#[test]
fn importing_the_seed_page_gives_back_the_meeting_list_part_of_vc_yaml() {
    let imported = part(&imported());
    let mut hand = part(&hand_written());
    normalise(&mut hand, &imported);
    let mut diffs = Vec::new();
    differences(&hand, &imported, String::new(), &mut diffs);
    assert!(
        diffs.is_empty(),
        "the import differs from openapi/vc.yaml:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn the_imported_yaml_is_written_in_the_spec_style() {
    let yaml = xtask::import_page(
        &repo_file("tests/fixtures/export-meeting-list.md"),
        &Default::default(),
    )
    .unwrap();
    for line in [
        "      operationId: export_meeting_list\n",
        "      tags: [vc.export]\n",
        "      x-feishu-scopes: [\"vc:export\"]\n",
        "        - tenant_access_token: []\n",
        "        - {http: 400, code: 121002, msg: not support, advice: 暂不支持该功能}\n",
        "        - $ref: \"#/components/parameters/user_id_type\"\n",
        "      required: [start_time, end_time]\n",
        "            \"1\": 进行中\n",
    ] {
        assert!(yaml.contains(line), "no line {line:?} in\n{yaml}");
    }
}

#[test]
fn translations_are_stripped_only_where_written() {
    assert_eq!(strip_translation("进行中 (ongoing)"), "进行中");
    assert_eq!(
        strip_translation("全部类型（默认） (all types; the default)"),
        "全部类型（默认）"
    );
    assert_eq!(
        strip_translation("会议状态（不传默认为已结束会议） — meeting status"),
        "会议状态（不传默认为已结束会议）"
    );
    assert_eq!(
        strip_translation("获取用户 user ID (read (nested) ids)"),
        "获取用户 user ID"
    );
    assert_eq!(strip_translation("0 on success."), "0 on success.");
    assert_eq!(strip_translation("f(x)"), "f(x)");
}
