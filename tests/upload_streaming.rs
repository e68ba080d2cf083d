//! An upload is streamed: a 64 MiB file goes to the server without the process holding it. The
//! server is a raw HTTP/1.1 responder on 127.0.0.1 that reads and discards the body; the test
//! binary counts the heap with its own global allocator and checks the peak (no timing). Run
//! with `--features im`.
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

/// Reads each request to its end (counting the bytes) and answers with an image key.
async fn discarding_server() -> (String, tokio::sync::oneshot::Receiver<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut seen = 0u64;
        let mut tail = Vec::new();
        loop {
            let n = socket.read(&mut buffer).await.unwrap();
            if n == 0 {
                break;
            }
            seen += n as u64;
            tail.extend_from_slice(&buffer[..n]);
            let keep = tail.len().saturating_sub(128);
            tail.drain(..keep);
            // The body (chunked: its length is not announced) ends with the last chunk.
            if seen > FILE_BYTES && tail.ends_with(b"\r\n0\r\n\r\n") {
                break;
            }
        }
        let body = r#"{"code":0,"msg":"success","data":{"image_key":"img_big"}}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
        let _ = tx.send(seen);
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
    assert!(
        seen.await.unwrap() > FILE_BYTES,
        "the whole file reached the server"
    );
    assert!(
        grown < 8 * MIB,
        "the heap grew by {grown} bytes for a 64 MiB file"
    );
}
