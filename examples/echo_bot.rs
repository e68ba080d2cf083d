//! An echo bot for Feishu / Lark: it receives the messages people send it
//! (`im.message.receive_v1`) and answers each text with the same text (`message_create`).
//!
//! ```text
//! cargo run --example echo_bot --features events,im,fake                              # a demo against local fakes
//! cargo run --example echo_bot --features events,im,fake -- --webhook 127.0.0.1:0     # the same demo over a webhook
//! FEISHU_APP_ID=cli_… FEISHU_APP_SECRET=… cargo run --example echo_bot --features events,im,fake
//! FEISHU_APP_ID=cli_… FEISHU_APP_SECRET=… FEISHU_ENCRYPT_KEY=… FEISHU_VERIFICATION_TOKEN=… \
//!     cargo run --example echo_bot --features events,im,fake -- --webhook 0.0.0.0:8080
//! ```
//!
//! Events arrive over the long connection (a WebSocket the bot opens: no public URL needed), or,
//! with `--webhook ADDR`, as HTTP requests to `/webhook/event` (events) and `/webhook/card` (card
//! callbacks) on ADDR. With no credentials in the environment it starts two local fakes (the
//! crate's fake Feishu for the API, the events crate's for the long connection), pushes a few
//! events — one of a type it has no handler for — prints what it received and replied, and
//! stops. With credentials it runs until Ctrl-C.
//!
//! stdout gets exactly one line per event handled, `handled <event_type> <event_id>` (the
//! `uuid` for a schema 1.0 event, `-` when there is none), so that a script can follow it;
//! everything else goes to stderr. A failed reply is logged and the bot goes on.
//!
//! The message payload is read with a small struct of the fields the bot needs
//! ([`MessageReceived`]), through the raw handler (`Dispatcher::on_raw`). With typed payloads
//! generated for `im`, that struct becomes the generated type and `on_raw(…)` becomes
//! `on(|event: Event<…>| …)`; [`Bot::echo`] stays as it is.

use std::convert::Infallible;
use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use feishu_openapi::events::card::{CardAction, CardActionReply, LegacyCardAction, Toast};
use feishu_openapi::events::fake::{FakeConnection, WebhookPusher};
use feishu_openapi::events::{
    printable, ConnectionState, Dispatcher, Event, EventEnvelope, LongConnection, RawEvent,
    Webhook, WebhookConfig,
};
use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
use feishu_openapi::im::types::{MessageCreateRequest, ReceiveIdType};
use feishu_openapi::{AppCredentials, FeishuClient};
use http_body_util::{BodyExt as _, Full, Limited};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const USAGE: &str = "\
An echo bot for Feishu / Lark: answers every text message sent to it with the same text.

Usage: echo_bot [OPTIONS]

Options:
  --webhook ADDR   receive events as HTTP requests on ADDR (e.g. 0.0.0.0:8080): events at
                   /webhook/event, card callbacks at /webhook/card (set these as the app's request
                   URLs); without it, events come over the long connection, which needs no public URL
  -h, --help       print this help

Environment:
  FEISHU_APP_ID, FEISHU_APP_SECRET  the app's credentials (a self-built app with the bot ability, the
                                    event im.message.receive_v1 and the scope im:message:send_as_bot)
  FEISHU_BASE_URL                   another base URL (default https://open.feishu.cn;
                                    https://open.larksuite.com for Lark, or a private deployment)
  FEISHU_ENCRYPT_KEY                with --webhook: decrypt bodies and check their signatures
  FEISHU_VERIFICATION_TOKEN         with --webhook: check the token every event carries
  With no credentials it runs a demo against local fakes that it starts on 127.0.0.1, then stops;
  with credentials it runs until Ctrl-C.

Output: stdout gets one line per event handled, `handled <event_type> <event_id>` (the uuid for a
schema 1.0 event, `-` when the event has none); what it received and replied goes to stderr.
Exit status: 0 stopped (Ctrl-C, or the demo's end); 1 the connection or the server failed;
2 bad flags or environment; 130 the demo was interrupted.";

/// The exit code for bad flags or environment.
const USAGE_ERROR: u8 = 2;
/// The exit code when the demo is interrupted.
const INTERRUPTED: u8 = 130;

/// The event the bot answers.
const MESSAGE_RECEIVED: &str = "im.message.receive_v1";
/// Where `--webhook` serves events.
const EVENT_PATH: &str = "/webhook/event";
/// Where `--webhook` serves card callbacks.
const CARD_PATH: &str = "/webhook/card";
/// How long the demo waits for any one step: a guard against a hang, not a measure.
const DEMO_STEP_GUARD: Duration = Duration::from_secs(60);

/// The fields of `im.message.receive_v1` the bot reads; every one optional, unknown ones
/// ignored. (A generated payload type will take its place.)
#[derive(Debug, Default, Deserialize)]
struct MessageReceived {
    #[serde(default)]
    sender: Sender,
    #[serde(default)]
    message: ReceivedMessage,
}

/// Who sent the message.
#[derive(Debug, Default, Deserialize)]
struct Sender {
    #[serde(default)]
    sender_id: SenderId,
    /// `user`, or `app` for another bot.
    sender_type: Option<String>,
}

/// The sender's ids.
#[derive(Debug, Default, Deserialize)]
struct SenderId {
    open_id: Option<String>,
}

/// The message itself.
#[derive(Debug, Default, Deserialize)]
struct ReceivedMessage {
    message_id: Option<String>,
    /// The chat it was sent in (`oc_…`): where the reply goes.
    chat_id: Option<String>,
    /// `p2p` or `group`.
    chat_type: Option<String>,
    /// `text`, `image`, `post`, …
    message_type: Option<String>,
    /// JSON text shaped by `message_type`; `{"text": "…"}` for text.
    content: Option<String>,
}

/// Where the events come from.
#[derive(Debug, Clone, Copy)]
enum Transport {
    LongConnection,
    Webhook(SocketAddr),
}

enum Command {
    Help,
    Run(Transport),
}

/// Who the bot works for.
enum Target {
    /// Credentials from the environment: Feishu, or `FEISHU_BASE_URL`.
    Feishu(Settings),
    /// No credentials: the demo against local fakes.
    Demo {
        /// Variables set but not used by the demo, to say so.
        ignored: Vec<&'static str>,
    },
}

/// The settings read from the environment.
struct Settings {
    credentials: AppCredentials,
    base_url: Option<String>,
    encrypt_key: Option<String>,
    verification_token: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let transport = match parse_flags(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(transport)) => transport,
        Err(message) => return usage_error(&message),
    };
    let target = match target_from_env() {
        Ok(target) => target,
        Err(message) => return usage_error(&message),
    };
    init_logs();
    match target {
        Target::Feishu(settings) => run_for_real(settings, transport).await,
        Target::Demo { ignored } => {
            tokio::select! {
                biased;
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("\nInterrupted.");
                    ExitCode::from(INTERRUPTED)
                }
                code = demo(transport, &ignored) => code,
            }
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("echo_bot: error: {message} (see --help)");
    ExitCode::from(USAGE_ERROR)
}

/// Logs of the crate (connection lost, refused requests, failed handlers) on stderr, at `warn`
/// unless `RUST_LOG` says otherwise.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn parse_flags(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;

    let mut webhook = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("webhook") => {
                let value = parser
                    .value()
                    .map_err(|_| "--webhook needs an address such as 0.0.0.0:8080")?;
                let value = value
                    .into_string()
                    .map_err(|v| format!("--webhook: {v:?} is not valid Unicode"))?;
                let addr: SocketAddr = value.parse().map_err(|_| {
                    format!(
                        "--webhook {value:?} is not an address to listen on: give an IP and a \
                         port, e.g. 0.0.0.0:8080 or 127.0.0.1:0"
                    )
                })?;
                if webhook.replace(addr).is_some() {
                    return Err("--webhook is given twice".into());
                }
            }
            Long(name) => return Err(format!("unknown flag --{name}")),
            Short(c) => return Err(format!("unknown flag -{c}")),
            Value(value) => return Err(format!("unexpected argument {value:?}")),
        }
    }
    Ok(Command::Run(
        webhook.map_or(Transport::LongConnection, Transport::Webhook),
    ))
}

/// Reads the settings; an empty variable counts as unset.
fn target_from_env() -> Result<Target, String> {
    let var = |name: &str| -> Result<Option<String>, String> {
        match std::env::var_os(name) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => v
                .into_string()
                .map(Some)
                .map_err(|_| format!("{name} is not valid Unicode")),
        }
    };
    let base_url = var("FEISHU_BASE_URL")?;
    let encrypt_key = var("FEISHU_ENCRYPT_KEY")?;
    let verification_token = var("FEISHU_VERIFICATION_TOKEN")?;
    match (var("FEISHU_APP_ID")?, var("FEISHU_APP_SECRET")?) {
        (Some(id), Some(secret)) => Ok(Target::Feishu(Settings {
            credentials: AppCredentials::new(id, secret),
            base_url,
            encrypt_key,
            verification_token,
        })),
        (Some(_), None) => {
            Err("FEISHU_APP_ID is set but FEISHU_APP_SECRET is not: set both".into())
        }
        (None, Some(_)) => {
            Err("FEISHU_APP_SECRET is set but FEISHU_APP_ID is not: set both".into())
        }
        (None, None) => {
            let mut ignored = Vec::new();
            for (name, set) in [
                ("FEISHU_BASE_URL", base_url.is_some()),
                ("FEISHU_ENCRYPT_KEY", encrypt_key.is_some()),
                ("FEISHU_VERIFICATION_TOKEN", verification_token.is_some()),
                (
                    "FEISHU_TENANT_ACCESS_TOKEN",
                    var("FEISHU_TENANT_ACCESS_TOKEN")?.is_some(),
                ),
            ] {
                if set {
                    ignored.push(name);
                }
            }
            Ok(Target::Demo { ignored })
        }
    }
}

/// What the handlers share: the API client for replies, and, in the demo, where to say that an
/// event was handled.
#[derive(Clone)]
struct Bot {
    feishu: FeishuClient,
    handled: Option<mpsc::UnboundedSender<()>>,
}

impl Bot {
    /// The handlers: messages are echoed, card clicks get a toast, and every other event is
    /// acknowledged and reported.
    fn dispatcher(self) -> Dispatcher {
        let (on_message, on_card, on_legacy_card, on_other) =
            (self.clone(), self.clone(), self.clone(), self);
        Dispatcher::new()
            .on_raw(MESSAGE_RECEIVED, move |event: RawEvent| {
                let bot = on_message.clone();
                async move {
                    announce(&event.envelope);
                    match event.parse::<MessageReceived>() {
                        Ok(message) => bot.echo(&event.envelope, message).await,
                        Err(e) => eprintln!("  the message does not read as expected: {e}"),
                    }
                    bot.done();
                    Ok(())
                }
            })
            .on(move |click: Event<CardAction>| {
                let bot = on_card.clone();
                async move {
                    announce(&click.envelope);
                    let operator = click.operator.as_ref().and_then(|o| o.open_id.as_deref());
                    let value = click.action.as_ref().and_then(|a| a.value.as_ref());
                    eprintln!(
                        "  card clicked by {} with value {}",
                        shown(operator),
                        shown(value.map(Value::to_string).as_deref())
                    );
                    bot.done();
                    Ok(CardActionReply::new().toast(Toast::success("Echo bot: got your click")))
                }
            })
            .on(move |click: Event<LegacyCardAction>| {
                let bot = on_legacy_card.clone();
                async move {
                    announce(&click.envelope);
                    eprintln!(
                        "  legacy card clicked by {}",
                        shown(click.open_id.as_deref())
                    );
                    bot.done();
                    Ok(json!({"toast": {"type": "success", "content": "Echo bot: got your click"}}))
                }
            })
            .on_unknown(move |event: RawEvent| {
                let bot = on_other.clone();
                async move {
                    announce(&event.envelope);
                    eprintln!("  no handler for this type: acknowledged, nothing else to do");
                    bot.done();
                    Ok(())
                }
            })
    }

    /// Answers a message in its chat: its text, or a note for other kinds. A failed reply is
    /// logged; the bot goes on.
    async fn echo(&self, envelope: &EventEnvelope, received: MessageReceived) {
        let message = received.message;
        let kind = message.message_type.as_deref().unwrap_or("unknown");
        let text = message.content.as_deref().and_then(text_of);
        eprintln!(
            "  received {} {} from {} in {} chat {}{}",
            printable(kind),
            shown(message.message_id.as_deref()),
            shown(received.sender.sender_id.open_id.as_deref()),
            shown(message.chat_type.as_deref()),
            shown(message.chat_id.as_deref()),
            text.as_deref()
                .map_or(String::new(), |t| format!(": {}", quoted(t))),
        );
        if received.sender.sender_type.as_deref() == Some("app") {
            eprintln!("  sent by an app: not echoed");
            return;
        }
        let Some(chat_id) = message.chat_id else {
            eprintln!("  no chat to answer in: not echoed");
            return;
        };
        let reply = match text {
            Some(text) if kind == "text" => text,
            _ => format!("I echo text messages; this one is {kind}."),
        };
        let mut body = MessageCreateRequest::builder()
            .receive_id(chat_id.clone())
            .msg_type("text")
            .content(json!({ "text": reply }).to_string());
        // A re-pushed event is answered once: Feishu sends a uuid at most once an hour.
        if let Some(id) = envelope.event_id.as_ref().filter(|id| id.len() <= 50) {
            body = body.uuid(Some(id.clone()));
        }
        let sent = self
            .feishu
            .im()
            .message_create()
            .receive_id_type(ReceiveIdType::ChatId)
            .body(body)
            .call()
            .await;
        match sent {
            Ok(sent) => eprintln!(
                "  replied {} in chat {}: {}",
                shown(sent.message_id.as_deref()),
                printable(&chat_id),
                quoted(&reply)
            ),
            Err(e) => eprintln!("  reply failed (logged; the bot goes on): {e}"),
        }
    }

    /// Tells the demo that an event was handled.
    fn done(&self) {
        if let Some(handled) = &self.handled {
            let _ = handled.send(());
        }
    }
}

/// The line a script follows: `handled <event_type> <event_id>`.
fn announce(envelope: &EventEnvelope) {
    println!(
        "handled {} {}",
        word(&envelope.event_type),
        envelope.event_id.as_deref().map_or("-".to_string(), word)
    );
}

/// The text of a text message, without the placeholders of mentions (`@_user_1`).
fn text_of(content: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Text {
        text: String,
    }
    let text = serde_json::from_str::<Text>(content).ok()?.text;
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.starts_with("@_user_") && *w != "@_all")
        .collect();
    Some(words.join(" "))
}

/// Server text as one word: [`printable`] (the events crate's), with white space escaped too.
fn word(text: &str) -> String {
    let text = printable(text);
    if text.is_empty() {
        return "-".into();
    }
    text.chars()
        .map(|c| {
            if c.is_whitespace() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", printable(text))
}

fn shown(text: Option<&str>) -> String {
    text.map_or_else(|| "(none)".into(), printable)
}

/// Runs until Ctrl-C against Feishu (or `FEISHU_BASE_URL`).
async fn run_for_real(settings: Settings, transport: Transport) -> ExitCode {
    let mut builder = FeishuClient::builder().app_credentials(
        settings.credentials.app_id.clone(),
        settings.credentials.app_secret.expose_secret(),
    );
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url.clone());
    }
    let feishu = match builder.build() {
        Ok(feishu) => feishu,
        Err(e) => return usage_error(&e.to_string()),
    };
    let bot = Bot {
        feishu,
        handled: None,
    };
    let base_url = settings
        .base_url
        .clone()
        .unwrap_or_else(|| feishu_openapi::events::ws::FEISHU_BASE_URL.to_string());
    match transport {
        Transport::LongConnection => {
            if settings.encrypt_key.is_some() || settings.verification_token.is_some() {
                eprintln!(
                    "FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN are for --webhook; the long \
                     connection does not use them."
                );
            }
            run_long_connection(settings.credentials, &base_url, bot).await
        }
        Transport::Webhook(addr) => {
            let mut config = WebhookConfig::default();
            match settings.encrypt_key {
                Some(key) => config = config.encrypt_key(key),
                None => eprintln!(
                    "No FEISHU_ENCRYPT_KEY: bodies are not decrypted and signatures not checked."
                ),
            }
            match settings.verification_token {
                Some(token) => config = config.verification_token(token),
                None => eprintln!("No FEISHU_VERIFICATION_TOKEN: event tokens are not checked."),
            }
            let listener = match TcpListener::bind(addr).await {
                Ok(listener) => listener,
                Err(e) => {
                    eprintln!("echo_bot: cannot listen on {addr}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let webhook = Webhook::new(bot.dispatcher(), config);
            say_listening(&listener);
            eprintln!(
                "Replying through {base_url} as app {}; Ctrl-C stops.",
                printable(&settings.credentials.app_id)
            );
            tokio::select! {
                () = serve_webhook(listener, webhook) => ExitCode::FAILURE,
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("\nStopped.");
                    ExitCode::SUCCESS
                }
            }
        }
    }
}

/// The long connection until Ctrl-C (a graceful stop: in-flight acks are sent) or a fatal error.
async fn run_long_connection(credentials: AppCredentials, base_url: &str, bot: Bot) -> ExitCode {
    let app_id = printable(&credentials.app_id);
    let client = match LongConnection::builder(credentials, bot.dispatcher())
        .base_url(base_url)
        .build()
    {
        Ok(client) => client,
        Err(e) => return usage_error(&e.to_string()),
    };
    eprintln!("Connecting to {base_url} as app {app_id} over the long connection; Ctrl-C stops.");
    tokio::spawn(report_states(client.state()));
    let stop = client.shutdown_handle();
    let run = client.run();
    tokio::pin!(run);
    let ended = tokio::select! {
        biased;
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\nStopping: sending the acks of events being handled.");
            stop.shutdown();
            run.await
        }
        ended = &mut run => ended,
    };
    match ended {
        Ok(()) => {
            eprintln!("Stopped.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("echo_bot: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The connection's state changes, on stderr.
async fn report_states(mut state: tokio::sync::watch::Receiver<ConnectionState>) {
    while state.changed().await.is_ok() {
        let now = state.borrow_and_update().clone();
        match now {
            ConnectionState::Connected { connection_id } => {
                eprintln!("Connected (connection {connection_id}); waiting for messages.");
            }
            ConnectionState::Reconnecting { attempt } => {
                eprintln!("Connection lost; reconnecting (attempt {attempt}).");
            }
            _ => {}
        }
    }
}

fn say_listening(listener: &TcpListener) {
    if let Ok(addr) = listener.local_addr() {
        eprintln!(
            "Listening on http://{addr}: events at {EVENT_PATH}, card callbacks at {CARD_PATH}."
        );
    }
}

/// Serves the webhook's two paths over HTTP/1 until dropped.
async fn serve_webhook(listener: TcpListener, webhook: Webhook) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let webhook = webhook.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let webhook = webhook.clone();
                async move { Ok::<_, Infallible>(answer(&webhook, request).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

/// One request: the webhook's answer at its two paths, 404 elsewhere.
async fn answer(
    webhook: &Webhook,
    request: http::Request<hyper::body::Incoming>,
) -> http::Response<Full<Bytes>> {
    if !matches!(request.uri().path(), EVENT_PATH | CARD_PATH) {
        return plain(http::StatusCode::NOT_FOUND, "not found");
    }
    let limit = webhook.config().max_body_bytes;
    let (parts, body) = request.into_parts();
    match Limited::new(body, limit).collect().await {
        Ok(body) => webhook
            .handle(http::Request::from_parts(parts, body.to_bytes()))
            .await
            .map(Full::new),
        Err(_) => plain(http::StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
    }
}

fn plain(status: http::StatusCode, text: &'static str) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

// ---- the demo ----

/// One push of the demo.
struct Step {
    /// What is pushed, for stderr.
    what: &'static str,
    envelope: Value,
    /// A card callback (a `card` frame, or a POST to `/webhook/card`).
    card: bool,
    /// The bot handles it (a duplicate is only acknowledged).
    handled: bool,
    /// The reply to this message fails (the fake answers an error).
    reply_fails: bool,
}

/// The demo: starts the fake, runs the bot against it, pushes [`steps`], and stops.
async fn demo(transport: Transport, ignored: &[&str]) -> ExitCode {
    let api = FakeFeishu::start().await;
    let credentials = AppCredentials::new(api.app_id(), api.app_secret());
    eprintln!(
        "No credentials are set, so this runs against a fake Feishu it just started at {} (the \
         API for the replies, and the events it pushes). Nothing leaves this machine.",
        api.base_url()
    );
    eprintln!(
        "To run the bot for real, set FEISHU_APP_ID and FEISHU_APP_SECRET (and \
         FEISHU_BASE_URL=https://open.larksuite.com for Lark)."
    );
    for name in ignored {
        eprintln!("{name} is ignored without credentials.");
    }
    let feishu = match FeishuClient::builder()
        .app_credentials(credentials.app_id.clone(), api.app_secret())
        .base_url(api.base_url())
        .build()
    {
        Ok(feishu) => feishu,
        Err(e) => {
            eprintln!("echo_bot: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (handled_tx, handled) = mpsc::unbounded_channel();
    let bot = Bot {
        feishu,
        handled: Some(handled_tx),
    };
    let outcome = match transport {
        Transport::LongConnection => demo_long_connection(credentials, bot, &api, handled).await,
        Transport::Webhook(addr) => demo_webhook(addr, bot, &api, handled).await,
    };
    if let Err(e) = outcome {
        eprintln!("echo_bot: the demo failed: {e}");
        return ExitCode::FAILURE;
    }
    let replies: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.path == "/open-apis/im/v1/messages")
        .collect();
    eprintln!("The fake Feishu received {} replies:", replies.len());
    for reply in replies {
        eprintln!(
            "  {} {}?{} {}",
            reply.method,
            reply.path,
            printable(reply.query.as_deref().unwrap_or("")),
            printable(&String::from_utf8_lossy(&reply.body))
        );
    }
    eprintln!("Demo done.");
    ExitCode::SUCCESS
}

/// The demo over the long connection: the fake pushes frames, the bot acks them.
async fn demo_long_connection(
    credentials: AppCredentials,
    bot: Bot,
    api: &FakeFeishu,
    mut handled: mpsc::UnboundedReceiver<()>,
) -> Result<(), String> {
    // One base URL, as Feishu has: the fake answers the long connection's endpoint call too.
    let events = api.long_connection();
    let client = LongConnection::builder(credentials, bot.dispatcher())
        .base_url(api.base_url())
        .build()
        .map_err(|e| e.to_string())?;
    let stop = client.shutdown_handle();
    let running = tokio::spawn(client.run());
    let connection: FakeConnection = guard("the connection", events.next_connection()).await?;
    eprintln!("Connected over the long connection to the fake Feishu.");
    for step in steps("") {
        eprintln!("fake → bot: {}", step.what);
        if step.reply_fails {
            fail_next_reply(api);
        }
        if step.card {
            connection.send_card(&step.envelope);
        } else {
            connection.send_event(&step.envelope);
        }
        let ack = guard("the ack", connection.next_ack())
            .await?
            .ok_or("the connection ended before the ack")?;
        if step.handled {
            guard("the handler", handled.recv()).await?;
        }
        match &ack.data {
            Some(reply) => eprintln!(
                "fake ← bot: ack {} with the reply {}",
                ack.code,
                printable(&reply.to_string())
            ),
            None => eprintln!("fake ← bot: ack {}", ack.code),
        }
    }
    stop.shutdown();
    guard("the shutdown", running)
        .await?
        .map_err(|e| format!("the bot's task failed: {e}"))?
        .map_err(|e| e.to_string())?;
    eprintln!("Long connection closed.");
    Ok(())
}

/// The demo over a webhook: the bot serves `addr`, a pusher posts the events, encrypted and
/// signed with a key and token made for the run.
async fn demo_webhook(
    addr: SocketAddr,
    bot: Bot,
    api: &FakeFeishu,
    mut handled: mpsc::UnboundedReceiver<()>,
) -> Result<(), String> {
    let encrypt_key = format!("demo-key-{:016x}", fastrand::u64(..));
    let token = format!("demo-token-{:016x}", fastrand::u64(..));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    say_listening(&listener);
    let config = WebhookConfig::default()
        .encrypt_key(encrypt_key.clone())
        .verification_token(token.clone());
    let server = tokio::spawn(serve_webhook(
        listener,
        Webhook::new(bot.dispatcher(), config),
    ));
    // The pusher reaches an unspecified address (0.0.0.0) on loopback.
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    let base = format!("http://{}", SocketAddr::new(ip, local.port()));
    let pusher = |path: &str| {
        WebhookPusher::new(format!("{base}{path}"))
            .encrypt_key(encrypt_key.clone())
            .verification_token(token.clone())
    };
    let (events, cards) = (pusher(EVENT_PATH), pusher(CARD_PATH));
    eprintln!("The fake pushes encrypted and signed requests (a key and token made for this run).");
    for step in steps(&token) {
        eprintln!("fake → bot: {}", step.what);
        if step.reply_fails {
            fail_next_reply(api);
        }
        let to = if step.card { &cards } else { &events };
        let outcome = guard("the answer", to.push(&step.envelope)).await?;
        if step.handled {
            guard("the handler", handled.recv()).await?;
        }
        eprintln!(
            "fake ← bot: HTTP {} {}",
            outcome.status.map_or("(none)".into(), |s| s.to_string()),
            printable(&String::from_utf8_lossy(&outcome.body))
        );
    }
    server.abort();
    Ok(())
}

/// The next `message_create` gets Feishu's 230002 (the bot is not in the chat).
fn fail_next_reply(api: &FakeFeishu) {
    api.inject(
        Endpoint::Operation("message_create"),
        Fault::Error {
            status: 400,
            code: 230002,
            msg: "Bot/User can NOT be out of the chat.".into(),
        },
    );
}

/// Waits for `what`, at most [`DEMO_STEP_GUARD`].
async fn guard<T>(what: &str, future: impl std::future::Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(DEMO_STEP_GUARD, future)
        .await
        .map_err(|_| format!("{what} did not come within {DEMO_STEP_GUARD:?}"))
}

/// What the demo pushes; `token` is the verification token the envelopes carry.
fn steps(token: &str) -> Vec<Step> {
    let first = v2(
        token,
        MESSAGE_RECEIVED,
        message("p2p", "hello, bot", "text"),
    );
    vec![
        Step {
            what: "a text message in a one-to-one chat",
            envelope: first.clone(),
            card: false,
            handled: true,
            reply_fails: false,
        },
        Step {
            what: "the same event again (a re-push: acknowledged, not handled twice)",
            envelope: first,
            card: false,
            handled: false,
            reply_fails: false,
        },
        Step {
            what: "a text message in a group that mentions the bot; its reply fails",
            envelope: v2(
                token,
                MESSAGE_RECEIVED,
                message("group", "@_user_1 ping", "text"),
            ),
            card: false,
            handled: true,
            reply_fails: true,
        },
        Step {
            what: "an image",
            envelope: v2(token, MESSAGE_RECEIVED, message("p2p", "", "image")),
            card: false,
            handled: true,
            reply_fails: false,
        },
        Step {
            what: "a click on a card's button",
            envelope: v2(
                token,
                "card.action.trigger",
                json!({
                    "operator": {"open_id": "ou_7d8a6e6df7621556ce0d21922b676706"},
                    "action": {"tag": "button", "value": {"echo": "clicked"}},
                    "context": {"open_message_id": "om_dc13264520392913993dd051dba21dcf",
                                "open_chat_id": "oc_5ad11d72b830411d72b836c20"}
                }),
            ),
            card: true,
            handled: true,
            reply_fails: false,
        },
        Step {
            what: "an event of a type the bot has no handler for (schema 1.0)",
            envelope: json!({
                "uuid": fresh_id(),
                "token": token,
                "ts": format!("{}.000000", unix_now()),
                "type": "event_callback",
                "event": {
                    "type": "app_status_change",
                    "app_id": feishu_openapi::fake::DEFAULT_APP_ID,
                    "tenant_key": "fake-tenant",
                    "status": "start_by_tenant"
                }
            }),
            card: false,
            handled: true,
            reply_fails: false,
        },
    ]
}

/// A schema 2.0 envelope with a fresh event id.
fn v2(token: &str, event_type: &str, event: Value) -> Value {
    json!({
        "schema": "2.0",
        "header": {
            "event_id": fresh_id(),
            "event_type": event_type,
            "create_time": (unix_now() * 1000).to_string(),
            "token": token,
            "app_id": feishu_openapi::fake::DEFAULT_APP_ID,
            "tenant_key": "fake-tenant"
        },
        "event": event
    })
}

/// An `im.message.receive_v1` payload.
fn message(chat_type: &str, text: &str, message_type: &str) -> Value {
    let content = match message_type {
        "text" => json!({ "text": text }),
        _ => json!({ "image_key": "img_v2_041b28e3-5680-48c2-9af2-497ace79333g" }),
    };
    json!({
        "sender": {
            "sender_id": {"open_id": "ou_7d8a6e6df7621556ce0d21922b676706"},
            "sender_type": "user",
            "tenant_key": "fake-tenant"
        },
        "message": {
            "message_id": format!("om_{}", fresh_id()),
            "chat_id": if chat_type == "p2p" { "oc_5ad11d72b830411d72b836c20" } else { "oc_a0553eda9014c201e6969b478895c230" },
            "chat_type": chat_type,
            "message_type": message_type,
            "content": content.to_string(),
            "create_time": (unix_now() * 1000).to_string()
        }
    })
}

fn fresh_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
