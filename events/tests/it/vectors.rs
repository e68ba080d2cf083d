//! Decryption and signatures against vectors made once with the official Node SDK
//! (`tests/fixtures/node-sdk-vectors.json` says which version).

use feishu_openapi_events::{EncryptKey, VerificationToken};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../fixtures/node-sdk-vectors.json"))
        .expect("fixture is JSON")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} is a string"))
}

#[test]
fn decrypts_what_the_node_sdk_decrypts() {
    let all = vectors();
    let cases = all["decrypt"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let key = EncryptKey::new(s(case, "encrypt_key"));
        assert_eq!(
            key.decrypt(s(case, "encrypt")).unwrap(),
            s(case, "plaintext")
        );
    }
}

#[test]
fn event_signatures_agree_with_the_node_sdk() {
    let all = vectors();
    for case in all["event_signatures"].as_array().unwrap() {
        let key = EncryptKey::new(s(case, "encrypt_key"));
        let ok = key.verify_event_signature(
            s(case, "timestamp"),
            s(case, "nonce"),
            s(case, "body").as_bytes(),
            s(case, "signature"),
        );
        assert_eq!(ok, case["valid"].as_bool().unwrap(), "{case}");
    }
}

#[test]
fn card_signatures_agree_with_the_node_sdk() {
    let all = vectors();
    for case in all["card_signatures"].as_array().unwrap() {
        let token = VerificationToken::new(s(case, "verification_token"));
        let ok = token.verify_card_signature(
            s(case, "timestamp"),
            s(case, "nonce"),
            s(case, "body").as_bytes(),
            s(case, "signature"),
        );
        assert_eq!(ok, case["valid"].as_bool().unwrap(), "{case}");
    }
}

#[test]
fn encrypted_url_check_decrypts_to_the_node_sdk_challenge() {
    let all = vectors();
    for case in all["challenge"].as_array().unwrap() {
        let key = EncryptKey::new(s(case, "encrypt_key"));
        let body: Value = serde_json::from_str(s(case, "body")).unwrap();
        let plain: Value =
            serde_json::from_str(&key.decrypt(s(&body, "encrypt")).unwrap()).unwrap();
        assert_eq!(
            plain["type"] == "url_verification",
            case["is_challenge"].as_bool().unwrap()
        );
        assert_eq!(plain["challenge"], case["answer"]["challenge"]);
    }
}
