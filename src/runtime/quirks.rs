//! Feishu's quirks, each in a named place (and each with a test named after it).

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};

use super::{content_type, fault, is_json};
use crate::error::{Error, FeishuErrorBody};

/// Feishu documents `Content-Type: application/json; charset=utf-8` for request bodies.
pub(super) fn json_content_type(request: &mut reqwest::Request) {
    if is_json(content_type(request.headers())) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
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
/// - a 2xx that is not JSON (a file download) passes through, still streaming;
/// - **error_in_http_200**: a JSON body with `code != 0` is a Feishu error at any HTTP status;
/// - **non_json_error_body**: a non-2xx body that is not a Feishu envelope (an HTML page from a
///   gateway) becomes [`Error::Undecodable`] with the status and the start of the body;
/// - anything else passes through with its buffered body.
pub(super) async fn screen(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() && !is_json(content_type(response.headers())) {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    match serde_json::from_slice::<FeishuErrorBody>(&body) {
        Ok(envelope) if envelope.code != 0 => {
            let log_id = log_id(&headers, Some(&envelope));
            Ok(fault::response(fault::api_error(envelope, status.as_u16(), log_id)))
        }
        _ if status.is_success() => Ok(rebuild(status, headers, body)),
        _ => Ok(fault::response(Error::Undecodable {
            status: status.as_u16(),
            body_start: fault::body_start(&body),
            log_id: log_id(&headers, None),
        })),
    }
}

fn rebuild(status: http::StatusCode, headers: HeaderMap, body: Bytes) -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}
