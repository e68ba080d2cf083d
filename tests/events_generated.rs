//! The event payloads generated from the specs (`x-feishu-events`), with the services enabled:
//! a typed handler gets `im.message.receive_v1` pushed by the events crate's fake over the long
//! connection (127.0.0.1), and every generated payload decodes a minimal payload built from its
//! spec, and a full one with unknown fields and values not listed.
//!
//! `cargo test --features vc,im,events,fake --test suite events_generated`
#![cfg(all(feature = "events", feature = "fake", feature = "im"))]

use std::time::Duration;

use feishu_openapi::events::fake::FakeFeishu;
use feishu_openapi::events::{Dispatcher, Event, EventPayload, LongConnection, Schema};
use feishu_openapi::im::events::{MessageReceiveV1, P2pChatCreateEvent};
use feishu_openapi::AppCredentials;
use serde_json::{json, Map, Value};

fn app() -> AppCredentials {
    AppCredentials::new("cli_a1b2c3d4e5f6a7b8", "app-secret")
}

async fn guard<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

#[test]
fn the_generated_payloads_say_their_type_and_envelope() {
    assert_eq!(MessageReceiveV1::EVENT_TYPE, "im.message.receive_v1");
    assert_eq!(MessageReceiveV1::SCHEMA, Schema::V2);
    const { assert!(!MessageReceiveV1::IS_CALLBACK) };
    assert_eq!(P2pChatCreateEvent::EVENT_TYPE, "p2p_chat_create");
    assert_eq!(P2pChatCreateEvent::SCHEMA, Schema::V1);
}

#[tokio::test]
async fn a_typed_handler_gets_the_generated_payload_over_the_long_connection() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let v1 = tx.clone();
    let dispatcher = Dispatcher::new()
        .on(move |e: Event<MessageReceiveV1>| {
            let tx = tx.clone();
            async move {
                let mentions: Vec<String> = e
                    .message
                    .mentions
                    .iter()
                    .flatten()
                    .map(|m| m.key.clone())
                    .collect();
                let sender = e
                    .sender
                    .sender_id
                    .as_ref()
                    .and_then(|id| id.open_id.clone());
                tx.send(json!({
                    "event_id": e.envelope.event_id,
                    "tenant_key": e.envelope.tenant_key,
                    "message_id": e.message.message_id,
                    "chat_type": e.message.chat_type,
                    "content": e.message.content,
                    "mentions": mentions,
                    "sender": sender,
                    "sender_type": e.sender.sender_type,
                }))
                .map_err(|_| "the test stopped listening")?;
                Ok(())
            }
        })
        .on(move |e: Event<P2pChatCreateEvent>| {
            let tx = v1.clone();
            async move {
                tx.send(json!({
                    "uuid": e.envelope.event_id,
                    "chat_id": e.chat_id,
                    "operator": e.operator.as_ref().and_then(|o| o.open_id.clone()),
                }))
                .map_err(|_| "the test stopped listening")?;
                Ok(())
            }
        });
    let fake = FakeFeishu::start(&app()).await.unwrap();
    let client = LongConnection::builder(app(), dispatcher)
        .base_url(fake.base_url())
        .build()
        .unwrap();
    let stop = client.shutdown_handle();
    let task = tokio::spawn(client.run());
    let conn = guard("connect", fake.next_connection()).await;

    conn.send_event(&json!({
        "schema": "2.0",
        "header": {"event_id": "ev-1", "event_type": "im.message.receive_v1", "create_time": "1700000000000",
                   "token": "t", "app_id": "cli_a1b2c3d4e5f6a7b8", "tenant_key": "tenant-1"},
        "event": {
            "sender": {"sender_id": {"open_id": "ou_sender", "a_new_id_kind": "x"}, "sender_type": "user", "tenant_key": "tenant-1"},
            "message": {
                "message_id": "om_1", "chat_id": "oc_1", "chat_type": "a_new_chat_type",
                "message_type": "text", "content": "{\"text\":\"hi @_user_1\"}", "create_time": "1700000000000",
                "mentions": [{"key": "@_user_1", "name": "Bot", "id": {"open_id": "ou_bot"}}],
                "a_field_added_later": {"nested": [1, 2]}
            }
        }
    }));
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 200);
    let got = guard("handled", rx.recv()).await.unwrap();
    assert_eq!(
        got,
        json!({
            "event_id": "ev-1", "tenant_key": "tenant-1", "message_id": "om_1",
            "chat_type": "a_new_chat_type", "content": "{\"text\":\"hi @_user_1\"}",
            "mentions": ["@_user_1"], "sender": "ou_sender", "sender_type": "user",
        })
    );

    // A schema 1.0 event: the payload is the `event` object, its `type`, `app_id` and
    // `tenant_key` left to the envelope.
    conn.send_event(&json!({
        "uuid": "uuid-1", "token": "t", "ts": "1700000000.1", "type": "event_callback",
        "event": {"type": "p2p_chat_create", "app_id": "cli_a1b2c3d4e5f6a7b8", "tenant_key": "tenant-1",
                  "chat_id": "oc_2", "operator": {"open_id": "ou_op"}, "user": {"name": "N"}}
    }));
    let ack = guard("ack v1", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 200);
    let got = guard("handled v1", rx.recv()).await.unwrap();
    assert_eq!(
        got,
        json!({"uuid": "uuid-1", "chat_id": "oc_2", "operator": "ou_op"})
    );

    // A required field missing: the payload does not decode, the handler is not called (the
    // default handling acks at once and logs the failure); the next event is handled.
    let header =
        |id: &str| json!({"event_id": id, "event_type": "im.message.receive_v1", "token": "t"});
    conn.send_event(&json!({"schema": "2.0", "header": header("ev-2"), "event": {"sender": {"sender_type": "user"}}}));
    conn.send_event(&json!({"schema": "2.0", "header": header("ev-3"), "event": {
        "sender": {"sender_type": "app"},
        "message": {"message_id": "om_3", "chat_id": "oc_1", "chat_type": "group", "message_type": "text",
                    "content": "{}", "create_time": "1"}
    }}));
    let got = guard("handled after a bad payload", rx.recv())
        .await
        .unwrap();
    assert_eq!(got["event_id"], "ev-3");
    assert_eq!(got["mentions"], json!([]));
    stop.shutdown();
    guard("stop", task).await.unwrap().unwrap();
}

/// A value of `schema` (from `spec`): only the required fields (`full` false), or every field
/// with an unknown field added to each object and a value not listed for each listed kind.
fn example(spec: &Value, schema: &Value, full: bool, depth: usize) -> Value {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.trim_start_matches("#/components/schemas/");
        return example(spec, &spec["components"]["schemas"][name], full, depth + 1);
    }
    assert!(depth < 40, "schema nesting too deep");
    match schema["type"].as_str() {
        Some("string") if full && schema.get("x-feishu-values").is_some() => {
            json!("a value not listed")
        }
        Some("string") => json!("text"),
        Some("number") => json!(1.5),
        Some("integer") => json!(2),
        Some("boolean") => json!(true),
        Some("array") => json!([example(spec, &schema["items"], full, depth + 1)]),
        Some("object") if schema.get("additionalProperties").is_some() => {
            json!({"key": example(spec, &schema["additionalProperties"], full, depth + 1)})
        }
        Some("object") => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut out = Map::new();
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                if full || required.contains(&name.as_str()) {
                    out.insert(name.clone(), example(spec, property, full, depth + 1));
                }
            }
            if full {
                out.insert("a_field_added_later".into(), json!({"any": [1, "x"]}));
            }
            Value::Object(out)
        }
        // `{}`: any JSON value.
        _ => json!({"any": [1, "x", null]}),
    }
}

#[test]
fn every_generated_payload_decodes_minimal_and_unknown_content() {
    let mut checked = 0;
    for (service, spec_json, events) in feishu_openapi::__events() {
        let spec: Value = serde_json::from_str(spec_json).unwrap();
        let declared = spec["x-feishu-events"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            declared.len(),
            events.len(),
            "{service}: every declared event is generated"
        );
        for (event_type, payload, decode) in events {
            let schema = &spec["components"]["schemas"][*payload];
            assert!(
                schema.is_object(),
                "{service} {event_type}: no schema {payload}"
            );
            for full in [false, true] {
                let value = example(&spec, schema, full, 0);
                if let Err(e) = decode(&value.to_string()) {
                    panic!("{service} {event_type} ({payload}, full {full}): {e}\n{value}");
                }
            }
            // Fields left out decode as absent, whatever the spec marks required inside them.
            if schema["required"].as_array().is_none_or(Vec::is_empty) {
                decode("{}").unwrap_or_else(|e| panic!("{service} {event_type}: {{}}: {e}"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 21, "the im events at least ({checked})");
}
