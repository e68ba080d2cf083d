//! The `rust-version` of each workspace package that declares one (the crate, and xtask) is the
//! Rust that building it needs: the highest `rust-version` among the packages its build needs —
//! its normal and build dependencies, transitively, with every feature of the workspace on (as
//! `cargo metadata` resolves them), for every platform; dev-dependencies are left out. Too low, and
//! the promise is false; too high, and it turns users away for nothing. Either way this test says
//! what to set, and which package sets it.
//!
//! `cargo metadata` reads the packages from cargo's local cache when they are all there, and else
//! fetches the missing ones (a build fetches only the current platform's). Without a network, on
//! a machine that has built the crate, it falls back to the current platform's packages: the
//! figure can then only be too low, so only a `rust-version` below it fails.

use std::cmp::Ordering;
use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A Rust version as `rust-version` writes it: `1.89` or `1.89.0` (missing parts are 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RustVersion([u64; 3]);

impl RustVersion {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = [0; 3];
        let mut count = 0;
        for (slot, part) in parts.iter_mut().zip(text.trim().split('.')) {
            *slot = part.parse().ok()?;
            count += 1;
        }
        (count >= 2 && text.trim().split('.').count() <= 3).then_some(Self(parts))
    }
}

/// The packages `cargo metadata` covered.
#[derive(Debug)]
enum Scope {
    /// Every platform's.
    AllPlatforms,
    /// Only this machine's platform (the triple), read offline.
    Host(String),
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(["metadata", "--format-version", "1", "--all-features"])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"));
    command
}

/// Runs `command` and parses its JSON output, or says why it failed.
fn json_of(mut command: Command) -> Result<Value, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{command:?}: not JSON: {e}"))
}

/// The platform this test runs on, as `rustc -vV` names it.
fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run {rustc:?} -vV: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| format!("{rustc:?} -vV names no host"))
}

/// The workspace's metadata for every platform: from the local cache alone first (no network),
/// then fetching what is missing; else, offline, the current platform's only.
fn metadata() -> (Value, Scope) {
    let mut offline = cargo();
    offline.arg("--offline");
    let mut errors = Vec::new();
    for command in [offline, cargo()] {
        match json_of(command) {
            Ok(metadata) => return (metadata, Scope::AllPlatforms),
            Err(e) => errors.push(e),
        }
    }
    let host = host_triple().unwrap_or_else(|e| panic!("{e}\n{}", errors.join("\n")));
    let mut host_only = cargo();
    host_only.args(["--offline", "--filter-platform", &host]);
    match json_of(host_only) {
        Ok(metadata) => (metadata, Scope::Host(host)),
        Err(e) => panic!(
            "cargo metadata failed every way:\n{}\n{e}",
            errors.join("\n")
        ),
    }
}

/// A package of the metadata: its name, version and declared `rust-version`.
struct Package<'a> {
    name: &'a str,
    version: &'a str,
    rust_version: Option<RustVersion>,
    manifest_path: &'a str,
}

impl Package<'_> {
    fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// What building one package needs: the highest `rust-version` among its normal and build
/// dependencies (transitively), and the chain of dependencies that leads to one package that
/// declares it.
struct Need {
    version: RustVersion,
    chain: Vec<String>,
}

/// The Rust that building the package `root` (a package id) needs, if any of the packages its
/// build needs declares a `rust-version`.
fn need_of(
    root: &str,
    packages: &BTreeMap<&str, Package<'_>>,
    deps: &BTreeMap<&str, Vec<&str>>,
) -> Option<Need> {
    // Breadth first, so that the chain shown is a shortest one.
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([root]);
    let mut best: Option<(RustVersion, &str)> = None;
    while let Some(id) = queue.pop_front() {
        for &dep in deps.get(id).into_iter().flatten() {
            if dep == root || parent.contains_key(dep) {
                continue;
            }
            parent.insert(dep, id);
            queue.push_back(dep);
            if let Some(version) = packages.get(dep).and_then(|p| p.rust_version) {
                if best.is_none_or(|(v, _)| version > v) {
                    best = Some((version, dep));
                }
            }
        }
    }
    let (version, mut at) = best?;
    let mut chain = vec![packages[at].label()];
    while let Some(&up) = parent.get(at) {
        chain.push(packages[up].name.to_string());
        at = up;
    }
    chain.reverse();
    Some(Need { version, chain })
}

/// `1.89` for `[1, 89, 0]`, `1.89.1` for `[1, 89, 1]`.
fn show(version: RustVersion) -> String {
    let [major, minor, patch] = version.0;
    match patch {
        0 => format!("{major}.{minor}"),
        _ => format!("{major}.{minor}.{patch}"),
    }
}

/// What is wrong with a declared `rust-version` given what building the package needs, if
/// anything; `exact` when the need was computed over every platform (a figure from one platform
/// can only be too low, so a declared version above it is not an error then).
fn verdict(
    package: &str,
    manifest: &str,
    declared: RustVersion,
    need: &Need,
    exact: bool,
) -> Option<String> {
    let setting = format!(
        "set `rust-version = \"{}\"` in {manifest}",
        show(need.version)
    );
    match declared.cmp(&need.version) {
        Ordering::Less => Some(format!(
            "{package} declares rust-version {}, but its build needs Rust {}: {} requires it \
             ({}); {setting}",
            show(declared),
            show(need.version),
            need.chain.last().map_or("?", String::as_str),
            need.chain.join(" → "),
        )),
        Ordering::Greater if exact => Some(format!(
            "{package} declares rust-version {}, higher than its build needs: Rust {} is enough \
             (the highest, set by {}: {}); {setting}",
            show(declared),
            show(need.version),
            need.chain.last().map_or("?", String::as_str),
            need.chain.join(" → "),
        )),
        _ => None,
    }
}

#[test]
fn rust_version_is_what_the_dependencies_need() {
    let (metadata, scope) = metadata();
    let exact = matches!(scope, Scope::AllPlatforms);
    if let Scope::Host(host) = &scope {
        eprintln!(
            "note: cargo metadata could not read every platform's packages (offline?); only \
             {host}'s were checked, so only a rust-version that is too low is an error"
        );
    }
    let packages: BTreeMap<&str, Package<'_>> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let package = Package {
                name: p["name"].as_str().expect("a name"),
                version: p["version"].as_str().expect("a version"),
                rust_version: p["rust_version"].as_str().and_then(RustVersion::parse),
                manifest_path: p["manifest_path"].as_str().expect("a manifest path"),
            };
            (p["id"].as_str().expect("an id"), package)
        })
        .collect();
    // Each package's normal and build dependencies (not its dev-dependencies).
    let deps: BTreeMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve.nodes")
        .iter()
        .map(|node| {
            let needed = node["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|k| k["kind"].is_null() || k["kind"] == "build")
                })
                .map(|dep| dep["pkg"].as_str().expect("a package id"))
                .collect();
            (node["id"].as_str().expect("an id"), needed)
        })
        .collect();

    let workspace_root = metadata["workspace_root"].as_str().expect("workspace_root");
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for member in metadata["workspace_members"]
        .as_array()
        .expect("workspace_members")
    {
        let id = member.as_str().expect("a package id");
        let package = &packages[id];
        let Some(declared) = package.rust_version else {
            continue;
        };
        let manifest = Path::new(package.manifest_path);
        let manifest = manifest
            .strip_prefix(workspace_root)
            .unwrap_or(manifest)
            .display()
            .to_string();
        checked.push(package.name);
        let Some(need) = need_of(id, &packages, &deps) else {
            continue;
        };
        problems.extend(verdict(package.name, &manifest, declared, &need, exact));
    }
    assert!(
        checked.contains(&"feishu-openapi"),
        "feishu-openapi declares no rust-version; checked: {checked:?}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn need(version: &str, chain: &[&str]) -> Need {
    Need {
        version: RustVersion::parse(version).expect("a version"),
        chain: chain.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn versions_compare_as_rust_versions() {
    let v = |s| RustVersion::parse(s).expect(s);
    assert_eq!(v("1.89"), v("1.89.0"));
    assert!(v("1.88") < v("1.89"));
    assert!(v("1.89") < v("1.89.1"));
    assert!(v("1.9") < v("1.10"));
    for bad in ["", "1", "1.x", "1.2.3.4", "v1.2"] {
        assert_eq!(RustVersion::parse(bad), None, "{bad:?}");
    }
    assert_eq!(show(v("1.89.0")), "1.89");
    assert_eq!(show(v("1.89.1")), "1.89.1");
}

#[test]
fn too_low_names_the_package_and_too_high_says_what_is_enough() {
    let v = |s| RustVersion::parse(s).expect(s);
    let zip = need("1.89", &["crate", "zip 9.8.1"]);
    let low = verdict("crate", "Cargo.toml", v("1.85"), &zip, true).expect("too low");
    for words in [
        "declares rust-version 1.85",
        "needs Rust 1.89: zip 9.8.1 requires it (crate → zip 9.8.1)",
        "set `rust-version = \"1.89\"` in Cargo.toml",
    ] {
        assert!(low.contains(words), "{words:?} is not in: {low}");
    }
    let high = verdict("crate", "Cargo.toml", v("1.95"), &zip, true).expect("too high");
    for words in [
        "declares rust-version 1.95, higher than its build needs",
        "Rust 1.89 is enough",
        "zip 9.8.1",
        "set `rust-version = \"1.89\"`",
    ] {
        assert!(high.contains(words), "{words:?} is not in: {high}");
    }
    assert_eq!(
        verdict("crate", "Cargo.toml", v("1.89.0"), &zip, true),
        None
    );
    // From one platform's packages the figure may be too low: only "too low" is then an error.
    assert_eq!(verdict("crate", "Cargo.toml", v("1.95"), &zip, false), None);
    assert!(verdict("crate", "Cargo.toml", v("1.85"), &zip, false).is_some());
}

#[test]
fn the_need_is_the_highest_among_normal_and_build_dependencies() {
    let package = |name, rust_version: Option<&str>| Package {
        name,
        version: "1.0.0",
        rust_version: rust_version.and_then(RustVersion::parse),
        manifest_path: "Cargo.toml",
    };
    let packages = BTreeMap::from([
        ("root", package("root", Some("1.70"))),
        ("a", package("a", Some("1.80"))),
        ("b", package("b", None)),
        ("c", package("c", Some("1.86.1"))),
        ("d", package("d", Some("1.86"))),
    ]);
    // root → a → b → c, root → d; the root's own version does not count.
    let deps = BTreeMap::from([
        ("root", vec!["a", "d"]),
        ("a", vec!["b"]),
        ("b", vec!["c", "root"]),
    ]);
    let need = need_of("root", &packages, &deps).expect("a need");
    assert_eq!(show(need.version), "1.86.1");
    assert_eq!(need.chain, ["root", "a", "b", "c 1.0.0"]);
    assert!(need_of("b", &packages, &BTreeMap::new()).is_none());
}
