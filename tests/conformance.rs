//! The conformance suite: one harness walks every operation of every enabled service's spec
//! (`openapi/*.yaml`, shared parts merged) and checks the generated client against a recording
//! server on 127.0.0.1, with nothing written per endpoint:
//!
//! - the wire request of the spec's examples: method, path with its parameters filled in and
//!   percent-encoded, query, token, content type and body — and the spec's 200 example decodes;
//! - every row of `x-feishu-errors`, at its HTTP status and again inside an HTTP 200: the crate's
//!   `Error::Api` with that code, message, status, log id (the header's over the body's), kind
//!   and the spec's row, and a `Display` naming them with the spec's advice;
//! - every body rule (`x-feishu-rules`) broken by mutating the example: refused, nothing sent;
//! - a non-JSON error body (a gateway's HTML page): `Error::Undecodable` with its status.
//!
//! `cargo test --all-features --test conformance` covers every service.

mod spec_support;

use feishu_openapi::{AccessToken, Error, ErrorKind, FeishuClient, RetryPolicy};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use spec_support::{
    broken_bodies, follow, operations, send, services, spec, synthesize, Operation,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "t-conformance";

/// One recording server on 127.0.0.1 and one client of it, for a whole test: each case sets the
/// answer, sends, and reads what arrived (a server and a client per case would cost more than the
/// cases themselves).
struct Stand {
    server: MockServer,
    feishu: FeishuClient,
    slot: Arc<Slot>,
}

/// The answer a [`Stand`] gives next, and the requests it has received since it was set.
#[derive(Default)]
struct Slot {
    answer: Mutex<Option<ResponseTemplate>>,
    received: Mutex<Vec<Request>>,
}

impl Stand {
    async fn start() -> Self {
        let server = MockServer::start().await;
        let slot = Arc::new(Slot::default());
        let responder = Arc::clone(&slot);
        Mock::given(wiremock::matchers::any())
            .respond_with(move |request: &Request| {
                responder.received.lock().unwrap().push(request.clone());
                responder
                    .answer
                    .lock()
                    .unwrap()
                    .clone()
                    .expect("an answer is set")
            })
            .mount(&server)
            .await;
        let feishu = FeishuClient::builder()
            .base_url(server.uri())
            .access_token(AccessToken::tenant(TOKEN))
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        Stand {
            server,
            feishu,
            slot,
        }
    }

    /// Sends `operation` with `body`, answered with `answer`; what it returned and what arrived.
    async fn send(
        &self,
        operation: &Operation,
        answer: ResponseTemplate,
        body: Option<&Value>,
    ) -> (Result<(), Error>, Vec<Request>) {
        *self.slot.answer.lock().unwrap() = Some(answer);
        self.slot.received.lock().unwrap().clear();
        let _ = &self.server;
        let result = send(
            &self.feishu,
            operation.service,
            &operation.id,
            &operation.params,
            body,
        )
        .await;
        (
            result,
            std::mem::take(&mut *self.slot.received.lock().unwrap()),
        )
    }
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

/// The wire request of each operation's examples, and the decoding of its 200 example.
#[tokio::test]
async fn every_operation_sends_its_examples_as_the_spec_says() {
    let mut failures = Vec::new();
    let stand = Stand::start().await;
    let mut covered = Vec::new();
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let how = format!("{service} {}", operation.id);
                let (result, requests) = stand
                    .send(
                        &operation,
                        success(&operation, &spec),
                        operation.body.as_ref(),
                    )
                    .await;
                result.unwrap_or_else(|e| panic!("{how}: {e:?}"));
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
            })
            .await;
        }
    }
    println!("{} operations: {covered:?}", covered.len());
    assert!(
        covered.len() >= services().len(),
        "every service has operations"
    );
    spec_support::no_failures(&failures);
}

/// Every documented error, at its status and inside an HTTP 200.
#[tokio::test]
async fn every_documented_error_comes_back_as_the_spec_says() {
    let mut failures = Vec::new();
    let stand = Stand::start().await;
    let mut rows = 0;
    for service in services() {
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let table = operation.op["x-feishu-errors"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for row in table {
                    let code = row["code"].as_i64().unwrap();
                    let documented = row["http"].as_u64().unwrap() as u16;
                    let msg = row["msg"].as_str().unwrap();
                    // The kind: the platform's for its own codes, else by the documented status.
                    let kind = match ErrorKind::from_code(code) {
                        ErrorKind::Other => match documented {
                            400 => ErrorKind::BadRequest,
                            401 | 403 => ErrorKind::PermissionDenied,
                            404 => ErrorKind::NotFound,
                            500..=599 => ErrorKind::ServerError,
                            _ => ErrorKind::Other,
                        },
                        platform => platform,
                    };
                    // A 429 is the platform's rate limit whatever the code (`Error::RateLimited`,
                    // the runtime's own tests); such a row is checked inside an HTTP 200 only.
                    let answers: &[(u16, bool)] = if documented == 429 {
                        &[(200, false)]
                    } else {
                        &[(documented, true), (200, false)]
                    };
                    for &(status, header) in answers {
                        let how = format!("{service} {} {code} at HTTP {status}", operation.id);
                        let mut answer = ResponseTemplate::new(status).set_body_json(json!({
                            "code": code, "msg": msg, "error": {"log_id": "LOG-CONFORMANCE"}
                        }));
                        // The `X-Tt-Logid` header, when there is one, wins over the body's.
                        let log_id = if header {
                            answer = answer.insert_header("X-Tt-Logid", "LOG-HEADER");
                            "LOG-HEADER"
                        } else {
                            "LOG-CONFORMANCE"
                        };
                        let (result, _) = stand
                            .send(&operation, answer, operation.body.as_ref())
                            .await;
                        let error = result.unwrap_err();
                        let api = error.api().unwrap_or_else(|| panic!("{how}: {error:?}"));
                        assert_eq!((api.code, api.http_status), (code, status), "{how}");
                        assert_eq!(api.msg, msg, "{how}");
                        assert_eq!(error.log_id(), Some(log_id), "{how}");
                        assert_eq!((api.kind(), error.kind()), (kind, kind), "{how}");
                        // What a person reads names the code, the message, the status, the log id
                        // and the spec's advice.
                        let text = error.to_string();
                        // The message as `Display` shows server text: control characters escaped.
                        let shown: String = msg
                            .chars()
                            .map(|c| {
                                if c.is_control() {
                                    c.escape_default().to_string()
                                } else {
                                    c.to_string()
                                }
                            })
                            .collect();
                        for part in [&code.to_string(), &shown, &status.to_string(), log_id] {
                            assert!(text.contains(part), "{how}: {part} in {text}");
                        }
                        if let Some(advice) = row["advice"].as_str() {
                            assert!(text.contains(advice), "{how}: advice in {text}");
                        }
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
            })
            .await;
        }
    }
    println!("{rows} error answers checked");
    spec_support::no_failures(&failures);
}

/// Every body rule, broken by mutating the example: refused before anything is sent.
#[tokio::test]
async fn every_body_rule_broken_is_refused_before_sending() {
    let mut failures = Vec::new();
    let stand = Stand::start().await;
    let mut broken = 0;
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                for (kind, fields, body) in broken_bodies(&spec, &operation) {
                    let how = format!("{service} {} {kind} {fields:?}", operation.id);
                    let (result, received) = stand
                        .send(&operation, success(&operation, &spec), Some(&body))
                        .await;
                    let error = result.unwrap_err();
                    assert!(matches!(error, Error::Validation(_)), "{how}: {error:?}");
                    assert!(received.is_empty(), "{how}: sent");
                    broken += 1;
                }
            })
            .await;
        }
    }
    println!("{broken} rules broken");
    spec_support::no_failures(&failures);
}

/// A gateway's HTML page instead of Feishu's answer.
#[tokio::test]
async fn a_non_json_error_body_is_undecodable_with_its_status() {
    let mut failures = Vec::new();
    let stand = Stand::start().await;
    for service in services() {
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let gateway = ResponseTemplate::new(502)
                    .set_body_raw("<html>Bad Gateway</html>", "text/html");
                let (result, _) = stand
                    .send(&operation, gateway, operation.body.as_ref())
                    .await;
                let error = result.unwrap_err();
                assert!(
                    matches!(error, Error::Undecodable { status: 502, .. }),
                    "{service} {}: {error:?}",
                    operation.id
                );
            })
            .await;
        }
    }
    spec_support::no_failures(&failures);
}

/// The user access token the fake is given, for operations that take no tenant token.
const USER_TOKEN: &str = "u-conformance";

/// Whether `operation` takes a tenant access token (`security`); otherwise the tests call it with
/// a user token (app-token operations take it the same way: the caller gives the token).
fn takes_tenant_token(operation: &Operation) -> bool {
    operation.op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|requirement| requirement.get("tenant_access_token").is_some())
}

/// A client of `fake` calling with its user access token.
fn user_client(fake: &feishu_openapi::fake::FakeFeishu) -> FeishuClient {
    FeishuClient::builder()
        .base_url(fake.base_url())
        .access_token(AccessToken::user(USER_TOKEN))
        .build()
        .unwrap()
}

/// The fake Feishu (feature `fake`) takes every request the client sends: each operation of every
/// enabled service is routed (by hand for the export's lifecycle, else from its spec), and its
/// parameters, token and body pass the fake's checks. A stateful answer such as "no such task"
/// (a code the operation documents) counts as taken; a validation, token or routing failure
/// does not.
#[tokio::test]
async fn the_fake_accepts_every_request_the_client_sends() {
    let mut failures = Vec::new();
    let fake = feishu_openapi::fake::FakeFeishu::builder()
        .user_access_token(USER_TOKEN)
        .start()
        .await;
    let (tenant, user) = (fake.client(), user_client(&fake));
    let mut taken = Vec::new();
    for service in services() {
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let how = format!("{service} {}", operation.id);
                // A token of a kind the operation takes.
                let feishu = if takes_tenant_token(&operation) {
                    &tenant
                } else {
                    &user
                };
                let result = operation.send_with(feishu).await;
                if let Err(error) = result {
                    let documented: Vec<i64> = operation.op["x-feishu-errors"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|row| row["code"].as_i64())
                        .collect();
                    let api = error.api().unwrap_or_else(|| panic!("{how}: {error:?}"));
                    let credentials =
                        api.kind() == feishu_openapi::ErrorKind::AppCredentialsInvalid;
                    assert!(
                        documented.contains(&api.code) || credentials,
                        "{how}: the fake refused the request: {error}"
                    );
                }
                taken.push(how);
            })
            .await;
        }
    }
    println!("the fake took {} operations: {taken:?}", taken.len());
    spec_support::no_failures(&failures);
}

/// The fake checks what the spec says of each operation's parameters: a required query parameter
/// left out, or one outside its enum, is `99992402 field validation failed` at HTTP 400 naming
/// it in `field_violations` (sent with plain reqwest: the client itself refuses both).
#[tokio::test]
async fn the_fake_refuses_a_missing_or_unknown_query_parameter_naming_it() {
    let mut failures = Vec::new();
    let fake = feishu_openapi::fake::FakeFeishu::builder()
        .user_access_token(USER_TOKEN)
        .start()
        .await;
    let http = reqwest::Client::new();
    let mut checked = 0;
    for service in services() {
        let spec = spec(service);
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
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
                            .bearer_auth(if takes_tenant_token(&operation) {
                                fake.tenant_access_token().to_string()
                            } else {
                                USER_TOKEN.to_string()
                            });
                        if let Some(body) = operation.body.as_ref().filter(|_| !operation.multipart)
                        {
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
            })
            .await;
        }
    }
    println!("{checked} parameter refusals checked");
    spec_support::no_failures(&failures);
}

/// Faults are injected by service and operationId into any operation of the fake (an operationId
/// alone may name operations of two services): the next request to it gets the fault, once; the
/// one after is answered again.
#[tokio::test]
async fn the_fake_injects_a_fault_into_any_operation_by_its_id() {
    let mut failures = Vec::new();
    use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    for service in services() {
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let how = format!("{service} {}", operation.id);
                let id: &'static str = Box::leak(operation.id.clone().into_boxed_str());
                fake.inject(
                    Endpoint::InService {
                        service,
                        operation: id,
                    },
                    Fault::Error {
                        status: 400,
                        code: 1_234_567,
                        msg: "injected".into(),
                    },
                );
                let error = operation.send_with(&feishu).await.unwrap_err();
                assert_eq!(error.code(), Some(1_234_567), "{how}: {error:?}");
                if let Err(error) = operation.send_with(&feishu).await {
                    assert_ne!(
                        error.code(),
                        Some(1_234_567),
                        "{how}: the fault is used once"
                    );
                }
            })
            .await;
        }
    }
    spec_support::no_failures(&failures);
}

/// The fake checks every operation's bearer token against the token kinds its spec accepts
/// (`security`): an accepted kind passes the check, a kind the operation does not accept is
/// refused with the code of the kind it wanted (a tenant token where only a user token is taken:
/// 99991668; a user token where only a tenant token is taken: 99991663), and a request without
/// a token is refused with 99991661 (sent with plain reqwest: the client does not send one).
#[tokio::test]
async fn the_fake_checks_each_operation_s_token_kinds() {
    let mut failures = Vec::new();
    const TOKEN_CODES: [i64; 4] = [99991661, 99991663, 99991668, 99991671];
    let fake = feishu_openapi::fake::FakeFeishu::builder()
        .user_access_token(USER_TOKEN)
        .start()
        .await;
    let client = |token| {
        FeishuClient::builder()
            .base_url(fake.base_url())
            .access_token(token)
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let clients = [
        (
            "tenant_access_token",
            client(AccessToken::tenant(fake.tenant_access_token())),
            99991668,
        ),
        (
            "user_access_token",
            client(AccessToken::user(USER_TOKEN)),
            99991663,
        ),
    ];
    let plain = reqwest::Client::new();
    let (mut accepted, mut refused, mut without) = (0, 0, 0);
    for service in services() {
        for operation in operations(service) {
            let at = format!("{service} {}", operation.id);
            spec_support::checking(&mut failures, at, async {
                let kinds: Vec<&str> = operation.op["security"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .flat_map(|requirement| requirement.keys().map(String::as_str))
                    // An app access token is given by the caller like a user token, and the fake
                    // takes it as one (docs/decisions.md).
                    .map(|kind| match kind {
                        "app_access_token" => "user_access_token",
                        other => other,
                    })
                    .collect();
                if kinds.is_empty() {
                    return;
                }
                for (kind, feishu, wrong_kind_code) in &clients {
                    let how = format!("{service} {} with a {kind}", operation.id);
                    let result = operation.send_with(feishu).await;
                    if kinds.contains(kind) {
                        if let Err(error) = result {
                            let code = error.code();
                            assert!(
                                code.is_none_or(|c| !TOKEN_CODES.contains(&c)),
                                "{how}: an accepted kind refused: {error}"
                            );
                        }
                        accepted += 1;
                    } else {
                        let error = result.expect_err(&how);
                        assert_eq!(error.code(), Some(*wrong_kind_code), "{how}: {error}");
                        refused += 1;
                    }
                }
                let url = format!("{}{}", fake.base_url(), operation.expected_path());
                let answer = plain
                    .request(operation.method.parse().unwrap(), &url)
                    .send()
                    .await
                    .unwrap();
                let how = format!("{service} {} without a token", operation.id);
                assert_eq!(answer.status(), 400, "{how}");
                let body: Value = answer.json().await.unwrap();
                assert_eq!(body["code"], 99991661, "{how}: {body}");
                without += 1;
            })
            .await;
        }
    }
    println!("token kinds: {accepted} accepted, {refused} refused, {without} without a token");
    assert!(
        accepted > 0 && without > 0,
        "operations that take a token were tried"
    );
    spec_support::no_failures(&failures);
}
