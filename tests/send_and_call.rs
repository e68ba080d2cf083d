//! Every generated operation's `send()` and `call()` return the crate's `Error`: whatever went
//! wrong, what a caller prints is the error itself — never a placeholder response, a synthetic
//! status or progenitor's wording. `send()` keeps the answer's status and headers; `call()` gives
//! the envelope's `data`.

use crate::common;

use common::{tenant_client, PATH, TASK_ID};
use feishu_openapi::vc::types::{ExportMeetingListRequest, ExportTaskCreated};
use feishu_openapi::{AccessToken, Error, FeishuClient, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn body() -> ExportMeetingListRequest {
    ExportMeetingListRequest::new(1_655_276_858, 1_655_363_258)
}

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn no_retries(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant("t-test"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn call_returns_the_data_and_send_keeps_status_and_headers() {
    let server = answering(
        ResponseTemplate::new(200)
            .insert_header("x-tt-logid", "LOG-OF-THE-ANSWER")
            .set_body_json(json!({"code": 0, "msg": "success", "data": {"task_id": TASK_ID}})),
    )
    .await;
    let feishu = tenant_client(&server);

    let data = feishu
        .vc()
        .export_meeting_list()
        .body(body())
        .call()
        .await
        .unwrap();
    assert_eq!(data.task_id, TASK_ID);

    let answer = feishu
        .vc()
        .export_meeting_list()
        .body(body())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        feishu_openapi::log_id(answer.headers(), None).as_deref(),
        Some("LOG-OF-THE-ANSWER")
    );
    assert_eq!(answer.into_inner().data.task_id, TASK_ID);
}

/// Each failure, printed with `{}` and `{:?}`, is the crate's error: no status 999, no
/// placeholder URL, no `Unexpected Response`.
#[tokio::test]
async fn no_failure_prints_a_placeholder_response() {
    let cases = [
        ResponseTemplate::new(200).set_body_json(json!({"code": 121003, "msg": "param error"})),
        ResponseTemplate::new(400).set_body_json(json!({"code": 121003, "msg": "param error"})),
        ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
        ResponseTemplate::new(429).insert_header("x-ogw-ratelimit-reset", "3600"),
    ];
    for response in cases {
        let server = answering(response).await;
        for outcome in [
            no_retries(&server)
                .vc()
                .export_meeting_list()
                .body(body())
                .send()
                .await
                .map(|_| ()),
            no_retries(&server)
                .vc()
                .export_meeting_list()
                .body(body())
                .call()
                .await
                .map(|_| ()),
        ] {
            let error = outcome.unwrap_err();
            assert_no_placeholder(&error);
        }
    }

    // No server at all.
    let closed = FeishuClient::builder()
        .base_url("http://127.0.0.1:9")
        .access_token(AccessToken::tenant("t-test"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = closed
        .vc()
        .export_meeting_list()
        .body(body())
        .call()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_no_placeholder(&error);
}

fn assert_no_placeholder(error: &Error) {
    let shown = format!("{error}\n{error:?}");
    for placeholder in [
        "999",
        "no.url.provided",
        "Unexpected Response",
        "UnexpectedResponse",
    ] {
        assert!(!shown.contains(placeholder), "{placeholder} in:\n{shown}");
    }
    assert!(
        error.http_status().is_some() || matches!(error, Error::Transport(_)),
        "{error:?}"
    );
}

/// `send()`, `call()`, `pages()` and `items()` return named futures and streams
/// ([`feishu_openapi::Sending`], …): each sends when it is polled, not when it is made, and one
/// dropped unpolled sends nothing.
#[tokio::test]
async fn the_futures_and_streams_send_only_when_polled() {
    use futures::StreamExt;

    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "success", "data": {"task_id": TASK_ID}})),
    )
    .await;
    let feishu = tenant_client(&server);
    let vc = feishu.vc();

    // Named with the answer type alone: the operation's requests are the futures' default.
    let sending: feishu_openapi::Sending<'_, ExportTaskCreated> =
        vc.export_meeting_list().body(body()).send();
    let calling: feishu_openapi::Calling<'_, ExportTaskCreated> =
        vc.export_meeting_list().body(body()).call();
    // An answer `{code, data, msg}` is a `ResponseBody` under the operation's name.
    let _: feishu_openapi::vc::types::BotJoinResponse = feishu_openapi::ResponseBody {
        code: 0,
        data: None,
        msg: String::new(),
    };
    let pages = vc.alert_list().start_time("1").end_time("2").pages();
    let items = vc.alert_list().start_time("1").end_time("2").items();
    // Their Debug names the operation and says nothing was sent, and holds no token.
    let shown = format!("{sending:?} {calling:?} {pages:?} {items:?}");
    assert!(
        shown.contains("export_meeting_list") && shown.contains("not sent"),
        "{shown}"
    );
    assert!(!shown.contains("t-"), "{shown}");
    drop((sending, pages, items));
    assert_eq!(server.received_requests().await.unwrap().len(), 0);

    // Polled, the call is sent once.
    fn sendable<T: Send>(t: T) -> T {
        t
    }
    assert_eq!(sendable(calling).await.unwrap().task_id, TASK_ID);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // A stream sends its first page at its first poll.
    let mut pages = vc.alert_list().start_time("1").end_time("2").pages();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let _ = pages.next().await;
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
