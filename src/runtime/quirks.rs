//! Feishu's quirks, each in a named place (and each with a test named after it).

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use reqwest::ResponseBuilderExt;

use super::answer::{self, Answer};
use crate::error::{api_error, body_start, log_id, Error, FeishuErrorBody};

/// Feishu documents `Content-Type: application/json; charset=utf-8` for request bodies.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// **json_content_type**: the content type of a JSON request body is Feishu's (reqwest's
/// `json()` writes `application/json`). The `pre` hook of every request progenitor builds.
pub(super) fn json_content_type(request: &mut reqwest::Request) {
    if is_json(content_type(request.headers())) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    }
}

/// **json_content_type**, set once: a JSON request body with Feishu's content type, for the
/// requests the generated code builds itself (see [`super::send_direct`]), which then need no
/// `pre` hook to replace reqwest's.
pub(crate) trait JsonBody {
    /// The body `body` serialised as JSON, with Feishu's content type.
    fn feishu_json<T: serde::Serialize + ?Sized>(self, body: &T) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn feishu_json<T: serde::Serialize + ?Sized>(self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(json) => self
                .header(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))
                .body(json),
            // reqwest keeps the serialiser's error in the builder: `build()` returns it, as it
            // would have without this.
            Err(_) => self.json(body),
        }
    }
}

/// What screening leaves for progenitor's code.
pub(super) enum Screened {
    /// A response for progenitor's code to read.
    Response(reqwest::Response),
    /// The decoded answer is in the call's slot (see [`answer`]).
    Delivered,
    /// The decoded answer, for a call sent directly (see [`super::send_direct`]).
    Decoded(Answer),
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
///   type is [`Error::Undecodable`], with its status and log id (progenitor would drop both);
/// - anything else passes through with its buffered body.
///
/// A decoded success goes into the call's answer slot, or is handed back as it is when `direct`.
///
/// (An `async move` block, not an `async fn`, so that the response is held once in its state.)
pub(super) fn screen(
    mut response: reqwest::Response,
    op: &super::Operation,
    limit: u64,
    direct: bool,
) -> impl std::future::Future<Output = Result<Screened, Error>> + Send + '_ {
    let status = response.status();
    async move {
        if let Some(media_type) = op.file {
            if status.is_success() && !is_json(content_type(response.headers())) {
                // Boxed: downloads are rare, and their check stays out of every call's state.
                return Box::pin(super::file::check(response, media_type, op.errors))
                    .await
                    .map(Screened::Response);
            }
        }
        let body = read_body(&mut response, limit).await?;
        // The hot path: one parse — the body decodes into the operation's 200 type with code 0,
        // and the value goes to the caller through the call's answer slot.
        let decoded = match op.decodes {
            Some(decode) if status.is_success() => decode(&body),
            _ => None,
        };
        if let Some((0, value)) = decoded {
            if !direct && !answer::open() {
                return Ok(Screened::Response(rebuild(response, body)));
            }
            let headers = std::mem::take(response.headers_mut());
            let decoded = Answer::Decoded {
                status,
                headers,
                value,
            };
            if direct {
                return Ok(Screened::Decoded(decoded));
            }
            let delivered = answer::deliver(decoded);
            debug_assert!(delivered.is_ok(), "the slot was open");
            return Ok(Screened::Delivered);
        }
        // Otherwise find out what it is: only the code first, the whole envelope for an error.
        let code = serde_json::from_slice::<CodeOnly>(&body)
            .ok()
            .and_then(|c| c.code);
        let envelope = code.and_then(|_| serde_json::from_slice::<FeishuErrorBody>(&body).ok());
        let headers = response.headers();
        let log_id = log_id(headers, envelope.as_ref());
        if status == http::StatusCode::TOO_MANY_REQUESTS || code == Some(99991400) {
            return Err(rate_limited(headers, status.as_u16(), envelope, log_id));
        }
        match envelope {
            Some(envelope) if envelope.code != 0 => {
                Err(api_error(envelope, status.as_u16(), log_id, op.errors))
            }
            // Without a decode check (no named 200 schema) progenitor decodes what it gets.
            _ if status.is_success() && op.decodes.is_none() => {
                Ok(Screened::Response(rebuild(response, body)))
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

/// The response again, with its buffered body in place of the one read, and its URL. (Without
/// the URL carried over, reqwest would parse a placeholder URL for every response, which costs
/// more than the copy.)
fn rebuild(response: reqwest::Response, body: bytes::Bytes) -> reqwest::Response {
    let url = response.url().clone();
    let (parts, _read) = http::Response::<reqwest::Body>::from(response).into_parts();
    with_body((parts, url), reqwest::Body::from(body))
}

/// A response taken apart: its head (status, headers, extensions, URL), and its body.
pub(super) type Head = (http::response::Parts, url::Url);

/// Takes a response apart, to read some of its body and hand the rest on ([`with_body`]).
pub(super) fn take_body(response: reqwest::Response) -> (Head, reqwest::Body) {
    let url = response.url().clone();
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    ((parts, url), body)
}

/// A response from its head and a new body.
pub(super) fn with_body((mut parts, url): Head, body: reqwest::Body) -> reqwest::Response {
    let mut carrier = http::Response::builder()
        .url(url)
        .body(())
        .expect("a response builder given only a URL cannot fail");
    parts
        .extensions
        .extend(std::mem::take(carrier.extensions_mut()));
    reqwest::Response::from(http::Response::from_parts(parts, body))
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
        let http = reqwest::Client::new();
        let request = http
            .post("http://127.0.0.1/")
            .feishu_json(&serde_json::json!({ "name": "value" }))
            .build()
            .unwrap();
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

        // A body that does not serialise (a map with non-string keys) is reqwest's error at
        // `build()`, as with `json()`.
        let bad: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert!(http
            .post("http://127.0.0.1/")
            .feishu_json(&bad)
            .build()
            .is_err());
    }
}
