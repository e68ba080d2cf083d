//! The whole export against the fake Feishu: create, wait, download; a failed task; a deadline
//! and its resumption; rate limits, server errors and token expiry while waiting.
//!
//! Polling uses a floor of a few milliseconds (`WaitOptions::min_interval`), so nothing here
//! sleeps long, and no assertion depends on timing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use calamine::{open_workbook, Data, Reader, Xlsx};
use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
use feishu_openapi::vc::export::{
    ExportFile, ExportTask, MeetingListExport, WaitOptions, WaitProgress,
};
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::vc::{ExportStatus, MeetingFilter, MeetingType};
use feishu_openapi::{Error, FeishuClient, UserIdType};

const START: u64 = 1_655_276_858;
const END: u64 = 1_655_363_258;

fn export() -> MeetingListExport {
    MeetingListExport::new(
        ExportMeetingListRequest::new(START, END)
            .with_filter(MeetingFilter::MeetingType(MeetingType::Video)),
    )
}

/// Fast polling for tests: 5 ms floor, first pause 5 ms, at most 20 ms.
fn fast() -> WaitOptions {
    WaitOptions::default()
        .min_interval(Duration::from_millis(5))
        .interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
}

/// `fast()` with every progress report collected.
fn recorded(options: WaitOptions) -> (WaitOptions, Arc<Mutex<Vec<WaitProgress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = options.on_progress(move |p| sink.lock().unwrap().push(p.clone()));
    (options, seen)
}

/// The rows of the first sheet of an `.xlsx` file, as text.
fn rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("a valid .xlsx workbook");
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).expect("the first sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The files in `dir`, by name.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_whole_export_in_one_call_saves_a_workbook_with_the_meetings() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(2)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (wait, seen) = recorded(fast());

    let saved = export()
        .user_id_type(UserIdType::UnionId)
        .save_in(&fake.client(), dir.path(), &wait)
        .await
        .expect("the whole export");

    assert_eq!(saved.path.parent(), Some(dir.path()));
    assert_eq!(
        saved.path.file_name().unwrap().to_str(),
        Some("会议明细_20220615-20220616.xlsx"),
        "the UTF-8 name Feishu offers"
    );
    assert_eq!(
        saved.offered_name.as_deref(),
        Some("会议明细_20220615-20220616.xlsx")
    );
    assert_eq!(saved.bytes, std::fs::metadata(&saved.path).unwrap().len());
    assert_eq!(files_in(dir.path()).len(), 1, "no temporary file is left");

    let rows = rows(&saved.path);
    assert_eq!(rows.len(), 4, "a header and three meetings: {rows:?}");
    assert_eq!(rows[0][0], "会议主题");
    assert!(rows[1..].iter().all(|r| r[2] == "视频会议"), "{rows:?}");
    assert_eq!(
        rows[1][5], "2022-06-15 15:07:38",
        "times in China time: {rows:?}"
    );

    let task = &fake.tasks()[0];
    assert_eq!(task.polls, 3, "processing twice, then done");
    assert_eq!(task.downloads, 1);
    assert_eq!(task.user_id_type, UserIdType::UnionId);
    let seen = seen.lock().unwrap();
    let statuses: Vec<_> = seen.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses,
        [
            Some(ExportStatus::Processing),
            Some(ExportStatus::Processing),
            Some(ExportStatus::Done)
        ]
    );
    assert_eq!(seen.iter().map(|p| p.polls).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(seen[2].next_poll_in.is_none(), "the wait is over");
    assert!(seen.windows(2).all(|w| w[0].elapsed <= w[1].elapsed));
}

#[tokio::test]
async fn each_step_alone_create_wait_download() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let task = export().create(&feishu).await.unwrap();
    assert_eq!(task.task_id(), fake.tasks()[0].task_id);
    assert_eq!(fake.export_get_requests(), 0, "creating does not poll");

    let status = task.status().await.unwrap();
    assert_eq!(status.status, ExportStatus::Processing);
    assert_eq!(status.file_token, None);

    let file = task.wait(&fast()).await.unwrap();
    assert_eq!(file.task_id(), Some(task.task_id()));
    assert_eq!(file.file_token(), fake.tasks()[0].file_token);
    assert!(file
        .url()
        .unwrap()
        .contains("/open-apis/vc/v1/exports/download?file_token="));

    let mut bytes = Vec::new();
    let downloaded = file.download().write_to(&mut bytes).await.unwrap();
    assert_eq!(downloaded.bytes, bytes.len() as u64);
    assert_eq!(&bytes[..2], b"PK", "a ZIP archive");
    assert_eq!(
        downloaded.file_name.as_deref(),
        Some("会议明细_20220615-20220616.xlsx")
    );

    // A file token kept from earlier downloads the same file.
    let again = ExportFile::from_file_token(&feishu, file.file_token());
    let mut second = Vec::new();
    again.download().write_to(&mut second).await.unwrap();
    assert_eq!(second, bytes);
}

#[tokio::test]
async fn a_failed_task_is_an_error_with_its_fail_msg() {
    let fake = FakeFeishu::builder()
        .export_fails("no permission")
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let error = export()
        .save_in(&fake.client(), dir.path(), &fast())
        .await
        .expect_err("the task failed");
    let task_id = fake.tasks()[0].task_id.clone();
    match &error {
        Error::TaskFailed {
            task: "export",
            task_id: id,
            message,
        } => {
            assert_eq!(id, &task_id);
            assert_eq!(message, "no permission");
        }
        other => panic!("expected TaskFailed, got {other:?}"),
    }
    assert_eq!(error.task_id(), Some(task_id.as_str()));
    let message = error.to_string();
    assert!(
        message.contains("no permission") && message.contains(&task_id),
        "{message}"
    );
    assert_eq!(fake.download_requests(), 0, "nothing to download");
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn a_deadline_carries_the_task_id_and_the_task_resumes_by_it() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(u32::MAX)
        .start()
        .await;
    let feishu = fake.client();
    let task = export().create(&feishu).await.unwrap();
    let (wait, seen) = recorded(fast().deadline(Duration::from_millis(60)));

    let error = task.wait(&wait).await.expect_err("still processing");
    let Error::TaskDeadline {
        task_id, waited, ..
    } = &error
    else {
        panic!("expected TaskDeadline, got {error:?}");
    };
    assert_eq!(task_id, task.task_id());
    assert!(*waited <= Duration::from_millis(60) + Duration::from_secs(5));
    assert!(error.to_string().contains(task.task_id()), "{error}");
    assert!(
        seen.lock().unwrap().len() >= 2,
        "it polled before giving up"
    );
    assert!(seen.lock().unwrap().last().unwrap().next_poll_in.is_none());

    // Later, maybe in another process: resume by the id alone.
    fake.finish_task(task_id, None);
    let resumed = ExportTask::resume(&feishu, task_id.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let file = resumed.wait(&fast()).await.expect("done now");
    let saved = file.download().save_in(dir.path()).await.unwrap();
    assert!(rows(&saved.path).len() > 1);
}

#[tokio::test]
async fn rate_limited_polling_slows_down_instead_of_failing() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(1)
        .start()
        .await;
    let feishu = fake.client();
    let task = export().create(&feishu).await.unwrap();
    // More rate limits in a row than the runtime retries within one call (3 attempts).
    for _ in 0..7 {
        fake.inject(Endpoint::ExportGet, Fault::RateLimited { reset_secs: 0 });
    }
    let (wait, seen) = recorded(fast().max_interval(Duration::from_millis(40)));
    let file = task
        .wait(&wait)
        .await
        .expect("the wait survives rate limits");
    assert_eq!(file.task_id(), Some(task.task_id()));

    let seen = seen.lock().unwrap();
    let limited: Vec<&WaitProgress> = seen.iter().filter(|p| p.rate_limited).collect();
    assert!(!limited.is_empty(), "{seen:?}");
    // Each rate-limited poll doubles the pause (5 ms → 10 → 20 → 40, capped).
    let pauses: Vec<Duration> = limited.iter().filter_map(|p| p.next_poll_in).collect();
    assert!(pauses.windows(2).all(|w| w[0] <= w[1]), "{pauses:?}");
    assert!(pauses[0] >= Duration::from_millis(10), "{pauses:?}");
    assert_eq!(seen.last().unwrap().status, Some(ExportStatus::Done));
    assert_eq!(
        fake.tasks()[0].polls,
        2,
        "rate-limited polls never reached the task"
    );
    assert_eq!(fake.export_get_requests(), 9, "7 refused + 2 answered");
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_deadline_ends_the_wait_with_the_task_id() {
    let fake = FakeFeishu::start().await;
    let task = export().create(&fake.client()).await.unwrap();
    for _ in 0..3 {
        fake.inject(Endpoint::ExportGet, Fault::RateLimited { reset_secs: 3600 });
    }
    let error = task
        .wait(&fast().deadline(Duration::from_secs(30)))
        .await
        .expect_err("the window resets after the deadline");
    assert!(matches!(error, Error::TaskDeadline { .. }), "{error:?}");
    assert_eq!(error.task_id(), Some(task.task_id()));
    assert_eq!(
        fake.export_get_requests(),
        1,
        "no wait of an hour, no retry"
    );
}

#[tokio::test]
async fn server_errors_while_waiting_are_survived_up_to_a_point() {
    let fake = FakeFeishu::start().await;
    let feishu = FeishuClient::builder()
        .base_url(fake.base_url())
        .access_token(feishu_openapi::AccessToken::tenant(
            fake.tenant_access_token(),
        ))
        .retry(feishu_openapi::RetryPolicy::none())
        .build()
        .unwrap();
    let task = export().create(&feishu).await.unwrap();
    fake.inject(Endpoint::ExportGet, Fault::ServerError);
    fake.inject(Endpoint::ExportGet, Fault::BadGateway);
    fake.inject(Endpoint::ExportGet, Fault::ServerError);
    task.wait(&fast()).await.expect("three passing failures");

    let task = export().create(&feishu).await.unwrap();
    for _ in 0..4 {
        fake.inject(Endpoint::ExportGet, Fault::ServerError);
    }
    let error = task.wait(&fast()).await.expect_err("four in a row");
    assert_eq!(error.code(), Some(121001), "{error:?}");
}

#[tokio::test]
async fn a_parameter_error_while_waiting_ends_the_wait_at_once() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let error = ExportTask::resume(&feishu, "7000000000000000001".parse().unwrap())
        .wait(&fast())
        .await
        .expect_err("no such task");
    assert_eq!(error.code(), Some(121004), "{error:?}");
    assert_eq!(fake.export_get_requests(), 1);
}

#[tokio::test]
async fn an_expired_token_is_replaced_while_waiting_with_app_credentials() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(2)
        .start()
        .await;
    let feishu = FeishuClient::builder()
        .base_url(fake.base_url())
        .app_credentials(fake.app_id(), fake.app_secret())
        .build()
        .unwrap();
    let task = export().create(&feishu).await.unwrap();
    fake.inject(Endpoint::ExportGet, Fault::TokenExpired);
    let dir = tempfile::tempdir().unwrap();
    let file = task.wait(&fast()).await.expect("a fresh token is fetched");
    fake.inject(Endpoint::ExportDownload, Fault::TokenExpired);
    file.download().save_in(dir.path()).await.expect("again");
    assert_eq!(
        fake.token_requests(),
        3,
        "the first token and two replacements"
    );
}

#[tokio::test]
async fn the_floor_keeps_polls_within_the_documented_rate_limit() {
    let options = WaitOptions::default().interval(Duration::from_millis(1));
    assert_eq!(options.first_interval(), Duration::from_millis(600));
    assert_eq!(
        WaitOptions::default().first_interval(),
        Duration::from_secs(1),
        "the default starts near one second"
    );
    assert!(
        feishu_openapi::vc::export::MIN_POLL_INTERVAL * 100 >= Duration::from_secs(60),
        "100 polls a minute at most"
    );
}

#[tokio::test]
async fn the_workflow_futures_can_be_spawned() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().to_path_buf();
    let job = tokio::spawn(async move {
        let task = export().create(&feishu).await?;
        let file = task.wait(&fast()).await?;
        file.download().on_progress(|_| {}).save_in(&target).await
    });
    let saved = job.await.unwrap().expect("the whole job on another task");
    assert!(saved.path.starts_with(dir.path()));
}
