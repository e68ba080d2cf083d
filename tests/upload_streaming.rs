//! An upload is streamed: a 64 MiB file goes to the server without the process holding it, with
//! its `Content-Length` when every part's size is known (chunked otherwise). The server is a raw
//! HTTP/1.1 responder on 127.0.0.1 that reads and discards the body; the test binary counts the
//! heap with its own global allocator and checks the peak (no timing). Run with
//! `--features im`.
#![cfg(feature = "im")]

use feishu_openapi::im::types::{ImageCreateForm, ImageCreateFormImageType};
use feishu_openapi::upload::UploadFile;
use feishu_openapi::{AccessToken, FeishuClient, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod alloc_support;

#[global_allocator]
static ALLOCATOR: alloc_support::Counting = alloc_support::Counting;

const FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What the server saw of the request: its bytes, and the `Content-Length` it announced.
struct Seen {
    bytes: u64,
    content_length: Option<u64>,
}

/// Reads the request to its end (counting the bytes) and answers with an image key: a body
/// with a `Content-Length` ends after that many bytes, a chunked one with the last chunk.
async fn discarding_server() -> (String, tokio::sync::oneshot::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut seen = 0u64;
        let mut head = Vec::new();
        let mut head_end = None;
        let mut content_length = None;
        let mut tail = Vec::new();
        loop {
            let n = socket.read(&mut buffer).await.unwrap();
            if n == 0 {
                break;
            }
            seen += n as u64;
            if head_end.is_none() {
                head.extend_from_slice(&buffer[..n]);
                if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                    head_end = Some(i as u64 + 4);
                    let text = String::from_utf8_lossy(&head[..i]).to_ascii_lowercase();
                    content_length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map(|v| v.trim().parse::<u64>().unwrap());
                }
            }
            tail.extend_from_slice(&buffer[..n]);
            let keep = tail.len().saturating_sub(128);
            tail.drain(..keep);
            let done = match (head_end, content_length) {
                (Some(end), Some(length)) => seen >= end + length,
                (Some(_), None) => seen > FILE_BYTES && tail.ends_with(b"\r\n0\r\n\r\n"),
                _ => false,
            };
            if done {
                break;
            }
        }
        let body = r#"{"code":0,"msg":"success","data":{"image_key":"img_big"}}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        let _ = tx.send(Seen {
            bytes: seen,
            content_length,
        });
    });
    (url, rx)
}

#[tokio::test(flavor = "current_thread")]
async fn a_large_upload_is_streamed_in_bounded_memory() {
    const MIB: usize = 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.png");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(FILE_BYTES).unwrap();
    drop(file);

    let (url, seen) = discarding_server().await;
    let feishu = FeishuClient::builder()
        .base_url(url)
        .access_token(AccessToken::tenant("t-upload"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let before = alloc_support::measure_from_here();
    let form = ImageCreateForm::builder().image_type(ImageCreateFormImageType::Message);
    let uploaded = feishu
        .im()
        .image_create()
        .call(form, UploadFile::from_path(&path).await.unwrap())
        .await
        .unwrap();
    let grown = alloc_support::grown(before);
    println!("64 MiB upload: heap grew by {} KiB", grown / 1024);
    assert_eq!(uploaded.image_key.as_deref(), Some("img_big"));
    let seen = seen.await.unwrap();
    assert!(seen.bytes > FILE_BYTES, "the whole file reached the server");
    // Every part's size is known (a file from its path, a text field): the length is
    // announced, framing included.
    let length = seen.content_length.expect("a Content-Length");
    assert!(
        length > FILE_BYTES && length < FILE_BYTES + 1024,
        "{length}"
    );
    assert!(
        grown < 8 * MIB,
        "the heap grew by {grown} bytes for a 64 MiB file"
    );
}

/// A part of unknown size (a reader) cannot announce the form's length: chunked.
#[tokio::test(flavor = "current_thread")]
async fn an_upload_from_a_reader_goes_chunked() {
    let (url, seen) = discarding_server().await;
    let feishu = FeishuClient::builder()
        .base_url(url)
        .access_token(AccessToken::tenant("t-upload"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let reader = tokio::io::repeat(0).take(FILE_BYTES + 1);
    let form = ImageCreateForm::builder().image_type(ImageCreateFormImageType::Message);
    feishu
        .im()
        .image_create()
        .call(form, UploadFile::from_reader("big.png", reader))
        .await
        .unwrap();
    let seen = seen.await.unwrap();
    assert_eq!(seen.content_length, None);
    assert!(seen.bytes > FILE_BYTES);
}
