//! The long connection's client under load: events per second (decode, dispatch, ack) and ack
//! latency, this crate's `LongConnection` beside the official Node SDK's `WSClient`
//! (`@larksuiteoapi/node-sdk`), against the same fake server in the same run; then the memory
//! each client process holds under a fragment flood and under 10,000 unacked deliveries.
//!
//! Run: `cargo bench --bench events --features events,fake` (optionally `-- --events 10000
//! --rounds 9 --no-node`).
//!
//! The fake server (the events crate's `fake::FakeFeishu`) and the driver run on one thread
//! pinned to the last core; each client is a process of its own pinned to the first core (this
//! binary again, with `--client`, on a current-thread runtime; Node under `taskset`). Both
//! clients stay connected; rounds alternate which goes first, and each pair of rounds gives a
//! ratio: the bench reports their median with the middle half in brackets. A client's CPU time
//! (`/proc/<pid>/stat`) is reported per event as well, which time spent waiting for a CPU does
//! not inflate.
//!
//! The Node SDK (1.74.0) is installed with npm into a folder of the system's temporary
//! directory when this bench runs (and reused by later runs); without `node` and `npm` the bench
//! says so and measures this crate alone. Memory is the client process's peak resident set
//! (`VmHWM`) above its resident set before the load (Linux only).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use feishu_openapi::events::fake::{FakeConnection, FakeFeishu};
use feishu_openapi::events::ws::frame::{key, kind};
use feishu_openapi::events::{Dispatcher, Handling, LongConnection};
use feishu_openapi::AppCredentials;

const APP_ID: &str = "cli_a1b2c3d4e5f6a7b8";
const APP_SECRET: &str = "bench-secret";
const NODE_SDK: &str = "@larksuiteoapi/node-sdk@1.74.0";
const EVENT_TYPE: &str = "im.message.receive_v1";
/// How long to wait for a connection or an ack before calling the client stuck.
const STUCK: Duration = Duration::from_secs(60);

/// The Node client: an `EventDispatcher` with one handler, started by a `WSClient`.
const NODE_CLIENT: &str = r#"
const lark = require('@larksuiteoapi/node-sdk');
const [base, mode] = process.argv.slice(2);
const never = new Promise(() => {});
const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register({
  'im.message.receive_v1': mode === 'stall' ? async () => { await never; } : async () => {},
});
const client = new lark.WSClient({
  appId: 'cli_a1b2c3d4e5f6a7b8', appSecret: 'bench-secret', domain: base,
  loggerLevel: lark.LoggerLevel.error,
});
client.start({ eventDispatcher: dispatcher });
"#;

/// An `im.message.receive_v1` envelope as the platform documents it (about 1.2 KB), with a
/// fresh event id.
fn event(n: u64) -> Vec<u8> {
    format!(
        r#"{{"schema":"2.0","header":{{"event_id":"{n:032x}","token":"","create_time":"1608725989000","event_type":"im.message.receive_v1","tenant_key":"2ca1d211f64f6438","app_id":"cli_a1b2c3d4e5f6a7b8"}},"event":{{"sender":{{"sender_id":{{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz","open_id":"ou_84aad35d084aa403a838cf73ee18467"}},"sender_type":"user","tenant_key":"736588c9260f175e"}},"message":{{"message_id":"om_5ce6d572455d361153b7cb51da133945","root_id":"om_5ce6d572455d361153b7cb5xxfsdfsdfdsf","parent_id":"om_5ce6d572455d361153b7cb5xxfsdfsdfdsf","create_time":"1609073151345","update_time":"1687343654666","chat_id":"oc_5ce6d572455d361153b7xx51da133945","thread_id":"omt_d4be107c616","chat_type":"group","message_type":"text","content":"{{\"text\":\"@_user_1 hello, this is a message of a realistic length for a bot\"}}","mentions":[{{"key":"@_user_1","id":{{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz","open_id":"ou_84aad35d084aa403a838cf73ee18467"}},"name":"Tom","tenant_key":"736588c9260f175e"}}],"user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 Lark/6.7.5 LarkLocale/en_US ttnet SDK-Version/6.7.8"}}}}}}"#
    )
    .into_bytes()
}

/// The cores of the client and of the server: each its own when the machine has two or more.
fn cores() -> Option<(core_affinity::CoreId, core_affinity::CoreId)> {
    let ids = core_affinity::get_core_ids()?;
    match ids.as_slice() {
        [client, .., server] => Some((*client, *server)),
        _ => None,
    }
}

struct Options {
    events: u64,
    rounds: usize,
    window: u64,
    latency_events: u64,
    node: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--client") {
        return client_process(&args[1..]);
    }
    let mut options = Options {
        events: 10_000,
        rounds: 9,
        window: 256,
        latency_events: 300,
        node: true,
    };
    let mut args = args.into_iter().filter(|a| a != "--bench");
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match arg.as_str() {
            "--events" => options.events = number("--events"),
            "--rounds" => options.rounds = usize::try_from(number("--rounds")).unwrap_or(9),
            "--no-node" => options.node = false,
            other => panic!("unknown argument {other}"),
        }
    }
    match cores() {
        Some((client, server)) => {
            core_affinity::set_for_current(server);
            println!(
                "fake server and driver on core {}, each client process on core {}",
                server.id, client.id
            );
        }
        None => println!("one core: server and clients share it (figures are less telling)"),
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(bench(options));
}

/// The client process: this crate's long connection, pinned, until killed.
fn client_process(args: &[String]) {
    let [base_url, core, mode] = args else {
        panic!("--client BASE_URL CORE MODE");
    };
    if let Ok(id) = core.parse() {
        core_affinity::set_for_current(core_affinity::CoreId { id });
    }
    let stall = mode == "stall";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        // The default handling (ack, then handle); stalled: the handler never ends and the ack
        // waits for it.
        let mut dispatcher = Dispatcher::new();
        if stall {
            dispatcher = dispatcher.handling(Handling::HandleThenAck {
                deadline: Duration::from_secs(24 * 3600),
            });
        }
        let dispatcher = dispatcher.on_raw(EVENT_TYPE, move |event| async move {
            if stall {
                std::future::pending::<()>().await;
            }
            // The payload read, as the Node SDK's dispatcher reads it (JSON.parse).
            let payload: serde_json::Value = event.parse()?;
            std::hint::black_box(payload);
            Ok(())
        });
        let client = LongConnection::builder(AppCredentials::new(APP_ID, APP_SECRET), dispatcher)
            .base_url(base_url.as_str())
            .build()
            .expect("a client");
        if let Err(e) = client.run().await {
            eprintln!("bench client: {e}");
        }
    });
}

/// A client process connected to the fake.
struct Client {
    name: &'static str,
    child: Child,
    connection: FakeConnection,
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How to start each client kind.
#[derive(Clone)]
enum Kind {
    Crate,
    Node(PathBuf),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::Crate => "feishu-openapi",
            Kind::Node(_) => "node-sdk",
        }
    }

    async fn start(&self, fake: &FakeFeishu, mode: &str) -> Client {
        let core = cores().map_or(String::from("-"), |(client, _)| client.id.to_string());
        let mut command = match self {
            Kind::Crate => {
                let mut c = Command::new(std::env::current_exe().expect("this bench's path"));
                c.args(["--client", fake.base_url(), &core, mode]);
                c
            }
            Kind::Node(dir) => {
                let script = dir.join("client.js");
                let mut c = if core != "-" && has("taskset") {
                    let mut c = Command::new("taskset");
                    c.args(["-c", &core, "node"]);
                    c
                } else {
                    Command::new("node")
                };
                c.arg(script).args([fake.base_url(), mode]).current_dir(dir);
                c
            }
        };
        let child = command
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {} client: {e}", self.name()));
        let connection = tokio::time::timeout(STUCK, fake.next_connection())
            .await
            .unwrap_or_else(|_| panic!("the {} client did not connect", self.name()));
        // The Node SDK drops frames that arrive with the handshake's answer (its message
        // listener is attached after the `open` event): push only after the client's first ping.
        let ready = async {
            while connection.pings() == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(STUCK, ready)
            .await
            .unwrap_or_else(|_| panic!("the {} client did not ping", self.name()));
        Client {
            name: self.name(),
            child,
            connection,
        }
    }
}

fn has(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs the Node SDK into a folder of the temporary directory (once); `None` when node or
/// npm is missing or the install fails (the reason is printed).
fn node_sdk() -> Option<PathBuf> {
    if !has("node") || !has("npm") {
        println!("node or npm is not installed: measuring feishu-openapi alone");
        return None;
    }
    let dir = std::env::temp_dir().join("feishu-openapi-bench-node-sdk-1.74.0");
    let installed = dir.join("node_modules/@larksuiteoapi/node-sdk/package.json");
    if !installed.is_file() {
        println!("installing {NODE_SDK} into {} (npm)", dir.display());
        std::fs::create_dir_all(&dir).ok()?;
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(NODE_SDK)
            .status();
        if !status.is_ok_and(|s| s.success()) || !installed.is_file() {
            println!("npm could not install {NODE_SDK}: measuring feishu-openapi alone");
            return None;
        }
    }
    std::fs::write(dir.join("client.js"), NODE_CLIENT).ok()?;
    Some(dir)
}

/// Pushes events and counts acks.
struct Driver {
    next_id: u64,
}

impl Driver {
    fn push(&mut self, connection: &FakeConnection, sent: &mut HashMap<String, Instant>) {
        self.next_id += 1;
        let message_id = format!("m{}", self.next_id);
        let frame = connection.data_frame(
            kind::EVENT,
            &[
                (key::MESSAGE_ID, &message_id),
                (key::SUM, "1"),
                (key::SEQ, "0"),
            ],
            event(self.next_id),
        );
        sent.insert(message_id, Instant::now());
        connection.send_frame(&frame);
    }

    /// `count` events, at most `window` unacked at once: the time from the first push to the
    /// last ack, and each event's ack latency.
    async fn run(&mut self, client: &Client, count: u64, window: u64) -> (Duration, Vec<Duration>) {
        let mut sent = HashMap::new();
        let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let start = Instant::now();
        let mut pushed = 0;
        while pushed < count.min(window) {
            self.push(&client.connection, &mut sent);
            pushed += 1;
        }
        let mut acked = 0;
        while acked < count {
            let ack = tokio::time::timeout(STUCK, client.connection.next_ack())
                .await
                .unwrap_or_else(|_| panic!("the {} client stopped acking", client.name))
                .unwrap_or_else(|| panic!("the {} client's connection ended", client.name));
            assert_eq!(ack.code, 200, "{}: ack code", client.name);
            let id = ack.frame.header(key::MESSAGE_ID).unwrap_or_default();
            if let Some(at) = sent.remove(id) {
                latencies.push(at.elapsed());
            }
            acked += 1;
            if pushed < count {
                self.push(&client.connection, &mut sent);
                pushed += 1;
            }
        }
        (start.elapsed(), latencies)
    }
}

/// A process's user + system CPU time (`/proc/<pid>/stat`), where the kernel has it.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// The CPU time of the calling thread (`/proc/thread-self/schedstat`), where the kernel has it.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}

/// `VmRSS` and `VmHWM` of a process, in bytes.
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn percentile(v: &mut [Duration], q: f64) -> Duration {
    v.sort_unstable();
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

async fn bench(options: Options) {
    let fake = FakeFeishu::start(&AppCredentials::new(APP_ID, APP_SECRET))
        .await
        .expect("the fake starts");
    let mut kinds = vec![Kind::Crate];
    if options.node {
        if let Some(dir) = node_sdk() {
            kinds.push(Kind::Node(dir));
        }
    }
    let mut driver = Driver { next_id: 0 };
    let mut clients = Vec::new();
    for kind in &kinds {
        let client = kind.start(&fake, "ack").await;
        driver.run(&client, 2_000, options.window).await; // warm-up
        clients.push(client);
    }

    println!(
        "\nthroughput: {} events per round, at most {} unacked; {} rounds per client, alternating",
        options.events, options.window, options.rounds
    );
    let n = clients.len();
    let mut rates = vec![Vec::new(); n];
    let mut cpu = vec![Duration::ZERO; n];
    let mut server_cpu = vec![Duration::ZERO; n];
    let mut latencies = vec![Vec::new(); n];
    let mut loaded = vec![Vec::new(); n];
    let mut ratios = Vec::new();
    for round in 0..options.rounds {
        let mut order: Vec<usize> = (0..n).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        let mut rate = vec![0.0; n];
        for &i in &order {
            let pid = clients[i].child.id();
            let (before, server_before) = (cpu_time(pid), thread_cpu_time());
            let (took, mut under_load) = driver
                .run(&clients[i], options.events, options.window)
                .await;
            if let (Some(before), Some(after)) = (before, cpu_time(pid)) {
                cpu[i] += after.saturating_sub(before);
            }
            if let (Some(before), Some(after)) = (server_before, thread_cpu_time()) {
                server_cpu[i] += after.saturating_sub(before);
            }
            rate[i] = options.events as f64 / took.as_secs_f64();
            rates[i].push(rate[i]);
            loaded[i].append(&mut under_load);
            let (_, mut one_by_one) = driver.run(&clients[i], options.latency_events, 1).await;
            latencies[i].append(&mut one_by_one);
        }
        if n == 2 {
            ratios.push(rate[0] / rate[1]);
        }
    }
    println!(
        "\n| client | events/s (median) | client CPU per event | server CPU per event | ack latency, one at a time (p50 / p99) | under load (p50 / p99) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let mut p50 = Vec::new();
    for i in 0..n {
        let (_, median, _) = quartiles(rates[i].clone());
        let all_events = options.events as f64 * options.rounds as f64;
        let per_event = cpu[i].as_secs_f64() * 1e6 / all_events;
        let server_per_event = server_cpu[i].as_secs_f64() * 1e6 / all_events;
        let (a50, a99) = (
            percentile(&mut latencies[i], 0.5),
            percentile(&mut latencies[i], 0.99),
        );
        let (l50, l99) = (
            percentile(&mut loaded[i], 0.5),
            percentile(&mut loaded[i], 0.99),
        );
        p50.push(a50);
        println!(
            "| {} | {median:.0} | {per_event:.1} µs | {server_per_event:.1} µs | {} / {} µs | {:.1} / {:.1} ms |",
            clients[i].name,
            a50.as_micros(),
            a99.as_micros(),
            l50.as_secs_f64() * 1e3,
            l99.as_secs_f64() * 1e3,
        );
    }
    if n == 2 {
        let (q1, median, q3) = quartiles(ratios);
        println!(
            "\nevents/s, feishu-openapi ÷ node-sdk: {median:.2}x [{q1:.2}–{q3:.2}] (median of {} pairs)",
            options.rounds
        );
        let (cpu_ours, cpu_node) = (cpu[0].as_secs_f64(), cpu[1].as_secs_f64());
        if cpu_ours > 0.0 {
            println!(
                "CPU per event, node-sdk ÷ feishu-openapi: {:.2}x",
                cpu_node / cpu_ours
            );
        }
        println!(
            "ack latency one at a time (p50), node-sdk ÷ feishu-openapi: {:.2}x",
            p50[1].as_secs_f64() / p50[0].as_secs_f64()
        );
    }
    drop(clients);

    if memory(std::process::id()).is_none() {
        println!("\nno /proc/<pid>/status here: memory is not measured");
        return;
    }
    println!("\n| client | 10,000 unacked deliveries: peak RSS above the start (peak) | fragment flood: peak RSS above the start (peak) |");
    println!("|---|---:|---:|");
    for kind in &kinds {
        let unacked = unacked_deliveries(&fake, kind, &mut driver).await;
        let flood = fragment_flood(&fake, kind, &mut driver).await;
        println!("| {} | {unacked} | {flood} |", kind.name());
    }
    println!(
        "\n(the flood: {FLOOD_FRAGMENTS} first fragments of 2-fragment messages that never \
         complete, {FLOOD_FRAGMENT_BYTES} bytes each, {} in all, then one whole event)",
        mib(FLOOD_FRAGMENTS * FLOOD_FRAGMENT_BYTES as u64)
    );
}

const FLOOD_FRAGMENTS: u64 = 20_000;
const FLOOD_FRAGMENT_BYTES: usize = 8 << 10;

/// Waits until the process's peak resident set has not moved for 2 s (at most 60 s).
async fn settled_peak(pid: u32) -> u64 {
    let mut last = 0;
    let mut still = 0;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let Some((_, peak)) = memory(pid) else { break };
        if peak == last {
            still += 1;
            if still == 10 {
                break;
            }
        } else {
            still = 0;
            last = peak;
        }
    }
    last
}

/// 10,000 events to a client whose handler never ends (so none is acked).
async fn unacked_deliveries(fake: &FakeFeishu, kind: &Kind, driver: &mut Driver) -> String {
    let client = kind.start(fake, "stall").await;
    let pid = client.child.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (start, _) = memory(pid).unwrap_or_default();
    let mut sent = HashMap::new();
    for _ in 0..10_000 {
        driver.push(&client.connection, &mut sent);
    }
    let peak = settled_peak(pid).await;
    if client.connection.try_next_ack().await.is_some() {
        println!("({}: acked an event whose handler never ends)", client.name);
    }
    format!("{} ({})", mib(peak.saturating_sub(start)), mib(peak))
}

/// First fragments that never complete, then a whole event: its ack says every fragment before
/// it was read.
async fn fragment_flood(fake: &FakeFeishu, kind: &Kind, driver: &mut Driver) -> String {
    let client = kind.start(fake, "ack").await;
    let pid = client.child.id();
    driver.run(&client, 1_000, 64).await; // warm-up
    let (start, _) = memory(pid).unwrap_or_default();
    let fragment = vec![b'x'; FLOOD_FRAGMENT_BYTES];
    for i in 0..FLOOD_FRAGMENTS {
        let message_id = format!("flood-{i}");
        let frame = client.connection.data_frame(
            kind::EVENT,
            &[
                (key::MESSAGE_ID, &message_id),
                (key::SUM, "2"),
                (key::SEQ, "0"),
            ],
            fragment.clone(),
        );
        client.connection.send_frame(&frame);
        if i % 500 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let (_, _) = driver.run(&client, 1, 1).await;
    let peak = memory(pid).map_or(0, |(_, peak)| peak);
    format!("{} ({})", mib(peak.saturating_sub(start)), mib(peak))
}
