//! What a file download's 2xx body must look like before it is handed over as a stream.
//!
//! An operation whose 2xx response is a file declares the file's media type in its spec
//! (`responses: 200: content: <media type>`). Gateways and expired object-store links answer
//! such a request with HTTP 200 and an HTML page; Feishu sometimes answers with its JSON error
//! envelope under a file's content type. So, for every download operation:
//!
//! - **html_instead_of_a_file**: a `text/html` body is never a file: it is refused with its status
//!   and the start of the body (or, when it is one, as the Feishu error it carries);
//! - **file_signature**: when the declared media type has a known signature (the first bytes
//!   every such file starts with: `PK\x03\x04` for `.xlsx` and other zip containers, `\x89PNG`
//!   for PNG …), a body that does not start with it is refused the same way.
//!
//! The bytes read to decide are handed on in front of the rest: the stream the caller gets is
//! the whole body.

use futures::StreamExt;
use http::header::CONTENT_TYPE;
use http::HeaderMap;
use progenitor_client::ByteStream;

use crate::error::{api_error, body_start, log_id, Error, FeishuErrorBody};

/// At most this many bytes of a refused body are read, to report its start and to see whether
/// it is a Feishu error envelope.
pub(crate) const SNIFF_LIMIT: usize = 64 * 1024;

/// The signatures of the file formats Feishu serves, by declared media type.
const SIGNATURES: &[(&str, &[u8])] = &[
    // Office Open XML (.xlsx, .docx, .pptx) and plain zip archives are zip containers.
    (
        "application/vnd.openxmlformats-officedocument.",
        b"PK\x03\x04",
    ),
    ("application/zip", b"PK\x03\x04"),
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/gif", b"GIF8"),
];

/// The signature every file of `media_type` starts with, when it is a known one.
pub(crate) fn signature(media_type: &str) -> Option<&'static [u8]> {
    let media_type = media_type.split(';').next().unwrap_or_default().trim();
    SIGNATURES
        .iter()
        .find(|(prefix, _)| {
            media_type.len() >= prefix.len()
                && media_type[..prefix.len()].eq_ignore_ascii_case(prefix)
        })
        .map(|(_, signature)| *signature)
}

/// Checks the body of a 2xx, non-JSON response (whose `headers` the caller took) of a download
/// operation whose file is of `media_type` (see the module docs): the whole body, still
/// streaming, or the error it is.
pub(super) async fn check(
    mut response: reqwest::Response,
    headers: &HeaderMap,
    media_type: &str,
    documented: super::ErrorTable,
) -> Result<ByteStream, Error> {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .get(..9)
                .is_some_and(|t| t.eq_ignore_ascii_case("text/html"))
        });
    let expected = signature(media_type);
    if !html && expected.is_none() {
        return Ok(ByteStream::new(Box::pin(response.bytes_stream())));
    }
    // What the decision needs: the signature's length, or (to report a refusal) more.
    let wanted = if html {
        SNIFF_LIMIT
    } else {
        expected.map_or(0, <[u8]>::len)
    };
    let mut start = Vec::new();
    while start.len() < wanted {
        match response.chunk().await? {
            Some(chunk) => start.extend_from_slice(&chunk),
            None => break,
        }
    }
    let refused = html || expected.is_some_and(|signature| !start.starts_with(signature));
    if refused {
        while start.len() < SNIFF_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => start.extend_from_slice(&chunk),
                _ => break,
            }
        }
        let status = response.status().as_u16();
        return Err(not_a_file(
            status,
            &start,
            log_id(headers, None),
            documented,
        ));
    }
    let start = futures::stream::once(std::future::ready(Ok(bytes::Bytes::from(start))));
    Ok(ByteStream::new(Box::pin(
        start.chain(response.bytes_stream()),
    )))
}

/// The error for a download answered with something that is not a file: the Feishu error when
/// the body is one (with its row of `documented`, the operation's error table), else
/// [`Error::Undecodable`] with the start of the body.
pub(crate) fn not_a_file(
    status: u16,
    body: &[u8],
    log_id: Option<String>,
    documented: super::ErrorTable,
) -> Error {
    match serde_json::from_slice::<FeishuErrorBody>(body) {
        Ok(envelope) if envelope.code != 0 => api_error(envelope, status, log_id, documented),
        _ => Error::Undecodable {
            status,
            body_start: if body.is_empty() {
                "(an empty body instead of the file)".into()
            } else {
                body_start(body)
            },
            log_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signatures_by_declared_media_type() {
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        assert_eq!(signature(xlsx), Some(&b"PK\x03\x04"[..]));
        assert_eq!(signature("Image/PNG; q=1"), Some(&b"\x89PNG\r\n\x1a\n"[..]));
        assert_eq!(signature("application/octet-stream"), None);
        assert_eq!(signature("image"), None);
    }
}
