//! Export tasks: creating one from a meeting-list request, asking for its status, resuming one by
//! its id.

use std::fmt;
use std::path::Path;

use super::{ExportFile, SavedFile, TaskId, WaitOptions};
use crate::types::{ExportMeetingListRequest, ExportTaskResult};
use feishu_openapi_core::{Connection, Error, UserIdType};

/// An export of the meeting list (导出会议明细) to start: the request body and its
/// `user_id_type`.
///
/// [`create`](Self::create) starts the export and returns its [`ExportTask`];
/// [`save_in`](Self::save_in) does the whole job, from the request to a file.
#[derive(Clone, Debug)]
pub struct MeetingListExport {
    body: ExportMeetingListRequest,
    user_id_type: Option<UserIdType>,
}

impl MeetingListExport {
    /// An export of the meetings `body` selects (its time range, status and at most one
    /// filter; see [`MeetingFilter`](crate::MeetingFilter)).
    pub fn new(body: ExportMeetingListRequest) -> Self {
        Self {
            body,
            user_id_type: None,
        }
    }

    /// The kind of user ID in the body and in the file (not sent unless set; Feishu's default is
    /// `open_id`).
    pub fn user_id_type(mut self, kind: UserIdType) -> Self {
        self.user_id_type = Some(kind);
        self
    }

    /// The request body.
    pub fn body(&self) -> &ExportMeetingListRequest {
        &self.body
    }

    /// Starts the export (`POST /open-apis/vc/v1/exports/meeting_list`): Feishu answers with the
    /// id of a task that prepares the file.
    pub async fn create(&self, feishu: &Connection) -> Result<ExportTask, Error> {
        let vc = crate::Client::from(feishu);
        let mut request = vc.export_meeting_list().body(self.body.clone());
        if let Some(kind) = self.user_id_type.clone() {
            request = request.user_id_type(kind);
        }
        let created = request.call().await?;
        Ok(ExportTask::new(feishu, created.task_id, "meeting_list"))
    }

    /// The whole job in one call: starts the export, waits for it with `wait`, and saves the file
    /// in the folder `dir` (see [`Download::save_in`](super::Download::save_in)).
    ///
    /// After [`Error::TaskDeadline`], the task goes on at Feishu: resume it with
    /// [`ExportTask::resume`] and the error's [`task_id`](Error::task_id).
    pub async fn save_in(
        &self,
        feishu: &Connection,
        dir: impl AsRef<Path>,
        wait: &WaitOptions,
    ) -> Result<SavedFile, Error> {
        let task = self.create(feishu).await?;
        let file = task.wait(wait).await?;
        file.download().save_in(dir).await
    }
}

impl From<ExportMeetingListRequest> for MeetingListExport {
    fn from(body: ExportMeetingListRequest) -> Self {
        Self::new(body)
    }
}

/// An export task at Feishu (导出任务), named by its id: wait for it, or ask for its status.
///
/// Made by [`MeetingListExport::create`], or by [`ExportTask::resume`] from the id of a task
/// created earlier (by this process or another). Holds a clone of the client (cheap).
#[derive(Clone)]
pub struct ExportTask {
    client: Connection,
    task_id: TaskId,
    kind: &'static str,
}

impl ExportTask {
    pub(super) fn new(feishu: &Connection, task_id: TaskId, kind: &'static str) -> Self {
        Self {
            client: feishu.clone(),
            task_id,
            kind,
        }
    }

    /// The task with this id, created earlier: e.g. after a wait ended with
    /// [`Error::TaskDeadline`], or from another process. Nothing is sent until it is used.
    ///
    /// ```
    /// # fn demo(feishu: &feishu_openapi::FeishuClient) -> Result<(), feishu_openapi::Error> {
    /// use feishu_openapi::vc::export::ExportTask;
    /// let task = ExportTask::resume(feishu, "7111325589855797267".parse()?);
    /// # Ok(()) }
    /// ```
    pub fn resume(feishu: &Connection, task_id: TaskId) -> Self {
        Self::new(feishu, task_id, "export")
    }

    /// The task's id (19 digits), to resume it with later.
    pub fn task_id(&self) -> &str {
        self.task_id.as_str()
    }

    /// The task's id, typed.
    pub fn id(&self) -> &TaskId {
        &self.task_id
    }

    /// Asks Feishu once for the task's status (`GET /open-apis/vc/v1/exports/{task_id}`).
    pub async fn status(&self) -> Result<ExportTaskResult, Error> {
        let response = crate::Client::from(&self.client)
            .export_get()
            .task_id(self.task_id.clone())
            .call()
            .await?;
        Ok(response)
    }

    /// Polls the task until its file is ready, as `options` say (see [`WaitOptions`]).
    ///
    /// Ends with the file to download, or [`Error::TaskFailed`] (status failed, with Feishu's
    /// `fail_msg`), or [`Error::TaskDeadline`] (still processing at the deadline: resume later
    /// with the task id), or the error that stopped polling.
    pub async fn wait(&self, options: &WaitOptions) -> Result<ExportFile, Error> {
        super::wait::wait(self, options).await
    }

    pub(super) fn client(&self) -> &Connection {
        &self.client
    }

    pub(super) fn kind(&self) -> &'static str {
        self.kind
    }
}

impl fmt::Debug for ExportTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportTask")
            .field("task_id", &self.task_id)
            .field("kind", &self.kind)
            .field("base_url", &self.client.base_url())
            .finish()
    }
}
