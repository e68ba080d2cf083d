//! The fake Feishu's spec-driven part, for every operation of every enabled service (nothing
//! written per endpoint): a body that breaks its `x-feishu-rules` is refused with the fields
//! named, and every answer carries fresh ids. Requests go over 127.0.0.1 with plain reqwest,
//! because the client itself refuses a broken rule before sending; the conformance suite
//! (`tests/conformance.rs`) checks the client takes the fake's answers, token kinds included.

mod spec_support;

use std::collections::BTreeMap;

use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault, TENANT_ACCESS_TOKEN_PATH};
use serde_json::Value;
use spec_support::{broken_bodies, follow, operations, services, spec, Operation};

/// The platform's code for fields that fail validation.
const FIELD_VALIDATION_FAILED: i64 = 99992402;

/// The operation's example request, with `body` as its JSON body (or its multipart form, with a
/// small file in each file field), sent to the fake with its tenant token.
async fn send_raw(
    http: &reqwest::Client,
    fake: &FakeFeishu,
    spec: &Value,
    operation: &Operation,
    body: Option<&Value>,
) -> (u16, Value) {
    let query: Vec<(String, String)> = operation
        .params
        .iter()
        .filter(|(name, _)| operation.in_query(name))
        .map(|(name, v)| {
            (
                name.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        })
        .collect();
    let url = format!("{}{}", fake.base_url(), operation.expected_path());
    let mut request = http
        .request(operation.method.parse().unwrap(), &url)
        .query(&query)
        .bearer_auth(fake.tenant_access_token());
    if operation.multipart {
        const BOUNDARY: &str = "fake-generic-boundary";
        let form = follow(
            spec,
            operation
                .op
                .pointer("/requestBody/content/multipart~1form-data/schema")
                .unwrap(),
        );
        let mut bytes = Vec::new();
        for (name, property) in form["properties"].as_object().unwrap() {
            bytes.extend(format!("--{BOUNDARY}\r\n").as_bytes());
            if property["format"] == "binary" {
                bytes.extend(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"f.png\"\r\nContent-Type: image/png\r\n\r\n")
                        .as_bytes(),
                );
                bytes.extend(b"\x89PNG\r\n\x1a\n");
            } else {
                let value = &body.unwrap()[name.as_str()];
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                bytes.extend(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{text}")
                        .as_bytes(),
                );
            }
            bytes.extend(b"\r\n");
        }
        bytes.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
        request = request
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(bytes);
    } else if let Some(body) = body {
        request = request.json(body);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    let json = if answer
        .headers()
        .get("content-type")
        .is_some_and(|t| t.to_str().unwrap().starts_with("application/json"))
    {
        answer.json().await.unwrap()
    } else {
        Value::Null
    };
    (status, json)
}

/// A broken `x-feishu-rules` rule is refused at HTTP 400 with the fields in `field_violations`:
/// the platform's 99992402 naming exactly the rule's fields, or, where a plug-in answers the
/// operation, a 400 code the operation documents naming them.
#[tokio::test]
async fn a_broken_body_rule_is_refused_naming_its_fields() {
    let mut failures = Vec::new();
    let fake = FakeFeishu::start().await;
    let http = reqwest::Client::new();
    let mut broken = 0;
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                for (kind, fields, body) in broken_bodies(&spec, &operation) {
                    let how = format!("{service} {} {kind} {fields:?}", operation.id);
                    let (status, answer) =
                        send_raw(&http, &fake, &spec, &operation, Some(&body)).await;
                    assert_eq!(status, 400, "{how}: {answer}");
                    let named: Vec<String> = answer["error"]["field_violations"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v["field"].as_str().map(String::from))
                        .collect();
                    if answer["code"] == FIELD_VALIDATION_FAILED {
                        let mut named = named.clone();
                        named.sort();
                        let mut expected = fields.clone();
                        expected.sort();
                        assert_eq!(named, expected, "{how}: {answer}");
                    } else {
                        let documented = operation.op["x-feishu-errors"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|row| row["code"] == answer["code"] && row["http"] == 400);
                        assert!(documented, "{how}: {answer}");
                        assert!(
                            named
                                .iter()
                                .any(|n| fields.iter().any(|f| n.contains(f.as_str()))),
                            "{how}: {answer}"
                        );
                    }
                    broken += 1;
                }
            })
            .await;
        }
    }
    println!("{broken} broken rules refused");
    spec_support::no_failures(&failures);
}

/// Whether a field of this name holds an id.
fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name.ends_with("_key")
}

/// Every string id field of `value`, by its path.
fn ids(value: &Value, at: &str, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map {
                let path = format!("{at}.{name}");
                match inner {
                    Value::String(text) if is_id(name) => {
                        out.insert(path, text.clone());
                    }
                    _ => ids(inner, &path, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                ids(inner, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Two answers of the same operation carry different ids: every `id`, `*_id` and `*_key` field
/// of a successful JSON answer is fresh each time.
#[tokio::test]
async fn every_answer_carries_fresh_ids() {
    let mut failures = Vec::new();
    let fake = FakeFeishu::start().await;
    let http = reqwest::Client::new();
    let mut fresh = BTreeMap::new();
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let how = format!("{service} {}", operation.id);
                let (status, first) =
                    send_raw(&http, &fake, &spec, &operation, operation.body.as_ref()).await;
                if status != 200 || first["code"] != 0 {
                    return; // a file, or a stateful refusal ("no such task")
                }
                let (_, second) =
                    send_raw(&http, &fake, &spec, &operation, operation.body.as_ref()).await;
                let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
                ids(&first, "", &mut a);
                ids(&second, "", &mut b);
                assert_eq!(
                    a.keys().collect::<Vec<_>>(),
                    b.keys().collect::<Vec<_>>(),
                    "{how}: the same fields"
                );
                for (path, value) in &a {
                    assert_ne!(Some(value), b.get(path), "{how}: {path} is not fresh");
                }
                if !a.is_empty() {
                    fresh.insert(how, a.len());
                }
            })
            .await;
        }
    }
    println!("fresh ids: {fresh:?}");
    assert!(!fresh.is_empty(), "some operation answers with ids");
    spec_support::no_failures(&failures);
}

/// A fault aimed at an operation of one service (an operationId alone may name operations of two
/// services) spoils only that service's operation: aimed at `auth`'s token operation it is used
/// there; aimed at the same operationId in another service it waits.
#[tokio::test]
async fn a_fault_aimed_by_service_and_operation_spoils_only_that_service() {
    let fake = FakeFeishu::start().await;
    let http = reqwest::Client::new();
    let url = format!("{}{TENANT_ACCESS_TOKEN_PATH}", fake.base_url());
    let token_request = || {
        http.post(&url)
            .json(&serde_json::json!({"app_id": "a", "app_secret": "s"}))
    };
    let injected = |status| Fault::Error {
        status,
        code: 1_234_567,
        msg: "injected".into(),
    };
    let code = |body: Value| body["code"].as_i64();
    fake.inject(
        Endpoint::InService {
            service: "another_service",
            operation: "tenant_access_token_internal",
        },
        injected(400),
    );
    let answer: Value = token_request().send().await.unwrap().json().await.unwrap();
    assert_ne!(code(answer), Some(1_234_567), "aimed at another service");
    fake.inject(
        Endpoint::InService {
            service: "auth",
            operation: "tenant_access_token_internal",
        },
        injected(400),
    );
    let answer = token_request().send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    // The first fault still waits (nothing of `another_service` was asked for): this one was used.
    assert_eq!(code(body), Some(1_234_567));
    let answer: Value = token_request().send().await.unwrap().json().await.unwrap();
    assert_ne!(code(answer), Some(1_234_567), "each fault is used once");
}

/// `Fault::ServerError` answers each operation with its documented server error (the first row
/// of its `x-feishu-errors` at HTTP 500), or, where it documents none, a gateway's HTML page: no
/// service's code stands in for another's.
#[tokio::test]
async fn a_server_error_is_the_operation_s_documented_one() {
    let mut failures = Vec::new();
    let fake = FakeFeishu::start().await;
    let http = reqwest::Client::new();
    let (mut documented, mut pages) = (0, 0);
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let how = format!("{service} {}", operation.id);
                fake.inject(
                    Endpoint::InService {
                        service,
                        operation: Box::leak(operation.id.clone().into_boxed_str()),
                    },
                    Fault::ServerError,
                );
                let (status, answer) =
                    send_raw(&http, &fake, &spec, &operation, operation.body.as_ref()).await;
                assert_eq!(status, 500, "{how}");
                let row = operation.op["x-feishu-errors"]
                    .as_array()
                    .and_then(|rows| rows.iter().find(|row| row["http"] == 500));
                match row {
                    Some(row) => {
                        assert_eq!(answer["code"], row["code"], "{how}: {answer}");
                        documented += 1;
                    }
                    None => {
                        assert_eq!(answer, Value::Null, "{how}: an HTML page");
                        pages += 1;
                    }
                }
            })
            .await;
        }
    }
    println!("{documented} documented server errors, {pages} gateway pages");
    assert!(documented > 0);
    spec_support::no_failures(&failures);
}
