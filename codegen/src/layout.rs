//! A fast layout for generated code: one item, statement, field or match arm per line,
//! indented by nesting.
//!
//! The generated module is read by the compiler, and by a person only when an error or an IDE
//! points into it; the copy people review is the committed snapshot (`tests/snapshots/`), which
//! the snapshot test prints with prettyplease. Parsing the generated tokens with syn and printing
//! them with prettyplease took 60 % of the code generation; this layout is one walk over the
//! tokens, printing each as `proc_macro2` does and choosing only where lines break.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// `tokens` as text, laid out over lines.
pub fn layout(tokens: TokenStream) -> String {
    let mut out = Layout {
        text: String::new(),
        depth: 0,
        at_line_start: true,
        space: false,
        after_name: false,
    };
    out.stream(tokens, true);
    out.text.push('\n');
    out.text
}

struct Layout {
    text: String,
    /// Braces open around the current token: the indentation.
    depth: usize,
    at_line_start: bool,
    /// A space is due before the next token on this line.
    space: bool,
    /// The last token was a name (an identifier or keyword).
    after_name: bool,
}

impl Layout {
    /// The tokens of a stream; `in_braces` when directly inside `{}` (or at the top level), where
    /// a `,` separates fields or match arms and ends the line.
    fn stream(&mut self, tokens: TokenStream, in_braces: bool) {
        let mut tokens = tokens.into_iter().peekable();
        // Generic arguments (`Result<A, B>`) are not groups: their commas keep the line. A guess
        // from the `<` and `>` seen (arrows excluded), enough for a layout.
        let mut angles = 0usize;
        let mut after_joint = None;
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Group(group) => {
                    let delimiter = group.delimiter();
                    // Taken out of the group, so that the walk moves the tokens, not a copy.
                    let inner = group.stream();
                    drop(group);
                    match delimiter {
                        Delimiter::Brace => {
                            self.token(format_args!("{{"));
                            self.depth += 1;
                            self.newline();
                            self.stream(inner, true);
                            self.depth -= 1;
                            self.newline();
                            self.token(format_args!("}}"));
                            if !continues_after_block(tokens.peek()) {
                                self.newline();
                            }
                        }
                        // `f(x)`, `derive(Debug)`, `a[0]`: no space after a name.
                        Delimiter::Parenthesis | Delimiter::Bracket => {
                            if self.after_name {
                                self.space = false;
                            }
                            let (open, close) = match delimiter {
                                Delimiter::Parenthesis => ("(", ")"),
                                _ => ("[", "]"),
                            };
                            self.enclosed(open, inner, close);
                        }
                        Delimiter::None => self.stream(inner, in_braces),
                    }
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    match c {
                        '<' => angles += 1,
                        '>' if !matches!(after_joint, Some('-' | '=')) => {
                            angles = angles.saturating_sub(1)
                        }
                        ';' => angles = 0,
                        _ => {}
                    }
                    after_joint = (punct.spacing() == Spacing::Joint).then_some(c);
                    let attribute = c == '#'
                        && self.at_line_start
                        && matches!(tokens.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
                    self.token(format_args!("{c}"));
                    self.space = punct.spacing() == Spacing::Alone;
                    if attribute {
                        // `#[…]` on a line of its own.
                        if let Some(TokenTree::Group(group)) = tokens.next() {
                            self.space = false;
                            self.enclosed("[", group.stream(), "]");
                        }
                        self.newline();
                    } else if c == ';' || c == ',' && in_braces && angles == 0 {
                        self.newline();
                    }
                }
                TokenTree::Ident(ident) => {
                    self.token(format_args!("{ident}"));
                    self.after_name = true;
                }
                TokenTree::Literal(literal) => self.token(format_args!("{literal}")),
            }
        }
    }

    fn enclosed(&mut self, open: &str, inner: TokenStream, close: &str) {
        self.token(format_args!("{open}"));
        self.space = false;
        self.stream(inner, false);
        self.space = false;
        self.token(format_args!("{close}"));
    }

    fn token(&mut self, text: std::fmt::Arguments<'_>) {
        if self.at_line_start {
            for _ in 0..self.depth {
                self.text.push_str("    ");
            }
            self.at_line_start = false;
        } else if self.space {
            self.text.push(' ');
        }
        let _ = self.text.write_fmt(text);
        self.space = true;
        self.after_name = false;
    }

    fn newline(&mut self) {
        if !self.at_line_start {
            self.text.push('\n');
            self.at_line_start = true;
        }
        self.space = false;
    }
}

/// Whether the token after a `}` continues its line: `},` `};` `})` `}.` `}?` `} else` `} =`.
fn continues_after_block(next: Option<&TokenTree>) -> bool {
    match next {
        Some(TokenTree::Punct(p)) => matches!(p.as_char(), ',' | ';' | '.' | '?' | '='),
        Some(TokenTree::Ident(i)) => i == "else",
        _ => false,
    }
}
