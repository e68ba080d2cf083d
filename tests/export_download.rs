//! Downloads against the fake Feishu: files appear whole or not at all, names never leave the
//! chosen folder, progress is reported, and a slow but live download outlasts the client's
//! timeout while a stalled one does not.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_openapi::fake::{Endpoint, FakeFeishu, Fault};
use feishu_openapi::vc::export::{DownloadProgress, ExportFile, MeetingListExport, WaitOptions};
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{AccessToken, Error, FeishuClient};

fn fast() -> WaitOptions {
    WaitOptions::default()
        .min_interval(Duration::from_millis(2))
        .interval(Duration::from_millis(2))
}

/// A finished export task's file on `fake`, through `feishu`.
async fn ready_file(fake: &FakeFeishu, feishu: &FeishuClient) -> ExportFile {
    let export = MeetingListExport::new(ExportMeetingListRequest::new(
        1_655_276_858_u64,
        1_655_363_258_u64,
    ));
    let task = export.create(feishu).await.expect("created");
    let file = task.wait(&fast()).await.expect("done");
    assert_eq!(fake.download_requests(), 0);
    file
}

/// The names in `dir`, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file under `root`, recursively, relative to it.
fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_download_cut_off_midway_leaves_nothing_at_the_destination() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let file = ready_file(&fake, &feishu).await;
    let dir = tempfile::tempdir().unwrap();

    fake.inject(Endpoint::ExportDownload, Fault::CutOff { after_bytes: 700 });
    let progress = Arc::new(Mutex::new(Vec::new()));
    let sink = progress.clone();
    let error = file
        .download()
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .save_in(dir.path())
        .await
        .expect_err("cut off");
    assert!(
        matches!(error, Error::Transport(_) | Error::Timeout(_)),
        "{error:?}"
    );
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    let progress = progress.lock().unwrap().clone();
    assert_eq!(progress.last().map(|p| p.bytes), Some(700), "{progress:?}");
    assert!(
        progress.iter().all(|p| p.total > Some(700)),
        "the size was promised"
    );

    // The same to an explicit path, over an existing file: it is left as it was.
    let target = dir.path().join("report.xlsx");
    std::fs::write(&target, b"the previous export").unwrap();
    fake.inject(Endpoint::ExportDownload, Fault::CutOff { after_bytes: 1 });
    file.download().save_as(&target).await.expect_err("cut off");
    assert_eq!(std::fs::read(&target).unwrap(), b"the previous export");
    assert_eq!(entries(dir.path()), ["report.xlsx"]);

    // And then whole.
    let saved = file.download().save_as(&target).await.unwrap();
    assert_eq!(saved.path, target);
    assert_eq!(&std::fs::read(&target).unwrap()[..2], b"PK");
    assert_eq!(entries(dir.path()), ["report.xlsx"]);
}

#[tokio::test]
async fn refused_downloads_leave_nothing_either() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let file = ready_file(&fake, &feishu).await;
    let dir = tempfile::tempdir().unwrap();

    // A Feishu error in an HTTP 200 (JSON) is the error it is.
    fake.inject(
        Endpoint::ExportDownload,
        Fault::Error {
            status: 200,
            code: 121005,
            msg: "no permission".into(),
        },
    );
    let error = file.download().save_in(dir.path()).await.unwrap_err();
    assert_eq!(error.code(), Some(121005), "{error:?}");
    assert_eq!(error.http_status(), Some(200));
    assert!(error.log_id().is_some());

    fake.inject(Endpoint::ExportDownload, Fault::ServerError);
    fake.inject(Endpoint::ExportDownload, Fault::ServerError);
    fake.inject(Endpoint::ExportDownload, Fault::ServerError);
    let error = file.download().save_in(dir.path()).await.unwrap_err();
    assert_eq!(error.code(), Some(121001), "{error:?}");
    assert_eq!(error.attempts(), 3, "retried by the runtime");

    let unknown = ExportFile::from_file_token(&feishu, "not+a/token=");
    let error = unknown.download().save_in(dir.path()).await.unwrap_err();
    assert_eq!(error.code(), Some(121004), "{error:?}");
    assert_eq!(error.http_status(), Some(404));

    let error = file
        .download()
        .save_in(dir.path().join("missing"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Io { path: Some(p), .. } if p.ends_with("missing")),
        "{error:?}"
    );
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[tokio::test]
async fn hostile_file_names_stay_inside_the_folder() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let file = ready_file(&fake, &feishu).await;
    let task_id = fake.tasks()[0].task_id.clone();
    let fallback = format!("meeting_list_{task_id}.xlsx");
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("exports");
    std::fs::create_dir(&dir).unwrap();

    let cases: &[(&[u8], &str)] = &[
        (b"attachment; filename=\"../../x\"", &fallback),
        (b"attachment; filename=\"../x.xlsx\"", &fallback),
        (b"attachment; filename=\"/etc/passwd\"", &fallback),
        (b"attachment; filename=\"/tmp/abs.xlsx\"", &fallback),
        (
            b"attachment; filename=\"C:\\\\Windows\\\\x.xlsx\"",
            &fallback,
        ),
        (b"attachment; filename=\"..\\\\..\\\\x.xlsx\"", &fallback),
        (b"attachment; filename=\"a/b.xlsx\"", &fallback),
        (b"attachment; filename*=UTF-8''..%2F..%2Fy.xlsx", &fallback),
        (b"attachment; filename*=UTF-8''%00.xlsx", &fallback),
        (b"attachment; filename=\"\"", &fallback),
        (b"attachment; filename=\"   \"", &fallback),
        (b"attachment; filename=\".\"", &fallback),
        (b"attachment; filename=\"..\"", &fallback),
        (b"attachment; filename=\"....\"", &fallback),
        (b"attachment; filename=\".bashrc\"", &fallback),
        (b"attachment; filename=\"NUL.xlsx\"", &fallback),
        (b"attachment", &fallback),
        (b"attachment; filename=\"ok:name?.xlsx\"", "ok_name_.xlsx"),
        (
            b"attachment; filename*=UTF-8''%E4%BC%9A%E8%AE%AE.xlsx",
            "\u{4f1a}\u{8bae}.xlsx",
        ),
    ];
    for (header, expected) in cases {
        fake.set_content_disposition(Some(*header));
        let saved = file.download().save_in(&dir).await.unwrap();
        let name = String::from_utf8_lossy(header);
        assert_eq!(saved.path.parent(), Some(dir.as_path()), "{name}");
        assert_eq!(
            saved.path.file_name().unwrap().to_str(),
            Some(*expected),
            "{name}"
        );
        std::fs::remove_file(&saved.path).unwrap();
        assert!(entries(&dir).is_empty(), "{name}: {:?}", entries(&dir));
    }
    fake.set_content_disposition(None);
    let saved = file.download().save_in(&dir).await.unwrap();
    assert_eq!(saved.offered_name, None);
    assert_eq!(saved.path, dir.join(&fallback));
    assert_eq!(tree(parent.path()), [format!("exports/{fallback}")]);
}

#[tokio::test]
async fn an_existing_file_is_kept_and_the_new_one_numbered() {
    let fake = FakeFeishu::start().await;
    let feishu = fake.client();
    let file = ready_file(&fake, &feishu).await;
    let dir = tempfile::tempdir().unwrap();
    let first = file.download().save_in(dir.path()).await.unwrap();
    let second = file.download().save_in(dir.path()).await.unwrap();
    let third = file.download().save_in(dir.path()).await.unwrap();
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(name(&first.path), "会议明细_20220615-20220616.xlsx");
    assert_eq!(name(&second.path), "会议明细_20220615-20220616 (1).xlsx");
    assert_eq!(name(&third.path), "会议明细_20220615-20220616 (2).xlsx");
    assert_eq!(
        std::fs::read(&first.path).unwrap(),
        std::fs::read(&third.path).unwrap()
    );
}

#[tokio::test]
async fn progress_counts_every_byte_with_or_without_a_known_size() {
    for content_length in [true, false] {
        let fake = FakeFeishu::builder()
            .synthetic_download(300_000)
            .download_content_length(content_length)
            .start()
            .await;
        let feishu = fake.client();
        let file = ready_file(&fake, &feishu).await;
        let seen = Arc::new(Mutex::new(Vec::<DownloadProgress>::new()));
        let sink = seen.clone();
        let mut sink_writer = tokio::io::sink();
        let downloaded = file
            .download()
            .on_progress(move |p| sink.lock().unwrap().push(p))
            .write_to(&mut sink_writer)
            .await
            .unwrap();
        assert_eq!(downloaded.bytes, 300_000);
        let seen = seen.lock().unwrap();
        assert!(seen.len() > 1, "reported as bytes arrive");
        assert!(seen.windows(2).all(|w| w[0].bytes < w[1].bytes));
        assert_eq!(seen.last().unwrap().bytes, 300_000);
        let expected_total = content_length.then_some(300_000);
        assert!(
            seen.iter().all(|p| p.total == expected_total),
            "{content_length}"
        );
    }
}

/// A client whose timeout is 400 ms and which does not retry.
fn impatient(fake: &FakeFeishu) -> FeishuClient {
    FeishuClient::builder()
        .base_url(fake.base_url())
        .access_token(AccessToken::tenant(fake.tenant_access_token()))
        .timeout(Duration::from_millis(400))
        .retry(feishu_openapi::RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_slow_but_steady_download_outlasts_the_request_timeout() {
    let fake = FakeFeishu::builder()
        .synthetic_download(20 * 1024)
        .start()
        .await;
    let feishu = impatient(&fake);
    let file = ready_file(&fake, &feishu).await;
    // 20 chunks, 60 ms apart: about 1.2 s in all, three times the client's timeout, but never
    // more than 60 ms without a byte.
    fake.inject(
        Endpoint::ExportDownload,
        Fault::SlowBody {
            chunk_bytes: 1024,
            pause: Duration::from_millis(60),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let saved = file
        .download()
        .save_in(dir.path())
        .await
        .expect("not cut off");
    assert_eq!(saved.bytes, 20 * 1024);
}

#[tokio::test]
async fn a_stalled_download_times_out_and_leaves_nothing() {
    let fake = FakeFeishu::builder()
        .synthetic_download(20 * 1024)
        .start()
        .await;
    let feishu = impatient(&fake);
    let file = ready_file(&fake, &feishu).await;
    fake.inject(
        Endpoint::ExportDownload,
        Fault::Stall {
            after_bytes: 4096,
            pause: Duration::from_secs(3),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let error = file.download().save_in(dir.path()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(entries(dir.path()).is_empty());

    // A response that does not start in time is a timeout too.
    fake.inject(
        Endpoint::ExportDownload,
        Fault::Delay(Duration::from_secs(3)),
    );
    let error = file.download().save_in(dir.path()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(entries(dir.path()).is_empty());
}

#[tokio::test]
async fn a_download_dropped_midway_leaves_nothing() {
    let fake = FakeFeishu::builder()
        .synthetic_download(1 << 20)
        .start()
        .await;
    let feishu = fake.client();
    let file = ready_file(&fake, &feishu).await;
    fake.inject(
        Endpoint::ExportDownload,
        Fault::Stall {
            after_bytes: 100_000,
            pause: Duration::from_secs(30),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (started, mut wait_for_start) = tokio::sync::mpsc::channel::<()>(1);
    let download = file
        .download()
        .on_progress(move |_| {
            let _ = started.try_send(());
        })
        .save_in(dir.path());
    tokio::select! {
        _ = download => panic!("the download cannot finish during the stall"),
        _ = async {
            wait_for_start.recv().await;
            // Bytes have arrived: a temporary file exists. Let the stall begin.
            while entries(dir.path()).is_empty() {
                tokio::task::yield_now().await;
            }
        } => {}
    }
    assert!(
        entries(dir.path()).is_empty(),
        "the dropped download removed its temporary file: {:?}",
        entries(dir.path())
    );
}
