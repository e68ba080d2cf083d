//! Every endpoint the fake serves, routed in one place, and their handlers.
//!
//! Handlers are plain functions of the locked [`State`] and the [`RecordedRequest`]: they decide
//! the reply; [`Reply::into_response`] adds the log id and the headers.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::reply::{FieldViolation, Reply};
use super::state::{RecordedRequest, State, TokenStatus};
use super::validate;

/// `POST`: app credentials → tenant access token (self-built apps).
pub const TENANT_ACCESS_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// `POST`: start an export of the meeting list.
pub const EXPORT_MEETING_LIST_PATH: &str = "/open-apis/vc/v1/exports/meeting_list";

/// The one routing table.
pub(super) fn route(state: &mut State, request: &RecordedRequest) -> Reply {
    match (&request.method, request.path.as_str()) {
        (&Method::POST, TENANT_ACCESS_TOKEN_PATH) => tenant_access_token(state, request),
        (&Method::POST, EXPORT_MEETING_LIST_PATH) => export_meeting_list(state, request),
        _ => Reply::not_found(),
    }
}

/// `POST /open-apis/auth/v3/tenant_access_token/internal`: the token fields are top level (no
/// `data`). A fresh token on every call; earlier ones stay valid until they expire.
fn tenant_access_token(state: &mut State, request: &RecordedRequest) -> Reply {
    let body = request.json();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(app_id), Some(app_secret)) = (field("app_id"), field("app_secret")) else {
        return Reply::error(StatusCode::BAD_REQUEST, 10003, "invalid param")
            .with_message("the body must be a JSON object with the strings app_id and app_secret");
    };
    if app_id != state.config.app_id {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            99991543,
            "app_id or app_secret is invalid",
        )
        .with_message("no app with this app_id");
    }
    if app_secret != state.config.app_secret {
        return Reply::error(StatusCode::BAD_REQUEST, 10014, "app secret invalid");
    }
    let token = state.issue_tenant_token();
    Reply::json(json!({
        "code": 0,
        "msg": "ok",
        "tenant_access_token": token,
        "expire": state.config.token_ttl.as_secs(),
    }))
}

/// The bearer-token check every business API makes before looking at the request.
///
/// Decisions (the HTTP status of token errors is undocumented; the fake uses 400): no
/// `Authorization: Bearer …` → 99991661; a token that is neither `t-…` nor `u-…` → 99991671;
/// an unknown or expired tenant token → 99991663; an unknown user token → 99991668.
fn authorize(state: &State, request: &RecordedRequest) -> Result<(), Reply> {
    let invalid = |code, msg| Err(Reply::error(StatusCode::BAD_REQUEST, code, msg));
    let Some(token) = request.bearer_token() else {
        return invalid(
            99991661,
            "Missing access token for authorization. Please make a request with token attached.",
        );
    };
    match state.check_token(token) {
        TokenStatus::Valid => Ok(()),
        TokenStatus::TenantInvalid => invalid(
            99991663,
            "Invalid access token for authorization. Please make a request with token attached.",
        ),
        TokenStatus::UserInvalid => invalid(99991668, "user access token invalid or expired"),
        TokenStatus::Malformed => {
            invalid(99991671, "token format wrong: it must start with t- or u-")
        }
    }
}

/// `POST /open-apis/vc/v1/exports/meeting_list`: checks the token, `user_id_type` and the body
/// (times, enums, the 9-digit meeting number, at most one filter); any parameter problem is
/// 121003 `param error` at HTTP 400, with `error.field_violations` saying what is wrong.
fn export_meeting_list(state: &mut State, request: &RecordedRequest) -> Reply {
    if let Err(reply) = authorize(state, request) {
        return reply;
    }
    let user_id_type = match validate::user_id_type(request.query_param("user_id_type").as_deref())
    {
        Ok(kind) => kind,
        Err(violation) => return param_error(&[violation]),
    };
    let body = match validate::meeting_list_body(&request.body) {
        Ok(body) => body,
        Err(violations) => return param_error(&violations),
    };
    let task_id = state.create_task(user_id_type, body);
    Reply::data(json!({ "task_id": task_id }))
}

/// 121003 `param error` at HTTP 400, like the real service.
fn param_error(violations: &[FieldViolation]) -> Reply {
    let message = violations
        .iter()
        .map(|v| format!("{}: {}", v.field, v.description))
        .collect::<Vec<_>>()
        .join("; ");
    violations
        .iter()
        .fold(
            Reply::error(StatusCode::BAD_REQUEST, 121003, "param error"),
            |reply, v| reply.with_field_violation(v),
        )
        .with_message(message)
}
