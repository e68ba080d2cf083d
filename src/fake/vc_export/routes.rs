//! The handlers of the export lifecycle: create (meeting_list), poll, download. The bearer token
//! has been checked by the generic fake before they are asked.

use http::StatusCode;
use serde_json::json;

use super::task::{Disposition, Exports};
use super::{validate, xlsx, EXPORT_DOWNLOAD_PATH, EXPORT_TASK_PATH_PREFIX};
use crate::fake::reply::{FieldViolation, FileReply, FileSource, Reply};
use crate::fake::state::{Core, RecordedRequest};
use crate::vc::ExportStatus;

/// `POST /open-apis/vc/v1/exports/meeting_list`: checks `user_id_type` and the body (times,
/// enums, the 9-digit meeting number, at most one filter); any parameter problem is 121003
/// `param error` at HTTP 400, with `error.field_violations` saying what is wrong.
pub(super) fn export_meeting_list(
    exports: &mut Exports,
    core: &mut Core,
    request: &RecordedRequest,
) -> Reply {
    let user_id_type = match validate::user_id_type(request.query_param("user_id_type").as_deref())
    {
        Ok(kind) => kind,
        Err(violation) => return param_error(&[violation]),
    };
    let body = match validate::meeting_list_body(&request.body) {
        Ok(body) => body,
        Err(violations) => return param_error(&violations),
    };
    let task_id = exports.create_task(&mut core.ids, user_id_type, body);
    Reply::data(json!({ "task_id": task_id }))
}

/// `GET /open-apis/vc/v1/exports/{task_id}`: an unknown task is 121004 `data not exist` at
/// HTTP 404. Each answer counts as a poll: the task answers processing for its configured
/// number of polls, then done (with `url` and `file_token`) or failed (with `fail_msg`).
pub(super) fn export_get(exports: &mut Exports, core: &Core, request: &RecordedRequest) -> Reply {
    let task_id = request.path.trim_start_matches(EXPORT_TASK_PATH_PREFIX);
    let Some(task) = exports.task_mut(task_id) else {
        return Reply::error(StatusCode::NOT_FOUND, 121004, "data not exist")
            .with_message(format!("no export task {task_id}"));
    };
    task.polls += 1;
    let status = task.status();
    let mut data = json!({ "status": status.value() });
    match status {
        ExportStatus::Processing | ExportStatus::Other(_) => {}
        ExportStatus::Failed => data["fail_msg"] = json!(task.fail_msg().unwrap_or_default()),
        ExportStatus::Done => {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("file_token", &task.file_token)
                .finish();
            let base_url = &core.config.base_url;
            data["url"] = json!(format!("{base_url}{EXPORT_DOWNLOAD_PATH}?{query}"));
            data["file_token"] = json!(task.file_token);
        }
    }
    Reply::data(data)
}

/// `GET /open-apis/vc/v1/exports/download?file_token=…`: a missing `file_token` is 121003 at
/// HTTP 400, an unknown one (or one of a task not done) 121004 at HTTP 404. Sends the task's
/// workbook, or the configured number of filler bytes.
pub(super) fn export_download(exports: &mut Exports, request: &RecordedRequest) -> Reply {
    let Some(file_token) = request.query_param("file_token").filter(|t| !t.is_empty()) else {
        return param_error(&[FieldViolation::new(
            "file_token",
            "",
            "is required: the file_token of a finished export task",
        )]);
    };
    let download = exports.config.download.clone();
    let Some(task) = exports.task_with_file(&file_token) else {
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
        content_type: xlsx::XLSX_CONTENT_TYPE.to_string(),
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
