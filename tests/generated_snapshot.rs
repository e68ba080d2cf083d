//! The generated clients are committed as snapshots, so that every spec edit shows up in review
//! as a diff of the generated Rust code.
//!
//! For every snapshotted `openapi/<service>.yaml`, this test generates the client as the service
//! crate's build script does (`feishu_openapi_codegen::generate`, with the `JsonSchema` derives
//! of the `schemars` feature), prints it with prettyplease (the build only lays it out over
//! lines, which is much faster) and compares it with `tests/snapshots/<service>.rs`. After a
//! spec (or generator) change, run
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test --test suite generated_snapshot
//! ```
//!
//! and commit the snapshot diff with the change.
//!
//! Only the services with a committed snapshot are compared (`vc`, `im`, `auth`): the services
//! imported from the Feishu API catalogue are reviewed as spec diffs (`openapi/`), their
//! generated code being tens of thousands of lines each. Updating never adds a snapshot; to
//! snapshot a service, commit an empty `tests/snapshots/<service>.rs` and update.

use std::fs;
use std::path::{Path, PathBuf};

const UPDATE_COMMAND: &str = "UPDATE_SNAPSHOTS=1 cargo test --test suite generated_snapshot";

/// The client of `openapi/<service>.yaml` as its crate's build script generates it with the
/// `schemars` feature on.
fn generate(service: &str) -> String {
    let spec = manifest_dir()
        .join("openapi")
        .join(format!("{service}.yaml"));
    let options = feishu_openapi_codegen::Options {
        json_schema: true,
        events: false,
        spec_json: false,
    };
    feishu_openapi_codegen::generate(&spec, options)
        .unwrap_or_else(|e| panic!("openapi/{service}.yaml does not generate: {e}"))
        .source
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Service names (file stems) of the files in `dir` with one of `extensions`, sorted.
fn stems(dir: &Path, extensions: &[&str]) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stems: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(String::from))
        .collect();
    stems.sort();
    stems
}

/// A short hint at where two texts differ: the first differing line of each, and a count.
fn diff_hint(snapshot: &str, generated: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) =
        (snapshot.lines().collect(), generated.lines().collect());
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let differing =
        old.iter().zip(&new).filter(|(a, b)| a != b).count() + old.len().abs_diff(new.len());
    let line = |lines: &[&str], i: usize| {
        lines
            .get(i)
            .map_or("<end of file>".to_string(), |l| l.to_string())
    };
    format!(
        "first difference at line {}:\n  - snapshot:  {}\n  + generated: {}\n({} vs {} lines, about {differing} lines differ)",
        first + 1,
        line(&old, first),
        line(&new, first),
        old.len(),
        new.len(),
    )
}

/// The generated code as people read it: its header comment, then the code printed by
/// prettyplease.
fn readable(generated: &str) -> syn::Result<String> {
    let code_start = generated.find("\n\n").map_or(0, |n| n + 2);
    let (header, code) = generated.split_at(code_start);
    Ok(header.to_string() + &prettyplease::unparse(&syn::parse_file(code)?))
}

#[test]
fn generated_code_matches_the_committed_snapshots() {
    let specs = stems(&manifest_dir().join("openapi"), &["yaml", "yml"]);
    assert!(
        specs.contains(&"vc".to_string()),
        "openapi/vc.yaml exists: {specs:?}"
    );
    let snapshots_dir = manifest_dir().join("tests").join("snapshots");
    let snapshotted = stems(&snapshots_dir, &["rs"]);
    let mut problems = Vec::new();
    for service in specs.iter().filter(|s| snapshotted.contains(s)) {
        let generated = generate(service);
        assert!(
            generated.starts_with("// @generated"),
            "{service}.rs is build.rs output"
        );
        let generated = readable(&generated)
            .unwrap_or_else(|e| panic!("the generated {service}.rs does not parse: {e}"));
        let snapshot_path = snapshots_dir.join(format!("{service}.rs"));
        if updating() {
            fs::create_dir_all(&snapshots_dir).expect("create tests/snapshots");
            fs::write(&snapshot_path, &generated).expect("write the snapshot");
            eprintln!("updated tests/snapshots/{service}.rs");
            continue;
        }
        match fs::read_to_string(&snapshot_path) {
            Err(_) => problems.push(format!("tests/snapshots/{service}.rs is missing")),
            Ok(snapshot) if snapshot.replace("\r\n", "\n") == generated => {}
            Ok(snapshot) => problems.push(format!(
                "tests/snapshots/{service}.rs differs from the generated code; {}",
                diff_hint(&snapshot.replace("\r\n", "\n"), &generated)
            )),
        }
    }
    for stale in stems(&snapshots_dir, &["rs"])
        .into_iter()
        .filter(|s| !specs.contains(s))
    {
        if updating() {
            fs::remove_file(snapshots_dir.join(format!("{stale}.rs")))
                .expect("remove a stale snapshot");
            eprintln!("removed tests/snapshots/{stale}.rs (no openapi/{stale}.yaml)");
        } else {
            problems.push(format!(
                "tests/snapshots/{stale}.rs has no spec openapi/{stale}.yaml"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nIf the change is intended, update the snapshots and commit the diff:\n    {UPDATE_COMMAND}",
        problems.join("\n\n")
    );
}

#[test]
fn diff_hint_points_at_the_first_difference() {
    let hint = diff_hint("a\nb\nc\n", "a\nB\nc\nd\n");
    assert!(
        hint.contains("line 2")
            && hint.contains("- snapshot:  b")
            && hint.contains("+ generated: B"),
        "{hint}"
    );
    assert!(hint.contains("about 2 lines differ"), "{hint}");
}
