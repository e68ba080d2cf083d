//! Helpers for the tests that run `examples/export_meetings` as the compiled binary a user gets
//! from `cargo run --example export_meetings`: a clean `FEISHU_*` environment, a fresh temporary
//! folder (its default `--out`), and readers of what it printed and saved.
#![allow(dead_code, reason = "each feature set uses a subset")]

use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{open_workbook, Reader, Xlsx};
use feishu_openapi::fake::FakeFeishu;

pub const START: &str = "1655276858";
pub const END: &str = "1655363258";

/// Every variable the example reads, removed so that the caller's environment never leaks in.
const FEISHU_VARS: [&str; 5] = [
    "FEISHU_BASE_URL",
    "FEISHU_TENANT_ACCESS_TOKEN",
    "FEISHU_USER_ACCESS_TOKEN",
    "FEISHU_APP_ID",
    "FEISHU_APP_SECRET",
];

/// `target/<profile>/examples/export_meetings`, next to this test's `deps` folder.
pub fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable lives in target/<profile>/deps");
    let binary = profile_dir
        .join("examples")
        .join(format!("export_meetings{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "the example binary {} is missing: build it with `cargo build --example export_meetings` \
         (a plain `cargo test` builds it; `cargo test --test suite example_cli` alone does not)",
        binary.display()
    );
    binary
}

/// What a run printed, how it ended, and the folder it ran in.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub cwd: tempfile::TempDir,
}

impl Run {
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }

    pub fn output(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The task ids printed on stdout: whole words of 19 digits.
    pub fn task_ids(&self) -> Vec<&str> {
        self.stdout
            .split_whitespace()
            .filter(|w| w.len() == 19 && w.bytes().all(|b| b.is_ascii_digit()))
            .collect()
    }

    /// The file the `saved PATH (SIZE)` line names, and the size in bytes it gives.
    pub fn saved(&self) -> (PathBuf, u64) {
        let line = self
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("saved "))
            .unwrap_or_else(|| panic!("no `saved` line:\n{}", self.output()));
        let (path, size) = line.rsplit_once(" (").expect("PATH (SIZE)");
        let bytes = size
            .trim_end_matches(" bytes)")
            .rsplit(", ")
            .next()
            .and_then(|b| b.parse().ok())
            .unwrap_or_else(|| panic!("a size in bytes: {line}"));
        (PathBuf::from(path), bytes)
    }

    /// The entries of the folder the run started in.
    pub fn cwd_entries(&self) -> Vec<String> {
        entries(self.cwd.path())
    }

    /// A usage error: non-zero exit, one line on stderr naming every one of `words`.
    pub fn assert_refused(&self, words: &[&str]) {
        assert!(!self.succeeded(), "expected a refusal:\n{}", self.output());
        let message = self.stderr.trim();
        assert_eq!(message.lines().count(), 1, "one line:\n{}", self.output());
        for word in words {
            assert!(
                message.contains(word),
                "{word:?} is not named:\n{}",
                self.output()
            );
        }
        assert!(self.task_ids().is_empty(), "{}", self.output());
    }
}

/// The names in `dir`, hidden ones included, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The rows of the first sheet of an `.xlsx` file, as text.
pub fn workbook_rows(path: &Path) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("a valid .xlsx workbook");
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).expect("the first sheet");
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Runs the example with `args` and exactly the `FEISHU_*` variables in `env`, in a fresh
/// temporary folder.
pub async fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let cwd = tempfile::tempdir().expect("a temporary folder");
    let mut command = tokio::process::Command::new(example_binary());
    command
        .args(args)
        .current_dir(cwd.path())
        .kill_on_drop(true);
    for var in FEISHU_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().await.expect("the example runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        cwd,
    }
}

/// Runs the example against `fake` with the fake's tenant token, as if it were the real service.
pub async fn run_against(fake: &FakeFeishu, args: &[&str]) -> Run {
    let token = fake.tenant_access_token();
    run(
        args,
        &[
            ("FEISHU_BASE_URL", fake.base_url()),
            ("FEISHU_TENANT_ACCESS_TOKEN", &token),
        ],
    )
    .await
}
