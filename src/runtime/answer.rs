//! How a call's outcome reaches the caller without passing through progenitor's handling of the
//! response: the generated `send()` of every operation (see the `send` module of the code
//! generator) opens an *answer slot* for the duration of the call, and the runtime puts in it
//! the decoded success body — the only time the body is parsed — or the finished [`Error`].
//! progenitor's own code then sees, for a success, an error of reqwest's made without I/O
//! ([`delivered`]) or, for a failure, a placeholder response of an undocumented status
//! ([`PLACEHOLDER_STATUS`]); it hands either back untouched, and `send()` discards what that
//! code returns whenever the slot holds an answer.
//!
//! A download keeps its real response (progenitor streams it); only its errors use the slot.
//!
//! An operation whose answer the runtime decodes, and whose request the generator can build
//! again from the builder's values, does without the slot: its `send()` goes through
//! [`super::send_direct`], which returns the answer itself ([`typed`]).

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;

use futures::FutureExt;

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

/// What progenitor's code gets once the decoded answer is in the call's slot: an error of
/// reqwest's, which that code passes through untouched and `send()` discards. It is the cheapest
/// value of either kind to make: reqwest refuses a URL of a scheme it does not speak before any
/// I/O, where a new response would have reqwest parse a URL or copy the old one's. (Should
/// reqwest ever not refuse it at once, the placeholder response serves.)
pub(crate) fn delivered(http: &reqwest::Client) -> reqwest::Result<reqwest::Response> {
    static NOWHERE: std::sync::LazyLock<reqwest::Url> = std::sync::LazyLock::new(|| {
        "feishu-openapi:delivered"
            .parse()
            .expect("a valid URL of a scheme reqwest does not send to")
    });
    let request = reqwest::Request::new(http::Method::GET, NOWHERE.clone());
    match http.execute(request).now_or_never() {
        Some(Err(refused)) => Err(refused),
        _ => Ok(placeholder()),
    }
}

/// The response progenitor's code sees in place of a failed call's answer.
pub(crate) fn placeholder() -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(Vec::<u8>::new()));
    *response.status_mut() =
        http::StatusCode::from_u16(PLACEHOLDER_STATUS).expect("a valid status code");
    reqwest::Response::from(response)
}

/// Runs progenitor's `send` of one operation with an answer slot open, and returns what the
/// runtime put in it — the decoded answer with its status and headers, or the error — else
/// progenitor's own result (a refusal before sending, or a streamed download).
///
/// Built of combinators, not an `async` block: the call's future sits in the scope once, where
/// an `async` block or `fn` would also keep a copy of it in its own state.
pub(crate) fn send<T, F>(send: F) -> impl Future<Output = Result<ResponseValue<T>, Error>>
where
    T: 'static,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<FeishuErrorBody>>>,
{
    // The closure runs inside the scope, where the slot can still be read.
    SLOT.scope(
        RefCell::new(None),
        super::finish(send, |result| {
            outcome(result, SLOT.with(|slot| slot.borrow_mut().take()))
        }),
    )
}

/// The outcome of a call: what the runtime put in its slot, else progenitor's own result.
fn outcome<T: 'static>(
    result: Result<ResponseValue<T>, progenitor_client::Error<FeishuErrorBody>>,
    answer: Option<Answer>,
) -> Result<ResponseValue<T>, Error> {
    match answer {
        Some(answer) => typed(answer),
        None => result.map_err(Error::from),
    }
}

/// The caller's answer: the decoded value as the operation's answer type `T`, or the error.
pub(crate) fn typed<T: 'static>(answer: Answer) -> Result<ResponseValue<T>, Error> {
    match answer {
        Answer::Decoded {
            status,
            headers,
            value,
        } => match value.downcast::<T>() {
            Ok(value) => Ok(ResponseValue::new(*value, status, headers)),
            Err(_) => Err(Error::Undecodable {
                status: status.as_u16(),
                body_start: "(decoded into a type other than the operation's answer)".into(),
                log_id: crate::error::log_id(&headers, None),
            }),
        },
        Answer::Failed(error) => Err(error),
    }
}
