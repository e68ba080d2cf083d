//! The webhook against a real server on 127.0.0.1 (axum adapter), pushed to by the fake's pusher.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{guard, MessageReceive, Seen};
use feishu_openapi_events::card::{
    CardAction, CardActionReply, CardReply, InlinePreview, LegacyCardAction, Toast, UrlPreview,
    UrlPreviewReply,
};
use feishu_openapi_events::fake::WebhookPusher;
use feishu_openapi_events::{
    AppTicket, Dispatcher, EncryptKey, Event, Handling, Webhook, WebhookConfig,
};
use serde_json::{json, Value};

const KEY: &str = "encrypt-key-1";
const TOKEN: &str = "verification-token-1";

fn dispatcher(seen: &Seen) -> Dispatcher {
    let (a, b, c, d, e, f) = (
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
        seen.clone(),
    );
    Dispatcher::new()
        .handling(Handling::HandleThenAck {
            deadline: Duration::from_secs(10),
        })
        .on(move |m: Event<MessageReceive>| {
            let seen = a.clone();
            async move {
                let text = m
                    .message
                    .as_ref()
                    .and_then(|m| m.content.clone())
                    .unwrap_or_default();
                seen.push(format!("message {text}"));
                Ok(())
            }
        })
        .on(move |t: Event<AppTicket>| {
            let seen = b.clone();
            async move {
                let ticket = t.app_ticket.as_ref().map(|t| t.expose_secret());
                seen.push(format!("ticket {}", ticket.unwrap_or_default()));
                Ok(())
            }
        })
        .on(move |click: Event<CardAction>| {
            let seen = c.clone();
            async move {
                seen.push("card");
                let value = click
                    .action
                    .as_ref()
                    .and_then(|a| a.value.clone())
                    .unwrap_or_default();
                Ok(CardActionReply::new()
                    .toast(Toast::success("ok").i18n("en_us", "ok"))
                    .card(CardReply::template(
                        "tpl-1",
                        Some(value),
                        Some("1.0.0".into()),
                    )))
            }
        })
        .on(move |_: Event<LegacyCardAction>| {
            let seen = d.clone();
            async move {
                seen.push("legacy card");
                Ok(json!({"config": {"wide_screen_mode": true}}))
            }
        })
        .on(move |p: Event<UrlPreview>| {
            let seen = e.clone();
            async move {
                seen.push("preview");
                let url = p
                    .event
                    .context
                    .as_ref()
                    .and_then(|c| c.url.clone())
                    .unwrap_or_default();
                Ok(UrlPreviewReply::new().inline(InlinePreview::new(url).image_key("img_1")))
            }
        })
        .on_unknown(move |raw| {
            let seen = f.clone();
            async move {
                seen.push(format!("unknown {}", raw.envelope.event_type));
                Ok(())
            }
        })
}

async fn serve(webhook: Webhook) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook/event", listener.local_addr().unwrap());
    let app: axum::Router = axum::Router::new().route(
        "/webhook/event",
        feishu_openapi_events::axum::route(webhook),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn secured(seen: &Seen) -> (String, WebhookPusher) {
    let config = WebhookConfig::default()
        .encrypt_key(KEY)
        .verification_token(TOKEN);
    let url = serve(Webhook::new(dispatcher(seen), config)).await;
    let pusher = WebhookPusher::new(&url)
        .encrypt_key(KEY)
        .verification_token(TOKEN);
    (url, pusher)
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn url_verification_plain_and_encrypted() {
    let seen = Seen::default();
    let plain = serve(Webhook::new(
        dispatcher(&seen),
        WebhookConfig::default().verification_token(TOKEN),
    ))
    .await;
    let pusher = WebhookPusher::new(&plain).verification_token(TOKEN);
    let out = guard("push", pusher.push(&pusher.url_verification("c-plain"))).await;
    assert_eq!(
        (out.status, json_of(&out.body)),
        (Some(200), json!({"challenge": "c-plain"}))
    );

    let (_, pusher) = secured(&seen).await;
    let out = guard("push", pusher.push(&pusher.url_verification("c-enc"))).await;
    assert_eq!(
        (out.status, json_of(&out.body)),
        (Some(200), json!({"challenge": "c-enc"}))
    );

    let wrong = WebhookPusher::new(&plain).verification_token("other");
    let out = guard("push", wrong.push(&wrong.url_verification("c"))).await;
    assert_eq!(out.status, Some(403));
    assert!(seen.all().is_empty());
}

#[tokio::test]
async fn encrypted_signed_events_reach_typed_handlers() {
    let seen = Seen::default();
    let (_, pusher) = secured(&seen).await;
    let event = pusher.event_v2(
        "im.message.receive_v1",
        json!({"message": {"message_id": "om_1", "content": "{\"text\":\"hi\"}", "new_field": 1}}),
    );
    let out = guard("push", pusher.push(&event)).await;
    assert_eq!((out.status, out.attempts), (Some(200), 1));
    let v1 =
        pusher.event_v1(json!({"type": "app_ticket", "app_id": "cli_x", "app_ticket": "tk-1"}));
    assert_eq!(guard("push", pusher.push(&v1)).await.status, Some(200));
    let other = pusher.event_v2("vc.meeting.all_meeting_ended_v1", json!({}));
    assert_eq!(guard("push", pusher.push(&other)).await.status, Some(200));
    assert_eq!(
        seen.all(),
        [
            "message {\"text\":\"hi\"}",
            "ticket tk-1",
            "unknown vc.meeting.all_meeting_ended_v1"
        ]
    );
}

#[tokio::test]
async fn card_callbacks_answer_with_typed_replies() {
    let seen = Seen::default();
    let (url, pusher) = secured(&seen).await;
    let click = pusher.event_v2(
        "card.action.trigger",
        json!({
            "operator": {"open_id": "ou_1"}, "token": "c-1",
            "action": {"tag": "button", "value": {"k": "v"}}, "context": {"open_message_id": "om_1"}
        }),
    );
    let out = guard("push", pusher.push(&click)).await;
    assert_eq!(out.status, Some(200));
    assert_eq!(
        json_of(&out.body),
        json!({
            "toast": {"type": "success", "content": "ok", "i18n": {"en_us": "ok"}},
            "card": {"type": "template", "data": {"template_id": "tpl-1", "template_variable": {"k": "v"}, "template_version_name": "1.0.0"}}
        })
    );

    let preview = pusher.event_v2(
        "url.preview.get",
        json!({"context": {"url": "https://example.com/x", "preview_token": "p"}}),
    );
    let out = guard("push", pusher.push(&preview)).await;
    assert_eq!(
        json_of(&out.body),
        json!({"inline": {"title": "https://example.com/x", "image_key": "img_1"}})
    );

    let legacy = json!({"open_id": "ou_1", "open_message_id": "om_1", "token": "c-2", "action": {"tag": "button", "value": {}}});
    let out = guard("push", pusher.push_legacy_card(&legacy)).await;
    assert_eq!(
        json_of(&out.body),
        json!({"config": {"wide_screen_mode": true}})
    );
    let forged = WebhookPusher::new(&url).verification_token("not-the-token");
    let out = guard("push", forged.push_legacy_card(&legacy)).await;
    assert_eq!(out.status, Some(401));
    assert_eq!(seen.all(), ["card", "preview", "legacy card"]);
}

async fn post(
    url: &str,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).body(body);
    for (k, v) in headers {
        request = request.header(*k, v);
    }
    let response = guard("post", request.send()).await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A signed, encrypted request as the platform sends it, from `envelope`, at `timestamp`.
fn sealed(envelope: &Value, timestamp: u64) -> (String, Vec<(&'static str, String)>) {
    let key = EncryptKey::new(KEY);
    let body =
        json!({"encrypt": key.encrypt(envelope.to_string().as_bytes(), [9; 16])}).to_string();
    let ts = timestamp.to_string();
    let signature = key.event_signature(&ts, "n-1", body.as_bytes());
    let headers = vec![
        ("content-type", "application/json".to_string()),
        ("x-lark-request-timestamp", ts),
        ("x-lark-request-nonce", "n-1".to_string()),
        ("x-lark-signature", signature),
    ];
    (body, headers)
}

#[tokio::test]
async fn every_refusal_is_a_clear_4xx_and_nothing_is_dispatched() {
    let seen = Seen::default();
    let config = WebhookConfig::default()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .max_body_bytes(4096);
    let url = serve(Webhook::new(dispatcher(&seen), config)).await;
    let pusher = WebhookPusher::new(&url).verification_token(TOKEN);
    let event = pusher.event_v2(
        "im.message.receive_v1",
        json!({"message": {"content": "x"}}),
    );

    let (body, headers) = sealed(&event, now());
    assert_eq!(
        post(&url, body.clone(), &headers).await.0,
        200,
        "the well-formed request passes"
    );
    assert_eq!(seen.len(), 1);

    let refused = |rule: &str, status: u16, got: (u16, Value)| {
        assert_eq!(got.0, status, "{rule}: {}", got.1);
        assert_eq!(got.1["refused"], rule);
        assert!(got.1["msg"].as_str().is_some_and(|m| !m.is_empty()));
    };
    let mut bad_sig = headers.clone();
    bad_sig[3].1 = "0".repeat(64);
    refused(
        "bad_signature",
        401,
        post(&url, body.clone(), &bad_sig).await,
    );
    refused(
        "missing_signature",
        401,
        post(&url, body.clone(), &headers[..3]).await,
    );
    let tampered = format!(" {body}");
    refused("bad_signature", 401, post(&url, tampered, &headers).await);
    let (old, old_headers) = sealed(&event, now() - 3600);
    refused("stale_timestamp", 401, post(&url, old, &old_headers).await);
    let mut wrong_token = event.clone();
    wrong_token["header"]["token"] = json!("not-the-token");
    let (b, h) = sealed(&wrong_token, now());
    refused("bad_verification_token", 403, post(&url, b, &h).await);
    let big = json!({"encrypt": "A".repeat(5000)}).to_string();
    refused("body_too_large", 413, post(&url, big, &headers).await);
    let junk = json!({"encrypt": "bm90IGEgY2lwaGVydGV4dA=="}).to_string();
    let ts = now().to_string();
    let sig = EncryptKey::new(KEY).event_signature(&ts, "n", junk.as_bytes());
    let h = vec![
        ("x-lark-request-timestamp", ts),
        ("x-lark-request-nonce", "n".into()),
        ("x-lark-signature", sig),
    ];
    refused("malformed_encrypt", 400, post(&url, junk, &h).await);
    let mut text = headers.clone();
    text[0].1 = "text/plain".into();
    refused(
        "content_type_not_json",
        415,
        post(&url, body.clone(), &text).await,
    );
    refused(
        "malformed_body",
        400,
        post(&url, "not json", &headers[..1]).await,
    );
    let get = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let plain_with_key = WebhookPusher::new(&url).verification_token(TOKEN);
    assert_eq!(
        guard("push", plain_with_key.push(&event)).await.status,
        Some(401),
        "unsigned"
    );
    let no_key = serve(Webhook::new(dispatcher(&seen), WebhookConfig::default())).await;
    refused(
        "encrypt_key_missing",
        400,
        post(&no_key, body, &headers).await,
    );

    assert_eq!(
        seen.len(),
        1,
        "nothing refused was dispatched: {:?}",
        seen.all()
    );
}

#[tokio::test]
async fn a_re_push_after_a_slow_answer_is_handled_once() {
    let calls = Seen::default();
    let release = Arc::new(tokio::sync::Notify::new());
    let (c, r) = (calls.clone(), Arc::clone(&release));
    let dispatcher = Dispatcher::new()
        .handling(Handling::HandleThenAck {
            deadline: Duration::from_secs(30),
        })
        .on(move |m: Event<MessageReceive>| {
            let (calls, release) = (c.clone(), Arc::clone(&r));
            async move {
                calls.push(m.envelope.event_id.clone().unwrap_or_default());
                release.notified().await;
                Ok(())
            }
        });
    let config = WebhookConfig::default()
        .encrypt_key(KEY)
        .verification_token(TOKEN);
    let url = serve(Webhook::new(dispatcher, config)).await;
    let pusher = WebhookPusher::new(&url)
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .timeout(Duration::from_millis(300));
    let event = pusher.event_v2("im.message.receive_v1", json!({}));
    let out = guard("push", pusher.push(&event)).await;
    release.notify_waiters();
    assert!(
        out.attempts >= 2,
        "the slow answer made the pusher push again"
    );
    assert_eq!(
        out.status,
        Some(200),
        "the re-push was answered as a duplicate"
    );
    assert_eq!(calls.len(), 1, "handled once: {:?}", calls.all());
}

#[tokio::test]
async fn a_failed_handler_answers_500_and_its_re_push_is_handled_again() {
    let calls = Seen::default();
    let c = calls.clone();
    let dispatcher = Dispatcher::new()
        .handling(Handling::HandleThenAck {
            deadline: Duration::from_secs(30),
        })
        .on_raw("im.message.receive_v1", move |_| {
            let calls = c.clone();
            async move {
                calls.push("call");
                if calls.len() == 1 {
                    return Err("first attempt fails".into());
                }
                Ok(())
            }
        });
    let url = serve(Webhook::new(dispatcher, WebhookConfig::default())).await;
    let pusher = WebhookPusher::new(&url);
    let out = guard(
        "push",
        pusher.push(&pusher.event_v2("im.message.receive_v1", json!({}))),
    )
    .await;
    assert_eq!((out.attempts, out.status), (2, Some(200)));
    assert_eq!(calls.len(), 2);
}
