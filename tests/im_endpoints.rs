//! The four IM operations of `openapi/im.yaml`, each added by the spec alone, end to end against
//! a server on 127.0.0.1: a JSON call with a required query parameter, a multipart upload, a
//! paginated listing and a binary download. Run with `--features im`.
#![cfg(feature = "im")]

use feishu_openapi::im::types::{
    ImageCreateForm, ImageCreateFormImageType, MessageCreateRequest, ReceiveIdType,
};
use feishu_openapi::upload::UploadFile;
use feishu_openapi::{AccessToken, Error, FeishuClient, RetryPolicy};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, header_regex, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "t-im-tests";

fn client(server: &MockServer) -> FeishuClient {
    FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(TOKEN))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn ok(data: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
}

#[tokio::test]
async fn message_create_sends_the_query_and_body_and_returns_the_message() {
    let server = MockServer::start().await;
    let body = json!({"receive_id": "ou_1", "msg_type": "text", "content": "{\"text\":\"hi\"}"});
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/messages"))
        .and(query_param("receive_id_type", "open_id"))
        .and(bearer_token(TOKEN))
        .and(body_json(&body))
        .respond_with(ok(json!({"message_id": "om_1", "msg_type": "text"})))
        .expect(1)
        .mount(&server)
        .await;
    let request = MessageCreateRequest::builder()
        .receive_id("ou_1")
        .msg_type("text")
        .content("{\"text\":\"hi\"}");
    let message = client(&server)
        .im()
        .message_create()
        .receive_id_type(ReceiveIdType::OpenId)
        .body(request)
        .call()
        .await
        .unwrap();
    assert_eq!(message.message_id.as_deref(), Some("om_1"));

    // The required query parameter is required: nothing is sent without it.
    let error = client(&server)
        .im()
        .message_create()
        .body(
            MessageCreateRequest::builder()
                .receive_id("ou_1")
                .msg_type("text")
                .content("{}"),
        )
        .call()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Validation(m) if m.contains("receive_id_type")),
        "{error:?}"
    );
}

/// Checks a multipart upload: the form field and the file, streamed as one body.
struct UploadCheck;

impl Respond for UploadCheck {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body);
        let has_field = body.contains("name=\"image_type\"\r\n\r\nmessage\r\n");
        let has_file = body.contains("name=\"image\"; filename=\"logo.png\"")
            && body.contains("Content-Type: image/png")
            && body.contains("\u{89}PNG-bytes-of-the-logo");
        if has_field && has_file {
            ok(json!({"image_key": "img_1"}))
        } else {
            ResponseTemplate::new(400).set_body_string(body.into_owned())
        }
    }
}

#[tokio::test]
async fn image_create_uploads_the_form_and_the_file_as_multipart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/images"))
        .and(bearer_token(TOKEN))
        .and(header_regex(
            "content-type",
            "^multipart/form-data; boundary=.+$",
        ))
        .respond_with(UploadCheck)
        .expect(2)
        .mount(&server)
        .await;
    let form = ImageCreateForm::builder().image_type(ImageCreateFormImageType::Message);

    // From bytes in memory.
    let file = UploadFile::from_bytes(
        "logo.png",
        "\u{89}PNG-bytes-of-the-logo".as_bytes().to_vec(),
    )
    .content_type("image/png")
    .unwrap();
    let uploaded = client(&server)
        .im()
        .image_create()
        .call(form.clone(), file)
        .await
        .unwrap();
    assert_eq!(uploaded.image_key.as_deref(), Some("img_1"));

    // From a file on disk, streamed.
    let dir = tempfile::tempdir().unwrap();
    let on_disk = dir.path().join("logo.png");
    std::fs::write(&on_disk, "\u{89}PNG-bytes-of-the-logo").unwrap();
    let file = UploadFile::from_path(&on_disk)
        .await
        .unwrap()
        .content_type("image/png")
        .unwrap();
    let answer = client(&server)
        .im()
        .image_create()
        .send(form, file)
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    // A file that cannot be read is an error before anything is sent.
    let missing = UploadFile::from_path(dir.path().join("missing.png"))
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::ReadFile { .. }), "{missing:?}");
    assert!(UploadFile::from_bytes("x", vec![])
        .content_type("not a type")
        .is_err());
}

/// Pages of chats: the page token travels from each answer to the next request.
struct Pages;

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let token = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page_token")
            .map(|(_, v)| v.into_owned());
        let chat = |id: &str| json!({"chat_id": id, "name": id});
        match token.as_deref() {
            None => ok(
                json!({"items": [chat("oc_1"), chat("oc_2")], "has_more": true, "page_token": "p2"}),
            ),
            Some("p2") => {
                ok(json!({"items": [chat("oc_3")], "has_more": true, "page_token": "p3"}))
            }
            Some("p3") => ok(json!({"items": [chat("oc_4")], "has_more": false, "page_token": ""})),
            // A server that loops: `has_more` with the token of an earlier page.
            Some("loop") => {
                ok(json!({"items": [chat("oc_x")], "has_more": true, "page_token": "loop"}))
            }
            Some(other) => ResponseTemplate::new(400).set_body_string(other.to_string()),
        }
    }
}

#[tokio::test]
async fn chat_list_items_follow_the_page_token_to_the_last_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats"))
        .and(query_param("page_size", "2"))
        .respond_with(Pages)
        .mount(&server)
        .await;
    let feishu = client(&server);
    let chats: Vec<_> = feishu
        .im()
        .chat_list()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = chats.iter().map(|c| c.chat_id.clone().unwrap()).collect();
    assert_eq!(ids, ["oc_1", "oc_2", "oc_3", "oc_4"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // A token that repeats ends the stream with an error instead of looping.
    let pages: Vec<_> = feishu
        .im()
        .chat_list()
        .page_size(2)
        .page_token("loop")
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 3, "the first page, its repeat, then the error");
    assert!(
        matches!(pages[2], Err(Error::Pagination(_))),
        "{:?}",
        pages[2]
    );
}

/// `has_more: true` with an empty `page_token` ends the listing (an empty token would ask for the
/// first page again, and loop).
#[tokio::test]
async fn chat_list_stops_on_an_empty_page_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ok(
            json!({"items": [{"chat_id": "oc_1"}], "has_more": true, "page_token": ""}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let chats: Vec<_> = client(&server)
        .im()
        .chat_list()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chats.len(), 1);
}

#[tokio::test]
async fn image_get_downloads_the_bytes_into_a_folder() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/images/img_1"))
        .and(bearer_token(TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"\x89PNG image bytes".to_vec(), "image/png"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/images/expired"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>expired</html>", "text/html"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let saved = client(&server)
        .im()
        .image_get()
        .image_key("img_1")
        .download()
        .save_in(dir.path())
        .await
        .unwrap();
    assert_eq!(
        saved.path,
        dir.path().join("image_get.bin"),
        "no name offered: the fallback"
    );
    assert_eq!(std::fs::read(&saved.path).unwrap(), b"\x89PNG image bytes");

    let error = client(&server)
        .im()
        .image_get()
        .image_key("expired")
        .download()
        .save_in(dir.path())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Undecodable { status: 200, .. }),
        "{error:?}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing more was saved"
    );
}
