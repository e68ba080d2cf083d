//! From the generated clients' `progenitor_client::Error` to [`Error`].

use super::{Error, FeishuErrorBody};
use crate::runtime::fault;

impl From<progenitor_client::Error<FeishuErrorBody>> for Error {
    fn from(e: progenitor_client::Error<FeishuErrorBody>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(message) | P::Custom(message) => Error::Validation(message),
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                Error::from(e)
            }
            P::ErrorResponse(value) => {
                let status = value.status().as_u16();
                let log_id = crate::runtime::log_id(value.headers(), None);
                fault::api_error(value.into_inner(), status, log_id, &[])
            }
            P::InvalidResponsePayload(bytes, _) => Error::Undecodable {
                status: 200,
                body_start: fault::body_start(&bytes),
                log_id: None,
            },
            P::UnexpectedResponse(response) => fault::take(response),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }
}

/// Values that fail to convert into the crate's typed fields are validation errors: nothing was
/// sent. These let `?` work on them in a function returning [`Error`].
macro_rules! validation_from {
    ($($t:ty),+) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Validation(e.to_string())
            }
        }
    )+};
}

validation_from!(
    crate::common::InvalidUnixSeconds,
    crate::rules::InvalidId,
    crate::rules::InvalidEnumValue,
    crate::rules::RuleViolation
);
