//! `codegen-bench [--operations 10,100,1000] [--runs R] [--build] [--keep]`: how code generation
//! and compilation grow with the number of operations, on synthetic specs (`xtask::synth`).
//!
//! - **codegen**: for each size, writes a synthetic spec to a temporary folder and runs the very
//!   same generation function as `build.rs` (the `feishu-openapi-codegen` crate, which build.rs calls) R times,
//!   each in a fresh process; prints the fastest and the median run, and the size of the generated
//!   code. Sizes above 100 are also measured split into services of 100 operations, generated on
//!   as many threads as the machine has cores (as `build.rs` does with cargo's job count).
//! - **build** (`--build`): copies the crate (without `target/` and `.git/`) to a temporary folder,
//!   adds a `synth` service (feature, module, `openapi/synth.yaml`) and builds it with
//!   `--no-default-features --features synth` in a target folder of its own: once cold
//!   (dependencies included), then, for each size, after `cargo clean -p feishu-openapi` (the
//!   crate alone: build script, code generation, compiling the generated module). Takes minutes.
//!
//! With `--optimize-build-scripts` the scratch copy builds its build scripts and proc macros at
//! opt-level 3 (`[profile.dev.build-override]`), as an application may choose to.
//!
//! Run it optimised (`--release`): the codegen figures are then those of an optimised build script.
//! In a dev build `build.rs` itself runs unoptimised, so `--build` also prints the generation
//! time reported from inside each build.
//!
//! ```text
//! cargo run -p xtask --release --bin codegen-bench -- --operations 10,100,1000 --runs 5 --build
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use xtask::cli::Args;

use feishu_openapi_codegen as codegen;

const USAGE: &str = "usage: codegen-bench [--operations 10,100,1000] [--runs R] [--build [--optimize-build-scripts]] [--keep] | codegen-bench --specs DIR [--runs R]";

/// The crate's package name, for `cargo clean -p`.
const PACKAGE: &str = "feishu-openapi";
/// The synthetic service's name: its spec, feature and module.
const SERVICE: &str = "synth";
/// Generated as for a build with every feature (`schemars` included): the most code.
/// (Events: synthetic specs declare none.)
const EVERYTHING: codegen::Options = codegen::Options {
    json_schema: true,
    events: false,
    spec_json: true,
};

struct Options {
    /// `--specs DIR`: measure the real specs of DIR instead of synthetic ones.
    specs: Option<PathBuf>,
    sizes: Vec<usize>,
    runs: usize,
    build: bool,
    optimize_build_scripts: bool,
    keep: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--child") {
        return match child(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                println!("{message}");
                ExitCode::FAILURE
            }
        };
    }
    let result = parse(Args::new(args, USAGE)).and_then(|options| {
        if let Some(dir) = &options.specs {
            return real_specs(dir, options.runs);
        }
        codegen(&options)?;
        if options.build {
            build(&options)?;
        }
        Ok(())
    });
    xtask::cli::finish(result)
}

fn parse(mut args: Args) -> Result<Options, String> {
    let mut options = Options {
        specs: None,
        sizes: vec![10, 100, 1000],
        runs: 3,
        build: false,
        optimize_build_scripts: false,
        keep: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--operations" | "-n" => {
                let list = args.value("--operations")?;
                options.sizes = list
                    .split(',')
                    .map(|n| n.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("--operations {list}: not a list of numbers\n{USAGE}"))?;
            }
            "--runs" => {
                let runs = args.value("--runs")?;
                options.runs = runs
                    .parse::<usize>()
                    .ok()
                    .filter(|&r| r > 0)
                    .ok_or_else(|| format!("--runs {runs}: not a positive number\n{USAGE}"))?;
            }
            "--specs" => options.specs = Some(args.value("--specs")?.into()),
            "--build" => options.build = true,
            "--optimize-build-scripts" => options.optimize_build_scripts = true,
            "--keep" => options.keep = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

/// A fresh folder under the system's temporary folder.
fn scratch_dir(purpose: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "feishu-openapi-{purpose}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn millis(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Services of at most this many operations when a size is also measured split across services.
const SERVICE_SIZE: usize = 100;

/// (a) The generation function of `build.rs` on synthetic specs, each run in a fresh process
/// (like the build script; `generate` leaves its syntax trees to the process's exit).
fn codegen(options: &Options) -> Result<(), String> {
    let dir = scratch_dir("codegen")?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("## Code generation (build.rs's `generate_all`, this binary's build profile)\n");
    println!(
        "| operations | specs | threads | generated lines | fastest | median | per operation |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &options.sizes {
        let mut layouts = vec![(vec![n], 1)];
        if n > SERVICE_SIZE {
            let mut split = vec![SERVICE_SIZE; n / SERVICE_SIZE];
            if n % SERVICE_SIZE > 0 {
                split.push(n % SERVICE_SIZE);
            }
            layouts.push((split, threads));
        }
        for (services, workers) in layouts {
            let folder = dir.join(format!("{n}-{}", services.len()));
            std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
            let mut specs = Vec::new();
            for (k, &size) in services.iter().enumerate() {
                let service = format!("{SERVICE}{k}");
                let path = folder.join(format!("{service}.yaml"));
                std::fs::write(&path, xtask::synth::spec_yaml(&service, size))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                specs.push(path);
            }
            let mut times = Vec::new();
            let mut lines = 0;
            for _ in 0..options.runs {
                let (took, operations, generated_lines) = child_run(&specs, workers)?;
                if operations != n {
                    return Err(format!("expected {n} operations, generated {operations}"));
                }
                times.push(took);
                lines = generated_lines;
            }
            times.sort();
            let median = times[times.len() / 2];
            println!(
                "| {n} | {} | {workers} | {lines} | {} | {} | {:.2} ms |",
                services.len(),
                millis(times[0]),
                millis(median),
                median.as_secs_f64() * 1000.0 / n.max(1) as f64
            );
        }
    }
    println!();
    if !options.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// `--specs DIR`: the generation of every spec in DIR (the crate's `openapi/`, all services on),
/// each run in a fresh process, on one thread and on as many as the machine has cores (build.rs
/// uses cargo's job count); then, from one sequential pass, each service's operations, generated
/// lines and generation time.
fn real_specs(dir: &Path, runs: usize) -> Result<(), String> {
    let specs = codegen::list_specs(dir)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "## Code generation of every spec in {} (this binary's build profile)\n",
        dir.display()
    );
    println!(
        "| specs | threads | operations | generated lines | fastest | median | per operation |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for workers in [1, threads] {
        let mut times = Vec::new();
        let (mut operations, mut lines) = (0, 0);
        for _ in 0..runs {
            let (took, ops, generated_lines) = child_run(&specs, workers)?;
            times.push(took);
            (operations, lines) = (ops, generated_lines);
        }
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "| {} | {workers} | {operations} | {lines} | {} | {} | {:.2} ms |",
            specs.len(),
            millis(times[0]),
            millis(median),
            median.as_secs_f64() * 1000.0 / operations.max(1) as f64
        );
    }
    println!("\n| service | operations | generated lines | lines per operation | generation (one thread) |");
    println!("|---|---:|---:|---:|---:|");
    for (spec, (result, took)) in specs
        .iter()
        .zip(codegen::generate_all(&specs, 1, EVERYTHING))
    {
        let generated = result.map_err(|e| format!("{}: {e}", spec.display()))?;
        let lines = generated.source.lines().count();
        println!(
            "| `{}` | {} | {lines} | {:.0} | {} |",
            spec.file_stem().and_then(|s| s.to_str()).unwrap_or("?"),
            generated.operations,
            lines as f64 / generated.operations.max(1) as f64,
            millis(took)
        );
    }
    Ok(())
}

/// Runs this binary as `--child` on `specs`: (generation time, operations, generated lines).
fn child_run(specs: &[PathBuf], workers: usize) -> Result<(Duration, usize, usize), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let output = Command::new(exe)
        .arg("--child")
        .arg(workers.to_string())
        .args(specs)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run the child: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "generation failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let numbers: Vec<u64> = stdout
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers.as_slice() {
        [micros, operations, lines] => Ok((
            Duration::from_micros(*micros),
            *operations as usize,
            *lines as usize,
        )),
        _ => Err(format!("unexpected child output: {stdout}")),
    }
}

/// The child: `--child WORKERS SPEC…` generates the specs and prints `micros operations lines`.
fn child(args: &[String]) -> Result<(), String> {
    let (workers, specs) = args.split_first().ok_or("--child needs WORKERS SPEC…")?;
    let workers: usize = workers
        .parse()
        .map_err(|_| format!("--child {workers}: not a number"))?;
    let specs: Vec<PathBuf> = specs.iter().map(PathBuf::from).collect();
    let started = Instant::now();
    let results = codegen::generate_all(&specs, workers, EVERYTHING);
    let took = started.elapsed();
    let (mut operations, mut lines) = (0, 0);
    for (spec, (result, _)) in specs.iter().zip(results) {
        let generated = result.map_err(|e| format!("{}: {e}", spec.display()))?;
        operations += generated.operations;
        lines += generated.source.lines().count();
    }
    println!("{} {operations} {lines}", took.as_micros());
    Ok(())
}

/// The workspace root (the crate), from this package's manifest folder.
fn crate_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is a folder of the workspace")
        .to_path_buf()
}

/// Copies `from` to `to`, leaving out `target/` and `.git/` at the top.
fn copy_tree(from: &Path, to: &Path, top: bool) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name();
        if top && (name == "target" || name == ".git") {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            copy_tree(&source, &target, false)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target)
                .map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
        }
    }
    Ok(())
}

/// Adds the synthetic service to the scratch copy: its feature, its module and (later) its spec;
/// with `optimize_build_scripts`, also `[profile.dev.build-override] opt-level = 3`.
fn add_service(root: &Path, optimize_build_scripts: bool) -> Result<(), String> {
    let edit = |file: &str, f: &dyn Fn(String) -> Result<String, String>| {
        let path = root.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {file}: {e}"))?;
        std::fs::write(&path, f(text)?).map_err(|e| format!("cannot write {file}: {e}"))
    };
    edit("Cargo.toml", &|text| {
        if !text.contains("\n[features]\n") {
            return Err("Cargo.toml has no [features] table".into());
        }
        let text = text.replacen(
            "\n[features]\n",
            &format!("\n[features]\n{SERVICE} = []\n"),
            1,
        );
        if optimize_build_scripts && text.contains("[profile.dev.build-override]") {
            return Err("Cargo.toml already has [profile.dev.build-override]".into());
        }
        Ok(if optimize_build_scripts {
            format!("{text}\n[profile.dev.build-override]\nopt-level = 3\n")
        } else {
            text
        })
    })?;
    edit("src/lib.rs", &|text| {
        Ok(format!(
            "{text}\n/// A synthetic service (codegen benchmark).\n#[cfg(feature = \"{SERVICE}\")]\npub mod {SERVICE};\n"
        ))
    })?;
    let module = root.join("src").join(SERVICE);
    std::fs::create_dir_all(&module).map_err(|e| e.to_string())?;
    std::fs::write(
        module.join("mod.rs"),
        format!(
            "//! A synthetic service (codegen benchmark).\n\n\
             #[allow(missing_docs, unused_imports, clippy::all, clippy::pedantic, rustdoc::all)]\n\
             mod generated {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{SERVICE}.rs\"));\n}}\n\n\
             pub use generated::{{builder, types, Client}};\n"
        ),
    )
    .map_err(|e| e.to_string())
}

/// What one `cargo build` of the scratch copy took.
struct Built {
    wall: Duration,
    /// The generation time `build.rs` reported for the synthetic spec, as printed in the build.
    codegen: Option<String>,
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn cargo_build(root: &Path, target: &Path) -> Result<Built, String> {
    let started = Instant::now();
    let output = cargo()
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .args([
            "build",
            "-p",
            PACKAGE,
            "--lib",
            "--no-default-features",
            "--features",
            SERVICE,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("cargo build failed:\n{stderr}"));
    }
    let codegen = stderr
        .lines()
        .find(|l| l.contains(&format!("→ {SERVICE}.rs (")))
        .and_then(|l| l.rsplit_once(", "))
        .map(|(_, ms)| ms.trim_end_matches(')').to_string());
    Ok(Built { wall, codegen })
}

/// (b) Clean builds of a scratch copy of the crate with the synthetic service.
fn build(options: &Options) -> Result<(), String> {
    let root = scratch_dir("build")?;
    let target = root.join("target");
    let copy = root.join("crate");
    copy_tree(&crate_root(), &copy, true)?;
    add_service(&copy, options.optimize_build_scripts)?;
    let spec = copy.join("openapi").join(format!("{SERVICE}.yaml"));
    let write_spec = |n: usize| {
        std::fs::write(&spec, xtask::synth::spec_yaml(SERVICE, n))
            .map_err(|e| format!("cannot write {}: {e}", spec.display()))
    };
    let Some(&first) = options.sizes.first() else {
        return Ok(());
    };

    eprintln!(
        "cold build ({first} operations, dependencies included) in {} …",
        copy.display()
    );
    write_spec(first)?;
    let cold = cargo_build(&copy, &target)?;
    println!(
        "## Clean build of a scratch copy (`cargo build --lib --no-default-features --features {SERVICE}`{})\n",
        if options.optimize_build_scripts {
            ", build scripts and proc macros at opt-level 3"
        } else {
            ""
        }
    );
    println!(
        "Cold, dependencies included, {first} operations: {}.\n",
        seconds(cold.wall)
    );
    println!("| operations | crate only (after `cargo clean -p {PACKAGE}`) | codegen inside the build (as build.rs reports it) |");
    println!("|---:|---:|---:|");
    for &n in &options.sizes {
        eprintln!("crate build, {n} operations …");
        write_spec(n)?;
        let status = cargo()
            .current_dir(&copy)
            .env("CARGO_TARGET_DIR", &target)
            .args(["clean", "-q", "-p", PACKAGE])
            .status()
            .map_err(|e| format!("cannot run cargo clean: {e}"))?;
        if !status.success() {
            return Err("cargo clean -p failed".into());
        }
        let built = cargo_build(&copy, &target)?;
        println!(
            "| {n} | {} | {} |",
            seconds(built.wall),
            built.codegen.as_deref().unwrap_or("?")
        );
    }
    println!();
    if options.keep {
        eprintln!("kept {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    Ok(())
}
