//! The whole export, from a meeting-list request to an `.xlsx` file on disk, and each step alone.
//!
//! Feishu's export is asynchronous: `POST …/exports/meeting_list` creates a task
//! ([`MeetingListExport::create`] → [`ExportTask`]); `GET …/exports/{task_id}` says whether it is
//! done ([`ExportTask::wait`] polls it with backoff, within the rate limit and a deadline →
//! [`ExportFile`]); `GET …/exports/download?file_token=…` is the file
//! ([`ExportFile::download`] streams it to a folder, a path or any `AsyncWrite`).
//!
//! ```
//! use std::time::Duration;
//! use feishu_openapi::vc::export::{MeetingListExport, WaitOptions};
//! use feishu_openapi::vc::types::ExportMeetingListRequest;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), feishu_openapi::Error> {
//! # let fake = feishu_openapi::fake::FakeFeishu::start().await;
//! # let feishu = fake.client();
//! # let dir = std::env::temp_dir().join(format!("feishu-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let export = MeetingListExport::new(ExportMeetingListRequest::new(1_655_276_858_u64, 1_655_363_258_u64));
//! let wait = WaitOptions::default()
//!     .deadline(Duration::from_secs(15 * 60))
//!     .on_progress(|p| eprintln!("{:?}, {} s", p.status, p.elapsed.as_secs()));
//! # let wait = wait.min_interval(Duration::from_millis(10)).interval(Duration::from_millis(10));
//!
//! // One call: create, wait, download into `dir` under the name Feishu gives.
//! let saved = export.save_in(&feishu, &dir, &wait).await?;
//! println!("{} ({} bytes)", saved.path.display(), saved.bytes);
//!
//! // The same, step by step.
//! let task = export.create(&feishu).await?;
//! println!("task {}", task.task_id()); // keep it to resume later: ExportTask::resume
//! let file = task.wait(&wait).await?;
//! let saved = file
//!     .download()
//!     .on_progress(|p| eprintln!("{} of {:?} bytes", p.bytes, p.total))
//!     .save_in(&dir)
//!     .await?;
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```
//!
//! Files appear at their destination whole or not at all: the bytes go to a temporary file in
//! the destination folder that is flushed, synced and renamed only once the download is
//! complete, and removed on any failure. The name Feishu offers in `Content-Disposition` is made
//! safe first: it never leaves the chosen folder.

mod task;
mod task_id;
mod wait;

pub use crate::download::{Download, DownloadProgress, Downloaded, SavedFile};
pub use task::{ExportTask, MeetingListExport};
pub use task_id::{InvalidTaskId, TaskId};
pub use wait::{WaitOptions, WaitProgress, MIN_POLL_INTERVAL};

use std::fmt;

use crate::types::ExportTaskResult;
use feishu_openapi_core::{Connection, Error};

feishu_openapi_core::int_enum! {
    /// 任务状态 — the status of an export task (`status` of `export_get`).
    ExportStatus {
        /// 1, 处理中: Feishu is still preparing the file; ask again later.
        Processing = 1, "processing",
        /// 2, 失败: the export failed; `fail_msg` says why. Nothing to download.
        Failed = 2, "failed",
        /// 3, 完成: the file is ready; `file_token` downloads it.
        Done = 3, "done",
    }
}

/// The file of a finished export task, ready to download with its `file_token`.
///
/// Made by [`ExportTask::wait`], or by [`ExportFile::from_file_token`] from a token obtained
/// earlier.
#[derive(Clone)]
pub struct ExportFile {
    client: Connection,
    task_id: Option<String>,
    file_token: String,
    url: Option<String>,
    kind: &'static str,
}

impl ExportFile {
    /// The file with this `file_token` (from `export_get` of a finished task). Nothing is sent
    /// until it is downloaded.
    pub fn from_file_token(feishu: &Connection, file_token: impl Into<String>) -> Self {
        Self {
            client: feishu.clone(),
            task_id: None,
            file_token: file_token.into(),
            url: None,
            kind: "export",
        }
    }

    /// A done task's result as a file; a result without a `file_token` cannot be downloaded.
    fn done(task: &ExportTask, result: ExportTaskResult) -> Result<Self, Error> {
        match result.file_token.filter(|t| !t.is_empty()) {
            Some(file_token) => Ok(Self {
                client: task.client().clone(),
                task_id: Some(task.task_id().to_string()),
                file_token,
                url: result.url.filter(|u| !u.is_empty()),
                kind: task.kind(),
            }),
            None => Err(Error::TaskFailed {
                task: "export",
                task_id: task.task_id().to_string(),
                message: "Feishu reported the task done but gave no file_token".into(),
            }),
        }
    }

    /// The token that downloads the file.
    pub fn file_token(&self) -> &str {
        &self.file_token
    }

    /// The task it comes from, when known.
    pub fn task_id(&self) -> Option<&str> {
        self.task_id.as_deref()
    }

    /// The download address Feishu gave with the task's result (`url`), when it gave one. The
    /// crate downloads with the `file_token` instead, through the authorised API.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// A download of the file: choose a progress callback, then where it goes
    /// ([`Download::save_in`], [`Download::save_as`], [`Download::write_to`]).
    pub fn download(&self) -> Download<'_> {
        let (client, file_token) = (self.client.clone(), self.file_token.clone());
        let request = async move {
            let vc = crate::Client::from(&client);
            vc.export_download().file_token(file_token).send().await
        };
        Download::new(request, self.fallback_name())
    }

    /// The name used when Feishu offers none that is safe: `meeting_list_<task_id>.xlsx`.
    fn fallback_name(&self) -> String {
        crate::download::fallback(self.kind, self.task_id.as_deref(), "xlsx")
    }
}

impl fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportFile")
            .field("task_id", &self.task_id)
            .field("file_token", &self.file_token)
            .field("url", &self.url)
            .field("base_url", &self.client.base_url())
            .finish()
    }
}
