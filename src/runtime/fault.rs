//! How the runtime hands a structured [`Error`] through progenitor's generated code.
//!
//! progenitor's `exec` hook can only return a `reqwest::Response` or a `reqwest::Error`, and the
//! generated code decides success by the HTTP status alone. Feishu, though, also reports errors
//! in HTTP 200 responses, and gateways answer with HTML. So the runtime screens every response
//! and, for anything that is an error, answers with a *fault response*: HTTP status
//! [`FAULT_STATUS`] (which no spec documents, so the generated code returns it untouched as
//! `Error::UnexpectedResponse`) carrying the finished [`Error`] in its extensions.
//! `From<progenitor_client::Error<_>> for Error` takes it back out.

use std::sync::{Arc, Mutex};

use crate::error::{log_id, Error};

/// The HTTP status of a fault response. Outside every class (1xx–5xx), so no spec documents it.
pub const FAULT_STATUS: u16 = 999;

#[derive(Clone)]
struct Fault(Arc<Mutex<Option<Error>>>);

/// A fault response carrying `error`.
pub(crate) fn response(error: Error) -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(Vec::<u8>::new()));
    *response.status_mut() = http::StatusCode::from_u16(FAULT_STATUS).expect("a valid status code");
    response
        .extensions_mut()
        .insert(Fault(Arc::new(Mutex::new(Some(error)))));
    reqwest::Response::from(response)
}

/// The error in a fault response, or an `Undecodable` error for any other unexpected response.
pub(crate) fn take(response: reqwest::Response) -> Error {
    let taken = response
        .extensions()
        .get::<Fault>()
        .and_then(|f| f.0.lock().ok().and_then(|mut e| e.take()));
    taken.unwrap_or_else(|| Error::Undecodable {
        status: response.status().as_u16(),
        body_start: String::new(),
        log_id: log_id(response.headers(), None),
    })
}
