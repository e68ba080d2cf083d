//! Responses as Feishu shapes them: the JSON envelope, the error details, the log id.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Map, Value};

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
            Self::Text { .. } => None,
        }
    }

    /// The HTTP response: `X-Tt-Logid` on every response, `error.log_id` in every error body.
    pub(super) fn into_response(self, log_id: &str) -> Response<Body> {
        let (status, content_type, bytes) = match self {
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
        response
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
