//! The export tasks the plug-in creates, and what its downloads send.

use std::time::SystemTime;

use crate::fake::state::Ids;
use crate::vc::types::ExportMeetingListRequest;
use crate::vc::ExportStatus;
use crate::UserIdType;

/// The plug-in's options, set through the [`FakeFeishuBuilder`](crate::fake::FakeFeishuBuilder).
#[derive(Clone, Debug)]
pub(super) struct Config {
    /// How many polls of a new export task answer "processing" before it ends.
    pub(super) processing_polls: u32,
    /// When set, new export tasks end as failed with this `fail_msg` instead of done.
    pub(super) fail_msg: Option<String>,
    /// What the download sends.
    pub(super) download: DownloadConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            processing_polls: super::DEFAULT_PROCESSING_POLLS,
            fail_msg: None,
            download: DownloadConfig {
                synthetic_size: None,
                content_length: true,
                disposition: Disposition::Default,
            },
        }
    }
}

/// What `GET /open-apis/vc/v1/exports/download` sends.
#[derive(Clone, Debug)]
pub(super) struct DownloadConfig {
    /// `None`: the task's workbook; `Some(n)`: `n` filler bytes, streamed.
    pub(super) synthetic_size: Option<u64>,
    /// Whether a `Content-Length` header is sent (else the body is chunked).
    pub(super) content_length: bool,
    pub(super) disposition: Disposition,
}

/// The `Content-Disposition` of downloads.
#[derive(Clone, Debug)]
pub(super) enum Disposition {
    /// `attachment; filename="会议明细_<from>-<to>.xlsx"`, the name in raw UTF-8 like Feishu.
    Default,
    /// These bytes, as they are.
    Custom(Vec<u8>),
    /// No header.
    Absent,
}

/// An export task created by `POST /open-apis/vc/v1/exports/meeting_list`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExportTask {
    /// Its id, 19 digits, as answered in `data.task_id`.
    pub task_id: String,
    /// The request's `user_id_type` (Feishu's default `open_id` when absent).
    pub user_id_type: UserIdType,
    /// The request body that created it.
    pub request: ExportMeetingListRequest,
    /// When it was created.
    pub created_at: SystemTime,
    /// How many times `GET /open-apis/vc/v1/exports/{task_id}` answered for it.
    pub polls: u32,
    /// How many times its file was downloaded (whole or not).
    pub downloads: u32,
    /// The token its file downloads with, answered once it is done. Like Feishu's, it contains
    /// `+`, `/` and `=`, so it must be percent-encoded in a query string.
    pub file_token: String,
    /// Polls that answer "processing" before it ends.
    pub(super) processing_polls: u32,
    /// It ends as failed with this message instead of done.
    pub(super) fail_msg: Option<String>,
}

impl ExportTask {
    /// Its status now: processing for the configured number of polls, then done (or failed).
    pub fn status(&self) -> ExportStatus {
        if self.polls <= self.processing_polls {
            ExportStatus::Processing
        } else if self.fail_msg.is_some() {
            ExportStatus::Failed
        } else {
            ExportStatus::Done
        }
    }

    /// Its `fail_msg`, once it has failed.
    pub fn fail_msg(&self) -> Option<&str> {
        match self.status() {
            ExportStatus::Failed => self.fail_msg.as_deref(),
            _ => None,
        }
    }

    /// Ends it at its next poll: done, or failed with `fail_msg`.
    pub(super) fn finish(&mut self, fail_msg: Option<String>) {
        self.processing_polls = self.polls;
        self.fail_msg = fail_msg;
    }
}

/// The plug-in's state: its options and every task it created.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exports {
    pub(super) config: Config,
    pub(super) tasks: Vec<ExportTask>,
}

impl Exports {
    /// Stores a new export task and returns its id: 19 digits, unique within this fake.
    pub(super) fn create_task(
        &mut self,
        ids: &mut Ids,
        user_id_type: UserIdType,
        request: ExportMeetingListRequest,
    ) -> String {
        let task_id = loop {
            let id =
                (7_000_000_000_000_000_000 + ids.next() % 1_000_000_000_000_000_000).to_string();
            if !self.tasks.iter().any(|t| t.task_id == id) {
                break id;
            }
        };
        let file_token = format!("{}+{}/{}==", ids.hex(20), ids.hex(16), ids.hex(18));
        self.tasks.push(ExportTask {
            task_id: task_id.clone(),
            user_id_type,
            request,
            created_at: SystemTime::now(),
            polls: 0,
            downloads: 0,
            file_token,
            processing_polls: self.config.processing_polls,
            fail_msg: self.config.fail_msg.clone(),
        });
        task_id
    }

    pub(super) fn task_mut(&mut self, task_id: &str) -> Option<&mut ExportTask> {
        self.tasks.iter_mut().find(|t| t.task_id == task_id)
    }

    /// The done task whose file `file_token` downloads.
    pub(super) fn task_with_file(&mut self, file_token: &str) -> Option<&mut ExportTask> {
        self.tasks
            .iter_mut()
            .find(|t| t.file_token == file_token && t.status() == ExportStatus::Done)
    }
}
