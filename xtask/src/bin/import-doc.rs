//! `import-doc <page.md> [--operation-id ID] [--tag TAG] [-o OUT.yaml]`: reads a Feishu doc page
//! in markdown and writes the OpenAPI operation and schemas (YAML) to stdout or OUT.yaml.
//!
//! A page that the importer cannot read fully is refused with `<page>:<line>: <problem>` and exit
//! status 1.

use std::process::ExitCode;

use xtask::cli::Args;

use xtask::import::Options;

const USAGE: &str = "usage: import-doc <page.md> [--operation-id ID] [--tag TAG] [-o OUT.yaml]";

fn main() -> ExitCode {
    xtask::cli::finish(run(Args::new(std::env::args().skip(1).collect(), USAGE)))
}

fn run(mut args: Args) -> Result<(), String> {
    let mut options = Options::default();
    let mut page = None;
    let mut out = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--operation-id" => options.operation_id = Some(args.value("--operation-id")?),
            "--tag" => options.tag = Some(args.value("--tag")?),
            "-o" | "--output" => out = Some(args.value("-o")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}\n{USAGE}")),
            _ if page.is_some() => return Err(format!("more than one page given\n{USAGE}")),
            _ => page = Some(arg),
        }
    }
    let page = page.ok_or_else(|| USAGE.to_string())?;
    let markdown =
        std::fs::read_to_string(&page).map_err(|e| format!("cannot read {page}: {e}"))?;
    let yaml = xtask::import_page(&markdown, &options)
        .map_err(|e| format!("{page}:{}: {}", e.line, e.message))?;
    match out {
        Some(path) => std::fs::write(&path, yaml).map_err(|e| format!("cannot write {path}: {e}")),
        None => {
            print!("{yaml}");
            Ok(())
        }
    }
}
