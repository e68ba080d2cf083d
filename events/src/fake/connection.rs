//! One client connection of the fake: frames pushed, pings answered, acks recorded, faults.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::ws::frame::{key, kind, Frame, Header, METHOD_CONTROL, METHOD_DATA};
use crate::ws::WireClientConfig;

enum Command {
    Send(Message),
    Abort,
}

/// An ack the client sent, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    /// The frame as it came.
    pub frame: Frame,
    /// The payload's `code`.
    pub code: u16,
    /// The payload's `data`, base64-decoded and read as JSON.
    pub data: Option<Value>,
    /// The `biz_rt` header.
    pub biz_rt: Option<i64>,
}

impl Ack {
    fn read(frame: Frame) -> Self {
        let payload: Value = frame
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_slice(p).ok())
            .unwrap_or(Value::Null);
        let code = payload["code"]
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(0);
        let data = payload["data"]
            .as_str()
            .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
            .and_then(|d| serde_json::from_slice(&d).ok());
        let biz_rt = frame.header(key::BIZ_RT).and_then(|v| v.parse().ok());
        Self {
            frame,
            code,
            data,
            biz_rt,
        }
    }
}

/// What [`FakeConnection::push_event`] did: how many times it sent the event, and the acks
/// that came back for those sends, in order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Delivery {
    /// Sends (1 + re-pushes).
    pub sends: u32,
    /// The acks of those sends.
    pub acks: Vec<Ack>,
}

/// The server side of one client connection.
#[derive(Debug)]
pub struct FakeConnection {
    commands: mpsc::UnboundedSender<Command>,
    acks: tokio::sync::Mutex<mpsc::UnboundedReceiver<Frame>>,
    pings: Arc<AtomicUsize>,
    stalled: Arc<AtomicBool>,
    pong_settings: Arc<Mutex<Option<WireClientConfig>>>,
    ended: watch::Receiver<Option<bool>>,
    next: AtomicU64,
    service_id: i32,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

impl FakeConnection {
    pub(super) fn serve(ws: WebSocketStream<TcpStream>, service_id: i32) -> Self {
        let (commands, mut command_rx) = mpsc::unbounded_channel();
        let (ack_tx, acks) = mpsc::unbounded_channel();
        let pings = Arc::new(AtomicUsize::new(0));
        let stalled = Arc::new(AtomicBool::new(false));
        let pong_settings = Arc::new(Mutex::new(None::<WireClientConfig>));
        let (ended_tx, ended) = watch::channel(None);
        let (p, s, ps) = (
            Arc::clone(&pings),
            Arc::clone(&stalled),
            Arc::clone(&pong_settings),
        );
        tokio::spawn(async move {
            let (mut sink, mut stream) = ws.split();
            let graceful = loop {
                tokio::select! {
                    command = command_rx.recv() => match command {
                        Some(Command::Send(message)) => {
                            if sink.send(message).await.is_err() {
                                break false;
                            }
                        }
                        Some(Command::Abort) | None => break false,
                    },
                    message = stream.next() => match message {
                        Some(Ok(Message::Binary(bytes))) => {
                            let Ok(frame) = Frame::from_bytes(&bytes) else { continue };
                            if frame.method == METHOD_CONTROL && frame.kind() == kind::PING {
                                p.fetch_add(1, Ordering::SeqCst);
                                if !s.load(Ordering::SeqCst) {
                                    let settings = ps.lock().unwrap_or_else(|e| e.into_inner()).take();
                                    let pong = pong(service_id, settings.as_ref());
                                    if sink.send(Message::Binary(pong.to_bytes().into())).await.is_err() {
                                        break false;
                                    }
                                }
                            } else if frame.method == METHOD_DATA {
                                let _ = ack_tx.send(frame);
                            }
                        }
                        Some(Ok(Message::Close(_))) => break true,
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break false,
                    },
                }
            };
            let _ = ended_tx.send(Some(graceful));
        });
        Self {
            commands,
            acks: tokio::sync::Mutex::new(acks),
            pings,
            stalled,
            pong_settings,
            ended,
            next: AtomicU64::new(1),
            service_id,
        }
    }

    fn send(&self, message: Message) {
        let _ = self.commands.send(Command::Send(message));
    }

    /// Sends a frame as it is.
    pub fn send_frame(&self, frame: &Frame) {
        self.send(Message::Binary(frame.to_bytes().into()));
    }

    /// Sends bytes that may not be a frame at all.
    pub fn send_bytes(&self, bytes: Vec<u8>) {
        self.send(Message::Binary(bytes.into()));
    }

    /// A data frame of `kind` with these headers and payload; fresh SeqID and LogID.
    pub fn data_frame(&self, kind: &str, headers: &[(&str, &str)], payload: Vec<u8>) -> Frame {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let mut all = vec![Header {
            key: key::TYPE.into(),
            value: kind.into(),
        }];
        all.extend(headers.iter().map(|(k, v)| Header {
            key: (*k).into(),
            value: (*v).into(),
        }));
        all.push(Header {
            key: key::TRACE_ID.into(),
            value: format!("trace-{n}"),
        });
        Frame {
            seq_id: n,
            log_id: 1_000_000 + n,
            service: self.service_id,
            method: METHOD_DATA,
            headers: all,
            payload: Some(payload),
            ..Frame::default()
        }
    }

    /// Pushes a whole message of `kind` (`event` or `card`); its `message_id`.
    pub fn send_message(&self, kind: &str, payload: &[u8]) -> String {
        let id = format!("msg-{}", self.next.load(Ordering::SeqCst));
        let frame = self.data_frame(
            kind,
            &[(key::MESSAGE_ID, &id), (key::SUM, "1"), (key::SEQ, "0")],
            payload.to_vec(),
        );
        self.send_frame(&frame);
        id
    }

    /// Pushes an event (a `type=event` frame); its `message_id`.
    pub fn send_event(&self, envelope: &Value) -> String {
        self.send_message(kind::EVENT, envelope.to_string().as_bytes())
    }

    /// Pushes an event as the platform does when it waits for the handler: sent, then sent
    /// again (a new message, the same event) each time no ack with code 200 comes back within
    /// `within` — a handler slower than the platform's limit, or one that failed — until
    /// `attempts` sends in all. Reads acks meanwhile (an ack of another message is dropped).
    pub async fn push_event(&self, envelope: &Value, within: Duration, attempts: u32) -> Delivery {
        let mut delivery = Delivery::default();
        let mut sent = Vec::new();
        while delivery.sends < attempts.max(1) {
            sent.push(self.send_event(envelope));
            delivery.sends += 1;
            let deadline = tokio::time::Instant::now() + within;
            loop {
                match tokio::time::timeout_at(deadline, self.next_ack()).await {
                    Ok(Some(ack)) => {
                        let ours = ack
                            .frame
                            .header(key::MESSAGE_ID)
                            .is_some_and(|id| sent.iter().any(|s| s == id));
                        if !ours {
                            continue;
                        }
                        let done = ack.code == 200;
                        delivery.acks.push(ack);
                        if done {
                            return delivery;
                        }
                    }
                    // The connection ended: nothing more will come.
                    Ok(None) => return delivery,
                    Err(_) => {}
                }
                break;
            }
        }
        delivery
    }

    /// Pushes a card callback (a `type=card` frame); its `message_id`.
    pub fn send_card(&self, envelope: &Value) -> String {
        self.send_message(kind::CARD, envelope.to_string().as_bytes())
    }

    /// Pushes `payload` cut into `sum` fragments, sent in the order of `order` (indexes, any
    /// order, repeats and gaps allowed); the `message_id`.
    pub fn send_fragments(
        &self,
        kind: &str,
        payload: &[u8],
        sum: usize,
        order: &[usize],
    ) -> String {
        let id = format!("msg-{}", self.next.load(Ordering::SeqCst));
        let size = payload.len().div_ceil(sum.max(1)).max(1);
        let parts: Vec<&[u8]> = (0..sum)
            .map(|i| {
                payload
                    .get((i * size).min(payload.len())..((i + 1) * size).min(payload.len()))
                    .unwrap_or(&[])
            })
            .collect();
        let sum_text = sum.to_string();
        for &i in order {
            let seq = i.to_string();
            let part = parts.get(i).copied().unwrap_or(&[]).to_vec();
            let frame = self.data_frame(
                kind,
                &[
                    (key::MESSAGE_ID, &id),
                    (key::SUM, &sum_text),
                    (key::SEQ, &seq),
                ],
                part,
            );
            self.send_frame(&frame);
        }
        id
    }

    /// Sends a pong now, with settings or without.
    pub fn send_pong(&self, settings: Option<&WireClientConfig>) {
        self.send_frame(&pong(self.service_id, settings));
    }

    /// The next pong answering a ping carries `settings`.
    pub fn pong_with_settings(&self, settings: WireClientConfig) {
        *self.pong_settings.lock().unwrap_or_else(|e| e.into_inner()) = Some(settings);
    }

    /// From now on the server is silent: pings go unanswered (the socket stays open).
    pub fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
    }

    /// Drops the TCP connection without a close frame.
    pub fn close_abruptly(&self) {
        let _ = self.commands.send(Command::Abort);
    }

    /// Pings received so far.
    pub fn pings(&self) -> usize {
        self.pings.load(Ordering::SeqCst)
    }

    /// The next ack (data frame) from the client; `None` once the connection ended and every
    /// ack was read.
    pub async fn next_ack(&self) -> Option<Ack> {
        self.acks.lock().await.recv().await.map(Ack::read)
    }

    /// An ack already received, without waiting.
    pub async fn try_next_ack(&self) -> Option<Ack> {
        self.acks.lock().await.try_recv().ok().map(Ack::read)
    }

    /// Waits until the connection ends: `true` when the client closed it with a close frame.
    pub async fn closed(&self) -> bool {
        let mut ended = self.ended.clone();
        loop {
            if let Some(graceful) = *ended.borrow_and_update() {
                return graceful;
            }
            if ended.changed().await.is_err() {
                return false;
            }
        }
    }
}

fn pong(service_id: i32, settings: Option<&WireClientConfig>) -> Frame {
    Frame {
        service: service_id,
        method: METHOD_CONTROL,
        headers: vec![Header {
            key: key::TYPE.into(),
            value: kind::PONG.into(),
        }],
        payload: settings.map(|s| serde_json::to_vec(s).unwrap_or_default()),
        ..Frame::default()
    }
}
