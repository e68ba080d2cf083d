//! Server-supplied text on its way to a terminal.

use std::fmt;

/// Displays server-supplied text with its control characters escaped (`\u{1b}`, `\n`, …), bidi
/// overrides included, so that a message from a hostile or broken server can neither move the
/// cursor, forge a line, nor reorder what follows it. Everything else — Chinese text included —
/// is shown as it is.
///
/// ```
/// use feishu_openapi_core::Printable;
/// assert_eq!(Printable("ok\u{1b}[2K").to_string(), "ok\\u{1b}[2K");
/// ```
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c)) {
            f.write_str(&rest[..at])?;
            write!(f, "{}", c.escape_default())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// Control characters (C0, DEL, C1) and the invisible marks that change the direction of text.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::Printable;

    #[test]
    fn control_characters_are_escaped_and_the_rest_is_kept() {
        let shown =
            Printable("参数错误\u{1b}[2K\r\nsaved /etc/passwd\u{202e}txt.exe\u{7f}").to_string();
        assert_eq!(
            shown,
            "参数错误\\u{1b}[2K\\r\\nsaved /etc/passwd\\u{202e}txt.exe\\u{7f}"
        );
        assert_eq!(Printable("param error").to_string(), "param error");
    }
}
