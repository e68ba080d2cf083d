//! Every endpoint the fake serves, routed in one place, and their handlers.
//!
//! Handlers are plain functions of the locked [`State`] and the [`RecordedRequest`]: they decide
//! the reply; [`Reply::into_response`] adds the log id and the headers.

use http::StatusCode;
use serde_json::{json, Value};

use super::fault::Endpoint;
use super::reply::{FieldViolation, FileReply, FileSource, Reply};
use super::state::{Disposition, RecordedRequest, State, TokenStatus};
use super::{validate, xlsx};
use crate::vc::ExportStatus;

/// `POST`: app credentials → tenant access token (self-built apps).
pub const TENANT_ACCESS_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// `POST`: start an export of the meeting list.
pub const EXPORT_MEETING_LIST_PATH: &str = "/open-apis/vc/v1/exports/meeting_list";
/// `GET` with `?file_token=…`: download an export's file.
pub const EXPORT_DOWNLOAD_PATH: &str = "/open-apis/vc/v1/exports/download";
/// `GET` followed by a task id (digits): an export task's status.
pub const EXPORT_TASK_PATH_PREFIX: &str = "/open-apis/vc/v1/exports/";

/// The one routing table.
pub(super) fn route(state: &mut State, request: &RecordedRequest) -> Reply {
    match Endpoint::of(&request.method, &request.path) {
        Some(Endpoint::TenantAccessToken) => tenant_access_token(state, request),
        Some(Endpoint::ExportMeetingList) => export_meeting_list(state, request),
        Some(Endpoint::ExportGet) => export_get(state, request),
        Some(Endpoint::ExportDownload) => export_download(state, request),
        // Every other operation of an enabled service, from its spec.
        _ => super::generic::answer(state, request).unwrap_or_else(Reply::not_found),
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
pub(super) fn authorize(state: &State, request: &RecordedRequest) -> Result<(), Reply> {
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

/// `GET /open-apis/vc/v1/exports/{task_id}`: checks the token; an unknown task is 121004
/// `data not exist` at HTTP 404. Each answer counts as a poll: the task answers processing for
/// its configured number of polls, then done (with `url` and `file_token`) or failed (with
/// `fail_msg`).
fn export_get(state: &mut State, request: &RecordedRequest) -> Reply {
    if let Err(reply) = authorize(state, request) {
        return reply;
    }
    let task_id = request.path.trim_start_matches(EXPORT_TASK_PATH_PREFIX);
    let base_url = state.config.base_url.clone();
    let Some(task) = state.task_mut(task_id) else {
        return Reply::error(StatusCode::NOT_FOUND, 121004, "data not exist")
            .with_message(format!("no export task {task_id}"));
    };
    task.polls += 1;
    let status = task.status();
    let mut data = json!({ "status": status.value() });
    match status {
        ExportStatus::Processing => {}
        ExportStatus::Failed => data["fail_msg"] = json!(task.fail_msg().unwrap_or_default()),
        ExportStatus::Done => {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("file_token", &task.file_token)
                .finish();
            data["url"] = json!(format!("{base_url}{EXPORT_DOWNLOAD_PATH}?{query}"));
            data["file_token"] = json!(task.file_token);
        }
    }
    Reply::data(data)
}

/// `GET /open-apis/vc/v1/exports/download?file_token=…`: checks the token; a missing
/// `file_token` is 121003 at HTTP 400, an unknown one (or one of a task not done) 121004 at
/// HTTP 404. Sends the task's workbook, or the configured number of filler bytes.
fn export_download(state: &mut State, request: &RecordedRequest) -> Reply {
    if let Err(reply) = authorize(state, request) {
        return reply;
    }
    let Some(file_token) = request.query_param("file_token").filter(|t| !t.is_empty()) else {
        return param_error(&[FieldViolation::new(
            "file_token",
            "",
            "is required: the file_token of a finished export task",
        )]);
    };
    let download = state.config.download.clone();
    let Some(task) = state.task_with_file(&file_token) else {
        return Reply::error(StatusCode::NOT_FOUND, 121004, "data not exist")
            .with_message("no finished export has this file_token");
    };
    task.downloads += 1;
    let (from, to) = (
        task.request.start_time.as_secs(),
        task.request.end_time.as_secs(),
    );
    let source = match download.synthetic_size {
        Some(size) => FileSource::Filler(size),
        None => FileSource::Bytes(xlsx::meeting_list(task)),
    };
    let content_disposition = match download.disposition {
        Disposition::Default => Some(
            format!(
                "attachment; filename=\"会议明细_{}-{}.xlsx\"",
                xlsx::china_date(from),
                xlsx::china_date(to)
            )
            .into_bytes(),
        ),
        Disposition::Custom(bytes) => Some(bytes),
        Disposition::Absent => None,
    };
    Reply::File(FileReply {
        source,
        content_disposition,
        content_length: download.content_length,
        shaping: None,
    })
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
