//! The long-connection client against the fake Feishu on 127.0.0.1: what goes over the wire,
//! what handlers get.

use std::sync::Arc;
use std::time::Duration;

use feishu_openapi_core::AppCredentials;
use feishu_openapi_events::card::{CardAction, CardActionReply, Toast};
use feishu_openapi_events::fake::{FakeFeishu, HandshakeRefusal};
use feishu_openapi_events::ws::frame::Frame;
use feishu_openapi_events::ws::{ClientConfig, WireClientConfig};
use feishu_openapi_events::{
    ConnectionState, Dispatcher, Event, Handling, LongConnection, LongConnectionError,
};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::common::{guard, until, MessageReceive, Seen};

fn app() -> AppCredentials {
    AppCredentials::new("cli_a1b2c3d4e5f6a7b8", "app-secret")
}

fn event(event_id: &str, event_type: &str, event: Value) -> Value {
    json!({
        "schema": "2.0",
        "header": {"event_id": event_id, "event_type": event_type, "create_time": "1700000000000", "token": "t", "app_id": "cli_a1b2c3d4e5f6a7b8"},
        "event": event
    })
}

fn recording(seen: &Seen) -> Dispatcher {
    let (a, b) = (seen.clone(), seen.clone());
    Dispatcher::new()
        .on(move |m: Event<MessageReceive>| {
            let seen = a.clone();
            async move {
                let content = m
                    .message
                    .as_ref()
                    .and_then(|m| m.content.clone())
                    .unwrap_or_default();
                if content == "fail" {
                    return Err("the handler failed".into());
                }
                seen.push(format!(
                    "{} {content}",
                    m.envelope.event_id.clone().unwrap_or_default()
                ));
                Ok(())
            }
        })
        .on(move |click: Event<CardAction>| {
            let seen = b.clone();
            async move {
                seen.push("card");
                let tag = click
                    .action
                    .as_ref()
                    .and_then(|a| a.tag.clone())
                    .unwrap_or_default();
                Ok(CardActionReply::new().toast(Toast::info(format!("clicked {tag}"))))
            }
        })
}

/// Fast server settings for tests: reconnect at once, a second between pings.
fn quick() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect_nonce = Duration::ZERO;
    config.reconnect_interval = Duration::from_millis(0);
    config
}

struct Running {
    fake: FakeFeishu,
    stop: feishu_openapi_events::ShutdownHandle,
    state: tokio::sync::watch::Receiver<ConnectionState>,
    task: JoinHandle<Result<(), LongConnectionError>>,
}

async fn start(
    dispatcher: Dispatcher,
    config: ClientConfig,
    tune: impl FnOnce(
        feishu_openapi_events::LongConnectionBuilder,
    ) -> feishu_openapi_events::LongConnectionBuilder,
) -> Running {
    let fake = FakeFeishu::start(&app()).await.unwrap();
    fake.set_client_config(config);
    let builder = LongConnection::builder(app(), dispatcher).base_url(fake.base_url());
    let client = tune(builder).build().unwrap();
    let (stop, state) = (client.shutdown_handle(), client.state());
    let task = tokio::spawn(client.run());
    Running {
        fake,
        stop,
        state,
        task,
    }
}

#[tokio::test]
async fn events_are_dispatched_and_acked_once_as_the_same_frame() {
    let seen = Seen::default();
    let r = start(recording(&seen), ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    until("first ping", || conn.pings() >= 1).await;
    conn.send_event(&event(
        "e-1",
        "im.message.receive_v1",
        json!({"message": {"content": "hi"}}),
    ));
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 200);
    assert!(ack.biz_rt.is_some_and(|rt| rt >= 0));
    assert_eq!(ack.data, None);
    assert_eq!(ack.frame.seq_id, 1);
    assert_eq!(ack.frame.log_id, 1_000_001);
    assert_eq!(ack.frame.service, 7);
    assert_eq!(ack.frame.method, 1);
    assert_eq!(ack.frame.header("message_id"), Some("msg-1"));
    assert_eq!(ack.frame.header("trace_id"), Some("trace-1"));
    until("handled", || seen.len() == 1).await;
    assert_eq!(seen.all(), ["e-1 hi"]);

    // An unknown type and the same event again: acked 200, not handled again.
    conn.send_event(&event("e-2", "some.new.event_v9", json!({})));
    conn.send_event(&event(
        "e-1",
        "im.message.receive_v1",
        json!({"message": {"content": "hi"}}),
    ));
    for _ in 0..2 {
        assert_eq!(guard("ack", conn.next_ack()).await.unwrap().code, 200);
    }
    assert!(conn.try_next_ack().await.is_none(), "one ack per message");
    assert_eq!(seen.len(), 1);
    assert!(
        matches!(&*r.state.borrow(), ConnectionState::Connected { connection_id } if connection_id == "fake-1")
    );
    r.stop.shutdown();
    assert_eq!(guard("run", r.task).await.unwrap(), Ok(()));
}

#[tokio::test]
async fn card_frames_are_answered_with_the_reply() {
    let seen = Seen::default();
    let r = start(recording(&seen), ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    conn.send_card(&event(
        "c-1",
        "card.action.trigger",
        json!({"action": {"tag": "button", "value": {"a": 1}}}),
    ));
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 200);
    assert_eq!(
        ack.data,
        Some(json!({"toast": {"type": "info", "content": "clicked button"}}))
    );
    // A card callback in an `event` frame is a callback too.
    conn.send_event(&event(
        "c-2",
        "card.action.trigger",
        json!({"action": {"tag": "select_static"}}),
    ));
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(
        ack.data.unwrap()["toast"]["content"],
        "clicked select_static"
    );
    r.stop.shutdown();
}

#[tokio::test]
async fn a_failed_handler_is_acked_500_when_handling_first() {
    let seen = Seen::default();
    let dispatcher = recording(&seen).handling(Handling::HandleThenAck {
        deadline: Duration::from_secs(10),
    });
    let r = start(dispatcher, ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    conn.send_event(&event(
        "e-f",
        "im.message.receive_v1",
        json!({"message": {"content": "fail"}}),
    ));
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 500);
    assert!(ack.biz_rt.is_some_and(|rt| rt >= 0));
    conn.send_event(&event(
        "e-g",
        "im.message.receive_v1",
        json!({"message": {"content": "ok"}}),
    ));
    assert_eq!(guard("ack", conn.next_ack()).await.unwrap().code, 200);
    assert_eq!(seen.all(), ["e-g ok"]);
    r.stop.shutdown();
}

/// A handler slower than the platform's wait: the fake pushes the event again (a new message,
/// the same event id); the duplicate is acked at once and the handler runs once.
#[tokio::test]
async fn a_slow_handler_gets_a_re_push_that_is_acked_and_not_handled_again() {
    let seen = Seen::default();
    let release = Arc::new(tokio::sync::Notify::new());
    let (s, r) = (seen.clone(), Arc::clone(&release));
    let dispatcher = Dispatcher::new()
        .on(move |m: Event<MessageReceive>| {
            let (seen, release) = (s.clone(), Arc::clone(&r));
            async move {
                release.notified().await;
                seen.push(m.envelope.event_id.clone().unwrap_or_default());
                Ok(())
            }
        })
        .handling(Handling::HandleThenAck {
            deadline: Duration::from_secs(30),
        });
    let r = start(dispatcher, ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    let slow = event("e-slow", "im.message.receive_v1", json!({"message": {}}));
    // The handler is held until released: no ack can come for the first send.
    let delivery = guard(
        "delivery",
        conn.push_event(&slow, Duration::from_millis(200), 3),
    )
    .await;
    assert_eq!(delivery.sends, 2, "{delivery:?}");
    assert_eq!(delivery.acks.len(), 1);
    assert_eq!(delivery.acks[0].code, 200);
    release.notify_one();
    // The first send's ack, once the handler finished.
    let first = guard("first ack", conn.next_ack()).await.unwrap();
    assert_eq!(first.code, 200);
    assert_eq!(seen.all(), ["e-slow"]);
    r.stop.shutdown();
}

#[tokio::test]
async fn fragments_in_any_order_make_one_message_and_one_ack() {
    let seen = Seen::default();
    let r = start(recording(&seen), ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    let long = "x".repeat(5000);
    let whole = event(
        "e-frag",
        "im.message.receive_v1",
        json!({"message": {"content": long}}),
    )
    .to_string();
    // A message missing a fragment, malformed frames and fragments, then the shuffled one.
    conn.send_fragments("event", whole.as_bytes(), 3, &[0, 2]);
    conn.send_bytes(vec![0xff, 0x01, 0x02]);
    let mut bad = conn.data_frame(
        "event",
        &[("message_id", "m-bad"), ("sum", "2"), ("seq", "5")],
        b"{}".to_vec(),
    );
    conn.send_frame(&bad);
    bad.headers[2].value = "zero".into();
    conn.send_frame(&bad);
    let id = conn.send_fragments("event", whole.as_bytes(), 4, &[3, 1, 0, 2]);
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(
        (ack.code, ack.frame.header("message_id")),
        (200, Some(id.as_str()))
    );
    until("handled", || seen.len() == 1).await;
    assert_eq!(seen.all(), [format!("e-frag {}", "x".repeat(5000))]);
    assert!(
        conn.try_next_ack().await.is_none(),
        "no ack for partial or malformed messages"
    );
    assert_eq!(
        r.fake.connections(),
        1,
        "malformed frames do not drop the connection"
    );
    r.stop.shutdown();
}

#[tokio::test]
async fn a_flood_of_partial_fragments_stays_bounded_and_the_connection_works() {
    let seen = Seen::default();
    let r = start(recording(&seen), ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    let chunk = vec![b'a'; 64 << 10];
    for i in 0..400 {
        let id = format!("flood-{i}");
        let frame = conn.data_frame(
            "event",
            &[("message_id", &id), ("sum", "2"), ("seq", "0")],
            chunk.clone(),
        );
        conn.send_frame(&frame);
    }
    conn.send_event(&event(
        "e-after",
        "im.message.receive_v1",
        json!({"message": {"content": "after"}}),
    ));
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 200);
    until("handled", || seen.len() == 1).await;
    r.stop.shutdown();
}

#[tokio::test]
async fn the_watchdog_reconnects_after_a_silent_stall() {
    let seen = Seen::default();
    let mut config = quick();
    config.ping_interval = Duration::from_secs(1);
    let r = start(recording(&seen), config, |b| {
        b.watchdog(Some(Duration::from_millis(500)))
    })
    .await;
    let first = guard("connect", r.fake.next_connection()).await;
    first.stall();
    let second = guard("reconnect after the stall", r.fake.next_connection()).await;
    assert_eq!(r.fake.endpoint_calls(), 2, "the endpoint is fetched again");
    second.send_event(&event(
        "e-w",
        "im.message.receive_v1",
        json!({"message": {"content": "back"}}),
    ));
    assert_eq!(guard("ack", second.next_ack()).await.unwrap().code, 200);
    r.stop.shutdown();
    assert_eq!(guard("run", r.task).await.unwrap(), Ok(()));
}

#[tokio::test]
async fn retryable_failures_are_retried_and_an_abrupt_close_reconnects() {
    let seen = Seen::default();
    let r = {
        let fake = FakeFeishu::start(&app()).await.unwrap();
        fake.set_client_config(quick());
        fake.fail_endpoint(1, "system busy");
        fake.fail_endpoint(1_000_040_343, "internal error");
        fake.refuse_handshake(HandshakeRefusal {
            status: 500,
            auth_code: None,
            msg: "try later".into(),
        });
        let client = LongConnection::builder(app(), recording(&seen))
            .base_url(fake.base_url())
            .client_config(quick())
            .build()
            .unwrap();
        let (stop, state) = (client.shutdown_handle(), client.state());
        let task = tokio::spawn(client.run());
        Running {
            fake,
            stop,
            state,
            task,
        }
    };
    let conn = guard("connect", r.fake.next_connection()).await;
    assert_eq!(r.fake.endpoint_calls(), 4);
    conn.close_abruptly();
    let again = guard("reconnect", r.fake.next_connection()).await;
    assert_eq!(r.fake.endpoint_calls(), 5);
    again.send_event(&event(
        "e-r",
        "im.message.receive_v1",
        json!({"message": {"content": "r"}}),
    ));
    assert_eq!(guard("ack", again.next_ack()).await.unwrap().code, 200);
    r.stop.shutdown();
    assert_eq!(guard("run", r.task).await.unwrap(), Ok(()));
}

#[tokio::test]
async fn fatal_refusals_stop_run_with_the_error() {
    let fake = FakeFeishu::start(&app()).await.unwrap();
    fake.set_client_config(quick());
    let wrong = LongConnection::builder(
        AppCredentials::new("cli_a1b2c3d4e5f6a7b8", "wrong"),
        Dispatcher::new(),
    )
    .base_url(fake.base_url())
    .build()
    .unwrap();
    let state = wrong.state();
    let err = guard("run", wrong.run()).await.unwrap_err();
    assert!(
        matches!(err, LongConnectionError::EndpointRefused { code: 514, .. }),
        "{err}"
    );
    assert_eq!(*state.borrow(), ConnectionState::Failed);

    fake.refuse_handshake(HandshakeRefusal {
        status: 514,
        auth_code: Some(1_000_040_350),
        msg: "over\u{1b}[31m limit".into(),
    });
    let client = LongConnection::builder(app(), Dispatcher::new())
        .base_url(fake.base_url())
        .build()
        .unwrap();
    let err = guard("run", client.run()).await.unwrap_err();
    let LongConnectionError::HandshakeRefused {
        status,
        auth_code,
        msg,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((*status, *auth_code), (514, Some(1_000_040_350)));
    assert!(
        !msg.contains('\u{1b}') && !err.to_string().contains('\u{1b}'),
        "control characters escaped"
    );
    assert_eq!(fake.connections(), 0);
}

#[tokio::test]
async fn the_reconnect_budget_is_the_servers() {
    let fake = FakeFeishu::start(&app()).await.unwrap();
    let mut config = quick();
    config.reconnect_count = 2;
    fake.set_client_config(config);
    let client = LongConnection::builder(app(), Dispatcher::new())
        .base_url(fake.base_url())
        .build()
        .unwrap();
    let task = tokio::spawn(client.run());
    let conn = guard("connect", fake.next_connection()).await;
    for _ in 0..5 {
        fake.fail_endpoint(1, "busy");
    }
    conn.close_abruptly();
    let err = guard("run", task).await.unwrap().unwrap_err();
    assert!(
        matches!(err, LongConnectionError::GaveUp { attempts: 2, .. }),
        "{err}"
    );
    assert_eq!(
        fake.endpoint_calls(),
        3,
        "the first connection and two reconnects"
    );
}

#[tokio::test]
async fn a_pong_carrying_settings_changes_them() {
    let seen = Seen::default();
    let r = start(recording(&seen), quick(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    // The endpoint said 120 s between pings; the next pong says 1 s and no reconnect.
    let mut wire = WireClientConfig::default();
    wire.ping_interval = Some(1);
    wire.reconnect_count = Some(0);
    conn.pong_with_settings(wire);
    conn.send_pong(None);
    until("a second ping, after the new interval", || {
        conn.pings() >= 2
    })
    .await;
    conn.close_abruptly();
    let err = guard("run", r.task).await.unwrap().unwrap_err();
    assert!(
        matches!(err, LongConnectionError::GaveUp { attempts: 0, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn shutdown_sends_in_flight_acks_then_closes() {
    let release = Arc::new(tokio::sync::Notify::new());
    let started = Seen::default();
    let (r2, s2) = (Arc::clone(&release), started.clone());
    let dispatcher = Dispatcher::new()
        .handling(Handling::HandleThenAck {
            deadline: Duration::from_secs(10),
        })
        .on_raw("im.message.receive_v1", move |_| {
            let (release, started) = (Arc::clone(&r2), s2.clone());
            async move {
                started.push("started");
                release.notified().await;
                Ok(())
            }
        });
    let r = start(dispatcher, ClientConfig::default(), |b| b).await;
    let conn = guard("connect", r.fake.next_connection()).await;
    conn.send_event(&event("e-s", "im.message.receive_v1", json!({})));
    until("handler started", || started.len() == 1).await;
    r.stop.shutdown();
    release.notify_waiters();
    let ack = guard("ack", conn.next_ack()).await.unwrap();
    assert_eq!(ack.code, 200);
    assert!(
        guard("closed", conn.closed()).await,
        "closed with a close frame"
    );
    assert_eq!(guard("run", r.task).await.unwrap(), Ok(()));
    assert_eq!(*r.state.borrow(), ConnectionState::Stopped);
}

#[tokio::test]
async fn two_apps_in_one_process_keep_their_own_events() {
    let (seen_a, seen_b) = (Seen::default(), Seen::default());
    let a = start(recording(&seen_a), ClientConfig::default(), |b| b).await;
    let b = start(recording(&seen_b), ClientConfig::default(), |b| b).await;
    let (ca, cb) = (
        guard("a", a.fake.next_connection()).await,
        guard("b", b.fake.next_connection()).await,
    );
    ca.send_event(&event(
        "a-1",
        "im.message.receive_v1",
        json!({"message": {"content": "for a"}}),
    ));
    cb.send_event(&event(
        "b-1",
        "im.message.receive_v1",
        json!({"message": {"content": "for b"}}),
    ));
    guard("ack a", ca.next_ack()).await.unwrap();
    guard("ack b", cb.next_ack()).await.unwrap();
    until("handled", || seen_a.len() == 1 && seen_b.len() == 1).await;
    assert_eq!(
        (seen_a.all(), seen_b.all()),
        (vec!["a-1 for a".to_string()], vec!["b-1 for b".to_string()])
    );
    let _: Frame = Frame::ping(0);
    a.stop.shutdown();
    b.stop.shutdown();
}
