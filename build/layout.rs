//! A fast layout for generated code: one item, statement, field or match arm per line,
//! indented by nesting.
//!
//! The generated module is read by the compiler, and by a person only when an error or an IDE
//! points into it; the copy people review is the committed snapshot (`tests/snapshots/`), which
//! the snapshot test prints with prettyplease. Parsing the generated tokens with syn and printing
//! them with prettyplease took 60 % of the code generation; this layout is a single pass over
//! the text and changes whitespace only: literals are copied as they are.

/// `tokens` (a token stream's text, tokens separated by single spaces) laid out over lines.
pub(crate) fn layout(tokens: &str) -> String {
    let mut out = Layout {
        out: String::with_capacity(tokens.len() + tokens.len() / 4),
        open: Vec::new(),
        at_line_start: true,
    };
    let bytes = tokens.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &tokens[i..];
        match bytes[i] {
            b' ' if out.at_line_start => i += 1,
            b'"' => i += out.literal(&rest[..string_len(rest)]),
            b'\'' => i += out.literal(&rest[..quote_len(rest)]),
            b'#' if rest.starts_with("# ! [") || out.at_line_start && rest.starts_with("# [") => {
                // An attribute on a line of its own.
                i += out.literal(&rest[..attribute_len(rest)]);
                out.newline();
            }
            b'{' => {
                out.push("{");
                out.open.push(b'{');
                out.newline();
                i += 1;
            }
            b'(' | b'[' => {
                out.push(&rest[..1]);
                out.open.push(bytes[i]);
                i += 1;
            }
            b')' | b']' => {
                out.open.pop();
                out.push(&rest[..1]);
                i += 1;
            }
            b'}' => {
                out.open.pop();
                if !out.at_line_start {
                    out.newline();
                }
                out.push("}");
                i += 1;
                // A block ends the line unless what follows continues its expression.
                let next = tokens[i..].trim_start_matches(' ');
                let continues = [",", ";", ")", "]", ".", "?", "=", "else", "}"]
                    .iter()
                    .any(|t| next.starts_with(t));
                if !continues {
                    out.newline();
                }
            }
            b';' => {
                out.push(";");
                out.newline();
                i += 1;
            }
            b',' if out.open.last() == Some(&b'{') => {
                out.push(",");
                out.newline();
                i += 1;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                let word = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                // A literal with a prefix: `r"…"`, `r#"…"#`, `b"…"`, `br"…"`, `c"…"`, `b'…'`.
                let len = match (&rest[..word], bytes.get(i + word)) {
                    ("r" | "br" | "cr", Some(b'"' | b'#')) => raw_string_len(&rest[word..]),
                    ("b" | "c", Some(b'"')) => Some(string_len(&rest[word..])),
                    ("b", Some(b'\'')) => Some(quote_len(&rest[word..])),
                    _ => None,
                };
                i += out.literal(&rest[..word + len.unwrap_or(0)]);
            }
            _ => {
                // Up to the next byte that matters above, as it is.
                let first = rest.chars().next().map_or(1, char::len_utf8);
                let len = rest[first..]
                    .find(|c: char| !matches!(c, '!' | '$' | '%' | '&' | '*' | '+' | '-' | '.' | '/' | ':' | '<' | '=' | '>' | '?' | '@' | '^' | '|' | '~' | ' '))
                    .map_or(rest.len(), |n| n + first);
                out.push(&rest[..len]);
                i += len;
            }
        }
    }
    out.out.push('\n');
    out.out
}

struct Layout {
    out: String,
    /// The open delimiters: a `,` ends the line only directly inside braces.
    open: Vec<u8>,
    at_line_start: bool,
}

impl Layout {
    fn push(&mut self, text: &str) {
        if self.at_line_start {
            for _ in 0..self.open.iter().filter(|d| **d == b'{').count() {
                self.out.push_str("    ");
            }
            self.at_line_start = false;
        }
        self.out.push_str(text);
    }

    /// Copies a literal (or an attribute) unchanged; returns its length.
    fn literal(&mut self, text: &str) -> usize {
        self.push(text);
        text.len()
    }

    fn newline(&mut self) {
        // The space that separated the tokens is not needed at the end of a line.
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        self.at_line_start = true;
    }
}

/// The length of the string literal at the start of `s` (`"…"`, with escapes), quotes included.
fn string_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The length of the raw string literal after an `r` prefix (`"…"`, `#"…"#`) at the start of
/// `s`, or `None` when it is not one (the raw identifier `r#type`).
fn raw_string_len(s: &str) -> Option<usize> {
    let hashes = s.bytes().take_while(|b| *b == b'#').count();
    if s.as_bytes().get(hashes) != Some(&b'"') {
        return None;
    }
    let closing = format!("\"{}", "#".repeat(hashes));
    let end = s[hashes + 1..].find(&closing)?;
    Some(hashes + 1 + end + closing.len())
}

/// The length of a character literal (`'x'`, `'\n'`, `'\u{…}'`) at the start of `s`, or 1 for
/// the quote of a lifetime (`'a`).
fn quote_len(s: &str) -> usize {
    let mut chars = s.char_indices().skip(1);
    match chars.next() {
        // An escape: the quote after the escaped character closes it.
        Some((_, '\\')) => s[3..].find('\'').map_or(s.len(), |n| n + 4),
        Some((_, _)) => match chars.next() {
            Some((n, '\'')) => n + 1,
            _ => 1,
        },
        None => 1,
    }
}

/// The length of the attribute (`# [ … ]` or `# ! [ … ]`) at the start of `s`.
fn attribute_len(s: &str) -> usize {
    let mut depth = 0;
    let mut i = s.find('[').unwrap_or(0);
    let bytes = s.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i += string_len(&s[i..]);
                continue;
            }
            b'r' if !bytes[i - 1].is_ascii_alphanumeric() => {
                if let Some(len) = raw_string_len(&s[i + 1..]) {
                    i += 1 + len;
                    continue;
                }
            }
            b'\'' => {
                i += quote_len(&s[i..]);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    s.len()
}
