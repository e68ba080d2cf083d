//! The futures an operation's `send()` and `call()` return, [`Sending`] and [`Calling`]: named
//! types of the runtime, generic over the operation's answer type (and its requests: by default
//! an operation's own, boxed, one type for every operation).
//!
//! An operation's `send()` only packs its builder's checked values (or their refusal) into a
//! [`Sending`]; the call itself (`call::run`) starts at the first poll. So a service's library
//! compiles no call per operation: the call, the answer's decoding ([`Answer`]) and the taking
//! of its `data` ([`WithData`]) are compiled where a call is awaited, once per answer type. A
//! named type also costs the compiler less than an `impl Future` per operation, whose hidden
//! type it would infer and check for `Send` in every service build.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use progenitor_client::{ByteStream, ClientInfo, ResponseValue};

use super::call::{self, Requests};
use super::{Decode, Decoded, Operation, Runtime};
use crate::Error;

/// An operation's answer type, as the runtime hands it over: a JSON answer ([`Envelope`]) or a
/// file's stream. Not part of the API.
pub trait Answer: Send + Sized + 'static {
    /// How a success body decodes into it; `None` for a file's stream, handed over undecoded.
    fn decoder() -> Option<Decode>;
}

/// A JSON answer: generated for each operation's answer type. Not part of the API.
pub trait Envelope: serde::de::DeserializeOwned + Send + 'static {
    /// Its `code` (0 for an answer whose schema has none).
    fn code(&self) -> i64;
}

/// A JSON answer whose `data` an operation's `call()` returns: generated for each answer type
/// whose `data` is a named schema. Not part of the API.
pub trait WithData: Envelope {
    /// The type of `data`.
    type Data: Send;
    /// Its `data`, `None` when the answer has none.
    fn data(self) -> Option<Self::Data>;
}

impl<T: Envelope> Answer for T {
    fn decoder() -> Option<Decode> {
        Some(decode::<T>)
    }
}

impl Answer for ByteStream {
    fn decoder() -> Option<Decode> {
        None
    }
}

/// Decodes a success body as `T` (see [`Decode`]).
fn decode<T: Envelope>(body: &[u8]) -> Decoded {
    let answer: T = serde_json::from_slice(body).ok()?;
    Some((answer.code(), Box::new(answer)))
}

/// What an operation builder's `prepare_direct` gives: the client and the function that builds
/// its request, or the refusal of the builder's values.
type Handed<'a, C, R> = Result<(&'a C, R), progenitor_client::Error<crate::FeishuErrorBody>>;

/// The future of an operation's `send()`: Feishu's answer as the operation's answer type `T`
/// (its requests built by `R`: an operation's own, boxed, or an upload's), with its status and
/// headers, or the crate's [`Error`] — refused before sending, transport, an error code at any
/// HTTP status, an undecodable answer.
///
/// Nothing is sent until it is polled (awaited); dropping it unpolled sends nothing.
#[must_use = "a call is sent only when its future is awaited"]
pub struct Sending<'a, T, R = call::Prepared<'a>> {
    operation_id: &'static str,
    state: State<'a, T, R>,
}

/// The future of an operation's `call()`: the `data` of Feishu's answer, or the crate's
/// [`Error`]; an answer without `data` is [`Error::NoData`]. Nothing is sent until it is polled.
#[must_use = "a call is sent only when its future is awaited"]
pub struct Calling<'a, T, R = call::Prepared<'a>> {
    sending: Sending<'a, T, R>,
}

type Running<'a, T> = Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a>>;

enum State<'a, T, R> {
    /// Not polled yet: what the call needs.
    Ready {
        http: &'a reqwest::Client,
        runtime: &'a Runtime,
        requests: R,
        op: &'static Operation,
    },
    /// The builder's values were refused: nothing is sent.
    Refused(Error),
    /// The call, boxed once (its state holds the builder's checked values).
    Running(Running<'a, T>),
    /// Its output was taken.
    Done,
}

impl<'a, T, R: Requests + 'a> Sending<'a, T, R> {
    /// The call of an operation whose builder gave `prepared`: its requests, built for each
    /// attempt (an upload's one request, see `Multipart::upload`), sent as `operation_id` with
    /// what the runtime knows of it, `op`.
    pub fn new<C>(
        prepared: Handed<'a, C, R>,
        operation_id: &'static str,
        op: &'static Operation,
    ) -> Self
    where
        C: ClientInfo<Runtime> + Sync,
    {
        let state = match prepared {
            Ok((client, requests)) => State::Ready {
                http: client.client(),
                runtime: client.inner(),
                requests,
                op,
            },
            Err(refused) => State::Refused(Error::from(refused)),
        };
        Self {
            operation_id,
            state,
        }
    }

    /// The future of the operation's `call()`: the answer's `data`.
    pub fn data(self) -> Calling<'a, T, R> {
        Calling { sending: self }
    }
}

/// [`Sending::new`] as a free function, which the generated `send()` calls: a path through the
/// type (`Sending::new`) makes rustc check a type annotation for each operation's answer type,
/// a function without one does not.
pub fn sending<'a, T, C, R>(
    prepared: Handed<'a, C, R>,
    operation_id: &'static str,
    op: &'static Operation,
) -> Sending<'a, T, R>
where
    C: ClientInfo<Runtime> + Sync,
    R: Requests + 'a,
{
    Sending::new(prepared, operation_id, op)
}

impl<'a, T: Answer, R: Requests + Unpin + 'a> Future for Sending<'a, T, R> {
    type Output = Result<ResponseValue<T>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let State::Running(call) = &mut this.state {
            let output = ready!(call.as_mut().poll(cx));
            this.state = State::Done;
            return Poll::Ready(output);
        }
        match std::mem::replace(&mut this.state, State::Done) {
            State::Ready {
                http,
                runtime,
                requests,
                op,
            } => {
                let call =
                    call::run::<T>(http, runtime, requests, this.operation_id, op, T::decoder());
                this.state = State::Running(Box::pin(call));
                Pin::new(this).poll(cx)
            }
            State::Refused(error) => Poll::Ready(Err(error)),
            State::Running(_) | State::Done => {
                panic!("a call's future polled after it completed")
            }
        }
    }
}

impl<'a, T: WithData, R: Requests + Unpin + 'a> Future for Calling<'a, T, R> {
    type Output = Result<T::Data, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let operation = self.sending.operation_id;
        let sent = ready!(Pin::new(&mut self.sending).poll(cx));
        Poll::Ready(super::data(sent, operation, T::data))
    }
}

impl<T, R> std::fmt::Debug for Sending<'_, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Ready { .. } => "not sent",
            State::Refused(_) => "refused",
            State::Running(_) => "running",
            State::Done => "done",
        };
        f.debug_struct("Sending")
            .field("operation_id", &self.operation_id)
            .field("state", &state)
            .finish()
    }
}

impl<T, R> std::fmt::Debug for Calling<'_, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Calling").field(&self.sending).finish()
    }
}
