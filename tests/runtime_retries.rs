//! Retries and faults: rate limits (HTTP 429, and code 99991400 at HTTP 400) wait for
//! `x-ogw-ratelimit-reset`; 5xx back off; parameter errors are never retried; timeouts, refused
//! connections and redirects are reported cleanly.

use crate::runtime_support;

use std::time::Duration;

use feishu_openapi::{AccessToken, Error, ErrorKind, FeishuClient, RetryPolicy};
use runtime_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn token_client(server: &MockServer, retry: RetryPolicy) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant("t-fixed"))
        .retry(retry)
        .build()
        .unwrap()
}

async fn mount_then_success(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    mount_meeting_list(server).await;
}

#[tokio::test]
async fn http_429_waits_for_the_reset_header_and_retries() {
    let server = MockServer::start().await;
    let limited = feishu_error(429, 99991400, "request trigger frequency limit")
        .insert_header("x-ogw-ratelimit-limit", "100")
        .insert_header("x-ogw-ratelimit-reset", "1");
    mount_then_success(&server, limited, 1).await;
    let started = std::time::Instant::now();
    let task = export(&token_client(&server, fast_retries()))
        .await
        .unwrap();
    assert_eq!(task, "7111325589855797267");
    assert_eq!(requests_to(&server, MEETING_LIST_PATH).await.len(), 2);
    // Not a timing assertion on speed: a lower bound proves the reset was honoured.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for the window to reset"
    );
}

#[tokio::test]
async fn code_99991400_at_http_400_is_a_rate_limit_too() {
    let server = MockServer::start().await;
    let limited = feishu_error(400, 99991400, "request trigger frequency limit")
        .insert_header("x-ogw-ratelimit-reset", "0");
    mount_then_success(&server, limited, 2).await;
    export(&token_client(&server, fast_retries()))
        .await
        .unwrap();
    assert_eq!(requests_to(&server, MEETING_LIST_PATH).await.len(), 3);
}

#[tokio::test]
async fn rate_limit_reset_beyond_the_bound_is_returned_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(
            feishu_error(429, 99991400, "request trigger frequency limit")
                .insert_header("x-ogw-ratelimit-limit", "100")
                .insert_header("x-ogw-ratelimit-reset", "3600"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = export(&token_client(&server, fast_retries()))
        .await
        .unwrap_err();
    match &err {
        Error::RateLimited {
            reset,
            limit,
            http_status,
            code,
            log_id,
            ..
        } => {
            assert_eq!(*reset, Some(Duration::from_secs(3600)));
            assert_eq!(*limit, Some(100));
            assert_eq!(*http_status, 429);
            assert_eq!(*code, Some(99991400));
            assert_eq!(log_id.as_deref(), Some("log-99991400"));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.to_string().contains("3600 s"), "{err}");
}

#[tokio::test]
async fn server_error_twice_then_success() {
    let server = MockServer::start().await;
    mount_then_success(&server, feishu_error(500, 121001, "internal error"), 2).await;
    let task = export(&token_client(&server, fast_retries()))
        .await
        .unwrap();
    assert_eq!(task, "7111325589855797267");
    let sent = requests_to(&server, MEETING_LIST_PATH).await;
    assert_eq!(sent.len(), 3);
    // A retry's request is built again from the builder's values: the same request each time.
    for again in &sent[1..] {
        assert_eq!(again.url, sent[0].url);
        assert_eq!(again.body, sent[0].body);
        assert_eq!(
            again.headers.get("content-type"),
            sent[0].headers.get("content-type")
        );
        assert_eq!(bearer(again), bearer(&sent[0]));
    }
}

/// Whether a code is worth retrying is spec data (`retryable: true` on its row of
/// `x-feishu-errors`), not a code named in the runtime: 121001 inside an HTTP 200 is retried,
/// where the HTTP status alone would not say so.
#[tokio::test]
async fn a_code_the_spec_marks_retryable_is_retried_inside_an_http_200() {
    let spec = feishu_openapi_codegen::spec::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/vc.yaml"),
    )
    .unwrap();
    let rows = spec["paths"][MEETING_LIST_PATH]["post"]["x-feishu-errors"]
        .as_array()
        .unwrap()
        .clone();
    let retryable: Vec<i64> = rows
        .iter()
        .filter(|row| row["retryable"] == true)
        .map(|row| row["code"].as_i64().unwrap())
        .collect();
    assert_eq!(retryable, [121001], "the spec marks 121001 retryable");

    let server = MockServer::start().await;
    mount_then_success(&server, feishu_error(200, 121001, "internal error"), 2).await;
    let task = export(&token_client(&server, fast_retries()))
        .await
        .unwrap();
    assert_eq!(task, "7111325589855797267");
    assert_eq!(requests_to(&server, MEETING_LIST_PATH).await.len(), 3);

    // A code the spec does not mark is not retried, at the same status.
    let server = MockServer::start().await;
    mount_then_success(&server, feishu_error(200, 121002, "not support"), 2).await;
    let error = export(&token_client(&server, fast_retries()))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(121002));
    assert!(!error.is_retryable());
    assert_eq!(requests_to(&server, MEETING_LIST_PATH).await.len(), 1);
}

#[tokio::test]
async fn html_502_from_a_gateway_is_retried() {
    let server = MockServer::start().await;
    let html = ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html");
    mount_then_success(&server, html, 1).await;
    export(&token_client(&server, fast_retries()))
        .await
        .unwrap();
    assert_eq!(requests_to(&server, MEETING_LIST_PATH).await.len(), 2);
}

#[tokio::test]
async fn retries_exhausted_returns_the_last_error_with_the_attempt_count() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(feishu_error(500, 121001, "internal error"))
        .expect(3)
        .mount(&server)
        .await;
    let err = export(&token_client(&server, fast_retries()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.code(), Some(121001));
    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert_eq!(err.log_id(), Some("log-121001"));
    assert_eq!(err.http_status(), Some(500));
    assert!(
        err.to_string().starts_with("failed after 3 attempts"),
        "{err}"
    );
}

#[tokio::test]
async fn param_and_permission_errors_are_never_retried() {
    for (status, code) in [(400, 121003), (403, 121005), (404, 121004), (400, 121002)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(MEETING_LIST_PATH))
            .respond_with(feishu_error(status, code, "error"))
            .expect(1)
            .mount(&server)
            .await;
        let err = export(&token_client(&server, fast_retries()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{code}: {err:?}");
        assert_eq!(err.code(), Some(code));
    }
}

#[tokio::test]
async fn retries_off_returns_the_first_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(feishu_error(503, 121001, "internal error"))
        .expect(1)
        .mount(&server)
        .await;
    let err = export(&token_client(&server, RetryPolicy::none()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
}

#[tokio::test]
async fn request_timeout_is_reported_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(task_created().set_delay(Duration::from_secs(5)))
        .expect(1)
        .mount(&server)
        .await;
    let client = FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant("t-fixed"))
        .retry(fast_retries())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = export(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn connect_timeout_is_reported() {
    // A listener whose accept queue is full: the kernel drops further SYNs, so connecting hangs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break,
        }
    }
    let client = FeishuClient::builder()
        .base_url(format!("http://{addr}"))
        .access_token(AccessToken::tenant("t-fixed"))
        .retry(RetryPolicy::none())
        .connect_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = export(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(e) if e.is_connect()),
        "{err:?}"
    );
    assert!(err.to_string().contains("timed out"), "{err}");
    drop(listener);
}

#[tokio::test]
async fn refused_connection_is_retried_then_reported() {
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    }; // closed: connecting is refused
    let client = FeishuClient::builder()
        .base_url(format!("http://{addr}"))
        .access_token(AccessToken::tenant("t-fixed"))
        .retry(fast_retries())
        .build()
        .unwrap();
    let err = export(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::RetriesExhausted { attempts: 3, last } if matches!(**last, Error::Transport(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn authorization_never_follows_a_redirect() {
    let elsewhere = MockServer::start().await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MEETING_LIST_PATH))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}{MEETING_LIST_PATH}", elsewhere.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    let err = export(&token_client(&server, fast_retries()))
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(307), "{err:?}");
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "the other host saw nothing"
    );
}
