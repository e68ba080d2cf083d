//! Feishu's quirks, each in a named place (and each with a test named after it).

use std::any::Any;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use progenitor_client::{ByteStream, ResponseValue};

use crate::error::{api_error, body_start, log_id, Error, FeishuErrorBody};

/// **json_content_type**: Feishu documents `Content-Type: application/json; charset=utf-8` for
/// request bodies (reqwest's `json()` writes `application/json`): the content type of every JSON
/// body an operation sends (see [`super::plan::Plan::json`]).
pub(super) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// What screening leaves of a successful response: its status and headers, and its body — decoded
/// into the operation's 200 type, or, for a file, the [`ByteStream`] of it.
pub(super) struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    value: Box<dyn Any + Send>,
}

impl Answer {
    /// The caller's answer: the value as the operation's answer type `T`.
    pub(super) fn typed<T: 'static>(self) -> Result<ResponseValue<T>, Error> {
        let Answer {
            status,
            headers,
            value,
        } = self;
        match value.downcast::<T>() {
            Ok(value) => Ok(ResponseValue::new(*value, status, headers)),
            Err(_) => Err(Error::Undecodable {
                status: status.as_u16(),
                body_start: "(decoded into a type other than the operation's answer)".into(),
                log_id: log_id(&headers, None),
            }),
        }
    }
}

/// Screens a response:
/// - a 2xx that is not JSON, of an operation whose response is a file, is checked to be one
///   (**html_instead_of_a_file**, **file_signature**: see [`super::file`]) and passes through,
///   still streaming;
/// - **oversized_response**: a body larger than `limit` bytes is [`Error::TooLarge`], read no
///   further (a `Content-Length` above it is refused before reading);
/// - **error_in_http_200**: a JSON body with `code != 0` is a Feishu error at any HTTP status;
/// - **rate_limit_in_http_400**: HTTP 429, or code 99991400 at any status, is
///   [`Error::RateLimited`] with the `x-ogw-ratelimit-reset` header;
/// - **non_json_error_body**: a non-2xx body that is not a Feishu envelope (an HTML page from a
///   gateway) becomes [`Error::Undecodable`] with the status and the start of the body;
/// - **undecodable_success**: a success body that does not decode into the operation's response
///   type is [`Error::Undecodable`], with its status and log id;
/// - any other success of an operation without a decode check (a file's) passes through with its
///   buffered body as the stream.
///
/// (An `async move` block, not an `async fn`, so that the response is held once in its state.)
pub(super) fn screen<'a>(
    mut response: reqwest::Response,
    op: &'a super::Operation,
    decode: Option<super::Decode>,
    limit: u64,
) -> impl std::future::Future<Output = Result<Answer, Error>> + Send + 'a {
    let status = response.status();
    async move {
        if let Some(media_type) = op.file {
            if status.is_success() && !is_json(content_type(response.headers())) {
                let headers = std::mem::take(response.headers_mut());
                // Boxed: downloads are rare, and their check stays out of every call's state.
                let file = Box::pin(super::file::check(
                    response, &headers, media_type, op.errors,
                ))
                .await?;
                return Ok(Answer {
                    status,
                    headers,
                    value: Box::new(file),
                });
            }
        }
        let body = read_body(&mut response, limit).await?;
        // The hot path: one parse — the body decodes into the operation's 200 type with code 0.
        let decoded = match decode {
            Some(decode) if status.is_success() => decode(&body),
            _ => None,
        };
        if let Some((0, value)) = decoded {
            return Ok(Answer {
                status,
                headers: std::mem::take(response.headers_mut()),
                value,
            });
        }
        // Otherwise find out what it is: only the code first, the whole envelope for an error.
        let code = serde_json::from_slice::<CodeOnly>(&body)
            .ok()
            .and_then(|c| c.code);
        let envelope = code.and_then(|_| serde_json::from_slice::<FeishuErrorBody>(&body).ok());
        let headers = response.headers();
        let log_id = log_id(headers, envelope.as_ref());
        if status == StatusCode::TOO_MANY_REQUESTS || code == Some(99991400) {
            return Err(rate_limited(headers, status.as_u16(), envelope, log_id));
        }
        match envelope {
            Some(envelope) if envelope.code != 0 => {
                Err(api_error(envelope, status.as_u16(), log_id, op.errors))
            }
            // Without a decode check (a file's answer) the caller gets the body as it came.
            _ if status.is_success() && decode.is_none() => {
                let body = futures::stream::once(std::future::ready(Ok(body)));
                Ok(Answer {
                    status,
                    headers: std::mem::take(response.headers_mut()),
                    value: Box::new(ByteStream::new(Box::pin(body))),
                })
            }
            _ => Err(Error::Undecodable {
                status: status.as_u16(),
                body_start: body_start(&body),
                log_id,
            }),
        }
    }
}

/// Reads the whole body, at most `limit` bytes of it, leaving the response (status, headers,
/// URL) in place: a body in one piece, the usual case, is taken as it is, without a copy.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<bytes::Bytes, Error> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(too_large(response, limit));
    }
    let Some(first) = response.chunk().await? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() as u64 > limit {
        return Err(too_large(response, limit));
    }
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    // Boxed: a body in several pieces is rare, and its buffer stays out of every call's state.
    Box::pin(read_pieces(response, first, second, limit)).await
}

/// The rest of [`read_body`]: the pieces gathered into a buffer that grows by doubling, but never
/// past the limit.
async fn read_pieces(
    response: &mut reqwest::Response,
    first: bytes::Bytes,
    second: bytes::Bytes,
    limit: u64,
) -> Result<bytes::Bytes, Error> {
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut all = Vec::with_capacity((2 * (first.len() + second.len())).min(limit_usize));
    all.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(more) = next {
        let needed = all.len() + more.len();
        if needed > limit_usize {
            return Err(too_large(response, limit));
        }
        if needed > all.capacity() {
            let grown = needed.max(2 * all.capacity()).min(limit_usize);
            all.reserve_exact(grown - all.len());
        }
        all.extend_from_slice(&more);
        next = response.chunk().await?;
    }
    Ok(bytes::Bytes::from(all))
}

fn too_large(response: &reqwest::Response, limit: u64) -> Error {
    Error::TooLarge {
        limit,
        status: response.status().as_u16(),
        log_id: log_id(response.headers(), None),
    }
}

/// The `code` of a Feishu body, without decoding the rest.
#[derive(serde::Deserialize)]
struct CodeOnly {
    code: Option<i64>,
}

fn rate_limited(
    headers: &HeaderMap,
    status: u16,
    envelope: Option<FeishuErrorBody>,
    log_id: Option<String>,
) -> Error {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    Error::RateLimited {
        reset: number("x-ogw-ratelimit-reset").map(std::time::Duration::from_secs),
        limit: number("x-ogw-ratelimit-limit"),
        http_status: status,
        code: envelope.as_ref().map(|e| e.code),
        msg: envelope.map(|e| e.msg),
        log_id,
    }
}

/// `true` for a JSON content type (`application/json`, with or without parameters).
fn is_json(value: Option<&HeaderValue>) -> bool {
    const JSON: &[u8] = b"application/json";
    value.is_some_and(|v| {
        let v = v.as_bytes().trim_ascii_start();
        v.len() >= JSON.len() && v[..JSON.len()].eq_ignore_ascii_case(JSON)
    })
}

fn content_type(headers: &HeaderMap) -> Option<&HeaderValue> {
    headers.get(CONTENT_TYPE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_type_is_written_with_the_body() {
        let mut requests =
            super::super::plan::Plan::new(http::Method::POST, "http://127.0.0.1", "/", &[])
                .json(br#"{"name":"value"}"#.to_vec())
                .prepared()
                .unwrap();
        let request = requests.next(&reqwest::Client::new()).unwrap();
        assert_eq!(
            request
                .headers()
                .get_all(CONTENT_TYPE)
                .iter()
                .collect::<Vec<_>>(),
            [JSON_UTF8]
        );
        let body = request.body().and_then(reqwest::Body::as_bytes).unwrap();
        assert_eq!(body, br#"{"name":"value"}"#);
    }
}
