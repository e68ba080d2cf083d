//! `examples/export_meetings`, run as the compiled binary a user gets from
//! `cargo run --example export_meetings`.
//!
//! `cargo test` builds the examples next to the test executables; each test runs the binary
//! with a clean `FEISHU_*` environment, in a fresh temporary folder (its default `--out`), either
//! alone (it starts its own fake Feishu) or pointed at a fake started here, so that the test can
//! check what was — or was not — sent, and what was saved.

use crate::example_support;

use example_support::{entries, run, run_against, workbook_rows, END, START};
use feishu_openapi::fake::FakeFeishu;
use serde_json::json;

#[tokio::test]
async fn with_no_flags_and_no_environment_it_does_the_whole_job_against_the_embedded_fake() {
    let run = run(&[], &[]).await;
    assert!(run.succeeded(), "{}", run.output());
    assert!(
        run.stderr.contains("local fake Feishu"),
        "says plainly it talks to a fake:\n{}",
        run.output()
    );
    for var in ["FEISHU_APP_ID", "FEISHU_TENANT_ACCESS_TOKEN"] {
        assert!(
            run.stderr.contains(var),
            "says how to use real credentials ({var}):\n{}",
            run.output()
        );
    }
    assert_eq!(run.task_ids().len(), 1, "{}", run.output());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "the task id, then the file:\n{}",
        run.output()
    );
    assert_eq!(lines[0], run.task_ids()[0]);

    let (path, bytes) = run.saved();
    assert!(path.is_absolute(), "{}", path.display());
    assert_eq!(
        path.parent(),
        Some(run.cwd.path().canonicalize().unwrap().as_path())
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), bytes);
    assert_eq!(
        run.cwd_entries().len(),
        1,
        "only the file: {:?}",
        run.cwd_entries()
    );
    let rows = workbook_rows(&path);
    assert_eq!(rows[0][0], "会议主题", "{rows:?}");
    assert!(rows.len() > 1, "meeting rows: {rows:?}");
    assert!(
        run.stderr.contains("done"),
        "the wait's progress is shown:\n{}",
        run.output()
    );
}

#[tokio::test]
async fn with_a_tenant_token_it_sends_the_flags_to_feishu_base_url() {
    let fake = FakeFeishu::start().await;
    let run = run_against(
        &fake,
        &[
            "--no-wait",
            "--start",
            "2022-06-15T15:07:38+08:00",
            "--end",
            END,
            "--status",
            "upcoming",
            "--meeting-type",
            "2",
            "--user-id-type",
            "union_id",
        ],
    )
    .await;
    assert!(run.succeeded(), "{}", run.output());
    assert!(
        !run.stderr.contains("fake"),
        "no fake when a token is set:\n{}",
        run.output()
    );

    let tasks = fake.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(run.task_ids(), [tasks[0].task_id.as_str()]);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].query_param("user_id_type").as_deref(),
        Some("union_id")
    );
    assert_eq!(
        requests[0].json().unwrap(),
        json!({"start_time": START, "end_time": END, "meeting_status": 3, "meeting_type": 2})
    );
    let bearer = format!("Bearer {}", fake.tenant_access_token());
    assert_eq!(requests[0].header("authorization"), Some(bearer.as_str()));
}

#[tokio::test]
async fn each_filter_flag_and_time_form_reaches_the_wire() {
    let fake = FakeFeishu::builder()
        .user_access_token("u-cli-user")
        .start()
        .await;
    let cases: [(&[&str], serde_json::Value); 4] = [
        (
            &["--meeting-no", "123456789"],
            json!({"meeting_no": "123456789"}),
        ),
        (
            &["--user-id", "ou_3ec3f6a28a0d08c45d895276e8e5e19b"],
            json!({"user_id": "ou_3ec3f6a28a0d08c45d895276e8e5e19b"}),
        ),
        (
            &["--room-id", "omm_eada1d61a550955240c28757e7dec3af"],
            json!({"room_id": "omm_eada1d61a550955240c28757e7dec3af"}),
        ),
        (
            &["--meeting-type", "screencast", "--status", "1"],
            json!({"meeting_type": 3, "meeting_status": 1}),
        ),
    ];
    for (i, (flags, expected)) in cases.iter().enumerate() {
        let mut args = vec![
            "--no-wait",
            "--start",
            "2022-06-14T23:07:38-08:00",
            "--end",
            "2022-06-16T07:07:38Z",
        ];
        args.extend_from_slice(flags);
        let env = [
            ("FEISHU_BASE_URL", fake.base_url()),
            ("FEISHU_USER_ACCESS_TOKEN", "u-cli-user"),
        ];
        let run = run(&args, &env).await;
        assert!(run.succeeded(), "{flags:?}\n{}", run.output());

        let request = &fake.requests()[i];
        assert_eq!(request.header("authorization"), Some("Bearer u-cli-user"));
        assert_eq!(request.query, None, "no --user-id-type, no query");
        let mut expected_body = json!({"start_time": START, "end_time": END});
        expected_body
            .as_object_mut()
            .unwrap()
            .extend(expected.as_object().unwrap().clone());
        assert_eq!(request.json().unwrap(), expected_body, "{flags:?}");
    }
}

#[tokio::test]
async fn two_filters_are_refused_naming_both_flags_and_nothing_is_sent() {
    let fake = FakeFeishu::start().await;
    let filters: [&[&str]; 4] = [
        &["--meeting-no", "123456789"],
        &["--user-id", "ou_1"],
        &["--room-id", "omm_1"],
        &["--meeting-type", "all"],
    ];
    for (i, a) in filters.iter().enumerate() {
        for b in &filters[i + 1..] {
            let args = [*a, *b].concat();
            let run = run_against(&fake, &args).await;
            run.assert_refused(&[
                &format!("{} and {} cannot be combined", a[0], b[0]),
                "at most one",
            ]);
            assert_eq!(run.code, Some(2), "{}", run.output());
        }
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn bad_flags_are_refused_with_a_clear_message_and_nothing_is_sent() {
    let fake = FakeFeishu::start().await;
    let cases: &[(&[&str], &[&str])] = &[
        (&["--meeting-no", "12345678"], &["--meeting-no", "9 digits"]),
        (
            &["--meeting-no", "1234567890"],
            &["--meeting-no", "9 digits"],
        ),
        (
            &["--start", END, "--end", START],
            &["--start", "--end", "<="],
        ),
        (
            &["--start", "4102444800"],
            &["--start", "--end (default: now)"],
        ),
        (&["--bogus"], &["unknown flag --bogus"]),
        (&["-x"], &["unknown flag -x"]),
        (&["stray"], &["stray"]),
        (
            &["--status", "done"],
            &["--status", "ongoing", "ended", "upcoming"],
        ),
        (&["--meeting-type", "4"], &["--meeting-type", "video"]),
        (&["--user-id-type", "email"], &["--user-id-type", "open_id"]),
        (&["--start", "yesterday"], &["--start", "RFC 3339"]),
        (&["--end", "2024-05-01T09:00:00"], &["--end", "time zone"]),
        (&["--end", "-5"], &["--end", "unix seconds"]),
        (&["--user-id", ""], &["--user-id", "empty"]),
        (&["--room-id"], &["--room-id", "needs a value"]),
        (&["--start", START, "--start", END], &["--start", "twice"]),
    ];
    for (args, words) in cases {
        let run = run_against(&fake, args).await;
        run.assert_refused(words);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.output());
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn both_tokens_at_once_are_refused() {
    let fake = FakeFeishu::start().await;
    let token = fake.tenant_access_token();
    let env = [
        ("FEISHU_BASE_URL", fake.base_url()),
        ("FEISHU_TENANT_ACCESS_TOKEN", token.as_str()),
        ("FEISHU_USER_ACCESS_TOKEN", "u-someone"),
    ];
    let run = run(&[], &env).await;
    run.assert_refused(&["FEISHU_TENANT_ACCESS_TOKEN", "FEISHU_USER_ACCESS_TOKEN"]);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_feishu_error_exits_non_zero_with_its_code() {
    let fake = FakeFeishu::start().await;
    let env = [
        ("FEISHU_BASE_URL", fake.base_url()),
        ("FEISHU_TENANT_ACCESS_TOKEN", "t-revoked"),
    ];
    let run = run(&[], &env).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stderr.contains("99991663"), "{}", run.output());
    assert!(
        !run.stderr.contains("t-revoked"),
        "the token is never printed:\n{}",
        run.output()
    );
    assert!(run.task_ids().is_empty());
}

#[tokio::test]
async fn help_lists_every_flag_and_variable() {
    let run = run(&["--help"], &[]).await;
    assert!(run.succeeded(), "{}", run.output());
    for word in [
        "--start",
        "--end",
        "--status",
        "--out",
        "--no-wait",
        "--task-id",
        "--deadline",
        "FEISHU_APP_ID",
        "FEISHU_APP_SECRET",
        "--meeting-no",
        "--user-id",
        "--room-id",
        "--meeting-type",
        "--user-id-type",
        "FEISHU_BASE_URL",
        "FEISHU_TENANT_ACCESS_TOKEN",
        "FEISHU_USER_ACCESS_TOKEN",
    ] {
        assert!(
            run.stdout.contains(word),
            "{word} missing from --help:\n{}",
            run.output()
        );
    }
}

#[tokio::test]
async fn the_whole_job_against_a_service_saves_a_valid_xlsx_into_out() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(1)
        .start()
        .await;
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("exports/2022");
    let run = run_against(
        &fake,
        &[
            "--start",
            START,
            "--end",
            END,
            "--meeting-no",
            "123456789",
            "--out",
            target.to_str().unwrap(),
        ],
    )
    .await;
    assert!(run.succeeded(), "{}", run.output());
    let task = &fake.tasks()[0];
    assert_eq!(run.task_ids(), [task.task_id.as_str()]);
    assert_eq!(task.polls, 2, "processing once, then done");
    assert_eq!(task.downloads, 1);

    let (path, bytes) = run.saved();
    assert_eq!(path, target.join("会议明细_20220615-20220616.xlsx"));
    assert_eq!(
        entries(&target),
        ["会议明细_20220615-20220616.xlsx"],
        "no temporary file"
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), bytes);
    let rows = workbook_rows(&path);
    assert!(rows[1..].iter().all(|r| r[1] == "123456789"), "{rows:?}");
    assert!(
        run.cwd_entries().is_empty(),
        "nothing in the current folder"
    );
    assert!(
        run.stderr
            .contains(&format!("Export task {}: processing", task.task_id)),
        "plain progress lines when stderr is not a terminal:\n{}",
        run.output()
    );
    assert!(run.stderr.contains("Downloaded"), "{}", run.output());
}

#[tokio::test]
async fn no_wait_prints_only_the_task_id_and_saves_nothing() {
    let fake = FakeFeishu::start().await;
    let run = run_against(&fake, &["--no-wait"]).await;
    assert!(run.succeeded(), "{}", run.output());
    assert_eq!(
        run.stdout.trim(),
        fake.tasks()[0].task_id,
        "{}",
        run.output()
    );
    assert_eq!(fake.export_get_requests(), 0, "no poll");
    assert_eq!(fake.download_requests(), 0);
    assert!(run.cwd_entries().is_empty());
    assert!(
        run.stderr.contains("--task-id"),
        "says how to resume:\n{}",
        run.output()
    );
}

#[tokio::test]
async fn task_id_resumes_an_export_started_earlier() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .start()
        .await;
    let started = run_against(&fake, &["--no-wait", "--start", START, "--end", END]).await;
    assert!(started.succeeded(), "{}", started.output());
    let task_id = started.stdout.trim().to_string();

    let out = tempfile::tempdir().unwrap();
    let resumed = run_against(
        &fake,
        &["--task-id", &task_id, "--out", out.path().to_str().unwrap()],
    )
    .await;
    assert!(resumed.succeeded(), "{}", resumed.output());
    assert_eq!(resumed.task_ids(), [task_id.as_str()]);
    assert_eq!(fake.tasks().len(), 1, "no new export");
    assert_eq!(fake.meeting_list_requests(), 1);
    let (path, _) = resumed.saved();
    assert_eq!(path.parent(), Some(out.path()));
    assert!(workbook_rows(&path).len() > 1);
}

#[tokio::test]
async fn a_deadline_exits_3_with_the_task_id_to_resume_with() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(u32::MAX)
        .start()
        .await;
    let run = run_against(&fake, &["--deadline", "1s"]).await;
    assert_eq!(run.code, Some(3), "{}", run.output());
    let task_id = fake.tasks()[0].task_id.clone();
    assert_eq!(run.stdout.trim(), task_id, "{}", run.output());
    assert!(
        run.stderr.contains(&format!("--task-id {task_id}")),
        "{}",
        run.output()
    );
    assert!(run.cwd_entries().is_empty());

    fake.finish_task(&task_id, None);
    let resumed = run_against(&fake, &["--task-id", &task_id]).await;
    assert!(resumed.succeeded(), "{}", resumed.output());
    assert_eq!(resumed.cwd_entries().len(), 1);
}

#[tokio::test]
async fn a_failed_export_exits_1_with_feishus_fail_msg() {
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .export_fails("too many meetings")
        .start()
        .await;
    let run = run_against(&fake, &[]).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stderr.contains("too many meetings"), "{}", run.output());
    assert!(run.cwd_entries().is_empty());
}

#[tokio::test]
async fn app_credentials_fetch_a_token_and_are_never_printed() {
    let fake = FakeFeishu::builder()
        .app_credentials("cli_example", "VERY-SECRET-app-secret")
        .export_processing_polls(0)
        .start()
        .await;
    let env = [
        ("FEISHU_BASE_URL", fake.base_url()),
        ("FEISHU_APP_ID", "cli_example"),
        ("FEISHU_APP_SECRET", "VERY-SECRET-app-secret"),
    ];
    let good = run(&[], &env).await;
    assert!(good.succeeded(), "{}", good.output());
    assert_eq!(fake.token_requests(), 1, "one token, cached for every call");
    assert_eq!(fake.download_requests(), 1);
    assert!(!good.output().contains("VERY-SECRET"), "{}", good.output());
    assert!(!good.stderr.contains("fake"), "{}", good.output());

    let wrong = [
        ("FEISHU_BASE_URL", fake.base_url()),
        ("FEISHU_APP_ID", "cli_example"),
        ("FEISHU_APP_SECRET", "VERY-SECRET-but-wrong"),
    ];
    let run = run(&[], &wrong).await;
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stderr.contains("10014"), "{}", run.output());
    assert!(!run.output().contains("VERY-SECRET"), "{}", run.output());
}

#[tokio::test]
async fn identity_and_resume_flags_are_checked_before_anything_is_sent() {
    let fake = FakeFeishu::start().await;
    let token = fake.tenant_access_token();
    let base = ("FEISHU_BASE_URL", fake.base_url());
    type Env<'a> = &'a [(&'a str, &'a str)];
    let env_cases: &[(Env, &[&str])] = &[
        (&[base, ("FEISHU_APP_ID", "cli_x")], &["FEISHU_APP_SECRET"]),
        (&[base, ("FEISHU_APP_SECRET", "s")], &["FEISHU_APP_ID"]),
        (
            &[
                base,
                ("FEISHU_APP_ID", "cli_x"),
                ("FEISHU_APP_SECRET", "s"),
                ("FEISHU_TENANT_ACCESS_TOKEN", &token),
            ],
            &["FEISHU_APP_ID", "not both"],
        ),
    ];
    for (env, words) in env_cases {
        let run = run(&[], env).await;
        run.assert_refused(words);
        assert_eq!(run.code, Some(2), "{}", run.output());
    }
    let flag_cases: &[(&[&str], &[&str])] = &[
        (
            &["--task-id", "7111325589855797267", "--start", START],
            &["--task-id", "--start"],
        ),
        (
            &[
                "--task-id",
                "7111325589855797267",
                "--meeting-type",
                "video",
            ],
            &["--task-id", "--meeting-type"],
        ),
        (
            &["--task-id", "7111325589855797267", "--no-wait"],
            &["--task-id", "--no-wait"],
        ),
        (&["--task-id", "abc"], &["--task-id", "abc"]),
        (&["--task-id", ""], &["--task-id"]),
        (&["--no-wait", "--out", "x"], &["--out", "--no-wait"]),
        (
            &["--no-wait", "--deadline", "5m"],
            &["--deadline", "--no-wait"],
        ),
        (&["--deadline", "soon"], &["--deadline", "15m"]),
        (&["--deadline", "0s"], &["--deadline"]),
        (&["--out"], &["--out", "needs a value"]),
        (&["--no-wait", "--no-wait"], &["--no-wait", "twice"]),
    ];
    for (args, words) in flag_cases {
        let run = run_against(&fake, args).await;
        run.assert_refused(words);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.output());
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
}
