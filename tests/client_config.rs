//! Building a [`FeishuClient`]: the brands' base URLs, a custom base URL (trailing slash trimmed,
//! path prefix kept — checked on the wire), plain http only for loopback hosts unless allowed,
//! and tokens that never show up in `Debug` or `Display` of the client, its builder, the token
//! or errors.

use crate::common;

use common::*;
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::{AccessToken, Brand, Error, FeishuClient, RetryPolicy};
use progenitor_client::ClientInfo;

/// A token distinctive enough that any leak is found by a substring search.
const SECRET: &str = "t-SECRET-7f1b9c8e560a4d2b";
const SECRET_PART: &str = "SECRET-7f1b9c8e560a4d2b";

fn assert_no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET_PART),
        "{what} shows the token: {text}"
    );
}

fn build(url: &str) -> Result<FeishuClient, Error> {
    FeishuClient::builder().base_url(url).build()
}

#[test]
fn feishu_is_the_default_brand() {
    let feishu = FeishuClient::builder()
        .build()
        .expect("the default client builds");
    assert_eq!(feishu.base_url(), "https://open.feishu.cn");
    assert_eq!(feishu.vc().baseurl(), "https://open.feishu.cn");
    assert_eq!(Brand::default(), Brand::Feishu);
    assert_eq!(Brand::Feishu.base_url(), "https://open.feishu.cn");
}

#[test]
fn lark_brand() {
    let lark = FeishuClient::builder()
        .brand(Brand::Lark)
        .build()
        .expect("builds");
    assert_eq!(lark.base_url(), "https://open.larksuite.com");
    assert_eq!(lark.vc().baseurl(), "https://open.larksuite.com");
}

#[test]
fn custom_base_url_wins_and_loses_its_trailing_slash() {
    let custom = FeishuClient::builder()
        .brand(Brand::Lark)
        .base_url("https://feishu.example.com/")
        .build()
        .expect("https is accepted");
    assert_eq!(custom.base_url(), "https://feishu.example.com");
    assert_eq!(
        build("https://feishu.example.com/gateway/")
            .expect("builds")
            .base_url(),
        "https://feishu.example.com/gateway"
    );
}

#[tokio::test]
async fn custom_base_url_with_trailing_slash_on_the_wire() {
    let server = success_server().await;
    let feishu = FeishuClient::builder()
        .base_url(format!("{}/", server.uri()))
        .access_token(AccessToken::tenant(TENANT_TOKEN))
        .build()
        .expect("loopback");
    feishu
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(1u64, 2u64))
        .send()
        .await
        .expect("sent");
    assert_eq!(only_request(&server).await.url.path(), PATH);
}

#[tokio::test]
async fn custom_base_url_path_prefix_is_kept_on_the_wire() {
    let server = success_server().await;
    let feishu = FeishuClient::builder()
        .base_url(format!("{}/feishu-proxy/", server.uri()))
        .access_token(AccessToken::tenant(TENANT_TOKEN))
        .build()
        .expect("loopback");
    feishu
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(1u64, 2u64))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        only_request(&server).await.url.path(),
        format!("/feishu-proxy{PATH}")
    );
}

#[test]
fn plain_http_is_refused_for_a_non_loopback_host() {
    for url in [
        "http://open.feishu.cn",
        "http://10.0.0.8:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://[2001:db8::1]",
    ] {
        let err = build(url).expect_err("plain http on the network");
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
        let text = err.to_string();
        assert!(
            text.contains("http") && text.contains("allow_insecure_http"),
            "{url}: {text}"
        );
    }
}

#[test]
fn plain_http_is_accepted_for_loopback_hosts() {
    for (url, base) in [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.0.0.1", "http://127.0.0.1"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://LOCALHOST:3000", "http://LOCALHOST:3000"),
        ("http://[::1]:8443/", "http://[::1]:8443"),
    ] {
        let feishu = build(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(feishu.base_url(), base, "{url}");
    }
}

#[test]
fn allow_insecure_http_accepts_any_host() {
    let feishu = FeishuClient::builder()
        .base_url("http://feishu.intranet.example:8080")
        .allow_insecure_http(true)
        .build()
        .expect("explicitly allowed");
    assert_eq!(feishu.base_url(), "http://feishu.intranet.example:8080");
    let err = FeishuClient::builder()
        .base_url("http://feishu.intranet.example:8080")
        .allow_insecure_http(false)
        .build()
        .expect_err("not allowed");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[test]
fn base_urls_that_are_not_http_are_refused() {
    for url in [
        "ftp://open.feishu.cn",
        "open.feishu.cn",
        "",
        "https://open.feishu.cn/?x=1",
        "https://open.feishu.cn/#top",
    ] {
        let err = build(url).expect_err("not a base URL");
        assert!(matches!(err, Error::Config(_)), "{url:?}: {err:?}");
        assert!(err.to_string().contains("base URL"), "{url:?}: {err}");
    }
}

#[tokio::test]
async fn no_token_means_nothing_is_sent() {
    let server = silent_server().await;
    let feishu = FeishuClient::builder()
        .base_url(server.uri())
        .build()
        .expect("loopback");
    let err = feishu
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(1u64, 2u64))
        .send()
        .await
        .expect_err("meeting_list needs a tenant or user token");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("access token"), "{err}");
    assert_nothing_received(&server).await;
}

#[test]
fn debug_of_client_builder_and_token_never_shows_the_token() {
    for token in [AccessToken::tenant(SECRET), AccessToken::user(SECRET)] {
        assert_no_secret("AccessToken Debug", &format!("{token:?}"));
        assert_no_secret("AccessToken Display", &token.to_string());
        assert_no_secret("SecretString Debug", &format!("{:?}", token.secret()));
        assert_eq!(
            token.secret().expose_secret(),
            SECRET,
            "the token itself is still there to send"
        );

        let builder = FeishuClient::builder().access_token(token.clone());
        assert_no_secret("builder Debug", &format!("{builder:?}"));
        let feishu = builder.build().expect("builds");
        assert_no_secret("client Debug", &format!("{feishu:?}"));
        assert_no_secret("client Debug (pretty)", &format!("{feishu:#?}"));
        assert_no_secret("VC client Debug", &format!("{:?}", feishu.vc()));
        let as_user = feishu.with_access_token(AccessToken::user(SECRET));
        assert_no_secret("with_access_token Debug", &format!("{as_user:?}"));
    }
    let builder = FeishuClient::builder().app_credentials("cli_a1b2c3", SECRET);
    assert_no_secret(
        "builder with app credentials Debug",
        &format!("{builder:?}"),
    );
    assert_no_secret(
        "client with app credentials Debug",
        &format!("{:?}", builder.build().expect("builds")),
    );
}

#[tokio::test]
async fn errors_never_show_the_token() {
    // A token that is not a valid header value: refused before anything is sent.
    let server = silent_server().await;
    let bad = format!("{SECRET}\n");
    let feishu = FeishuClient::builder()
        .base_url(server.uri())
        .access_token(AccessToken::tenant(bad))
        .build()
        .expect("builds");
    let err = feishu
        .vc()
        .export_meeting_list()
        .body(ExportMeetingListRequest::new(1u64, 2u64))
        .send()
        .await
        .expect_err("a token with a newline cannot be sent");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_no_secret("config error Debug", &format!("{err:?}"));
    assert_no_secret("config error Display", &err.to_string());
    assert_nothing_received(&server).await;

    // A Feishu error and a refused connection.
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address").port()
    };
    for base in [server.uri(), format!("http://127.0.0.1:{closed_port}")] {
        let feishu = FeishuClient::builder()
            .base_url(&base)
            .access_token(AccessToken::tenant(SECRET))
            .retry(RetryPolicy::none())
            .build()
            .expect("builds");
        let err = feishu
            .vc()
            .export_meeting_list()
            .body(ExportMeetingListRequest::new(1u64, 2u64))
            .send()
            .await
            .expect_err("an error");
        assert_no_secret("error Debug", &format!("{err:?}"));
        assert_no_secret("error Display", &err.to_string());
    }
}
