//! Responses as Feishu shapes them: the JSON envelope, the error details, the log id.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Frame;
use serde_json::{json, Map, Value};

use super::fault::Fault;

/// The error type of a response body (a streamed body may fail midway).
pub(super) type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// The body of every response the fake sends.
pub(super) type Body = BoxBody<Bytes, BodyError>;

/// Feishu's JSON content type, on every JSON response.
pub(super) const JSON: &str = "application/json; charset=utf-8";

/// A response before the log id is known.
#[derive(Debug)]
pub(super) enum Reply {
    /// A JSON body; when `code` is not 0 the log id is also put in `error.log_id`.
    Json { status: StatusCode, body: Value },
    /// A plain-text body, as Feishu's gateway sends for unknown paths.
    Text {
        status: StatusCode,
        body: &'static str,
    },
    /// An HTML page, as a gateway in front of Feishu sends when it fails.
    Html {
        status: StatusCode,
        body: &'static str,
    },
    /// HTTP 429 with code 99991400 and the rate-limit headers.
    RateLimited { reset_secs: u64 },
    /// A file, streamed.
    File(FileReply),
}

/// A download's answer: the file and its headers, and how a fault shapes its body.
#[derive(Debug)]
pub(super) struct FileReply {
    pub(super) source: FileSource,
    /// The `Content-Type`: the media type the operation's spec declares.
    pub(super) content_type: String,
    /// The `Content-Disposition` bytes, sent as they are.
    pub(super) content_disposition: Option<Vec<u8>>,
    /// Whether `Content-Length` is sent (else the body is chunked).
    pub(super) content_length: bool,
    /// A body fault ([`Fault::CutOff`], [`Fault::Stall`], [`Fault::SlowBody`]).
    pub(super) shaping: Option<Fault>,
}

/// Where a file's bytes come from.
#[derive(Debug)]
pub(super) enum FileSource {
    /// These bytes (the workbook).
    Bytes(Bytes),
    /// This many filler bytes, made as they are sent: memory use does not grow with the size.
    #[allow(dead_code, reason = "for plug-ins, and a build may enable none")]
    Filler(u64),
}

impl Reply {
    /// HTTP 200 with this JSON body, as is (the token endpoint's fields are top level).
    pub(super) fn json(body: Value) -> Self {
        Self::Json {
            status: StatusCode::OK,
            body,
        }
    }

    /// HTTP 200 with `{"code":0,"msg":"success","data":data}`.
    #[allow(dead_code, reason = "for plug-ins, and a build may enable none")]
    pub(super) fn data(data: Value) -> Self {
        Self::json(json!({"code": 0, "msg": "success", "data": data}))
    }

    /// An error envelope `{"code","msg","error":{}}` at `status`.
    pub(super) fn error(status: StatusCode, code: i64, msg: &str) -> Self {
        Self::Json {
            status,
            body: json!({"code": code, "msg": msg, "error": {}}),
        }
    }

    /// HTTP 404 `404 page not found`, for a path or method the fake does not serve.
    pub(super) fn not_found() -> Self {
        Self::Text {
            status: StatusCode::NOT_FOUND,
            body: "404 page not found",
        }
    }

    /// Sets `error.message`.
    pub(super) fn with_message(mut self, message: impl Into<String>) -> Self {
        if let Some(error) = self.error_object() {
            error.insert("message".into(), Value::String(message.into()));
        }
        self
    }

    /// Adds one `error.field_violations` entry.
    pub(super) fn with_field_violation(mut self, violation: &FieldViolation) -> Self {
        if let Some(error) = self.error_object() {
            let list = error
                .entry("field_violations")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.push(json!({
                    "field": violation.field,
                    "value": violation.value,
                    "description": violation.description,
                }));
            }
        }
        self
    }

    fn error_object(&mut self) -> Option<&mut Map<String, Value>> {
        match self {
            Self::Json { body, .. } => body.get_mut("error")?.as_object_mut(),
            _ => None,
        }
    }

    /// Applies a body fault to a file; any other answer is left as it is.
    pub(super) fn shaped(mut self, fault: Fault) -> Self {
        if let Self::File(file) = &mut self {
            file.shaping = Some(fault);
        }
        self
    }

    /// The HTTP response: `X-Tt-Logid` on every response, `error.log_id` in every error body.
    pub(super) fn into_response(self, log_id: &str) -> Response<Body> {
        let mut extra = Vec::new();
        let (status, content_type, bytes) = match self {
            Self::File(file) => return file.into_response(log_id),
            Self::RateLimited { reset_secs } => {
                extra.push(("x-ogw-ratelimit-limit", "100".to_string()));
                extra.push(("x-ogw-ratelimit-reset", reset_secs.to_string()));
                let body = json!({
                    "code": 99991400,
                    "msg": "request trigger frequency limit",
                    "error": {"log_id": log_id},
                });
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    JSON,
                    Bytes::from(body.to_string()),
                )
            }
            Self::Html { status, body } => (
                status,
                "text/html; charset=utf-8",
                Bytes::from_static(body.as_bytes()),
            ),
            Self::Json { status, mut body } => {
                let is_error = body
                    .get("code")
                    .and_then(Value::as_i64)
                    .is_some_and(|c| c != 0);
                if is_error {
                    if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
                        error.insert("log_id".into(), Value::String(log_id.to_string()));
                    }
                }
                (status, JSON, Bytes::from(body.to_string()))
            }
            Self::Text { status, body } => (
                status,
                "text/plain; charset=utf-8",
                Bytes::from_static(body.as_bytes()),
            ),
        };
        let mut response = Response::new(full(bytes));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Ok(value) = HeaderValue::from_str(log_id) {
            headers.insert("x-tt-logid", value);
        }
        for (name, value) in extra {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}

impl FileReply {
    fn into_response(self, log_id: &str) -> Response<Body> {
        let size = match &self.source {
            FileSource::Bytes(bytes) => bytes.len() as u64,
            FileSource::Filler(size) => *size,
        };
        let mut response = Response::new(FileBody::new(self.source, self.shaping).boxed());
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&self.content_type) {
            headers.insert(CONTENT_TYPE, value);
        }
        if self.content_length {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(size));
        }
        if let Some(value) = self
            .content_disposition
            .and_then(|v| HeaderValue::from_bytes(&v).ok())
        {
            headers.insert(CONTENT_DISPOSITION, value);
        }
        if let Ok(value) = HeaderValue::from_str(log_id) {
            headers.insert("x-tt-logid", value);
        }
        response
    }
}

/// Filler for synthetic downloads, shared by every chunk sent. It starts with a zip signature,
/// like the workbook it stands in for, so the client takes it for one.
static FILLER: [u8; 64 * 1024] = {
    let mut block = [0u8; 64 * 1024];
    let mut i = 0;
    while i < block.len() {
        block[i] = b'a' + (i % 26) as u8;
        i += 1;
    }
    let signature = *b"PK\x03\x04";
    let mut j = 0;
    while j < signature.len() {
        block[j] = signature[j];
        j += 1;
    }
    block
};

/// A file's body, sent chunk by chunk, as a body fault shapes it.
struct FileBody {
    source: FileSource,
    size: u64,
    sent: u64,
    chunk: usize,
    /// Stop with an error once this many bytes are sent.
    cut_off: Option<u64>,
    /// The cut has begun (the pause before it).
    cutting: bool,
    /// Pause once, for the duration, when this many bytes are sent.
    stall: Option<(u64, Duration)>,
    /// Pause between chunks.
    pause: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl FileBody {
    fn new(source: FileSource, shaping: Option<Fault>) -> Self {
        let size = match &source {
            FileSource::Bytes(bytes) => bytes.len() as u64,
            FileSource::Filler(size) => *size,
        };
        let mut body = Self {
            source,
            size,
            sent: 0,
            chunk: FILLER.len(),
            cut_off: None,
            cutting: false,
            stall: None,
            pause: None,
            sleep: None,
        };
        match shaping {
            Some(Fault::CutOff { after_bytes }) => body.cut_off = Some(after_bytes.min(size)),
            Some(Fault::Stall { after_bytes, pause }) => body.stall = Some((after_bytes, pause)),
            Some(Fault::SlowBody { chunk_bytes, pause }) => {
                body.chunk = chunk_bytes.max(1);
                body.pause = Some(pause);
            }
            _ => {}
        }
        body
    }

    /// The next chunk, at most `len` bytes from `sent`.
    fn bytes(&self, len: usize) -> Bytes {
        match &self.source {
            FileSource::Bytes(bytes) => bytes.slice(self.sent as usize..self.sent as usize + len),
            FileSource::Filler(_) => {
                let from = (self.sent % FILLER.len() as u64) as usize;
                let len = len.min(FILLER.len() - from);
                Bytes::from_static(&FILLER[from..from + len])
            }
        }
    }
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if let Some(sleep) = self.sleep.as_mut() {
            std::task::ready!(sleep.as_mut().poll(cx));
            self.sleep = None;
        }
        let limit = self.cut_off.unwrap_or(self.size);
        if self.sent >= limit {
            if self.sent >= self.size {
                return Poll::Ready(None);
            }
            if !self.cutting {
                // Pause briefly first, so that the bytes before the cut reach the client.
                self.cutting = true;
                self.sleep = Some(Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                return self.poll_frame(cx);
            }
            return Poll::Ready(Some(Err(
                "the fake cut the download off (Fault::CutOff)".into()
            )));
        }
        let mut len = (limit - self.sent).min(self.chunk as u64);
        if let Some((at, _)) = self.stall {
            if self.sent < at {
                len = len.min(at - self.sent);
            }
        }
        let bytes = self.bytes(len as usize);
        self.sent += bytes.len() as u64;
        if let Some((at, pause)) = self.stall {
            if self.sent == at {
                self.stall = None;
                self.sleep = Some(Box::pin(tokio::time::sleep(pause)));
            }
        }
        if let Some(pause) = self.pause {
            if self.sent < limit {
                self.sleep = Some(Box::pin(tokio::time::sleep(pause)));
            }
        }
        Poll::Ready(Some(Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.cut_off.is_none() && self.sent >= self.size
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        // No exact hint: the Content-Length header, when sent, says the size.
        hyper::body::SizeHint::default()
    }
}

/// A whole body in memory.
pub(super) fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// One rejected field: what was sent and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FieldViolation {
    pub(super) field: String,
    pub(super) value: String,
    pub(super) description: String,
}

impl FieldViolation {
    pub(super) fn new(
        field: &str,
        value: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            field: field.to_string(),
            value: value.into(),
            description: description.into(),
        }
    }
}
