//! Writes YAML in the hand-written style of `openapi/*.yaml`: block mappings, flow sequences of
//! scalars (`tags: [vc.export]`), one-line flow mappings for list items of scalars
//! (`- {http: 500, code: 121001, …}`), and plain scalars unless quoting is needed, then double quotes.

use yaml_serde::Value;

/// Renders `value` as a YAML document (no `---`), ending with a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(m) if !m.is_empty() => block_mapping(&mut out, m, 0),
        Value::Sequence(s) if !s.is_empty() && flow(value).is_none() => {
            block_sequence(&mut out, s, 0)
        }
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn block_mapping(out: &mut String, m: &yaml_serde::Mapping, level: usize) {
    for (i, (key, value)) in m.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push_str(&key_text(key));
        out.push(':');
        entry_value(out, value, level);
    }
}

/// Writes what follows `key:` (or `- `): a scalar or flow collection on the same line, or a
/// nested block on the next lines.
fn entry_value(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Mapping(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            block_mapping(out, m, level + 2);
        }
        Value::Sequence(s) if !s.is_empty() && !is_flow_sequence(s) => {
            out.push('\n');
            indent(out, level + 2);
            block_sequence(out, s, level + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn block_sequence(out: &mut String, s: &[Value], level: usize) {
    for (i, item) in s.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push_str("- ");
        match item {
            Value::Mapping(m) if !m.is_empty() && (m.len() == 1 || !is_flow_mapping(m)) => {
                block_mapping(out, m, level + 2);
            }
            Value::Sequence(inner) if !inner.is_empty() && !is_flow_sequence(inner) => {
                block_sequence(out, inner, level + 2);
            }
            other => {
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// A scalar in block context, or a small collection in flow form.
fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => string_text(s, false),
        // Only tagged values (which the importer never writes) lack a flow form here.
        other => flow(other).unwrap_or_else(|| {
            yaml_serde::to_string(other)
                .unwrap_or_default()
                .trim_end()
                .to_string()
        }),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(
        value,
        Value::Mapping(_) | Value::Sequence(_) | Value::Tagged(_)
    )
}

/// A sequence written `[a, b]`: scalars only (or empty).
fn is_flow_sequence(s: &[Value]) -> bool {
    s.iter().all(is_scalar)
}

/// A mapping written `{a: 1, b: 2}` inside a sequence: scalars only.
fn is_flow_mapping(m: &yaml_serde::Mapping) -> bool {
    m.values().all(is_scalar)
}

/// The flow (one-line) form of a value, if it has one in this style.
fn flow(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_text(s, true),
        Value::Sequence(s) if s.iter().all(is_scalar) => {
            let items: Vec<String> = s.iter().filter_map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Mapping(m) if m.values().all(is_scalar) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", flow_key(k), flow(v).unwrap_or_default()))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        _ => return None,
    })
}

fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => string_text(s, false),
        other => flow(other).unwrap_or_else(|| "null".into()),
    }
}

fn flow_key(key: &Value) -> String {
    match key {
        Value::String(s) => string_text(s, true),
        other => flow(other).unwrap_or_else(|| "null".into()),
    }
}

/// A string as a plain scalar when that reads back as the same string, else double-quoted.
/// `in_flow`: inside `[…]`/`{…}` (or possibly so), where `,[]{}` and `:` need quotes too.
fn string_text(s: &str, in_flow: bool) -> String {
    if is_plain_safe(s, in_flow) {
        s.to_string()
    } else {
        quoted(s)
    }
}

fn is_plain_safe(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s != s.trim() || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    if in_flow && s.chars().any(|c| ",[]{}:".contains(c)) {
        return false;
    }
    // Anything that YAML would read as another type (numbers, booleans, null, …) is quoted, by
    // YAML 1.2 (our reader) or by YAML 1.1 (PyYAML, Go's yaml.v2).
    !yaml11_ambiguous(s)
        && matches!(yaml_serde::from_str::<Value>(s), Ok(Value::String(back)) if back == s)
}

/// Whether a plain scalar `s` is a string for YAML 1.2 but not for a YAML 1.1 reader: the 1.1
/// booleans (`yes`, `no`, `on`, `off`, `y`, `n` in their three casings), and the 1.1 numbers
/// (`0b101`, `1_000`, sexagesimal `1:30`).
pub fn yaml11_ambiguous(s: &str) -> bool {
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off"];
    let lower = s.to_ascii_lowercase();
    let cased = s == lower || s == s.to_ascii_uppercase() || {
        let mut c = s.chars();
        c.next().is_some_and(|f| f.is_ascii_uppercase()) && c.as_str() == &lower[1..]
    };
    if cased && WORDS.contains(&lower.as_str()) {
        return true;
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let numeric = |t: &str, ok: fn(char) -> bool| !t.is_empty() && t.chars().all(ok);
    if let Some(bits) = digits.strip_prefix("0b") {
        return numeric(bits, |c| c == '0' || c == '1' || c == '_');
    }
    let starts_with_digit = digits.chars().next().is_some_and(|c| c.is_ascii_digit());
    let number_like = numeric(digits, |c| c.is_ascii_digit() || "_:.".contains(c));
    starts_with_digit && number_like && (digits.contains('_') || digits.contains(':'))
}

/// The plain scalars of a YAML text that a YAML 1.1 reader would not read as the strings they
/// are (see [`yaml11_ambiguous`]), with their line numbers (from 1). A scan of the text, for
/// the spec lint: keys and values after `- `, `: `, and inside `[…]` / `{…}`.
pub fn yaml11_ambiguities(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => continue,
            None => line,
        };
        let mut pieces: Vec<&str> = Vec::new();
        for part in code.split([',', '[', ']', '{', '}']) {
            for piece in part.split(": ") {
                let piece = piece.trim().trim_start_matches("- ").trim();
                pieces.push(piece.strip_suffix(':').unwrap_or(piece).trim());
            }
        }
        for piece in pieces {
            if !piece.starts_with(['"', '\'']) && yaml11_ambiguous(piece) {
                found.push((n + 1, piece.to_string()));
            }
        }
    }
    found
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(yaml: &str) -> String {
        let value: Value = yaml_serde::from_str(yaml).unwrap();
        let text = to_string(&value);
        let back: Value = yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, value, "{text}");
        text
    }

    #[test]
    fn style_follows_the_hand_written_specs() {
        let text = round_trip(
            r##"
paths:
  /a:
    post:
      tags: [vc.export]
      x-feishu-scopes: ["vc:export"]
      security:
        - tenant_access_token: []
      x-feishu-errors:
        - {http: 500, code: 121001, msg: internal error, advice: "a: b"}
      parameters:
        - $ref: "#/components/parameters/user_id_type"
      responses:
        "200":
          example: {code: 0, msg: success, data: {task_id: "7111325589855797267"}}
"##,
        );
        let expected = r##"paths:
  /a:
    post:
      tags: [vc.export]
      x-feishu-scopes: ["vc:export"]
      security:
        - tenant_access_token: []
      x-feishu-errors:
        - {http: 500, code: 121001, msg: internal error, advice: "a: b"}
      parameters:
        - $ref: "#/components/parameters/user_id_type"
      responses:
        "200":
          example:
            code: 0
            msg: success
            data:
              task_id: "7111325589855797267"
"##;
        assert_eq!(text, expected);
    }

    #[test]
    fn awkward_strings_are_quoted() {
        for s in [
            "",
            " lead",
            "trail ",
            "true",
            "null",
            "~",
            "12",
            "1.5",
            "0x1F",
            "- x",
            "a: b",
            "a #b",
            "#x",
            "*x",
            "line\nbreak",
            "tab\there",
            "quote\"s",
            "back\\slash",
            "{x}",
            "[x]",
            "yes",
            "no",
            "on",
            "2024-01-01",
            "1e3",
            ".inf",
            "=",
            "<<",
            "中文：冒号",
            "?",
            "a,b",
        ] {
            let mut m = yaml_serde::Mapping::new();
            m.insert(Value::from(s), Value::Sequence(vec![Value::from(s)]));
            m.insert(Value::from("k"), Value::from(s));
            round_trip(&yaml_serde::to_string(&Value::Mapping(m)).unwrap());
        }
    }

    #[test]
    fn yaml_1_1_booleans_and_numbers_are_quoted() {
        for s in ["yes", "No", "OFF", "on", "y", "N", "1_000", "1:30", "0b101"] {
            assert!(yaml11_ambiguous(s), "{s}");
            let mut m = yaml_serde::Mapping::new();
            m.insert(Value::from("enum"), Value::Sequence(vec![Value::from(s)]));
            m.insert(Value::from("k"), Value::from(s));
            let text = to_string(&Value::Mapping(m));
            assert_eq!(yaml11_ambiguities(&text), vec![], "{text}");
            assert!(text.contains(&format!("\"{s}\"")), "{text}");
        }
        for s in [
            "yess",
            "nO",
            "tenant_editable",
            "to_be_confirmed",
            "12",
            "1.5",
            "a:b",
        ] {
            assert!(!yaml11_ambiguous(s), "{s}");
        }
    }

    #[test]
    fn the_scan_finds_plain_yaml_1_1_booleans() {
        let text = "a:\n  enum: [to_be_confirmed, no, \"yes\"]\n  - off\n  k: On # c\n  \"n\": 1\n";
        assert_eq!(
            yaml11_ambiguities(text),
            vec![
                (2, "no".to_string()),
                (3, "off".to_string()),
                (4, "On".to_string())
            ]
        );
    }
}
