//! Secret hygiene and observability: a whole call with a known app secret and tokens, with
//! TRACE-level logs collected; neither secret appears in the logs or in any Debug/Display, and
//! the call's span carries operation id, attempt, status, Feishu code, log id and duration.

mod runtime_support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_openapi::{AccessToken, FeishuClient};
use runtime_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const TOKEN: &str = "t-1"; // what mount_tokens hands out first
const USER_TOKEN: &str = "u-user-token-DO-NOT-PRINT-77c1";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_print_and_calls_are_traced() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .init();

    let server = MockServer::start().await;
    mount_tokens(&server, 7200, Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(feishu_error(400, 121003, "param error"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_meeting_list(&server).await;

    let builder = FeishuClient::builder()
        .base_url(server.uri())
        .app_credentials(APP_ID, APP_SECRET);
    let mut seen = format!("{builder:?}");
    let client = builder.retry(fast_retries()).build().unwrap();
    let err = export(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(121003));
    export(&client).await.unwrap();
    let as_user = client.with_access_token(AccessToken::user(USER_TOKEN));
    export(&as_user).await.unwrap();

    seen += &format!(
        "{client:?} {as_user:?} {err:?} {err} {:?} {:?}",
        client.vc(),
        client.auth()
    );
    seen += &format!("{:?}", AccessToken::user(USER_TOKEN));
    seen += &String::from_utf8_lossy(&logs.0.lock().unwrap());

    // The secrets really went over the wire…
    let calls = requests_to(&server, MEETING_LIST_PATH).await;
    assert_eq!(bearer(&calls[1]), format!("Bearer {TOKEN}"));
    assert_eq!(bearer(&calls[2]), format!("Bearer {USER_TOKEN}"));
    // …and never into Debug, Display or logs.
    assert!(!seen.contains(APP_SECRET), "app secret printed:\n{seen}");
    assert!(!seen.contains(USER_TOKEN), "user token printed:\n{seen}");
    assert!(
        !seen.contains("Bearer t-1"),
        "tenant token printed:\n{seen}"
    );
    assert!(
        !seen.contains("tenant_access_token\":\"t-"),
        "token response printed:\n{seen}"
    );

    // The span of each call carries what an operator needs.
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(logs.contains("feishu.call"), "{logs}");
    assert!(
        logs.contains("operation_id=\"export_meeting_list\"")
            || logs.contains("operation_id=export_meeting_list"),
        "{logs}"
    );
    assert!(
        logs.contains("operation_id=\"tenant_access_token_internal\"")
            || logs.contains("operation_id=tenant_access_token_internal"),
        "{logs}"
    );
    assert!(logs.contains("code=121003"), "{logs}");
    assert!(
        logs.contains("log_id=\"log-121003\"") || logs.contains("log_id=log-121003"),
        "{logs}"
    );
    assert!(logs.contains("http_status=400"), "{logs}");
    assert!(logs.contains("attempt=1"), "{logs}");
    assert!(logs.contains("duration_ms="), "{logs}");
}
