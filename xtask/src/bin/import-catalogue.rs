//! `import-catalogue --catalogue <dir> [--only vc,im] --out openapi`: converts the Feishu API
//! catalogue (one OpenAPI file per project and `body-required-patch.json`) into
//! `<out>/<project>.yaml`, facts only, with `<out>/overlay/<project>.yaml` applied on top.
//! See `docs/importing-the-catalogue.md`.
//!
//! A construct the importer cannot map stops it with `error: <file>: operation …: <construct>`
//! and exit status 1, before any file is written.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::catalogue;
use xtask::cli::Args;

const USAGE: &str = "usage: import-catalogue --catalogue <dir> [--only vc,im] --out <openapi dir>";

fn main() -> ExitCode {
    xtask::cli::finish(run(Args::new(std::env::args().skip(1).collect(), USAGE)))
}

fn run(mut args: Args) -> Result<(), String> {
    let (mut dir, mut out, mut only) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--catalogue" => dir = Some(PathBuf::from(args.value("--catalogue")?)),
            "--out" => out = Some(PathBuf::from(args.value("--out")?)),
            "--only" => {
                let list = args.value("--only")?;
                only = Some(list.split(',').map(str::to_string).collect::<Vec<_>>());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(args.error(&format!("unknown argument {other}"))),
        }
    }
    let dir = dir.ok_or_else(|| args.error("--catalogue is required"))?;
    let out = out.ok_or_else(|| args.error("--out is required"))?;
    let imported = catalogue::import_dir(&dir, only.as_deref(), &out)?;
    for (project, operations, events) in imported.written {
        eprintln!("{project}.yaml: {operations} operations, {events} events");
    }
    for (service, events) in imported.events_left_out {
        eprintln!("left out: {events} events of `{service}` (no imported spec of that name)");
    }
    Ok(())
}
