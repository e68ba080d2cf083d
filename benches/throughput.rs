//! meeting_list calls per second against a local HTTP server: this crate's generated client
//! (token cached, all hooks on) beside the same request made with plain reqwest, in the same run.
//! Then 1,000 concurrent calls on a cold token cache, counting the token requests the server saw.
//!
//! Run: `cargo bench --bench throughput` (optionally `-- --calls 4000`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::vc::MeetingStatus;
use feishu_openapi::{FeishuClient, UserIdType};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use serde::{Deserialize, Serialize};

const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
const SUCCESS: &str = r#"{"code":0,"msg":"success","data":{"task_id":"7111325589855797267"}}"#;

/// The cores the server and the client run on: each its own, when the machine has two or more,
/// so that what is measured is the client's work, not the two sharing a core.
fn cores() -> Option<(core_affinity::CoreId, core_affinity::CoreId)> {
    let ids = core_affinity::get_core_ids()?;
    match ids.as_slice() {
        [client, .., server] => Some((*client, *server)),
        _ => None,
    }
}

/// A minimal Feishu: answers meeting_list with a fixed success and the token endpoint with a
/// token after 50 ms, counting token requests. It runs on its own thread and runtime, pinned to
/// its own core.
fn start_server(token_requests: Arc<AtomicUsize>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    let server = std::thread::Builder::new().name("bench-server".into());
    server.spawn(move || {
        if let Some((_, core)) = cores() {
            core_affinity::set_for_current(core);
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let counter = token_requests.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let counter = counter.clone();
                        async move {
                            let is_token = req.uri().path() == TOKEN_PATH;
                            let _ = req.into_body().collect().await;
                            let body = if is_token {
                                counter.fetch_add(1, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                r#"{"code":0,"msg":"ok","tenant_access_token":"t-bench","expire":7200}"#
                            } else {
                                SUCCESS
                            };
                            Ok::<_, Infallible>(
                                Response::builder()
                                    .header("content-type", "application/json; charset=utf-8")
                                    .header("x-tt-logid", "20240101000000BENCH")
                                    .body(Full::new(Bytes::from_static(body.as_bytes())))
                                    .unwrap(),
                            )
                        }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
    }).expect("a server thread");
    rx.recv().unwrap()
}

/// The baseline: the same request with plain reqwest — same JSON body, query, bearer token, and a
/// typed decode of the response with a check of `code`.
#[derive(Serialize)]
struct PlainBody<'a> {
    start_time: &'a str,
    end_time: &'a str,
    meeting_status: i64,
    meeting_no: &'a str,
}

#[derive(Deserialize)]
struct PlainEnvelope {
    code: i64,
    data: Option<PlainData>,
}

#[derive(Deserialize)]
struct PlainData {
    task_id: String,
}

async fn plain_call(http: &reqwest::Client, url: &str) -> String {
    let body = PlainBody {
        start_time: "1655276858",
        end_time: "1655363258",
        meeting_status: 2,
        meeting_no: "123456789",
    };
    let response = http
        .post(url)
        .query(&[("user_id_type", "open_id")])
        .bearer_auth("t-bench")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let envelope: PlainEnvelope = response.json().await.unwrap();
    assert_eq!(envelope.code, 0);
    envelope.data.unwrap().task_id
}

/// One call through the generated VC client, made once per `FeishuClient` and reused, as the
/// baseline reuses its `reqwest::Client`.
async fn crate_call(vc: &feishu_openapi::vc::Client) -> feishu_openapi::vc::export::TaskId {
    let body = ExportMeetingListRequest::new(1_655_276_858u64, 1_655_363_258u64)
        .with_status(MeetingStatus::Ended)
        .with_filter(feishu_openapi::vc::MeetingFilter::MeetingNo(
            "123456789".parse().unwrap(),
        ));
    let created = vc
        .export_meeting_list()
        .user_id_type(UserIdType::OpenId)
        .body(body)
        .send()
        .await
        .unwrap();
    created.into_inner().data.task_id
}

/// Calls per second for `calls` calls made `concurrency` at a time.
async fn rate<F, Fut, Id>(calls: usize, concurrency: usize, call: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Id>,
    Id: AsRef<str>,
{
    let started = Instant::now();
    let mut done = 0;
    while done < calls {
        let batch = concurrency.min(calls - done);
        let results = futures::future::join_all((0..batch).map(|_| call())).await;
        assert!(results
            .iter()
            .all(|id| id.as_ref() == "7111325589855797267"));
        done += batch;
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let mut calls = 5000usize;
    // `--profile crate|plain`: only 32-concurrent rounds of one client, for a profiler.
    let mut profile = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--calls" => calls = args.next().and_then(|v| v.parse().ok()).expect("--calls N"),
            "--profile" => profile = args.next(),
            _ => {}
        }
    }
    let token_requests = Arc::new(AtomicUsize::new(0));
    let addr = start_server(token_requests.clone());
    let pinned = cores().is_some_and(|(client, _)| core_affinity::set_for_current(client));
    println!(
        "{}",
        if pinned {
            "client and server pinned to cores of their own"
        } else {
            "not pinned (fewer than two cores)"
        }
    );
    let base = format!("http://{addr}");
    let url = format!("{base}/open-apis/vc/v1/exports/meeting_list");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    rt.block_on(async {
        // Token cached: the client fetches one token on its first call (the warm-up).
        let client = FeishuClient::builder().base_url(&base).app_credentials("cli_bench", "bench-secret").build().unwrap();
        // The baseline gets the same transport settings as the crate's client (timeouts, no
        // redirects, user agent): the comparison is of the request path, not of the settings.
        let plain = reqwest::Client::builder()
            .user_agent("plain-reqwest")
            .connect_timeout(feishu_openapi::DEFAULT_CONNECT_TIMEOUT)
            .timeout(feishu_openapi::DEFAULT_TIMEOUT)
            .read_timeout(feishu_openapi::DEFAULT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let vc = client.vc();
        crate_call(&vc).await;
        plain_call(&plain, &url).await;
        if std::env::var_os("BENCH_FUTURE_SIZES").is_some() {
            eprintln!("future sizes: crate_call {} B, plain_call {} B", std::mem::size_of_val(&crate_call(&vc)), std::mem::size_of_val(&plain_call(&plain, &url)));
        }
        if let Some(which) = profile {
            let rate = match which.as_str() {
                "crate" => rate(calls * 4, 32, || crate_call(&vc)).await,
                _ => rate(calls * 4, 32, || plain_call(&plain, &url)).await,
            };
            println!("{which}: {rate:.0} calls/s");
            return;
        }

        println!("meeting_list against a local server, {calls} calls per sequential round (4x that concurrent), median of 5 alternating rounds\n");
        println!("| mode | feishu-openapi calls/s | plain reqwest calls/s | ratio |");
        println!("|---|---:|---:|---:|");
        for concurrency in [1usize, 32] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            // Concurrent rounds are faster: give them more calls so each round lasts long enough.
            let n = calls * concurrency.min(4);
            for _ in 0..5 {
                ours.push(rate(n, concurrency, || crate_call(&vc)).await);
                theirs.push(rate(n, concurrency, || plain_call(&plain, &url)).await);
            }
            let (ours, theirs) = (median(ours), median(theirs));
            let mode = if concurrency == 1 { "sequential".to_string() } else { format!("{concurrency} concurrent") };
            println!("| {mode} | {ours:.0} | {theirs:.0} | {:.2}x |", ours / theirs);
        }

        // Cold cache, 1,000 concurrent calls: one token request.
        let before = token_requests.load(Ordering::SeqCst);
        let cold = FeishuClient::builder()
            .base_url(&base)
            .app_credentials("cli_cold", "bench-secret")
            .build()
            .unwrap();
        let cold_vc = cold.vc();
        let started = Instant::now();
        let results = futures::future::join_all((0..1000).map(|_| crate_call(&cold_vc))).await;
        assert_eq!(results.len(), 1000);
        let seen = token_requests.load(Ordering::SeqCst) - before;
        println!(
            "\ncold cache: 1000 concurrent calls in {:.0} ms, token requests seen by the server: {seen}",
            started.elapsed().as_secs_f64() * 1000.0
        );
        assert_eq!(seen, 1, "single flight must fetch exactly one token");
    });
}
