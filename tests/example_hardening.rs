//! `examples/export_meetings` against careless flags and a hostile server: a bad `--out` is a bad
//! flag (nothing sent), server text never reaches the terminal raw, an HTML page is never saved
//! as the workbook, and `--timeout` bounds a server that never answers.

use crate::example_support;

use example_support::{entries, run, run_against};
use feishu_openapi::fake::FakeFeishu;
use serde_json::json;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CREATE: &str = "/open-apis/vc/v1/exports/meeting_list";
const DOWNLOAD: &str = "/open-apis/vc/v1/exports/download";
const TASK_ID: &str = "7111325589855797267";

/// A server that answers the export with `created` (and, if given, a done task and `download`).
async fn hostile(created: ResponseTemplate, download: Option<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE))
        .respond_with(created)
        .mount(&server)
        .await;
    if let Some(download) = download {
        Mock::given(method("GET"))
            .and(path(DOWNLOAD))
            .respond_with(download)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/open-apis/vc/v1/exports/[0-9]+$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "code": 0, "msg": "success",
                "data": {"status": 3, "file_token": "6yHu7Igp7Igy62Ez6fLr6IJz7j9i5WMe"}
            })))
            .mount(&server)
            .await;
    }
    server
}

async fn run_at(server: &MockServer, args: &[&str]) -> example_support::Run {
    let url = server.uri();
    run(
        args,
        &[
            ("FEISHU_BASE_URL", url.as_str()),
            ("FEISHU_TENANT_ACCESS_TOKEN", "t-hardening"),
        ],
    )
    .await
}

/// No raw control character (ESC, CR, LF inside a line …) in what the example printed, and no
/// line that starts like the `saved` report unless it is the real one.
fn assert_clean(run: &example_support::Run) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let raw = text
            .chars()
            .find(|&c| c.is_control() && c != '\n' && c != '\t');
        assert!(raw.is_none(), "{name} has a raw {raw:?}:\n{}", run.output());
    }
    assert!(
        !run.stdout.lines().any(|l| l.starts_with("saved")),
        "{}",
        run.output()
    );
}

#[tokio::test]
async fn out_naming_an_existing_file_is_a_bad_flag_and_nothing_is_sent() {
    let fake = FakeFeishu::start().await;
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("report.xlsx");
    std::fs::write(&file, b"mine").unwrap();
    let file = file.to_str().unwrap().to_string();
    let under_file = format!("{file}/exports");
    let cases: &[(&[&str], &[&str])] = &[
        (&["--out", &file], &["--out", "not a folder"]),
        (
            &["--out", &under_file],
            &["--out", "report.xlsx", "not a folder"],
        ),
        (
            &["--task-id", TASK_ID, "--out", &file],
            &["--out", "not a folder"],
        ),
    ];
    for (args, words) in cases {
        let run = run_against(&fake, args).await;
        run.assert_refused(words);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.output());
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
    assert_eq!(
        std::fs::read(elsewhere.path().join("report.xlsx")).unwrap(),
        b"mine"
    );
}

/// A task id is digits: one carrying an escape sequence and a newline (which printed a forged
/// `saved …` line before the real one) is refused as an undecodable answer, printed escaped.
#[tokio::test]
async fn a_task_id_with_control_characters_is_refused_and_printed_escaped() {
    let forged = "\u{1b}[2K\rsaved /etc/passwd (1 KiB, 1024 bytes)\n7111325589855797267";
    let server = hostile(
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success", "data": {"task_id": forged}
        })),
        None,
    )
    .await;
    let run = run_at(&server, &[]).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stdout.trim().is_empty(), "{}", run.output());
    assert!(
        run.stderr.contains("not a Feishu response"),
        "{}",
        run.output()
    );
    assert_clean(&run);
}

/// Feishu's message, log id and troubleshooter are server text: shown with control characters
/// escaped.
#[tokio::test]
async fn a_feishu_error_message_with_control_characters_is_printed_escaped() {
    let server = hostile(
        ResponseTemplate::new(400).set_body_json(json!({
            "code": 121003,
            "msg": "param error\u{1b}[31m\r\nsaved /etc/passwd (1 KiB, 1024 bytes)",
            "error": {"log_id": "LOG\u{7}\nID", "troubleshooter": "https://x\u{1b}]8;;"}
        })),
        None,
    )
    .await;
    let run = run_at(&server, &[]).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stderr.contains("121003"), "{}", run.output());
    assert!(
        run.stderr.contains("\\u{1b}[31m\\r\\nsaved"),
        "{}",
        run.output()
    );
    assert!(run.stderr.contains("LOG\\u{7}\\nID"), "{}", run.output());
    assert_clean(&run);
}

/// A download answered with HTTP 200 and an HTML page is not the workbook: exit 1, nothing saved.
#[tokio::test]
async fn an_html_page_instead_of_the_workbook_is_not_saved() {
    let server = hostile(
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success", "data": {"task_id": TASK_ID}
        })),
        Some(ResponseTemplate::new(200).set_body_raw(
            "<html><body>The link has expired</body></html>",
            "text/html",
        )),
    )
    .await;
    let run = run_at(&server, &[]).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(
        run.stderr.contains("The link has expired"),
        "{}",
        run.output()
    );
    assert_clean(&run);
    assert!(run.cwd_entries().is_empty(), "{:?}", run.cwd_entries());

    // A body of the wrong kind under a file's content type: likewise.
    let server = hostile(
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success", "data": {"task_id": TASK_ID}
        })),
        Some(ResponseTemplate::new(200).set_body_raw("not a workbook", "application/octet-stream")),
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_at(&server, &["--out", out.path().to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(entries(out.path()).is_empty(), "{:?}", entries(out.path()));
}

/// `--timeout` bounds a server that never answers (the default would wait 60 s).
#[tokio::test]
async fn timeout_bounds_a_server_that_never_answers() {
    let server = hostile(
        ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(120)),
        None,
    )
    .await;
    let run = run_at(&server, &["--timeout", "1s"]).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stderr.contains("timed out"), "{}", run.output());

    let fake = FakeFeishu::start().await;
    for (args, words) in [
        (&["--timeout", "soon"][..], &["--timeout", "30s"][..]),
        (&["--timeout", "0s"], &["--timeout"]),
        (
            &["--timeout", "1s", "--timeout", "2s"],
            &["--timeout", "twice"],
        ),
    ] {
        let run = run_against(&fake, args).await;
        run.assert_refused(words);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.output());
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
}
