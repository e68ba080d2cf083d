//! `examples/echo_bot`, run as the compiled binary a user gets from
//! `cargo run --example echo_bot --features events,im,fake`.
//!
//! `cargo test --features events,im,fake` builds the example next to the test executables (with
//! `--test echo_bot` alone, build it first: `cargo build --features events,im,fake --example
//! echo_bot`). Each test runs it with a clean `FEISHU_*` environment: alone (its demo starts its
//! own fakes), or against fakes started here behind one base URL, so that the test sees what the
//! bot acknowledged and what it sent. No timing is asserted: the waits are deadlock guards.

use std::path::PathBuf;
use std::time::Duration;

/// Every variable the example reads, removed so that the caller's environment never leaks in.
const FEISHU_VARS: [&str; 6] = [
    "FEISHU_BASE_URL",
    "FEISHU_APP_ID",
    "FEISHU_APP_SECRET",
    "FEISHU_ENCRYPT_KEY",
    "FEISHU_VERIFICATION_TOKEN",
    "FEISHU_TENANT_ACCESS_TOKEN",
];

/// A guard against a hang (the machine may be slow: it is generous), not a measure.
const GUARD: Duration = Duration::from_secs(120);

/// `target/<profile>/examples/echo_bot`, next to this test's `deps` folder.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable lives in target/<profile>/deps");
    let binary = profile_dir
        .join("examples")
        .join(format!("echo_bot{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "the example binary {} is missing: build it with `cargo build --features events,im,fake \
         --example echo_bot` (`cargo test --features events,im,fake` builds it)",
        binary.display()
    );
    binary
}

fn command(args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(example_binary());
    command.args(args).kill_on_drop(true);
    for var in FEISHU_VARS {
        command.env_remove(var);
    }
    command.env_remove("RUST_LOG");
    command.envs(env.iter().copied());
    command
}

/// What a run printed and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn output(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The `handled <event_type> <event_id>` lines as (type, id); every stdout line must be one.
    fn handled(&self) -> Vec<(String, String)> {
        self.stdout
            .lines()
            .map(|line| handled_line(line).unwrap_or_else(|| panic!("{line:?}\n{}", self.output())))
            .collect()
    }
}

fn handled_line(line: &str) -> Option<(String, String)> {
    let mut words = line.split(' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some("handled"), Some(kind), Some(id), None) => Some((kind.into(), id.into())),
        _ => None,
    }
}

async fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = tokio::time::timeout(GUARD, command(args, env).output())
        .await
        .expect("deadlock guard: the example ends")
        .expect("the example runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn is_event_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The demo's events, in order: three messages (a re-push of the first is not handled again), a
/// card click, and an event of a type without a handler (schema 1.0: its uuid).
fn assert_demo(run: &Run) {
    assert_eq!(run.code, Some(0), "{}", run.output());
    let handled = run.handled();
    let kinds: Vec<&str> = handled.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "im.message.receive_v1",
            "im.message.receive_v1",
            "im.message.receive_v1",
            "card.action.trigger",
            "app_status_change",
        ],
        "{}",
        run.output()
    );
    assert!(
        handled.iter().all(|(_, id)| is_event_id(id)),
        "{}",
        run.output()
    );
    let mut ids: Vec<&str> = handled.iter().map(|(_, id)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "five distinct events: {}", run.output());

    for words in [
        "a fake Feishu it just started",
        "FEISHU_APP_ID",
        "received text om_",
        r#"in p2p chat oc_5ad11d72b830411d72b836c20: "hello, bot""#,
        r#"replied om_"#,
        r#"in chat oc_5ad11d72b830411d72b836c20: "hello, bot""#,
        "reply failed",
        "230002",
        "this one is image",
        "Echo bot: got your click",
        "no handler for this type",
        "The fake Feishu received 3 replies:",
        "POST /open-apis/im/v1/messages?receive_id_type=chat_id",
        r#""content":"{\"text\":\"hello, bot\"}","msg_type":"text","receive_id":"oc_5ad11d72b830411d72b836c20""#,
        r#""content":"{\"text\":\"ping\"}""#,
    ] {
        assert!(
            run.stderr.contains(words),
            "{words:?} is not said:\n{}",
            run.output()
        );
    }
    assert!(
        !run.stderr.contains("fake-app-secret"),
        "the secret is never printed:\n{}",
        run.output()
    );
}

#[tokio::test]
async fn the_demo_over_the_long_connection_handles_every_event_and_replies() {
    let run = run(&[], &[]).await;
    assert_demo(&run);
    assert!(run.stderr.contains("ack 200"), "{}", run.output());
    assert!(
        run.stderr.contains("Long connection closed"),
        "{}",
        run.output()
    );
}

#[tokio::test]
async fn the_demo_over_a_webhook_handles_every_event_and_replies() {
    let run = run(&["--webhook", "127.0.0.1:0"], &[]).await;
    assert_demo(&run);
    assert!(run.stderr.contains("Listening on http://127.0.0.1:"));
    assert!(run.stderr.contains("HTTP 200"), "{}", run.output());
}

#[tokio::test]
async fn bad_flags_and_half_credentials_are_refused() {
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(&[&str], Env, &[&str])] = &[
        (&["--webhook", "8080"], &[], &["--webhook", "0.0.0.0:8080"]),
        (&["--webhook"], &[], &["--webhook", "needs"]),
        (&["--bogus"], &[], &["unknown flag --bogus"]),
        (&["stray"], &[], &["stray"]),
        (&[], &[("FEISHU_APP_ID", "cli_x")], &["FEISHU_APP_SECRET"]),
        (&[], &[("FEISHU_APP_SECRET", "s")], &["FEISHU_APP_ID"]),
    ];
    for (args, env, words) in cases {
        let run = run(args, env).await;
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.output());
        assert!(run.stdout.is_empty(), "{}", run.output());
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.output());
        for word in *words {
            assert!(run.stderr.contains(word), "{word:?}: {}", run.output());
        }
    }
}

/// With credentials the bot runs until Ctrl-C: SIGINT, sent with `kill`.
#[cfg(unix)]
mod with_credentials {
    use std::process::Stdio;
    use std::time::Duration;

    use feishu_openapi::fake::FakeFeishu;
    use serde_json::{json, Value};
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};

    use super::{command, handled_line, GUARD};

    #[tokio::test]
    async fn with_credentials_it_answers_over_the_long_connection_until_ctrl_c() {
        let secret = "VERY-SECRET-echo-bot";
        let api = FakeFeishu::builder()
            .app_credentials("cli_echo_test", secret)
            .start()
            .await;
        // One base URL, as Feishu has: the fake answers the long connection's endpoint call too.
        let events = api.long_connection();
        let env = [
            ("FEISHU_BASE_URL", api.base_url()),
            ("FEISHU_APP_ID", "cli_echo_test"),
            ("FEISHU_APP_SECRET", secret),
        ];
        let mut child = command(&[], &env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example runs");
        let connection = tokio::time::timeout(GUARD, events.next_connection())
            .await
            .expect("deadlock guard: the bot connects");

        let message_event = json!({
            "schema": "2.0",
            "header": {"event_id": "5e3702a84e847582be8db7fb73283c02", "event_type": "im.message.receive_v1",
                       "create_time": "1608725989000", "token": "", "app_id": "cli_echo_test", "tenant_key": "t-1"},
            "event": {
                "sender": {"sender_id": {"open_id": "ou_84aad35d084aa403a838cf73ee18467"}, "sender_type": "user"},
                "message": {"message_id": "om_5ce6d572455d361153b7cb51da133945", "chat_id": "oc_5ce6d572455d361153b7xx51da133945",
                            "chat_type": "p2p", "message_type": "text", "content": "{\"text\":\"hi there\"}"}
            }
        });
        let unknown_v1 = json!({
            "uuid": "41b5f371157e3d5341b38b20396e77a3", "token": "", "ts": "1608725989.000000", "type": "event_callback",
            "event": {"type": "app_uninstalled", "app_id": "cli_echo_test", "tenant_key": "t-1"}
        });
        connection.send_event(&message_event);
        connection.send_event(&unknown_v1);
        for _ in 0..2 {
            let ack = tokio::time::timeout(GUARD, connection.next_ack())
                .await
                .expect("deadlock guard: an ack")
                .expect("the connection is open");
            assert_eq!(ack.code, 200);
        }

        // Both handled (their lines on stdout), then Ctrl-C.
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut handled = Vec::new();
        while handled.len() < 2 {
            let line = tokio::time::timeout(GUARD, stdout.next_line())
                .await
                .expect("deadlock guard: a handled line")
                .unwrap()
                .expect("stdout is open while the bot runs");
            handled.push(handled_line(&line).unwrap_or_else(|| panic!("{line:?}")));
        }
        handled.sort();
        assert_eq!(
            handled,
            [
                (
                    "app_uninstalled".into(),
                    "41b5f371157e3d5341b38b20396e77a3".into()
                ),
                (
                    "im.message.receive_v1".into(),
                    "5e3702a84e847582be8db7fb73283c02".into()
                ),
            ]
        );
        let reply_sent = async {
            while api.operation_requests("message_create") == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(GUARD, reply_sent)
            .await
            .expect("deadlock guard: the reply reaches the fake");

        let pid = child.id().expect("running").to_string();
        let signalled = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(signalled.success());
        let status = tokio::time::timeout(GUARD, child.wait())
            .await
            .expect("deadlock guard: the bot stops")
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .await
            .unwrap();
        assert_eq!(status.code(), Some(0), "{stderr}");
        assert_eq!(
            stdout.next_line().await.unwrap(),
            None,
            "nothing more on stdout"
        );
        assert!(
            tokio::time::timeout(GUARD, connection.closed())
                .await
                .expect("deadlock guard: the connection ends"),
            "closed with a close frame: {stderr}"
        );
        assert!(stderr.contains("Stopped."), "{stderr}");
        assert!(!stderr.contains(secret), "{stderr}");
        assert!(
            !stderr.contains("a fake Feishu it just started"),
            "no demo with credentials: {stderr}"
        );

        // The reply: one message_create, with a token fetched from the app's credentials.
        assert_eq!(api.token_requests(), 1);
        let replies: Vec<_> = api
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/open-apis/im/"))
            .collect();
        assert_eq!(replies.len(), 1, "{replies:?}");
        // The long connection's endpoint was called at the same base URL, its secret never
        // printed.
        let endpoint = api
            .requests()
            .into_iter()
            .find(|r| r.path == feishu_openapi::events::ws::ENDPOINT_PATH)
            .expect("the endpoint call");
        assert!(!format!("{endpoint:?}").contains(secret));
        let reply = &replies[0];
        assert_eq!(reply.method, http::Method::POST);
        assert_eq!(reply.path, "/open-apis/im/v1/messages");
        assert_eq!(
            reply.query_param("receive_id_type").as_deref(),
            Some("chat_id")
        );
        assert!(reply
            .header("authorization")
            .is_some_and(|a| a.starts_with("Bearer t-")));
        let body: Value = reply.json().expect("a JSON body");
        assert_eq!(
            body,
            json!({
                "receive_id": "oc_5ce6d572455d361153b7xx51da133945",
                "msg_type": "text",
                "content": "{\"text\":\"hi there\"}",
                "uuid": "5e3702a84e847582be8db7fb73283c02"
            })
        );
    }
}
