//! `service-builds [--check] [--services a,b,…] [--target DIR]`: builds the crate with each
//! service alone (`--no-default-features --features <service>`), after `cargo clean -p
//! feishu-openapi` (and of the core and the service's crate) each time, so that every figure is
//! ours alone (build scripts, code generation and compilation) with the dependencies already
//! built; then the default features, and no service at all (`auth` only).
//!
//! Prints one Markdown row per build: wall time and the CPU time of cargo and what it ran
//! (user + system). Fails, naming them, if any build fails: every service builds alone.
//! `--check` runs `cargo check` instead of `cargo build` (faster; enough to prove each service
//! compiles alone).
//!
//! ```text
//! cargo run -p xtask --release --bin service-builds -- --target target/service-builds
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use xtask::cli::Args;

const USAGE: &str =
    "usage: service-builds [--check] [--services a,b,…] [--target DIR]   (run from the crate's root)";

/// The crate's package name, for `cargo clean -p`; a service's crate is `<PACKAGE>-<service>`.
const PACKAGE: &str = "feishu-openapi";
/// The core's package name, cleaned with the crate.
const CORE: &str = "feishu-openapi-core";

struct Options {
    check: bool,
    services: Option<Vec<String>>,
    target: PathBuf,
}

fn main() -> ExitCode {
    xtask::cli::finish(options().and_then(|options| run(&options)))
}

fn options() -> Result<Options, String> {
    let mut args = Args::new(std::env::args().skip(1).collect(), USAGE);
    let mut options = Options {
        check: false,
        services: None,
        target: PathBuf::from("target/service-builds"),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--services" => {
                let list = args.value("--services")?;
                options.services = Some(list.split(',').map(str::to_string).collect());
            }
            "--target" => options.target = PathBuf::from(args.value("--target")?),
            other => return Err(args.error(&format!("unknown argument {other}"))),
        }
    }
    Ok(options)
}

/// One build's features: `None` for the crate's default features.
struct Build {
    name: String,
    features: Option<String>,
}

fn run(options: &Options) -> Result<(), String> {
    let services = match &options.services {
        Some(list) => list.clone(),
        None => spec_services(Path::new("openapi"))?,
    };
    let mut builds: Vec<Build> = services
        .iter()
        .map(|s| Build {
            name: format!("`{s}`"),
            features: Some(s.clone()),
        })
        .collect();
    builds.push(Build {
        name: "default features".into(),
        features: None,
    });
    builds.push(Build {
        name: "no service (`auth` only)".into(),
        features: Some(String::new()),
    });

    let verb = if options.check { "check" } else { "build" };
    // The dependencies first, so that every row is the crate alone.
    eprintln!("building the dependencies (cargo {verb} --lib)…");
    cargo_run(
        options,
        verb,
        &Build {
            name: String::new(),
            features: None,
        },
    )?;
    println!("| features | cargo {verb} --lib, wall | CPU (user + system) | result |");
    println!("|---|---:|---:|---|");
    let mut failed = Vec::new();
    for build in &builds {
        // The crate, the core and the service's own crate: what the row's build compiles of ours.
        let mut clean = vec!["clean", "-q", "-p", PACKAGE, "-p", CORE];
        let own = build
            .features
            .as_deref()
            .filter(|f| !f.is_empty() && !f.contains(','))
            .map(|service| format!("{PACKAGE}-{service}"));
        if let Some(own) = &own {
            clean.extend(["-p", own.as_str()]);
        }
        let status = cargo()
            .env("CARGO_TARGET_DIR", &options.target)
            .args(&clean)
            .status()
            .map_err(|e| format!("cannot run cargo clean: {e}"))?;
        if !status.success() {
            return Err("cargo clean -p failed".into());
        }
        let outcome = cargo_run(options, verb, build);
        let (wall, cpu, result) = match &outcome {
            Ok(took) => (took.wall, took.cpu, "ok"),
            Err(_) => (Duration::ZERO, Duration::ZERO, "**failed**"),
        };
        if let Err(message) = outcome {
            eprintln!("{}: {message}", build.name);
            failed.push(build.name.clone());
        }
        println!(
            "| {} | {:.1} s | {:.1} s | {result} |",
            build.name,
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("these builds failed: {}", failed.join(", ")))
    }
}

/// The services of `dir`'s specs (their file stems), `auth` (always built) left out.
fn spec_services(dir: &Path) -> Result<Vec<String>, String> {
    Ok(feishu_openapi_codegen::list_specs(dir)?
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .filter(|s| !feishu_openapi_codegen::ALWAYS_ON.contains(&s.as_str()))
        .collect())
}

struct Took {
    wall: Duration,
    cpu: Duration,
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cargo <verb> --lib` with `build`'s features; its wall and CPU time.
fn cargo_run(options: &Options, verb: &str, build: &Build) -> Result<Took, String> {
    let mut command = cargo();
    command
        .env("CARGO_TARGET_DIR", &options.target)
        .env_remove("RUSTFLAGS")
        .args([verb, "-q", "-p", PACKAGE, "--lib"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(features) = &build.features {
        command.arg("--no-default-features");
        if !features.is_empty() {
            command.args(["--features", features]);
        }
    }
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let took = Took {
        wall: started.elapsed(),
        cpu: children_cpu().saturating_sub(cpu_before),
    };
    if output.status.success() {
        Ok(took)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .take(5)
            .collect();
        Err(errors.join("\n"))
    }
}

/// The user and system CPU time of this process's finished children (and theirs), from
/// `/proc/self/stat` (Linux; zero elsewhere).
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces) in parentheses; cutime and cstime
    // are fields 16 and 17 of the line, in clock ticks (100 per second on Linux).
    let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // `rest` starts at field 3 (state), so field n is at index n - 3.
    Duration::from_millis((ticks(16 - 3) + ticks(17 - 3)) * 10)
}
