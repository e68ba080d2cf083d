//! The conformance suite: one harness walks every operation of every enabled service's spec
//! (`openapi/*.yaml`, shared parts merged) and checks the generated client against a recording
//! server on 127.0.0.1, with nothing written per endpoint:
//!
//! - the wire request of the spec's examples: method, path with its parameters filled in and
//!   percent-encoded, query, token, content type and body — and the spec's 200 example decodes;
//! - every row of `x-feishu-errors`, at its HTTP status and again inside an HTTP 200: the crate's
//!   `Error::Api` with that code and the spec's row;
//! - every body rule (`x-feishu-rules`) broken by mutating the example: refused, nothing sent;
//! - a non-JSON error body (a gateway's HTML page): `Error::Undecodable` with its status.
//!
//! `cargo test --all-features --test conformance` covers every service.

use std::path::Path;

use feishu_openapi::{AccessToken, Error, FeishuClient, RetryPolicy};
use serde_json::{json, Map, Value};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "t-conformance";

type Params = Map<String, Value>;

/// Sends `operation` of `service` with JSON parameters and body through the generated client.
async fn send(
    feishu: &FeishuClient,
    service: &str,
    operation: &str,
    params: &Params,
    body: Option<&Value>,
) -> Result<(), Error> {
    macro_rules! services {
        ($($feature:literal => $module:ident),*) => {
            match service {
                $(
                    #[cfg(feature = $feature)]
                    stringify!($module) => {
                        let client = feishu.$module();
                        feishu_openapi::$module::__send_from_json(&client, operation, params, body)
                            .unwrap_or_else(|| panic!("{service} has no operation {operation}"))
                            .await
                    }
                )*
                "auth" => {
                    let client = feishu.auth();
                    feishu_openapi::auth::__send_from_json(&client, operation, params, body)
                        .unwrap_or_else(|| panic!("auth has no operation {operation}"))
                        .await
                }
                other => panic!("no client for the service {other}"),
            }
        };
    }
    services!("vc" => vc, "im" => im)
}

/// The services of this build: `auth` always, the others when their feature is on.
fn services() -> Vec<&'static str> {
    let mut services = vec!["auth"];
    if cfg!(feature = "vc") {
        services.push("vc");
    }
    if cfg!(feature = "im") {
        services.push("im");
    }
    services
}

fn spec(service: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("openapi/{service}.yaml"));
    feishu_openapi_codegen::spec::load(&path).expect("the spec loads")
}

/// `node`, or what its `$ref` points at.
fn follow<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(target) => spec
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{target} resolves")),
        None => node,
    }
}

/// A value for a parameter or property: its example, else its default, else its first enum
/// value, else a value of its type.
fn example_of(spec: &Value, holder: &Value) -> Value {
    let schema = holder.get("schema").map_or(holder, |s| follow(spec, s));
    let schema = schema
        .pointer("/allOf/0")
        .map_or(schema, |s| follow(spec, s));
    holder
        .get("example")
        .or_else(|| schema.get("example"))
        .or_else(|| schema.get("default"))
        .or_else(|| schema.pointer("/enum/0"))
        .cloned()
        .unwrap_or_else(|| match schema.get("type").and_then(Value::as_str) {
            Some("integer" | "number") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([example_of(spec, &schema["items"])]),
            _ => json!("x"),
        })
}

/// A value of `schema` for an operation whose spec gives no example (the operations imported
/// from the catalogue carry none): its example, default or first enum value where it has one,
/// else every property, one array element, and a value of each scalar type.
fn synthesize(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = follow(spec, schema);
    let schema = schema
        .pointer("/allOf/0")
        .map_or(schema, |s| follow(spec, s));
    if let Some(value) = schema
        .get("example")
        .or_else(|| schema.get("default"))
        .or_else(|| schema.pointer("/enum/0"))
    {
        return value.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        // A map (an empty one is left out of the request): one entry.
        Some("object") if schema.get("properties").is_none() => json!({"key": "x"}),
        Some("object") if depth < 12 => Value::Object(
            schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, p)| (name.clone(), synthesize(spec, p, depth + 1)))
                .collect(),
        ),
        Some("array") if depth < 12 => json!([synthesize(spec, &schema["items"], depth + 1)]),
        Some("integer") => json!(1),
        // Not a whole number: a float goes out as `1.5` whichever way it is written.
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("string") => json!("x"),
        _ => json!({}),
    }
}

/// One operation of a spec, with the values its examples give.
struct Operation {
    service: &'static str,
    id: String,
    method: String,
    path: String,
    op: Value,
    /// Parameters by name: path and query.
    params: Params,
    body: Option<Value>,
    multipart: bool,
    takes_token: bool,
    /// The media type of a file answer, if it is one.
    file: Option<String>,
}

fn operations(service: &'static str) -> Vec<Operation> {
    let spec = spec(service);
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            let mut params = Params::new();
            for parameter in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let parameter = follow(&spec, parameter);
                let name = parameter["name"].as_str().unwrap();
                if name == "page_token" {
                    continue; // the first page
                }
                params.insert(name.to_string(), example_of(&spec, parameter));
            }
            let content = op.pointer("/requestBody/content");
            let multipart = content.and_then(|c| c.get("multipart/form-data")).is_some();
            let body = content.and_then(|c| {
                if let Some(json) = c.get("application/json") {
                    return Some(
                        json.get("example")
                            .cloned()
                            .unwrap_or_else(|| synthesize(&spec, &json["schema"], 0)),
                    );
                }
                let form = follow(&spec, c.pointer("/multipart~1form-data/schema")?);
                let fields: Map<String, Value> = form["properties"]
                    .as_object()?
                    .iter()
                    .filter(|(_, p)| p.get("format").and_then(Value::as_str) != Some("binary"))
                    .map(|(name, p)| (name.clone(), example_of(&spec, p)))
                    .collect();
                Some(Value::Object(fields))
            });
            let ok = follow(&spec, &op["responses"]["200"]);
            let file = ok["content"]
                .as_object()
                .and_then(|c| c.keys().find(|k| !k.starts_with("application/json")))
                .cloned();
            out.push(Operation {
                service,
                id,
                method: method.to_uppercase(),
                path: path.clone(),
                takes_token: op["security"].as_array().is_some_and(|s| !s.is_empty()),
                op: op.clone(),
                params,
                body,
                multipart,
                file,
            });
        }
    }
    out
}

fn client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(TOKEN))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// The 200 answer of the spec: its example, or bytes of the declared file kind.
fn success(operation: &Operation, spec: &Value) -> ResponseTemplate {
    match &operation.file {
        Some(media_type) => ResponseTemplate::new(200)
            .set_body_raw(b"PK\x03\x04 the file".to_vec(), media_type.as_str()),
        None => {
            let ok = follow(spec, &operation.op["responses"]["200"]);
            let example = ok
                .pointer("/content/application~1json/example")
                .cloned()
                .unwrap_or_else(|| {
                    // No example (an imported operation): a synthesized answer with code 0.
                    let schema = ok
                        .pointer("/content/application~1json/schema")
                        .unwrap_or_else(|| panic!("{}: the 200 answer has a schema", operation.id));
                    let mut answer = synthesize(spec, schema, 0);
                    answer["code"] = json!(0);
                    answer["msg"] = json!("success");
                    answer
                });
            ResponseTemplate::new(200).set_body_json(example)
        }
    }
}

impl Operation {
    async fn send(&self, server: &MockServer, body: Option<&Value>) -> Result<(), Error> {
        send(&client(server), self.service, &self.id, &self.params, body).await
    }

    /// The path with its parameters filled in, percent-encoded.
    fn expected_path(&self) -> String {
        let mut path = self.path.clone();
        for (name, value) in &self.params {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            // Everything but RFC 3986's unreserved characters is percent-encoded.
            const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            let encoded = percent_encoding::utf8_percent_encode(&text, UNRESERVED).to_string();
            path = path.replace(&format!("{{{name}}}"), &encoded);
        }
        path
    }

    fn in_query(&self, name: &str) -> bool {
        !self.path.contains(&format!("{{{name}}}"))
    }
}

/// The wire request of each operation's examples, and the decoding of its 200 example.
#[tokio::test]
async fn every_operation_sends_its_examples_as_the_spec_says() {
    let mut covered = Vec::new();
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let server = answering(success(&operation, &spec)).await;
            let how = format!("{service} {}", operation.id);
            operation
                .send(&server, operation.body.as_ref())
                .await
                .unwrap_or_else(|e| panic!("{how}: {e:?}"));
            let requests = server.received_requests().await.unwrap();
            assert_eq!(requests.len(), 1, "{how}: one request");
            let request = &requests[0];
            assert_eq!(request.method.as_str(), operation.method, "{how}");
            assert_eq!(request.url.path(), operation.expected_path(), "{how}: path");
            let query: Map<String, Value> = request
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
            for (name, value) in operation
                .params
                .iter()
                .filter(|(n, _)| operation.in_query(n))
            {
                // A one-element array goes out as one `name=value`.
                let value = value.get(0).filter(|_| value.is_array()).unwrap_or(value);
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                assert_eq!(
                    query.get(name),
                    Some(&Value::String(text)),
                    "{how}: query {name}"
                );
            }
            let authorization = request
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap());
            let expected = operation.takes_token.then(|| format!("Bearer {TOKEN}"));
            assert_eq!(authorization, expected.as_deref(), "{how}: token");
            assert!(request.headers.get("api-version").is_none(), "{how}");
            let content_type = request
                .headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            if operation.multipart {
                assert!(
                    content_type
                        .as_deref()
                        .is_some_and(|c| c.starts_with("multipart/form-data; boundary=")),
                    "{how}: {content_type:?}"
                );
            } else if let Some(body) = &operation.body {
                assert_eq!(
                    content_type.as_deref(),
                    Some("application/json; charset=utf-8"),
                    "{how}"
                );
                let sent: Value = serde_json::from_slice(&request.body).unwrap();
                assert_eq!(&sent, body, "{how}: body");
            }
            covered.push(how);
        }
    }
    println!("{} operations: {covered:?}", covered.len());
    assert!(
        covered.len() >= services().len(),
        "every service has operations"
    );
}

/// Every documented error, at its status and inside an HTTP 200.
#[tokio::test]
async fn every_documented_error_comes_back_as_the_spec_says() {
    let mut rows = 0;
    for service in services() {
        for operation in operations(service) {
            let table = operation.op["x-feishu-errors"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for row in table {
                let code = row["code"].as_i64().unwrap();
                let documented = row["http"].as_u64().unwrap() as u16;
                // A 429 is the platform's rate limit whatever the code (`Error::RateLimited`,
                // the runtime's own tests); such a row is checked inside an HTTP 200.
                let statuses: &[u16] = if documented == 429 {
                    &[200]
                } else {
                    &[documented, 200]
                };
                for &status in statuses {
                    let how = format!("{service} {} {code} at HTTP {status}", operation.id);
                    let server = answering(ResponseTemplate::new(status).set_body_json(json!({
                        "code": code, "msg": row["msg"], "error": {"log_id": "LOG-CONFORMANCE"}
                    })))
                    .await;
                    let error = operation
                        .send(&server, operation.body.as_ref())
                        .await
                        .unwrap_err();
                    let api = error.api().unwrap_or_else(|| panic!("{how}: {error:?}"));
                    assert_eq!((api.code, api.http_status), (code, status), "{how}");
                    assert_eq!(error.log_id(), Some("LOG-CONFORMANCE"), "{how}");
                    let spec_row = api
                        .documented()
                        .unwrap_or_else(|| panic!("{how}: not documented"));
                    assert_eq!(
                        (spec_row.code, spec_row.http_status),
                        (code, documented),
                        "{how}"
                    );
                    assert_eq!(
                        spec_row.retryable,
                        row["retryable"].as_bool().unwrap_or(false),
                        "{how}"
                    );
                    rows += 1;
                }
            }
        }
    }
    println!("{rows} error answers checked");
}

/// Every body rule, broken by mutating the example: refused before anything is sent.
#[tokio::test]
async fn every_body_rule_broken_is_refused_before_sending() {
    let mut broken = 0;
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let Some(schema) = operation
                .op
                .pointer("/requestBody/content/application~1json/schema")
                .map(|s| follow(&spec, s))
            else {
                continue;
            };
            for rule in schema["x-feishu-rules"].as_array().into_iter().flatten() {
                let mut body = operation.body.clone().unwrap();
                let object = body.as_object_mut().unwrap();
                let (kind, fields) = rule.as_object().unwrap().iter().next().unwrap();
                let fields: Vec<&str> = fields
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                match kind.as_str() {
                    "at-most-one-of" => {
                        for field in &fields {
                            let property = follow(&spec, &schema["properties"][*field]);
                            object.insert(field.to_string(), example_of(&spec, property));
                        }
                    }
                    "exactly-one-of" => fields.iter().for_each(|f| {
                        object.remove(*f);
                    }),
                    "ordered-times" => {
                        object.insert(fields[0].to_string(), json!("2000000000"));
                        object.insert(fields[1].to_string(), json!("1000000000"));
                    }
                    other => panic!("{}: no mutation for the rule {other}", operation.id),
                }
                let server = answering(success(&operation, &spec)).await;
                let how = format!("{service} {} {kind} {fields:?}", operation.id);
                let error = operation.send(&server, Some(&body)).await.unwrap_err();
                assert!(matches!(error, Error::Validation(_)), "{how}: {error:?}");
                assert!(
                    server.received_requests().await.unwrap().is_empty(),
                    "{how}: sent"
                );
                broken += 1;
            }
        }
    }
    println!("{broken} rules broken");
}

/// A gateway's HTML page instead of Feishu's answer.
#[tokio::test]
async fn a_non_json_error_body_is_undecodable_with_its_status() {
    for service in services() {
        for operation in operations(service) {
            let server = answering(
                ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
            )
            .await;
            let error = operation
                .send(&server, operation.body.as_ref())
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::Undecodable { status: 502, .. }),
                "{service} {}: {error:?}",
                operation.id
            );
        }
    }
}

/// The fake Feishu (feature `fake`) takes every request the client sends: each operation of every
/// enabled service is routed (by hand for the export's lifecycle, else from its spec), and its
/// parameters, token and body pass the fake's checks. A stateful answer such as "no such task"
/// (a code the operation documents) counts as taken; a validation, token or routing failure
/// does not.
#[tokio::test]
async fn the_fake_accepts_every_request_the_client_sends() {
    let fake = feishu_openapi::fake::FakeFeishu::start().await;
    let feishu = fake.client();
    let mut taken = Vec::new();
    for service in services() {
        for operation in operations(service) {
            let how = format!("{service} {}", operation.id);
            let result = send(
                &feishu,
                service,
                &operation.id,
                &operation.params,
                operation.body.as_ref(),
            )
            .await;
            if let Err(error) = result {
                let documented: Vec<i64> = operation.op["x-feishu-errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|row| row["code"].as_i64())
                    .collect();
                let api = error.api().unwrap_or_else(|| panic!("{how}: {error:?}"));
                let credentials = api.kind() == feishu_openapi::ErrorKind::AppCredentialsInvalid;
                assert!(
                    documented.contains(&api.code) || credentials,
                    "{how}: the fake refused the request: {error}"
                );
            }
            taken.push(how);
        }
    }
    println!("the fake took {} operations: {taken:?}", taken.len());
}

/// The fake checks what the spec says of each operation's parameters: a required query parameter
/// left out, or one outside its enum, is `99992402 field validation failed` at HTTP 400 naming
/// it in `field_violations` (sent with plain reqwest: the client itself refuses both).
#[tokio::test]
async fn the_fake_refuses_a_missing_or_unknown_query_parameter_naming_it() {
    let fake = feishu_openapi::fake::FakeFeishu::start().await;
    let http = reqwest::Client::new();
    let mut checked = 0;
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let query: Vec<(String, Value, bool)> = operation.op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| follow(&spec, p))
                .filter(|p| p["in"] == "query")
                .map(|p| {
                    let schema = follow(&spec, &p["schema"]);
                    (
                        p["name"].as_str().unwrap().to_string(),
                        schema.clone(),
                        p["required"] == true,
                    )
                })
                .collect();
            for (name, schema, required) in &query {
                let mut cases = Vec::new();
                if *required {
                    cases.push(None);
                }
                if schema["enum"].is_array() {
                    cases.push(Some("not-a-value"));
                }
                for case in cases {
                    let mut url = format!("{}{}", fake.base_url(), operation.expected_path());
                    let mut pairs: Vec<(String, String)> = operation
                        .params
                        .iter()
                        .filter(|(n, _)| operation.in_query(n) && *n != name)
                        .map(|(n, v)| {
                            (
                                n.clone(),
                                v.as_str().map_or_else(|| v.to_string(), str::to_string),
                            )
                        })
                        .collect();
                    if let Some(bad) = case {
                        pairs.push((name.clone(), bad.to_string()));
                    }
                    if !pairs.is_empty() {
                        url.push('?');
                        url.push_str(
                            &url::form_urlencoded::Serializer::new(String::new())
                                .extend_pairs(&pairs)
                                .finish(),
                        );
                    }
                    let mut request = http
                        .request(operation.method.parse().unwrap(), &url)
                        .bearer_auth(fake.tenant_access_token());
                    if let Some(body) = operation.body.as_ref().filter(|_| !operation.multipart) {
                        request = request.json(body);
                    }
                    let answer = request.send().await.unwrap();
                    let how = format!("{service} {} {name} {case:?}", operation.id);
                    assert_eq!(answer.status(), 400, "{how}");
                    let body: Value = answer.json().await.unwrap();
                    // The platform's field validation code, or a parameter error the operation
                    // documents (a hand-written route answers with the operation's own).
                    let documented = operation.op["x-feishu-errors"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|row| row["code"] == body["code"] && row["http"] == 400);
                    assert!(body["code"] == 99992402 || documented, "{how}: {body}");
                    let named = body["error"]["field_violations"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|v| v["field"] == name.as_str());
                    assert!(named, "{how}: {body}");
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} parameter refusals checked");
}

/// Faults are injected by operationId into any operation of the fake: the next request to it
/// gets the fault, once; the one after is answered again.
#[tokio::test]
async fn the_fake_injects_a_fault_into_any_operation_by_its_id() {
    use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    for service in services() {
        for operation in operations(service) {
            let how = format!("{service} {}", operation.id);
            let id: &'static str = Box::leak(operation.id.clone().into_boxed_str());
            fake.inject(
                Endpoint::Operation(id),
                Fault::Error {
                    status: 400,
                    code: 1_234_567,
                    msg: "injected".into(),
                },
            );
            let sent = |body| send(&feishu, service, &operation.id, &operation.params, body);
            let error = sent(operation.body.as_ref()).await.unwrap_err();
            assert_eq!(error.code(), Some(1_234_567), "{how}: {error:?}");
            if let Err(error) = sent(operation.body.as_ref()).await {
                assert_ne!(
                    error.code(),
                    Some(1_234_567),
                    "{how}: the fault is used once"
                );
            }
        }
    }
}
