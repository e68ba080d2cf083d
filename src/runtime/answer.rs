//! How a call's outcome reaches the caller without passing through progenitor's handling of the
//! response: the generated `send()` of every operation (see the `send` module of the code
//! generator) opens an *answer slot* for the duration of the call, and the runtime puts in it
//! the decoded success body — the only time the body is parsed — or the finished [`Error`].
//! progenitor's own code then only sees a placeholder response of an undocumented status
//! ([`PLACEHOLDER_STATUS`]), which it hands back untouched and `send()` discards.
//!
//! A download keeps its real response (progenitor streams it); only its errors use the slot.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;

use progenitor_client::ResponseValue;

use crate::error::{Error, FeishuErrorBody};

/// The status of the placeholder response: outside every class (1xx–5xx), so no spec documents
/// it and progenitor's code returns it untouched.
pub(crate) const PLACEHOLDER_STATUS: u16 = 999;

/// What the runtime found.
pub(crate) enum Answer {
    /// A success body, decoded into the operation's 200 type.
    Decoded {
        status: http::StatusCode,
        headers: http::HeaderMap,
        value: Box<dyn Any + Send>,
    },
    /// The call failed.
    Failed(Error),
}

tokio::task_local! {
    static SLOT: RefCell<Option<Answer>>;
}

/// Puts `answer` in the current call's slot; gives it back when there is no slot (a call made
/// without the crate's `send()`, which the generated code never does).
pub(crate) fn deliver(answer: Answer) -> Result<(), Answer> {
    let mut answer = Some(answer);
    let delivered = SLOT.try_with(|slot| {
        *slot.borrow_mut() = answer.take();
    });
    match (delivered, answer) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(answer)) => Err(answer),
        (Err(_), None) => Ok(()),
    }
}

/// Whether the current call has a slot for a decoded answer.
pub(crate) fn open() -> bool {
    SLOT.try_with(|_| ()).is_ok()
}

/// Hands a failed call's error over: into the call's slot, with the placeholder response for
/// progenitor's code; without a slot, inside a fault response (see [`super::fault`]).
pub(crate) fn fail(error: Error) -> reqwest::Response {
    match deliver(Answer::Failed(error)) {
        Ok(()) => placeholder(),
        Err(Answer::Failed(error)) => super::fault::response(error),
        Err(Answer::Decoded { .. }) => unreachable!("a failure was delivered"),
    }
}

/// `response` made the placeholder (its body already read): the status changed, the URL kept —
/// a response built without its URL makes reqwest parse a stand-in URL, which on the hot path
/// costs more than keeping this one.
pub(crate) fn placeholder_of(response: reqwest::Response) -> reqwest::Response {
    let ((mut parts, url), _read) = super::quirks::take_body(response);
    parts.status = http::StatusCode::from_u16(PLACEHOLDER_STATUS).expect("a valid status code");
    super::quirks::with_body((parts, url), reqwest::Body::from(bytes::Bytes::new()))
}

/// The response progenitor's code sees in place of a delivered answer.
pub(crate) fn placeholder() -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(Vec::<u8>::new()));
    *response.status_mut() =
        http::StatusCode::from_u16(PLACEHOLDER_STATUS).expect("a valid status code");
    reqwest::Response::from(response)
}

/// Runs progenitor's `send` of one operation with an answer slot open, and returns what the
/// runtime put in it — the decoded answer with its status and headers, or the error — else
/// progenitor's own result (a refusal before sending, or a streamed download).
pub(crate) async fn send<T, F>(send: F) -> Result<ResponseValue<T>, Error>
where
    T: 'static,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<FeishuErrorBody>>>,
{
    // The slot is read back out of the scope, so that `send` is moved into it once.
    let mut scoped = std::pin::pin!(SLOT.scope(RefCell::new(None), send));
    let result = scoped.as_mut().await;
    let answer = scoped.take_value().and_then(RefCell::into_inner);
    match answer {
        Some(Answer::Decoded {
            status,
            headers,
            value,
        }) => match value.downcast::<T>() {
            Ok(value) => Ok(ResponseValue::new(*value, status, headers)),
            Err(_) => Err(Error::Undecodable {
                status: status.as_u16(),
                body_start: "(decoded into a type other than the operation's answer)".into(),
                log_id: super::log_id(&headers, None),
            }),
        },
        Some(Answer::Failed(error)) => Err(error),
        None => result.map_err(Error::from),
    }
}
