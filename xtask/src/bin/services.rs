//! `services [--check]`: writes the crate per service that `openapi/` calls for
//! (`services/<service>/`, and the service entries of the root `Cargo.toml`; see
//! `xtask::workspace`), or with `--check` lists what is out of date and fails.
//!
//! ```text
//! cargo run -p xtask --bin services
//! ```

use std::path::Path;
use std::process::ExitCode;

use xtask::cli::{finish, Args};

const USAGE: &str = "usage: services [--check]   (run from the workspace's root)";

fn main() -> ExitCode {
    finish(run(Args::new(std::env::args().skip(1).collect(), USAGE)))
}

fn run(mut args: Args) -> Result<(), String> {
    let mut check = false;
    for arg in args.by_ref() {
        match arg.as_str() {
            "--check" => check = true,
            other => return Err(args.error(&format!("unknown argument {other}"))),
        }
    }
    let root = Path::new(".");
    if check {
        let problems = xtask::workspace::check(root)?;
        if problems.is_empty() {
            return Ok(());
        }
        return Err(format!(
            "{}\nrun `cargo run -p xtask --bin services` to bring them up to date",
            problems.join("\n")
        ));
    }
    for changed in xtask::workspace::write(root)? {
        println!("wrote {changed}");
    }
    Ok(())
}
