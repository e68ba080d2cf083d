//! A malformed spec stops code generation with a message naming the problem — never a panic.
//! `build.rs` prints it as `error: invalid OpenAPI spec <file>: <message>` and exits 1; this runs
//! the same generation code (the `feishu-openapi-codegen` crate that build.rs calls) on broken specs.

use std::path::PathBuf;

use feishu_openapi_codegen as codegen;

/// A minimal valid spec; each case breaks one thing in it.
const VALID: &str = r##"
openapi: 3.0.3
info: {title: t, version: v1}
paths:
  /open-apis/x/v1/things:
    post:
      operationId: thing_create
      security: [{tenant_access_token: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Body"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Body"}
components:
  schemas:
    Body:
      type: object
      x-feishu-rules:
        - at-most-one-of: [a, b]
      properties:
        a: {type: string}
        b: {type: string}
"##;

fn generate(name: &str, text: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("feishu-openapi-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    let result = std::panic::catch_unwind(|| {
        codegen::generate(&path, codegen::Options::default()).map(|_| ())
    });
    std::fs::remove_file(&path).ok();
    result.unwrap_or_else(|_| panic!("{name}: generation panicked instead of returning an error"))
}

fn error_of(name: &str, text: &str) -> String {
    match generate(name, text) {
        Ok(()) => panic!("{name}: a broken spec generated without error"),
        Err(message) => message,
    }
}

#[test]
fn the_valid_spec_generates() {
    generate("valid", VALID).expect("the baseline spec is valid");
}

#[test]
fn invalid_yaml_is_named() {
    let message = error_of("yaml", "openapi: 3.0.3\npaths: [unclosed");
    assert!(message.starts_with("not valid YAML"), "{message}");
}

#[test]
fn openapi_3_1_is_refused() {
    let message = error_of("v31", &VALID.replace("openapi: 3.0.3", "openapi: 3.1.0"));
    assert!(
        message.contains("3.1.0 is not supported; use 3.0.x"),
        "{message}"
    );
}

#[test]
fn a_document_that_is_not_openapi_is_named() {
    let message = error_of("shape", "openapi: 3.0.3\ninfo: 7\npaths: {}\n");
    assert!(
        message.starts_with("not an OpenAPI 3.0 document"),
        "{message}"
    );
}

#[test]
fn a_progenitor_panic_becomes_an_error() {
    // 200 together with `default` makes progenitor assert; the build must still say why, briefly.
    let broken = VALID.replace(
        "      responses:\n        \"200\":",
        "      responses:\n        default: {description: any, content: {application/json: {schema: {type: integer}}}}\n        \"200\":",
    );
    let message = error_of("default", &broken);
    assert!(message.starts_with("progenitor"), "{message}");
}

#[test]
fn an_unknown_rule_is_named() {
    let message = error_of("rule", &VALID.replace("at-most-one-of", "one-or-the-other"));
    assert!(message.contains("schema Body: x-feishu-rules"), "{message}");
    assert!(message.contains("`one-or-the-other`"), "{message}");
}

#[test]
fn a_rule_naming_a_missing_field_is_named() {
    let message = error_of("field", &VALID.replace("[a, b]", "[a, c]"));
    assert!(
        message.contains("`c`, which is not a property"),
        "{message}"
    );
}

#[test]
fn an_unknown_token_kind_is_named() {
    let message = error_of(
        "security",
        &VALID.replace("tenant_access_token: []", "api_key: []"),
    );
    assert!(message.contains("security scheme `api_key`"), "{message}");
}

#[test]
fn a_bad_rust_replacement_is_named() {
    let broken = VALID.replace(
        "      type: object\n      x-feishu-rules",
        "      type: object\n      x-rust-type: crate::Body\n      x-rust-impls: [Serialize]\n      x-feishu-rules",
    );
    let message = error_of("impls", &broken);
    assert!(message.contains("schema Body: x-rust-impls"), "{message}");
}

#[test]
fn an_answer_the_runtime_cannot_hand_over_is_named() {
    // An inline schema: neither a named one the runtime decodes nor a file it streams.
    let broken = VALID.replace(
        "              schema: {$ref: \"#/components/schemas/Body\"}\ncomponents",
        "              schema: {type: object}\ncomponents",
    );
    assert_ne!(broken, VALID);
    let message = error_of("answer", &broken);
    assert!(
        message.contains("post /open-apis/x/v1/things: its 200 answer is neither JSON"),
        "{message}"
    );
}
