//! `coverage [--check] [--specs DIR] [-o OUT.md]`: writes the coverage page (per service:
//! operations, paginated / upload / download counts, token kinds) from the specs in `openapi/`
//! to `docs/coverage.md`, or with `--check` fails when that page is stale.

use std::process::ExitCode;

use xtask::cli::Args;

const USAGE: &str = "usage: coverage [--check] [--specs DIR] [-o OUT.md]";

fn main() -> ExitCode {
    xtask::cli::finish(run(Args::new(std::env::args().skip(1).collect(), USAGE)))
}

fn run(mut args: Args) -> Result<(), String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = root.join("openapi");
    let mut out = root.join("docs/coverage.md");
    let mut check = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--specs" => specs = args.value("--specs")?.into(),
            "-o" | "--output" => out = args.value("-o")?.into(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(args.error(&format!("unknown argument {other}"))),
        }
    }
    let page = xtask::coverage::page(&xtask::coverage::services(&specs)?);
    if check {
        let committed = std::fs::read_to_string(&out).unwrap_or_default();
        return if committed == page {
            Ok(())
        } else {
            Err(format!(
                "{} is stale: run `cargo run -p xtask --bin coverage`",
                out.display()
            ))
        };
    }
    std::fs::write(&out, page).map_err(|e| format!("cannot write {}: {e}", out.display()))
}
