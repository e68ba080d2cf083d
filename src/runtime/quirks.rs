//! Feishu's quirks, each in a named place (and each with a test named after it).

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use reqwest::ResponseBuilderExt;

use super::fault;
use crate::error::{Error, FeishuErrorBody};

/// Feishu documents `Content-Type: application/json; charset=utf-8` for request bodies.
pub(super) fn json_content_type(request: &mut reqwest::Request) {
    if is_json(content_type(request.headers())) {
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
}

/// progenitor adds `api-version: <info.version>` to every request; Feishu has no such header and
/// versions its paths instead (`/open-apis/vc/v1/…`), so it is dropped to keep the wire clean.
pub(super) fn drop_api_version_header(request: &mut reqwest::Request) {
    request.headers_mut().remove("api-version");
}

/// Feishu's log id: header `X-Tt-Logid`, else `X-Request-Id`, else the body's `error.log_id`.
pub fn log_id(headers: &HeaderMap, body: Option<&FeishuErrorBody>) -> Option<String> {
    ["x-tt-logid", "x-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok().map(str::to_string))
        .or_else(|| body?.error.as_ref()?.log_id.clone())
}

/// Screens a response:
/// - a 2xx that is not JSON, of an operation that streams a file, passes through, still streaming;
/// - **error_in_http_200**: a JSON body with `code != 0` is a Feishu error at any HTTP status;
/// - **rate_limit_in_http_400**: HTTP 429, or code 99991400 at any status, is
///   [`Error::RateLimited`] with the `x-ogw-ratelimit-reset` header;
/// - **non_json_error_body**: a non-2xx body that is not a Feishu envelope (an HTML page from a
///   gateway) becomes [`Error::Undecodable`] with the status and the start of the body;
/// - **undecodable_success**: a success body that does not decode into the operation's response
///   type is [`Error::Undecodable`], with its status and log id (progenitor would drop both);
/// - anything else passes through with its buffered body.
///
/// (An `async move` block, not an `async fn`, so that the response is held once in its state.)
pub(super) fn screen(
    mut response: reqwest::Response,
    op: &super::Operation,
) -> impl std::future::Future<Output = Result<reqwest::Response, Error>> + Send + '_ {
    let status = response.status();
    async move {
        if op.streaming && status.is_success() && !is_json(content_type(response.headers())) {
            return Ok(response);
        }
        let body = read_body(&mut response).await?;
        // The hot path: one parse — the body decodes into the operation's 200 type with code 0.
        if status.is_success() && op.decodes.is_some_and(|decodes| decodes(&body) == Some(0)) {
            return Ok(rebuild(response, body));
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
                Err(fault::api_error(envelope, status.as_u16(), log_id))
            }
            // Without a decode check (no named 200 schema) progenitor decodes what it gets.
            _ if status.is_success() && op.decodes.is_none() => Ok(rebuild(response, body)),
            _ => Err(Error::Undecodable {
                status: status.as_u16(),
                body_start: fault::body_start(&body),
                log_id,
            }),
        }
    }
}

/// Reads the whole body, leaving the response (status, headers, URL) in place: a body in one
/// piece, the usual case, is taken as it is, without a copy.
async fn read_body(response: &mut reqwest::Response) -> Result<bytes::Bytes, Error> {
    let Some(first) = response.chunk().await? else {
        return Ok(bytes::Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    let mut all = bytes::BytesMut::from(&first[..]);
    all.extend_from_slice(&second);
    while let Some(more) = response.chunk().await? {
        all.extend_from_slice(&more);
    }
    Ok(all.freeze())
}

/// The response again, with its buffered body in place of the one read, and its URL. (Without
/// the URL carried over, reqwest would parse a placeholder URL for every response, which costs
/// more than the copy.)
fn rebuild(response: reqwest::Response, body: bytes::Bytes) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, _read) = http::Response::<reqwest::Body>::from(response).into_parts();
    let mut carrier = http::Response::builder()
        .url(url)
        .body(())
        .expect("a response builder given only a URL cannot fail");
    parts
        .extensions
        .extend(std::mem::take(carrier.extensions_mut()));
    reqwest::Response::from(http::Response::from_parts(parts, reqwest::Body::from(body)))
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
