//! Small helpers for reading and rewriting progenitor's token trees.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// Rust's keywords, strict and reserved: progenitor and typify name a parameter or field of
/// that name `<name>_`.
pub(crate) const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// A group like `like` (delimiter, span) holding `stream`.
pub(crate) fn regroup(like: &Group, stream: TokenStream) -> Group {
    let mut group = Group::new(like.delimiter(), stream);
    group.set_span(like.span());
    group
}

/// Whether `tree` is the identifier `name`.
pub(crate) fn ident(tree: &TokenTree, name: &str) -> bool {
    matches!(tree, TokenTree::Ident(i) if i == name)
}

/// Whether `tree` is the punctuation `c`.
pub(crate) fn punct(tree: &TokenTree, c: char) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == c)
}

/// Where an item's own tokens start: after its attributes (`#` and a bracketed group each) and
/// its visibility (`pub`, `pub(…)`). The length of `item` when they are all it has.
pub(crate) fn after_attributes_and_visibility(item: &[TokenTree]) -> usize {
    let mut i = 0;
    while item.get(i).is_some_and(|t| punct(t, '#')) {
        i += 2;
    }
    if item.get(i).is_some_and(|t| ident(t, "pub")) {
        i += 1;
        if matches!(item.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            i += 1;
        }
    }
    i.min(item.len())
}

/// `export_download` → `ExportDownload`.
pub(crate) fn pascal(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
