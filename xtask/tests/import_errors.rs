//! A doc page the importer cannot read fully is refused with the line of the problem, never
//! turned into a silently wrong spec. Each case edits one line of the seed page.

use std::path::PathBuf;
use std::process::Command;

use xtask::doc::ImportError;

fn fixture() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/export-meeting-list.md");
    std::fs::read_to_string(path).expect("the fixture")
}

/// The 1-based number of the first line of the fixture that starts with `start`.
fn line_of(text: &str, start: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starts with {start:?}"))
        + 1
}

/// The fixture with the line starting with `start` replaced by `replacement`; and that line's number.
fn edited(start: &str, replacement: &str) -> (String, usize) {
    let text = fixture();
    let n = line_of(&text, start);
    let lines: Vec<&str> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == n { replacement } else { l })
        .collect();
    (lines.join("\n"), n)
}

fn import_error(text: &str) -> ImportError {
    match xtask::import_page(text, &Default::default()) {
        Ok(yaml) => panic!("imported without error:\n{yaml}"),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_refused(start: &str, replacement: &str, message: &str) {
    let (text, line) = edited(start, replacement);
    let error = import_error(&text);
    assert_eq!(error.line, line, "{error}");
    assert!(
        error.message.contains(message),
        "{error}\n(expected: {message})"
    );
}

#[test]
fn the_seed_page_imports() {
    xtask::import_page(&fixture(), &Default::default()).unwrap();
}

#[test]
fn an_unknown_section_heading_is_refused() {
    assert_refused(
        "### 错误码",
        "### 错误信息",
        "unknown section `### 错误信息`",
    );
    assert_refused("### 响应", "### 响应体", "unknown section `### 响应体`");
    assert_refused("## 请求", "## 请求参数", "unknown section");
}

#[test]
fn a_row_with_the_wrong_column_count_is_refused() {
    assert_refused(
        "| meeting_no |",
        "| meeting_no | string | 否 |",
        "table row has 3 columns, the header has 4",
    );
    assert_refused(
        "| 400 | 121002 |",
        "| 400 | 121002 | not support | 暂不支持该功能 | extra |",
        "table row has 5 columns, the header has 4",
    );
}

#[test]
fn an_unknown_type_is_refused() {
    assert_refused(
        "| meeting_no |",
        "| meeting_no | strin | 否 | 会议号 |",
        "unknown type `strin`",
    );
}

#[test]
fn a_required_flag_other_than_shi_or_fou_is_refused() {
    assert_refused(
        "| end_time |",
        "| end_time | string | 必须 | 查询结束时间 |",
        "required flag `必须` is neither 是 nor 否",
    );
}

#[test]
fn other_malformed_lines_are_refused() {
    let cases = [
        (
            "| HTTP Method |",
            "| HTTP Method | FETCH |",
            "HTTP method `FETCH`",
        ),
        (
            "| 支持的应用类型 |",
            "| 频率限制 | 100 次/分钟 |",
            "unknown row `频率限制`",
        ),
        (
            "| 支持的访问令牌 |",
            "| 支持的访问令牌 | app_token |",
            "unknown access token kind `app_token`",
        ),
        (
            "| meeting_status |",
            "| meeting_status | integer | 否 | 会议状态 <br> **可选值**:<br>- one: 进行中 <br> |",
            "`one` is not a valid integer value",
        ),
        (
            "| meeting_status |",
            "| meeting_status | integer | 否 | 会议状态 <br> **可选值**:<br>- 1: <br> |",
            "enum value `1` has no meaning",
        ),
        (
            "| meeting_no |",
            "| meeting_no | string | 否 | 会议号 <br> **长度**: 9 |",
            "unknown marker `**长度**`",
        ),
        (
            "| room_id |",
            "| ∟ room_id | string | 否 | Rooms |",
            "not a plain identifier",
        ),
        (
            "| 参数名 | 类型 | 必填 | 描述 |",
            "| 名称 | 类型 | 必填 | 描述 |",
            "table header",
        ),
        ("| ------ |", "| not a separator | x | y | z |", "separator"),
        (
            "| 500 |",
            "| five hundred | 121001 | internal error | 服务器内部错误 |",
            "HTTP status",
        ),
        (
            "导出会议明细，",
            "**注意**: 请先申请权限",
            "unexpected text",
        ),
        ("**请求体示例**", "请求体示例:", "unexpected text"),
        (
            "    \"meeting_status\": 2,",
            "    \"meeting_status\": 2,,",
            "not valid JSON",
        ),
    ];
    for (start, replacement, message) in cases {
        assert_refused(start, replacement, message);
    }
}

#[test]
fn a_heading_after_the_sdk_examples_is_still_read() {
    let text = fixture() + "\n### 更多\n";
    let error = import_error(&text);
    assert_eq!(error.line, text.lines().count(), "{error}");
    assert!(
        error.message.contains("unknown section `### 更多`"),
        "{error}"
    );
}

#[test]
fn the_binary_names_the_file_and_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let (text, line) = edited("| meeting_no |", "| meeting_no | strin | 否 | 会议号 |");
    let bad = dir.join("bad-page.md");
    std::fs::write(&bad, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_import-doc"))
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}:{line}: unknown type `strin`",
            bad.display()
        )),
        "{stderr}"
    );

    let good =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/export-meeting-list.md");
    let out = dir.join("meeting-list.yaml");
    let status = Command::new(env!("CARGO_BIN_EXE_import-doc"))
        .arg(&good)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        xtask::import_page(&fixture(), &Default::default()).unwrap()
    );
}
