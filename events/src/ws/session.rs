//! One connected session: pings, the watchdog, frames in, acks out.

use std::sync::{Arc, Mutex};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, Semaphore};
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

use super::config::{ClientConfig, WireClientConfig};
use super::fragments::Reassembler;
use super::frame::{key, kind, Frame, METHOD_CONTROL, METHOD_DATA};
use super::Settings;
use crate::dispatcher::{Answer, Dispatcher};
use crate::envelope::{self, Incoming};
use crate::event::Transport;

/// How a session ended.
#[derive(Debug)]
pub(crate) enum SessionEnd {
    /// Shut down on request; in-flight acks were sent.
    Shutdown,
    /// The connection is gone (why).
    Lost(String),
}

pub(crate) struct Session<'a> {
    pub service_id: i32,
    pub dispatcher: &'a Arc<Dispatcher>,
    pub config: &'a Mutex<ClientConfig>,
    pub settings: &'a Settings,
    pub shutdown: &'a CancellationToken,
    pub in_flight: &'a Arc<Semaphore>,
}

fn binary(frame: &Frame) -> Message {
    Message::Binary(frame.to_bytes().into())
}

impl Session<'_> {
    fn ping_interval(&self) -> std::time::Duration {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ping_interval
    }

    pub(crate) async fn run<S>(self, ws: WebSocketStream<S>) -> SessionEnd
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let (mut sink, mut stream) = ws.split();
        let (ack_tx, mut ack_rx) = mpsc::channel::<Frame>(64);
        let mut reassembler = Reassembler::new(self.settings.fragment_limits);
        if let Err(e) = sink.send(binary(&Frame::ping(self.service_id))).await {
            return SessionEnd::Lost(format!("the first ping failed: {e}"));
        }
        let now = Instant::now();
        let mut last_ping = now;
        let mut next_ping = now + self.ping_interval();
        let mut watchdog = self.settings.watchdog.map(|t| now + t);
        let end = loop {
            let expiry = reassembler.next_expiry();
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => break SessionEnd::Shutdown,
                Some(ack) = ack_rx.recv() => {
                    if let Err(e) = sink.send(binary(&ack)).await {
                        break SessionEnd::Lost(format!("sending an ack failed: {e}"));
                    }
                }
                message = stream.next() => match message {
                    None => break SessionEnd::Lost("the connection ended".into()),
                    Some(Err(e)) => {
                        break SessionEnd::Lost(format!("reading failed: {}", crate::printable(&e.to_string())));
                    }
                    Some(Ok(Message::Close(_))) => break SessionEnd::Lost("closed by the server".into()),
                    Some(Ok(Message::Binary(bytes))) => {
                        watchdog = None;
                        if self.on_frame(&bytes, &mut reassembler, &ack_tx).await {
                            next_ping = last_ping + self.ping_interval();
                        }
                    }
                    Some(Ok(_)) => watchdog = None,
                },
                () = sleep_until(next_ping) => {
                    if let Err(e) = sink.send(binary(&Frame::ping(self.service_id))).await {
                        break SessionEnd::Lost(format!("a ping failed: {e}"));
                    }
                    let now = Instant::now();
                    last_ping = now;
                    next_ping = now + self.ping_interval();
                    if watchdog.is_none() {
                        watchdog = self.settings.watchdog.map(|t| now + t);
                    }
                }
                () = sleep_until(watchdog.unwrap_or(next_ping)), if watchdog.is_some() => {
                    break SessionEnd::Lost("no frame arrived in time after a ping (watchdog)".into());
                }
                () = sleep_until(expiry.unwrap_or(next_ping)), if expiry.is_some() => {
                    reassembler.expire(Instant::now());
                }
            }
        };
        drop(ack_tx);
        if matches!(end, SessionEnd::Shutdown) {
            let drain = async {
                while let Some(ack) = ack_rx.recv().await {
                    if sink.send(binary(&ack)).await.is_err() {
                        return;
                    }
                }
            };
            if tokio::time::timeout(self.settings.shutdown_grace, drain)
                .await
                .is_err()
            {
                tracing::warn!(
                    "shutdown: some handlers did not finish in time; their acks are not sent"
                );
            }
            let _ = sink.close().await;
        }
        end
    }

    /// Takes one frame; `true` when it changed the settings.
    async fn on_frame(
        &self,
        bytes: &[u8],
        reassembler: &mut Reassembler,
        acks: &mpsc::Sender<Frame>,
    ) -> bool {
        let mut frame = match Frame::from_bytes(bytes) {
            Ok(frame) => frame,
            Err(_) => {
                tracing::warn!(len = bytes.len(), "malformed frame dropped");
                return false;
            }
        };
        match (frame.method, frame.kind()) {
            (METHOD_CONTROL, kind::PONG) => return self.on_pong(&frame),
            (METHOD_CONTROL, _) => {}
            (METHOD_DATA, kind::EVENT | kind::CARD) => {
                let payload = frame.payload.take().unwrap_or_default();
                let message_id = frame.header(key::MESSAGE_ID).unwrap_or("").to_string();
                let sum = frame.header(key::SUM).unwrap_or("1").to_string();
                let seq = frame.header(key::SEQ).unwrap_or("0").to_string();
                let whole = match reassembler.push(&message_id, &sum, &seq, payload, Instant::now())
                {
                    Ok(Some(whole)) => whole,
                    Ok(None) => return false,
                    Err(e) => {
                        tracing::warn!(message_id = %crate::printable(&message_id), error = %e, "fragment dropped");
                        return false;
                    }
                };
                let Ok(permit) = Arc::clone(self.in_flight).acquire_owned().await else {
                    return false;
                };
                let dispatcher = Arc::clone(self.dispatcher);
                let acks = acks.clone();
                tokio::spawn(async move {
                    let start = Instant::now();
                    let card = frame.kind() == kind::CARD;
                    let answer = handle(&dispatcher, &whole, card).await;
                    let ack = frame.ack(answer.code, answer.reply.as_ref(), start.elapsed());
                    let _ = acks.send(ack).await;
                    drop(permit);
                });
            }
            (_, other) => {
                tracing::debug!(kind = %crate::printable(other), "frame of unknown kind ignored");
            }
        }
        false
    }

    /// Takes the settings a pong carries; `true` when it carried some.
    fn on_pong(&self, frame: &Frame) -> bool {
        let Some(payload) = frame.payload.as_deref().filter(|p| !p.is_empty()) else {
            return false;
        };
        match serde_json::from_slice::<WireClientConfig>(payload) {
            Ok(wire) => {
                let mut config = self.config.lock().unwrap_or_else(|p| p.into_inner());
                config.apply(&wire);
                tracing::debug!(?config, "settings updated by a pong");
                true
            }
            Err(_) => {
                tracing::debug!("pong with unreadable settings ignored");
                false
            }
        }
    }
}

/// Dispatches one whole message; what to ack.
async fn handle(dispatcher: &Arc<Dispatcher>, payload: &[u8], card: bool) -> Answer {
    let parsed = std::str::from_utf8(payload).ok().map(envelope::parse);
    match parsed {
        Some(Ok(Incoming::Event(envelope))) => {
            dispatcher
                .dispatch(*envelope, Transport::LongConnection, card)
                .await
        }
        Some(Ok(Incoming::UrlVerification { .. })) => Answer::ok(None),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "message not understood");
            Answer::failed()
        }
        None => {
            tracing::warn!("message is not UTF-8");
            Answer::failed()
        }
    }
}
