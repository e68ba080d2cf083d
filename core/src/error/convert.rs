//! From the generated clients' `progenitor_client::Error`, and from Feishu's answers, to
//! [`Error`].

use http::HeaderMap;

use super::{ApiError, Error, FeishuErrorBody};

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
                let log_id = log_id(value.headers(), None);
                api_error(
                    value.into_inner(),
                    status,
                    log_id,
                    crate::runtime::ErrorTable::NONE,
                )
            }
            P::InvalidResponsePayload(bytes, _) => Error::Undecodable {
                status: 200,
                body_start: body_start(&bytes),
                log_id: None,
            },
            P::UnexpectedResponse(response) => Error::Undecodable {
                status: response.status().as_u16(),
                body_start: String::new(),
                log_id: log_id(response.headers(), None),
            },
        }
    }
}

/// Feishu's log id: header `X-Tt-Logid`, else `X-Request-Id`, else the body's `error.log_id`.
pub fn log_id(headers: &HeaderMap, body: Option<&FeishuErrorBody>) -> Option<String> {
    ["x-tt-logid", "x-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok().map(str::to_string))
        .or_else(|| body?.error.as_ref()?.log_id.clone())
}

/// An [`Error::Api`] from a decoded envelope, with the row of `documented` (the operation's
/// error table) for its code.
pub(crate) fn api_error(
    body: FeishuErrorBody,
    http_status: u16,
    header_log_id: Option<String>,
    documented: crate::runtime::ErrorTable,
) -> Error {
    let log_id = header_log_id.or_else(|| body.error.as_ref().and_then(|e| e.log_id.clone()));
    Error::Api(Box::new(ApiError {
        code: body.code,
        msg: body.msg,
        http_status,
        log_id,
        detail: body.error,
        documented: documented.find(body.code),
    }))
}

/// The start of a body as text, for error messages: at most 200 characters.
pub(crate) fn body_start(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(800)]);
    text.chars().take(200).collect()
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
    crate::rules::RuleViolation,
    std::convert::Infallible
);
