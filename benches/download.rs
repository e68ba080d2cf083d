//! Downloading a large export file: peak memory and throughput.
//!
//! The fake Feishu (feature `fake`) serves a synthetic file of `--size` bytes (default 1 GiB) on
//! 127.0.0.1. The crate downloads it with `ExportFile::download`, to a file (`save_in`: temporary
//! file, sync, rename) and to a sink (`write_to`); `curl` fetches the same URL in the same run,
//! to a file and to `/dev/null`, for comparison. Memory is the process's peak resident set
//! (`VmHWM` in `/proc/self/status`, reset before each download through `/proc/self/clear_refs`)
//! above its resident set just before the download; it must stay within 32 MiB.
//!
//! Each download runs `--rounds` times (default 3), crate and curl alternating; the table gives
//! the median time and the largest memory peak. Writes to disk are noisy (page cache, other
//! processes' writeback): compare the rows of one run, not runs of different days.
//!
//! Run: `cargo bench --bench download` (optionally `-- --size 256MiB --rounds 5`). Memory is
//! measured on Linux only.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use feishu_openapi::fake::FakeFeishu;
use feishu_openapi::vc::export::{ExportFile, MeetingListExport, WaitOptions};
use feishu_openapi::vc::types::ExportMeetingListRequest;

/// The memory budget above the baseline.
const BUDGET: u64 = 32 * 1024 * 1024;
const MIB: f64 = 1024.0 * 1024.0;

fn main() -> ExitCode {
    let (size, rounds) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("download bench: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(bench(size, rounds))
}

/// `--size N` with an optional `KiB`, `MiB` or `GiB` suffix, and `--rounds N`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(u64, usize), String> {
    let mut size = 1u64 << 30;
    let mut rounds = 3;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--size" => {
                let value = args.next().ok_or("--size needs a value")?;
                let (digits, unit) = value
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or((value.as_str(), ""), |i| value.split_at(i));
                let n: u64 = digits
                    .parse()
                    .map_err(|_| format!("--size {value:?}: e.g. 1GiB, 256MiB"))?;
                size = n * match unit {
                    "" | "B" => 1,
                    "KiB" => 1 << 10,
                    "MiB" => 1 << 20,
                    "GiB" => 1 << 30,
                    _ => return Err(format!("--size {value:?}: the unit is KiB, MiB or GiB")),
                };
            }
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--rounds needs a positive number")?;
            }
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            other => {
                return Err(format!(
                    "unknown argument {other:?} (--size N[KiB|MiB|GiB], --rounds N)"
                ))
            }
        }
    }
    Ok((size, rounds))
}

/// One measured download.
struct Measure {
    what: &'static str,
    time: Duration,
    bytes: u64,
    /// Peak resident memory above the baseline, when measured.
    over_baseline: Option<u64>,
}

impl Measure {
    fn throughput(&self) -> f64 {
        self.bytes as f64 / MIB / self.time.as_secs_f64()
    }
}

async fn bench(size: u64, rounds: usize) -> ExitCode {
    let fake = FakeFeishu::builder()
        .export_processing_polls(0)
        .synthetic_download(size)
        .start()
        .await;
    let feishu = fake.client();
    let body = ExportMeetingListRequest::new(1_655_276_858_u64, 1_655_363_258_u64);
    let task = MeetingListExport::new(body)
        .create(&feishu)
        .await
        .expect("export created");
    let file = task
        .wait(&WaitOptions::default().min_interval(Duration::from_millis(1)))
        .await
        .expect("export done");
    let dir = tempfile::tempdir_in(std::env::temp_dir()).expect("a temporary folder");
    let url = format!(
        "{}/open-apis/vc/v1/exports/download?file_token={}",
        fake.base_url(),
        url::form_urlencoded::byte_serialize(file.file_token().as_bytes()).collect::<String>()
    );

    // Warm up: connections, thread pools, allocator arenas.
    let mut sink = tokio::io::sink();
    file.download().write_to(&mut sink).await.expect("warm-up");

    println!(
        "Download of {:.2} GiB from the fake Feishu on 127.0.0.1 (synthetic body, Content-Length \
         known), into {}; median of {rounds} rounds",
        size as f64 / (1u64 << 30) as f64,
        dir.path().display()
    );
    let token = fake.tenant_access_token();
    let curl = curl_version();
    if curl.is_none() {
        println!("curl is not installed: no curl rows (apt-get install -y curl)");
    }
    let mut all = Vec::new();
    for _ in 0..rounds {
        all.push(crate_to_file(&file, dir.path()).await);
        if curl.is_some() {
            let out = dir.path().join("curl.out");
            all.push(curl_fetch(&url, &token, &out, "curl → file").await);
        }
        all.push(crate_to_sink(&file).await);
        if curl.is_some() {
            let null = Path::new("/dev/null");
            all.push(curl_fetch(&url, &token, null, "curl → /dev/null").await);
        }
    }
    let measures = summarize(all);

    println!();
    println!("| download | time (median) | throughput | peak RSS above baseline (max) |");
    println!("|---|---|---|---|");
    for m in &measures {
        println!(
            "| {} | {:.2} s | {:.0} MiB/s | {} |",
            m.what,
            m.time.as_secs_f64(),
            m.throughput(),
            m.over_baseline
                .map_or("–".to_string(), |b| format!("{:.1} MiB", b as f64 / MIB))
        );
    }
    if let Some(version) = &curl {
        let find = |w: &str| {
            measures
                .iter()
                .find(|m| m.what == w)
                .map(Measure::throughput)
        };
        println!();
        println!("{version}");
        if let (Some(a), Some(b)) = (find("crate → file (save_in)"), find("curl → file")) {
            println!("crate / curl, to a file: {:.2}×", a / b);
        }
        if let (Some(a), Some(b)) = (find("crate → sink (write_to)"), find("curl → /dev/null"))
        {
            println!("crate / curl, bytes only: {:.2}×", a / b);
        }
    }
    let worst = measures.iter().filter_map(|m| m.over_baseline).max();
    match worst {
        Some(worst) if worst <= BUDGET => {
            println!(
                "\nmemory: peak {:.1} MiB above the baseline, within the 32 MiB budget",
                worst as f64 / MIB
            );
            ExitCode::SUCCESS
        }
        Some(worst) => {
            println!(
                "\nmemory: peak {:.1} MiB above the baseline: OVER the 32 MiB budget",
                worst as f64 / MIB
            );
            ExitCode::FAILURE
        }
        None => {
            println!("\nmemory: not measured (no /proc/self/status on this system)");
            ExitCode::SUCCESS
        }
    }
}

/// Per kind of download, in order of first appearance: the median time and the largest peak.
fn summarize(all: Vec<Measure>) -> Vec<Measure> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for m in &all {
        if !kinds.contains(&m.what) {
            kinds.push(m.what);
        }
    }
    kinds
        .into_iter()
        .map(|what| {
            let runs: Vec<&Measure> = all.iter().filter(|m| m.what == what).collect();
            let mut times: Vec<Duration> = runs.iter().map(|m| m.time).collect();
            times.sort();
            Measure {
                what,
                time: times[times.len() / 2],
                bytes: runs[0].bytes,
                over_baseline: runs.iter().filter_map(|m| m.over_baseline).max(),
            }
        })
        .collect()
}

async fn crate_to_file(file: &ExportFile, dir: &Path) -> Measure {
    let baseline = reset_peak();
    let started = Instant::now();
    let saved = file
        .download()
        .save_in(dir)
        .await
        .expect("download to a file");
    let time = started.elapsed();
    let over_baseline = peak_above(baseline);
    let _ = std::fs::remove_file(&saved.path);
    Measure {
        what: "crate → file (save_in)",
        time,
        bytes: saved.bytes,
        over_baseline,
    }
}

async fn crate_to_sink(file: &ExportFile) -> Measure {
    let baseline = reset_peak();
    let started = Instant::now();
    let mut sink = tokio::io::sink();
    let downloaded = file
        .download()
        .write_to(&mut sink)
        .await
        .expect("download to a sink");
    Measure {
        what: "crate → sink (write_to)",
        time: started.elapsed(),
        bytes: downloaded.bytes,
        over_baseline: peak_above(baseline),
    }
}

fn curl_version() -> Option<String> {
    let output = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .next()
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
}

async fn curl_fetch(url: &str, token: &str, out: &Path, what: &'static str) -> Measure {
    let started = Instant::now();
    let output = tokio::process::Command::new("curl")
        .args(["-sS", "--fail", "-o"])
        .arg(out)
        .args(["-w", "%{size_download}", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(url)
        .output()
        .await
        .expect("curl runs");
    let time = started.elapsed();
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    if out != Path::new("/dev/null") {
        let _ = std::fs::remove_file(out);
    }
    Measure {
        what,
        time,
        bytes: String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or(0),
        over_baseline: None,
    }
}

/// Resets the peak resident set to the current one and returns the current one (bytes), where
/// Linux allows it.
fn reset_peak() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_kib("VmRSS:").map(|kib| kib * 1024)
}

/// The peak resident set since the reset, above `baseline`.
fn peak_above(baseline: Option<u64>) -> Option<u64> {
    let peak = status_kib("VmHWM:")? * 1024;
    Some(peak.saturating_sub(baseline?))
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
