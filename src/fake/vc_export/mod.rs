//! The VC export lifecycle in the fake (cargo features `fake` and `vc`): a plug-in of the
//! generic fake (see the [module documentation](super)), for the operations whose answers depend
//! on earlier requests — a created task, its polls, its file.
//!
//! ```
//! use feishu_openapi::fake::FakeFeishu;
//! use feishu_openapi::vc::{types::ExportMeetingListRequest, MeetingFilter, MeetingType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), feishu_openapi::Error> {
//! let fake = FakeFeishu::start().await;
//! let body = ExportMeetingListRequest::new(1_655_276_858_u64, 1_655_363_258_u64)
//!     .with_filter(MeetingFilter::MeetingType(MeetingType::Video));
//! let created = fake.client().vc().export_meeting_list().body(body).call().await?;
//!
//! assert_eq!(created.task_id.len(), 19);
//! assert_eq!(fake.meeting_list_requests(), 1);
//! assert_eq!(fake.tasks()[0].task_id, created.task_id);
//! # Ok(()) }
//! ```
//!
//! | operation | checks | errors |
//! |---|---|---|
//! | `POST /open-apis/vc/v1/exports/meeting_list` | `user_id_type`, body | any parameter problem: 121003 `param error` at HTTP 400 with `error.field_violations` |
//! | `GET /open-apis/vc/v1/exports/{task_id}` (digits) | — | unknown task: 121004 `data not exist` at HTTP 404 |
//! | `GET /open-apis/vc/v1/exports/download?file_token=…` | `file_token` | missing: 121003 at HTTP 400; unknown, or of a task not done: 121004 at HTTP 404 |
//!
//! The bearer token is checked first, by the generic fake. The meeting-list export checks
//! `user_id_type` one of `open_id` / `union_id` / `user_id`; `start_time`, `end_time` strings of
//! digits with start ≤ end; `meeting_status` and `meeting_type` in 1–3; `meeting_no` 9 digits;
//! `user_id`, `room_id` non-empty; and **at most one** of `meeting_no` / `user_id` / `room_id` /
//! `meeting_type` — independently of the client's own checks. On success it stores an
//! [`ExportTask`] and answers `{"code":0,"msg":"success","data":{"task_id":"<19 digits>"}}`.
//! The other exports (participants, quality, reservations) are answered from the spec.
//!
//! A task answers `{"status":1}` (processing) to its first
//! [`export_processing_polls`](FakeFeishuBuilder::export_processing_polls) polls (default
//! [`DEFAULT_PROCESSING_POLLS`]), then `{"status":3,"url":…,"file_token":…}` (done) — or
//! `{"status":2,"fail_msg":…}` with [`export_fails`](FakeFeishuBuilder::export_fails);
//! [`finish_task`](FakeFeishu::finish_task) ends one at its next poll. Its `file_token` contains
//! `+`, `/` and `=`, like Feishu's. The download is a real `.xlsx` workbook (a minimal Office Open
//! XML package) with a header row and one row per meeting of the task's range and filter, with
//! `Content-Length` and `Content-Disposition: attachment; filename="会议明细_<from>-<to>.xlsx"`
//! (raw UTF-8, as Feishu sends it; [`set_content_disposition`](FakeFeishu::set_content_disposition)
//! sends anything else). [`synthetic_download`](FakeFeishuBuilder::synthetic_download) replaces
//! the workbook by any number of filler bytes, streamed, for memory and throughput measurements.
//!
//! Faults aimed at the export's operations:
//!
//! ```
//! use std::time::Duration;
//! use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
//! use feishu_openapi::vc::export::{MeetingListExport, WaitOptions};
//! use feishu_openapi::vc::types::ExportMeetingListRequest;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), feishu_openapi::Error> {
//! let fake = FakeFeishu::builder().export_processing_polls(2).start().await;
//! fake.inject(Endpoint::ExportGet, Fault::RateLimited { reset_secs: 0 });
//! fake.inject(Endpoint::ExportDownload, Fault::CutOff { after_bytes: 100 });
//!
//! let export = MeetingListExport::new(ExportMeetingListRequest::new(1_655_276_858_u64, 1_655_363_258_u64));
//! let fast = WaitOptions::default()
//!     .min_interval(Duration::from_millis(5))
//!     .interval(Duration::from_millis(5));
//! let file = export.create(&fake.client()).await?.wait(&fast).await?; // survives the rate limit
//! let dir = std::env::temp_dir();
//! let cut = file.download().save_in(&dir).await;                      // cut off: nothing saved
//! assert!(cut.is_err());
//! let saved = file.download().save_in(&dir).await?;                   // whole this time
//! assert_eq!(fake.tasks()[0].downloads, 2);
//! # std::fs::remove_file(saved.path).unwrap();
//! # Ok(()) }
//! ```

mod routes;
mod task;
mod validate;
mod xlsx;

pub use task::ExportTask;
pub(super) use task::Exports;

use super::plugin::Plugin;
use super::reply::Reply;
use super::state::{lock, Core, RecordedRequest};
use super::{Endpoint, FakeFeishu, FakeFeishuBuilder};
use task::Disposition;

/// `POST`: start an export of the meeting list.
pub const EXPORT_MEETING_LIST_PATH: &str = "/open-apis/vc/v1/exports/meeting_list";
/// `GET` with `?file_token=…`: download an export's file.
pub const EXPORT_DOWNLOAD_PATH: &str = "/open-apis/vc/v1/exports/download";
/// `GET` followed by a task id (digits): an export task's status.
pub const EXPORT_TASK_PATH_PREFIX: &str = "/open-apis/vc/v1/exports/";

/// How many polls of a new export task answer "processing" unless
/// [`FakeFeishuBuilder::export_processing_polls`] says otherwise.
pub const DEFAULT_PROCESSING_POLLS: u32 = 1;

/// The operations the plug-in answers.
const MEETING_LIST: &str = "export_meeting_list";
const GET: &str = "export_get";
const DOWNLOAD: &str = "export_download";

#[allow(
    non_upper_case_globals,
    reason = "named like the variants they stood for before operations were named by id"
)]
impl Endpoint {
    /// `POST /open-apis/vc/v1/exports/meeting_list`.
    pub const ExportMeetingList: Endpoint = Endpoint::Operation(MEETING_LIST);
    /// `GET /open-apis/vc/v1/exports/{task_id}`.
    pub const ExportGet: Endpoint = Endpoint::Operation(GET);
    /// `GET /open-apis/vc/v1/exports/download`.
    pub const ExportDownload: Endpoint = Endpoint::Operation(DOWNLOAD);
}

impl Plugin for Exports {
    fn answer(
        &mut self,
        core: &mut Core,
        operation_id: &str,
        request: &RecordedRequest,
    ) -> Option<Reply> {
        Some(match operation_id {
            MEETING_LIST => routes::export_meeting_list(self, core, request),
            GET => routes::export_get(self, core, request),
            DOWNLOAD => routes::export_download(self, request),
            _ => return None,
        })
    }

    fn clone_box(&self) -> Box<dyn Plugin> {
        Box::new(self.clone())
    }
}

impl FakeFeishu {
    /// Runs `f` on the export plug-in's state (registered whenever `vc` is on).
    fn exports<R>(&self, f: impl FnOnce(&mut Exports) -> R) -> R {
        let mut state = lock(&self.state);
        let exports = state
            .plugin_mut::<Exports>()
            .expect("the export plug-in is registered with the vc feature");
        f(exports)
    }

    /// How many requests reached the meeting-list export (accepted or refused).
    pub fn meeting_list_requests(&self) -> usize {
        self.operation_requests(MEETING_LIST)
    }

    /// How many requests reached `GET /open-apis/vc/v1/exports/{task_id}` (polls, answered or
    /// not).
    pub fn export_get_requests(&self) -> usize {
        self.operation_requests(GET)
    }

    /// How many requests reached the download (answered or not).
    pub fn download_requests(&self) -> usize {
        self.operation_requests(DOWNLOAD)
    }

    /// Ends the export task `task_id` at its next poll: done, or failed with `fail_msg`.
    /// Returns `false` when there is no such task.
    pub fn finish_task(&self, task_id: &str, fail_msg: Option<&str>) -> bool {
        self.exports(|exports| match exports.task_mut(task_id) {
            Some(task) => {
                task.finish(fail_msg.map(str::to_string));
                true
            }
            None => false,
        })
    }

    /// Sends these bytes as the `Content-Disposition` of downloads from now on, as they are (a
    /// hostile name, another encoding); `None` sends no such header.
    pub fn set_content_disposition(&self, value: Option<&[u8]>) {
        self.exports(|exports| {
            exports.config.download.disposition = match value {
                Some(bytes) => Disposition::Custom(bytes.to_vec()),
                None => Disposition::Absent,
            }
        });
    }

    /// Every export task created so far, oldest first.
    pub fn tasks(&self) -> Vec<ExportTask> {
        self.exports(|exports| exports.tasks.clone())
    }

    /// The export task with this id.
    pub fn task(&self, task_id: &str) -> Option<ExportTask> {
        self.exports(|exports| exports.tasks.iter().find(|t| t.task_id == task_id).cloned())
    }
}

impl FakeFeishuBuilder {
    fn exports(&mut self) -> &mut Exports {
        super::plugin::find_mut::<Exports>(&mut self.plugins)
            .expect("the export plug-in is registered with the vc feature")
    }

    /// Export tasks answer "processing" to this many polls, then done (default
    /// [`DEFAULT_PROCESSING_POLLS`]; 0: done at the first poll).
    pub fn export_processing_polls(mut self, polls: u32) -> Self {
        self.exports().config.processing_polls = polls;
        self
    }

    /// Export tasks end as failed, with this `fail_msg`, instead of done.
    pub fn export_fails(mut self, fail_msg: impl Into<String>) -> Self {
        self.exports().config.fail_msg = Some(fail_msg.into());
        self
    }

    /// Downloads send `bytes` filler bytes, made as they are sent, instead of the workbook: for
    /// memory and throughput measurements (the fake's own memory does not grow with the size).
    pub fn synthetic_download(mut self, bytes: u64) -> Self {
        self.exports().config.download.synthetic_size = Some(bytes);
        self
    }

    /// Whether downloads carry a `Content-Length` (default `true`); without it the body is
    /// chunked and the client does not know the size in advance.
    pub fn download_content_length(mut self, send: bool) -> Self {
        self.exports().config.download.content_length = send;
        self
    }
}
