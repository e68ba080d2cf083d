//! `synth-spec --operations N --out DIR [--service NAME]`: writes `DIR/<NAME>.yaml` (default
//! service `synth`), a synthetic spec with N operations shaped like the real Feishu export
//! operations (see `xtask::synth`), for measuring code generation and build time at scale.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::cli::Args;

const USAGE: &str = "usage: synth-spec --operations N --out DIR [--service NAME]";

fn main() -> ExitCode {
    xtask::cli::finish(run(Args::new(std::env::args().skip(1).collect(), USAGE)))
}

fn run(mut args: Args) -> Result<(), String> {
    let mut operations = None;
    let mut out = None;
    let mut service = "synth".to_string();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--operations" | "-n" => {
                let n = args.value("--operations")?;
                operations = Some(
                    n.parse::<usize>()
                        .map_err(|_| format!("--operations {n}: not a number\n{USAGE}"))?,
                );
            }
            "--out" | "-o" => out = Some(PathBuf::from(args.value("--out")?)),
            "--service" => service = args.value("--service")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let operations = operations.ok_or_else(|| format!("--operations is required\n{USAGE}"))?;
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    if service.is_empty() || !service.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(format!(
            "--service {service:?}: use lower-case letters and `_`"
        ));
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join(format!("{service}.yaml"));
    std::fs::write(&path, xtask::synth::spec_yaml(&service, operations))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}
