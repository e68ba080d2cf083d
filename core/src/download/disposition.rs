//! The name of a downloaded file: read from `Content-Disposition`, then made safe to create in
//! the chosen folder.
//!
//! Feishu sends the name as raw UTF-8 bytes in `filename="…"` (the Python SDK re-decodes what its
//! HTTP library read as latin-1); other servers use RFC 5987 `filename*=UTF-8''…`, RFC 2047
//! encoded words, or percent-encoding. All of these are read. Whatever the server says, the name
//! used is one plain file name inside the folder, or the caller's fallback.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use percent_encoding::percent_decode;

/// The longest file name most file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// The `B` encoding of RFC 2047 encoded words: standard base64, read after its `=` padding is
/// cut off (so padded and unpadded words both decode); bits left over by the last character are
/// ignored, as lenient mail readers do.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The file name a `Content-Disposition` value offers, decoded but not yet checked.
/// `filename*` wins over `filename` (RFC 6266) when its charset can be read.
pub(crate) fn offered_name(value: &[u8]) -> Option<String> {
    let params = parameters(value);
    let extended = params
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("filename*"))
        .and_then(|(_, value)| ext_value(value));
    extended.or_else(|| {
        params
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("filename"))
            .map(|(_, value)| plain_value(value))
    })
}

/// `name=value` parameters after the disposition type; values unquoted (backslash escapes
/// removed), as bytes.
fn parameters(value: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut params = Vec::new();
    let mut rest = value;
    // Skip the disposition type (`attachment`, `inline`).
    match rest.iter().position(|&b| b == b';') {
        Some(i) => rest = &rest[i + 1..],
        None => return params,
    }
    loop {
        rest = trim_start(rest);
        if rest.is_empty() {
            return params;
        }
        let name_end = rest
            .iter()
            .position(|&b| b == b'=' || b == b';')
            .unwrap_or(rest.len());
        let name = String::from_utf8_lossy(trim_end(&rest[..name_end])).into_owned();
        rest = &rest[name_end..];
        if rest.first() != Some(&b'=') {
            // A parameter without a value: skip it.
            rest = rest.get(1..).unwrap_or_default();
            continue;
        }
        rest = trim_start(&rest[1..]);
        let mut value = Vec::new();
        if rest.first() == Some(&b'"') {
            let mut i = 1;
            while i < rest.len() && rest[i] != b'"' {
                if rest[i] == b'\\' && i + 1 < rest.len() {
                    i += 1;
                }
                value.push(rest[i]);
                i += 1;
            }
            rest = rest.get(i + 1..).unwrap_or_default();
            let next = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
            rest = rest.get(next + 1..).unwrap_or_default();
        } else {
            let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
            value.extend_from_slice(trim_end(&rest[..end]));
            rest = rest.get(end + 1..).unwrap_or_default();
        }
        params.push((name, value));
    }
}

fn trim_start(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if !first.is_ascii_whitespace() {
            break;
        }
        b = rest;
    }
    b
}

fn trim_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., last] = b {
        if !last.is_ascii_whitespace() {
            break;
        }
        b = rest;
    }
    b
}

/// RFC 5987 `charset'language'percent-encoded`; UTF-8 and ISO-8859-1 are read, other charsets
/// are not (the plain `filename` is used then).
fn ext_value(value: &[u8]) -> Option<String> {
    let mut parts = value.splitn(3, |&b| b == b'\'');
    let (charset, _language, encoded) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes: Vec<u8> = percent_decode(encoded).collect();
    if charset.eq_ignore_ascii_case(b"utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case(b"iso-8859-1") {
        Some(latin1(&bytes))
    } else {
        None
    }
}

/// A plain `filename` value: raw UTF-8 (Feishu), else latin-1; an RFC 2047 encoded word or a
/// percent-encoded UTF-8 name is decoded, and UTF-8 that was read as latin-1 on the way
/// (mojibake) is repaired.
fn plain_value(value: &[u8]) -> String {
    let text = match std::str::from_utf8(value) {
        Ok(text) => text.to_string(),
        Err(_) => latin1(value),
    };
    if let Some(decoded) = encoded_word(&text) {
        return decoded;
    }
    if text.is_ascii() && text.contains('%') {
        let bytes: Vec<u8> = percent_decode(text.as_bytes()).collect();
        if let Ok(decoded) = String::from_utf8(bytes) {
            if !decoded.is_ascii() {
                return decoded;
            }
        }
    }
    repair_mojibake(text)
}

/// Every character a byte: the bytes, if they are UTF-8 with at least one multi-byte character.
fn repair_mojibake(text: String) -> String {
    if text.is_ascii() || text.chars().any(|c| c as u32 > 0xFF) {
        return text;
    }
    let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
    String::from_utf8(bytes).unwrap_or(text)
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// RFC 2047 `=?charset?B|Q?text?=` (one encoded word, the whole value), UTF-8 or ISO-8859-1.
fn encoded_word(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (charset, encoding, payload) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = if encoding.eq_ignore_ascii_case("b") {
        BASE64.decode(payload.trim_end_matches('=')).ok()?
    } else if encoding.eq_ignore_ascii_case("q") {
        let spaced = payload.replace('_', " ").replace('=', "%");
        percent_decode(spaced.as_bytes()).collect()
    } else {
        return None;
    };
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(latin1(&bytes))
    } else {
        None
    }
}

/// `name` if it is one plain file name that stays in the folder it is created in, tidied for
/// every common file system; `None` when it must be replaced by a fallback.
///
/// Refused: empty, only dots, a leading dot (hidden, and `.`/`..`), a path separator of either
/// kind, NUL or any control character, and Windows device names (`CON`, `NUL`, `COM1`, …).
/// Tidied: surrounding spaces and trailing dots removed, `<>:"|?*` replaced by `_`, cut to 255
/// bytes keeping the extension.
pub(crate) fn sanitize(name: &str) -> Option<String> {
    if name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return None;
    }
    let tidied: String = name
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let tidied = tidied.trim().trim_end_matches(['.', ' ']).to_string();
    if tidied.is_empty() || tidied.starts_with('.') {
        return None;
    }
    let stem = tidied.split('.').next().unwrap_or_default().trim_end();
    if is_device_name(stem) {
        return None;
    }
    let fitted = fit(&tidied);
    // Defence in depth: exactly one ordinary path component.
    let mut components = std::path::Path::new(&fitted).components();
    match (components.next(), components.next()) {
        (Some(std::path::Component::Normal(c)), None) if c == fitted.as_str() => Some(fitted),
        _ => None,
    }
}

fn is_device_name(stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit())
}

/// At most [`MAX_NAME_BYTES`], cut on a character boundary, keeping a short extension.
fn fit(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if name.len() - dot <= 16 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    let mut cut = MAX_NAME_BYTES - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", stem[..cut].trim_end())
}

/// A name made of `stem`, `id` and the extension `ext` that is always safe: `<stem>_<id>.<ext>`,
/// with anything but ASCII letters, digits, `-` and `_` replaced by `_`.
pub fn fallback(stem: &str, id: Option<&str>, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    match id {
        Some(id) if !id.is_empty() => format!("{}_{}.{}", clean(stem), clean(id), clean(ext)),
        _ => format!("{}.{}", clean(stem), clean(ext)),
    }
}

/// `name (n).ext`: the n-th alternative to an existing file's name, within the length limit.
pub(crate) fn numbered(name: &str, n: u32) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    let suffix = format!(" ({n})");
    let mut room = MAX_NAME_BYTES.saturating_sub(ext.len() + suffix.len());
    if room >= stem.len() {
        return format!("{stem}{suffix}{ext}");
    }
    while !stem.is_char_boundary(room) {
        room -= 1;
    }
    format!("{}{suffix}{ext}", &stem[..room])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(value: &str) -> Option<String> {
        offered_name(value.as_bytes())
    }

    #[test]
    fn quoted_token_and_raw_utf8_names() {
        assert_eq!(
            offered(r#"attachment; filename="report.xlsx""#).as_deref(),
            Some("report.xlsx")
        );
        assert_eq!(
            offered("attachment; filename=report.xlsx").as_deref(),
            Some("report.xlsx")
        );
        assert_eq!(
            offered_name("attachment; filename=\"会议明细.xlsx\"".as_bytes()).as_deref(),
            Some("会议明细.xlsx")
        );
        assert_eq!(
            offered(r#"attachment; filename="a \"quoted\" name.xlsx"; size=3"#).as_deref(),
            Some(r#"a "quoted" name.xlsx"#)
        );
        assert_eq!(
            offered(r#"attachment;FILENAME = "x;y.xlsx" ; other=1"#).as_deref(),
            Some("x;y.xlsx")
        );
        assert_eq!(offered("attachment"), None);
        assert_eq!(offered("attachment; name=x"), None);
    }

    #[test]
    fn rfc_5987_wins_over_the_plain_name() {
        let value =
            "attachment; filename=\"fallback.xlsx\"; filename*=UTF-8''%E4%BC%9A%E8%AE%AE%20x.xlsx";
        assert_eq!(offered(value).as_deref(), Some("会议 x.xlsx"));
        let latin = "attachment; filename*=iso-8859-1'en'caf%E9.xlsx";
        assert_eq!(offered(latin).as_deref(), Some("café.xlsx"));
        let unknown = "attachment; filename*=GBK''%BB%E1.xlsx; filename=\"plain.xlsx\"";
        assert_eq!(offered(unknown).as_deref(), Some("plain.xlsx"));
        let broken = "attachment; filename*=UTF-8''%FF%FE.xlsx; filename=\"plain.xlsx\"";
        assert_eq!(offered(broken).as_deref(), Some("plain.xlsx"));
    }

    #[test]
    fn latin1_mojibake_percent_and_encoded_words() {
        // Raw bytes that are not UTF-8 are read as latin-1.
        assert_eq!(
            offered_name(b"attachment; filename=\"caf\xe9.xlsx\"").as_deref(),
            Some("café.xlsx")
        );
        // UTF-8 bytes that were decoded as latin-1 and re-encoded (what the Python SDK repairs).
        let mojibake: String = "会议.xlsx".bytes().map(|b| b as char).collect();
        let value = format!("attachment; filename=\"{mojibake}\"");
        assert_eq!(offered(&value).as_deref(), Some("会议.xlsx"));
        assert_eq!(
            offered("attachment; filename=\"%E4%BC%9A%E8%AE%AE.xlsx\"").as_deref(),
            Some("会议.xlsx")
        );
        assert_eq!(
            offered("attachment; filename=\"50%off.xlsx\"").as_deref(),
            Some("50%off.xlsx")
        );
        assert_eq!(
            offered("attachment; filename=\"=?UTF-8?B?5Lya6K6uLnhsc3g=?=\"").as_deref(),
            Some("会议.xlsx")
        );
        assert_eq!(
            offered("attachment; filename=\"=?utf-8?Q?=E4=BC=9A_x.xlsx?=\"").as_deref(),
            Some("会 x.xlsx")
        );
    }

    #[test]
    fn base64_encoded_words_with_or_without_padding() {
        let name = |word: &str| offered(&format!("attachment; filename=\"{word}\""));
        assert_eq!(
            name("=?ISO-8859-1?B?Y2Fm6S54bHN4?=").as_deref(),
            Some("café.xlsx")
        );
        assert_eq!(name("=?UTF-8?B?YS54bHN4?=").as_deref(), Some("a.xlsx"));
        // Padding may be there or not; bits left over in the last character are ignored.
        for word in [
            "=?utf-8?b?5Lya6K6uLnhsc3g=?=",
            "=?utf-8?b?5Lya6K6uLnhsc3g?=",
            "=?utf-8?b?5Lya6K6uLnhsc3h?=",
        ] {
            assert_eq!(name(word).as_deref(), Some("会议.xlsx"), "{word}");
        }
        assert_eq!(name("=?UTF-8?B?YQ==?=").as_deref(), Some("a"));
        assert_eq!(name("=?UTF-8?B?YQ?=").as_deref(), Some("a"));
        // Not base64: the value is kept as it came (`sanitize` then makes it safe).
        assert_eq!(name("=?UTF-8?B?a*b?=").as_deref(), Some("=?UTF-8?B?a*b?="));
    }

    #[test]
    fn hostile_names_are_refused() {
        for name in [
            "",
            " ",
            ".",
            "..",
            "...",
            "../../x",
            "../x.xlsx",
            "/etc/passwd",
            "\\\\server\\share\\x.xlsx",
            "C:\\Windows\\x.xlsx",
            "a/b.xlsx",
            "a\\b.xlsx",
            "x\0.xlsx",
            "x\n.xlsx",
            ".hidden.xlsx",
            "CON",
            "nul.xlsx",
            "com1.txt",
            "LPT9",
        ] {
            assert_eq!(sanitize(name), None, "{name:?}");
        }
    }

    #[test]
    fn ordinary_names_are_kept_and_tidied() {
        assert_eq!(sanitize("会议明细.xlsx").as_deref(), Some("会议明细.xlsx"));
        assert_eq!(sanitize("  a b.xlsx  ").as_deref(), Some("a b.xlsx"));
        assert_eq!(sanitize("a:b?.xlsx").as_deref(), Some("a_b_.xlsx"));
        assert_eq!(sanitize("name.xlsx...").as_deref(), Some("name.xlsx"));
        assert_eq!(sanitize("console.xlsx").as_deref(), Some("console.xlsx"));
        let long = format!("{}.xlsx", "会".repeat(200));
        let fitted = sanitize(&long).unwrap();
        assert!(fitted.len() <= MAX_NAME_BYTES, "{}", fitted.len());
        assert!(fitted.ends_with("会.xlsx"), "{fitted}");
    }

    #[test]
    fn fallback_and_numbered_names() {
        assert_eq!(
            fallback("meeting_list", Some("7111325589855797267"), "xlsx"),
            "meeting_list_7111325589855797267.xlsx"
        );
        assert_eq!(fallback("export", Some("../x"), "xlsx"), "export____x.xlsx");
        assert_eq!(fallback("export", None, "xlsx"), "export.xlsx");
        assert_eq!(
            fallback("image_get", Some("img_1"), "bin"),
            "image_get_img_1.bin"
        );
        assert_eq!(numbered("a.xlsx", 2), "a (2).xlsx");
        assert_eq!(numbered("noext", 1), "noext (1)");
        let long = sanitize(&format!("{}.xlsx", "会".repeat(200))).unwrap();
        let again = numbered(&long, 12);
        assert!(again.len() <= MAX_NAME_BYTES, "{}", again.len());
        assert!(again.ends_with("会 (12).xlsx"), "{again}");
        for name in [
            fallback("export", Some("../../x"), "xlsx"),
            numbered("a.xlsx", 3),
        ] {
            assert_eq!(sanitize(&name).as_deref(), Some(name.as_str()));
        }
    }
}
