//! `export_get` and `export_download` on the wire, against a mock on 127.0.0.1: what is sent
//! (method, path, query encoding, token), what is decoded, and every documented error — at its
//! HTTP status and inside an HTTP 200 — as the crate's one `Error`.

use crate::common;

use common::{only_request, tenant_client, TASK_ID, TENANT_TOKEN};
use feishu_openapi::vc::export::{ExportFile, ExportTask};
use feishu_openapi::vc::ExportStatus;
use feishu_openapi::{Error, ErrorKind};
use futures::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A file token like Feishu's: base64 with `+`, `/` and `=`.
const FILE_TOKEN: &str = "6yHu7Igp+7Igy62Ez/6fLr6IJz7j9i5WMe==";
const TASK_PATH: &str = "/open-apis/vc/v1/exports/7111325589855797267";
const DOWNLOAD_PATH: &str = "/open-apis/vc/v1/exports/download";

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn spec() -> Value {
    feishu_openapi_codegen::spec::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/vc.yaml"),
    )
    .expect("openapi/vc.yaml, with the shared parts merged in")
}

fn operation(path: &str) -> Value {
    spec()["paths"][path]["get"].clone()
}

#[tokio::test]
async fn export_get_sends_the_task_id_in_the_path_and_decodes_the_doc_example() {
    let example = operation("/open-apis/vc/v1/exports/{task_id}")["responses"]["200"]["content"]
        ["application/json"]["example"]
        .clone();
    let server = answering(ResponseTemplate::new(200).set_body_json(&example)).await;
    let feishu = tenant_client(&server);

    let answer = feishu
        .vc()
        .export_get()
        .task_id(TASK_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.code, 0);
    assert_eq!(answer.data.status, ExportStatus::Done);
    assert_eq!(
        answer.data.file_token.as_deref(),
        example["data"]["file_token"].as_str()
    );
    assert_eq!(answer.data.url.as_deref(), example["data"]["url"].as_str());
    assert_eq!(answer.data.fail_msg, None);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), TASK_PATH);
    assert_eq!(request.url.query(), None);
    assert_eq!(
        request.headers.get("authorization").unwrap(),
        &format!("Bearer {TENANT_TOKEN}")
    );
    assert!(request.headers.get("api-version").is_none());
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn each_status_decodes_and_an_unknown_one_is_kept() {
    for (value, status) in [
        (1, ExportStatus::Processing),
        (2, ExportStatus::Failed),
        (3, ExportStatus::Done),
    ] {
        let body = json!({"code": 0, "msg": "success", "data": {"status": value, "fail_msg": "x"}});
        let server = answering(ResponseTemplate::new(200).set_body_json(body)).await;
        let result = ExportTask::resume(&tenant_client(&server), TASK_ID.parse().unwrap())
            .status()
            .await
            .unwrap();
        assert_eq!(result.status, status);
        assert_eq!(result.status.value(), value);
    }
    // A status new to the crate decodes (the wait goes on polling it, see the workflow tests).
    let body = json!({"code": 0, "msg": "success", "data": {"status": 4}});
    let server = answering(ResponseTemplate::new(200).set_body_json(body)).await;
    let result = ExportTask::resume(&tenant_client(&server), TASK_ID.parse().unwrap())
        .status()
        .await
        .unwrap();
    assert_eq!(result.status, ExportStatus::Other(4));
    assert_eq!(result.status.to_string(), "4");
}

#[tokio::test]
async fn a_done_task_without_a_file_token_cannot_be_downloaded() {
    let body = json!({"code": 0, "msg": "success", "data": {"status": 3}});
    let server = answering(ResponseTemplate::new(200).set_body_json(body)).await;
    let error = ExportTask::resume(&tenant_client(&server), TASK_ID.parse().unwrap())
        .wait(&Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::TaskFailed { message, .. } if message.contains("file_token")),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_file_token_is_percent_encoded_and_the_bytes_stream_through() {
    let server = MockServer::start().await;
    // A zip container's signature, then bytes of every value.
    let file: Vec<u8> = b"PK\x03\x04"
        .iter()
        .copied()
        .chain((0..100_000u32).map(|i| (i % 251) as u8))
        .collect();
    Mock::given(method("GET"))
        .and(path(DOWNLOAD_PATH))
        .and(query_param("file_token", FILE_TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "content-disposition",
                    "attachment; filename=\"\u{4f1a}\u{8bae}.xlsx\"",
                )
                .set_body_raw(file.clone(), "application/octet-stream"),
        )
        .expect(2)
        .mount(&server)
        .await;
    let feishu = tenant_client(&server);

    // Through the generated operation: a stream of bytes.
    let response = feishu
        .vc()
        .export_download()
        .file_token(FILE_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let chunks: Vec<bytes::Bytes> = response
        .into_inner()
        .into_inner()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chunks.concat(), file);

    // Through the workflow: the same bytes, and the raw UTF-8 name.
    let mut written = Vec::new();
    let downloaded = ExportFile::from_file_token(&feishu, FILE_TOKEN)
        .download()
        .write_to(&mut written)
        .await
        .unwrap();
    assert_eq!(written, file);
    assert_eq!(
        downloaded.file_name.as_deref(),
        Some("\u{4f1a}\u{8bae}.xlsx")
    );

    for request in server.received_requests().await.unwrap() {
        let raw = request.url.query().unwrap();
        assert_eq!(
            raw, "file_token=6yHu7Igp%2B7Igy62Ez%2F6fLr6IJz7j9i5WMe%3D%3D",
            "+, / and = are percent-encoded"
        );
        assert!(request.headers.get("api-version").is_none());
    }
}

#[tokio::test]
async fn a_json_error_in_an_http_200_download_is_the_feishu_error() {
    let envelope =
        json!({"code": 121005, "msg": "no permission", "error": {"log_id": "LOG-IN-BODY"}});
    // As JSON: the runtime's screen turns code != 0 into the error at any status.
    let server = answering(
        ResponseTemplate::new(200)
            .insert_header("x-tt-logid", "LOG-OF-THE-200")
            .set_body_json(&envelope),
    )
    .await;
    let error = ExportFile::from_file_token(&tenant_client(&server), FILE_TOKEN)
        .download()
        .write_to(&mut Vec::new())
        .await
        .unwrap_err();
    let api = error.api().unwrap_or_else(|| panic!("{error:?}"));
    assert_eq!((api.code, api.http_status), (121005, 200));
    assert_eq!(api.kind(), ErrorKind::PermissionDenied);
    assert_eq!(api.log_id.as_deref(), Some("LOG-OF-THE-200"));

    // Mislabelled as a file: still recognised, and nothing written.
    for content_type in ["application/octet-stream", "text/plain", "text/html"] {
        let server =
            answering(ResponseTemplate::new(200).set_body_raw(envelope.to_string(), content_type))
                .await;
        let mut written = Vec::new();
        let error = ExportFile::from_file_token(&tenant_client(&server), FILE_TOKEN)
            .download()
            .write_to(&mut written)
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(121005), "{content_type}: {error:?}");
        assert_eq!(error.log_id(), Some("LOG-IN-BODY"));
        assert!(written.is_empty(), "{content_type}");
    }
}

#[tokio::test]
async fn a_success_envelope_or_an_empty_body_is_not_a_file() {
    let cases = [
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
        ResponseTemplate::new(200).set_body_raw(Vec::<u8>::new(), "application/octet-stream"),
    ];
    for response in cases {
        let server = answering(response).await;
        let dir = tempfile::tempdir().unwrap();
        let error = ExportFile::from_file_token(&tenant_client(&server), FILE_TOKEN)
            .download()
            .save_in(dir.path())
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Undecodable { status: 200, .. }),
            "{error:?}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

/// quirk html_instead_of_a_file: gateways and expired object-store links answer a download with
/// HTTP 200 and an HTML page. It is an error with the status, the log id and the start of the
/// page, and nothing is saved.
#[tokio::test]
async fn html_instead_of_a_file_is_refused_and_nothing_is_saved() {
    let page = "<!DOCTYPE html><html><title>Link expired</title></html>";
    let server = answering(
        ResponseTemplate::new(200)
            .insert_header("x-tt-logid", "LOG-OF-THE-PAGE")
            .set_body_raw(page, "text/html; charset=utf-8"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let error = ExportFile::from_file_token(&tenant_client(&server), FILE_TOKEN)
        .download()
        .save_in(dir.path())
        .await
        .unwrap_err();
    match &error {
        Error::Undecodable {
            status: 200,
            body_start,
            log_id,
        } => {
            assert!(body_start.starts_with("<!DOCTYPE html>"), "{error:?}");
            assert_eq!(log_id.as_deref(), Some("LOG-OF-THE-PAGE"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Through the generated operation too: any download operation refuses it.
    let error = tenant_client(&server)
        .vc()
        .export_download()
        .file_token(FILE_TOKEN)
        .send()
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(error, Error::Undecodable { status: 200, .. }),
        "{error:?}"
    );
}

/// quirk file_signature: the spec declares the download an .xlsx workbook, a zip container; a
/// body that does not start with the zip signature is not one, whatever its Content-Type, and
/// nothing is written.
#[tokio::test]
async fn a_body_that_is_not_a_workbook_is_refused_and_nothing_is_written() {
    let bodies: [&[u8]; 3] = [
        br#"{"not": "a Feishu envelope"} and more bytes"#,
        b"plain text, no workbook",
        b"PK",
    ];
    for body in bodies {
        let server = answering(
            ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/octet-stream"),
        )
        .await;
        let mut written = Vec::new();
        let error = ExportFile::from_file_token(&tenant_client(&server), FILE_TOKEN)
            .download()
            .write_to(&mut written)
            .await
            .unwrap_err();
        match &error {
            Error::Undecodable {
                status: 200,
                body_start,
                ..
            } => assert_eq!(body_start.as_bytes(), body),
            other => panic!("{other:?}"),
        }
        assert!(written.is_empty());
    }
}

/// Every row of the operation's documented error table, at its HTTP status and inside an HTTP
/// 200, comes back from both operations as `Error::Api` with code, msg, status and log id.
#[tokio::test]
async fn every_documented_error_of_both_operations() {
    for op_path in ["/open-apis/vc/v1/exports/{task_id}", DOWNLOAD_PATH] {
        let errors = operation(op_path)["x-feishu-errors"].clone();
        let rows = errors.as_array().expect("an error table");
        assert_eq!(rows.len(), 5, "{op_path}");
        for row in rows {
            let code = row["code"].as_i64().unwrap();
            let msg = row["msg"].as_str().unwrap();
            let documented = row["http"].as_u64().unwrap() as u16;
            for status in [documented, 200] {
                let body = json!({"code": code, "msg": msg, "error": {}});
                let server = answering(
                    ResponseTemplate::new(status)
                        .insert_header("x-tt-logid", "LOG-ROW")
                        .set_body_json(body),
                )
                .await;
                let feishu = feishu_openapi::FeishuClient::builder()
                    .base_url(server.uri())
                    .access_token(feishu_openapi::AccessToken::tenant(TENANT_TOKEN))
                    .retry(feishu_openapi::RetryPolicy::none())
                    .build()
                    .unwrap();
                let error = if op_path == DOWNLOAD_PATH {
                    ExportFile::from_file_token(&feishu, FILE_TOKEN)
                        .download()
                        .write_to(&mut Vec::new())
                        .await
                        .map(|_| ())
                        .unwrap_err()
                } else {
                    ExportTask::resume(&feishu, TASK_ID.parse().unwrap())
                        .status()
                        .await
                        .map(|_| ())
                        .unwrap_err()
                };
                let api = error
                    .api()
                    .unwrap_or_else(|| panic!("{op_path} {code} at {status}: {error:?}"));
                assert_eq!(
                    (api.code, api.msg.as_str(), api.http_status),
                    (code, msg, status),
                    "{op_path}"
                );
                assert_eq!(api.log_id.as_deref(), Some("LOG-ROW"));
                assert_ne!(api.kind(), ErrorKind::Other, "{code} has a name");
            }
        }
    }
}
