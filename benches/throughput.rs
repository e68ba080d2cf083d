//! meeting_list calls per second against a local HTTP server: this crate's generated client
//! (token cached, all hooks on) beside the same request made with plain reqwest, in the same run.
//! Then 1,000 concurrent calls on a cold token cache, counting the token requests the server saw.
//!
//! Both clients run in many short rounds, alternating, so that both see the same machine: on a
//! shared machine the calls per second of one client move by 2x within a minute, and a ratio of
//! two rounds far apart in time says little. Each pair of rounds gives one ratio; the bench
//! reports their median and middle half, with the client thread's CPU time per call
//! (`/proc/thread-self/schedstat`, where the kernel has it), which time spent waiting for a
//! CPU does not inflate.
//!
//! Run: `cargo bench --bench throughput` (optionally `-- --calls 1000 --rounds 61`;
//! `-- --profile crate|plain --calls N`: only 4N calls, 32 at a time, of one client).

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

/// The time the calling thread has spent on a CPU (`/proc/thread-self/schedstat`, in
/// nanoseconds), or `None` where the kernel does not say.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// One round: `calls` calls made `concurrency` at a time; its wall time and the client thread's
/// CPU time (if known), in seconds.
async fn round<F, Fut, Id>(calls: usize, concurrency: usize, call: F) -> (f64, Option<f64>)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Id>,
    Id: AsRef<str>,
{
    let cpu = thread_cpu_ns();
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
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu.zip(thread_cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e9);
    (wall, cpu)
}

/// Calls per second for `calls` calls made `concurrency` at a time.
async fn rate<F, Fut, Id>(calls: usize, concurrency: usize, call: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Id>,
    Id: AsRef<str>,
{
    calls as f64 / round(calls, concurrency, call).await.0
}

/// The median, and the first and third quartiles, of `v`.
fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.25), at(0.75))
}

fn main() {
    let mut calls = 500usize;
    let mut rounds = 41usize;
    // `--profile crate|plain`: only 32-concurrent rounds of one client, for a profiler.
    let mut profile = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--calls" => calls = args.next().and_then(|v| v.parse().ok()).expect("--calls N"),
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r > 0)
                    .expect("--rounds N (N > 0)")
            }
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

        println!(
            "meeting_list against a local server: {rounds} pairs of rounds per mode, the two clients \
             alternating (crate first in odd pairs, plain reqwest first in even ones); {calls} calls per \
             sequential round, 8x that concurrent. Ratios are crate ÷ plain reqwest per pair: the \
             median, and in brackets the middle half of the pairs.\n"
        );
        println!("| mode | feishu-openapi calls/s | plain reqwest calls/s | calls/s ratio | client CPU per call, crate / plain | CPU ratio (plain ÷ crate) |");
        println!("|---|---:|---:|---:|---:|---:|");
        for concurrency in [1usize, 32] {
            let n = calls * concurrency.min(8);
            let (mut ours, mut theirs, mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut ours_cpu, mut theirs_cpu) = (Vec::new(), Vec::new());
            for pair in 0..rounds {
                let (a, b) = if pair % 2 == 0 {
                    let a = round(n, concurrency, || crate_call(&vc)).await;
                    (a, round(n, concurrency, || plain_call(&plain, &url)).await)
                } else {
                    let b = round(n, concurrency, || plain_call(&plain, &url)).await;
                    (round(n, concurrency, || crate_call(&vc)).await, b)
                };
                ours.push(n as f64 / a.0);
                theirs.push(n as f64 / b.0);
                ratios.push(b.0 / a.0);
                if let (Some(a), Some(b)) = (a.1, b.1) {
                    ours_cpu.push(a / n as f64 * 1e6);
                    theirs_cpu.push(b / n as f64 * 1e6);
                    cpu_ratios.push(b / a);
                }
            }
            let mode = if concurrency == 1 { "sequential".to_string() } else { format!("{concurrency} concurrent") };
            let (ratio, low, high) = quartiles(ratios);
            let cpu = if cpu_ratios.is_empty() {
                "n/a | n/a".to_string()
            } else {
                let (cpu_ratio, cpu_low, cpu_high) = quartiles(cpu_ratios);
                format!(
                    "{:.1} µs / {:.1} µs | {cpu_ratio:.3}x [{cpu_low:.3}–{cpu_high:.3}]",
                    quartiles(ours_cpu).0,
                    quartiles(theirs_cpu).0
                )
            };
            println!(
                "| {mode} | {:.0} | {:.0} | {ratio:.3}x [{low:.3}–{high:.3}] | {cpu} |",
                quartiles(ours).0,
                quartiles(theirs).0
            );
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
