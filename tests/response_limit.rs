//! quirk oversized_response: a JSON answer larger than the client's `max_response_bytes` is an
//! error and is read no further, so memory stays bounded whatever the server sends.
//!
//! The server is a raw HTTP/1.1 responder on 127.0.0.1 that streams 150 MB from one static
//! buffer (it allocates nothing per byte sent). The test binary counts the heap with its own
//! global allocator and checks the peak, not any time: its one test runs the cases in turn, so
//! nothing else allocates beside them.

use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{AccessToken, Error, FeishuClient, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod alloc_support;

#[global_allocator]
static ALLOCATOR: alloc_support::Counting = alloc_support::Counting;

/// What the server sends: 150 MB of an answer to meeting_list.
const ANSWER_BYTES: usize = 150 * 1000 * 1000;

static DIGITS: [u8; 64 * 1024] = [b'7'; 64 * 1024];

/// Serves every connection with a JSON answer of [`ANSWER_BYTES`] (`{"code":0,…,"task_id":"777…"}`),
/// chunked or with its `Content-Length`.
async fn huge_answer_server(content_length: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = br#"{"code":0,"msg":"success","data":{"task_id":""#;
                let tail = br#""}}"#;
                let digits = ANSWER_BYTES - head.len() - tail.len();
                let framing = if content_length {
                    format!("content-length: {ANSWER_BYTES}\r\n")
                } else {
                    "transfer-encoding: chunked\r\n".to_string()
                };
                let response_head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-tt-logid: LOG-OF-THE-HUGE-ANSWER\r\n{framing}\r\n"
                );
                if socket.write_all(response_head.as_bytes()).await.is_err() {
                    return;
                }
                let mut parts: Vec<&[u8]> = vec![head];
                parts.extend(std::iter::repeat_n(&DIGITS[..], digits / DIGITS.len()));
                parts.push(&DIGITS[..digits % DIGITS.len()]);
                parts.push(tail);
                for part in parts {
                    let sent = if content_length {
                        socket.write_all(part).await
                    } else {
                        let size = format!("{:x}\r\n", part.len());
                        let _ = socket.write_all(size.as_bytes()).await;
                        let _ = socket.write_all(part).await;
                        socket.write_all(b"\r\n").await
                    };
                    if sent.is_err() {
                        return; // the client stopped reading
                    }
                }
                if !content_length {
                    let _ = socket.write_all(b"0\r\n\r\n").await;
                }
            });
        }
    });
    url
}

fn client(base_url: &str, limit: Option<u64>) -> FeishuClient {
    let mut builder = FeishuClient::builder()
        .base_url(base_url)
        .access_token(AccessToken::tenant("t-test"))
        .retry(RetryPolicy::none());
    if let Some(limit) = limit {
        builder = builder.max_response_bytes(limit);
    }
    builder.build().unwrap()
}

/// Sends meeting_list and returns its error and the heap's peak growth during the call.
async fn call(feishu: &FeishuClient) -> (Error, usize) {
    let before = alloc_support::measure_from_here();
    let result = feishu
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(1_655_276_858, 1_655_363_258))
        .send()
        .await;
    let grown = alloc_support::grown(before);
    (result.map(|_| ()).unwrap_err(), grown)
}

#[tokio::test(flavor = "current_thread")]
async fn an_oversized_answer_is_refused_and_memory_stays_bounded() {
    const MIB: usize = 1024 * 1024;
    let chunked = huge_answer_server(false).await;
    let announced = huge_answer_server(true).await;

    // The default limit (32 MiB), a chunked answer: read up to the limit, then refused.
    let (error, grown) = call(&client(&chunked, None)).await;
    println!(
        "150 MB chunked answer, default limit: heap grew by {} MiB",
        grown / MIB
    );
    assert!(
        matches!(&error, Error::TooLarge { limit, status: 200, log_id: Some(l) }
            if *limit == feishu_openapi::DEFAULT_MAX_RESPONSE_BYTES && l == "LOG-OF-THE-HUGE-ANSWER"),
        "{error:?}"
    );
    assert!(error.to_string().contains("max_response_bytes"), "{error}");
    assert!(grown < 48 * MIB, "the heap grew by {grown} bytes");

    // A small limit: the peak follows it.
    let (error, grown) = call(&client(&chunked, Some(4 * MIB as u64))).await;
    println!(
        "150 MB chunked answer, 4 MiB limit: heap grew by {} KiB",
        grown / 1024
    );
    assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
    assert!(grown < 8 * MIB, "the heap grew by {grown} bytes");

    // Announced by Content-Length: refused before reading the body.
    let (error, grown) = call(&client(&announced, None)).await;
    println!(
        "150 MB announced answer, default limit: heap grew by {} KiB",
        grown / 1024
    );
    assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
    assert!(grown < 4 * MIB, "the heap grew by {grown} bytes");
}
