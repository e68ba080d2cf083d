//! The layout build.rs gives generated code (`codegen/src/layout.rs`) changes whitespace only: read
//! back as tokens, the laid-out text is the very token stream it was made from.

use std::path::PathBuf;
use std::str::FromStr;

use proc_macro2::TokenStream;

use feishu_openapi_codegen as codegen;

use codegen::layout::layout;

/// Lays `tokens` out and checks that lexing the result gives the same tokens back.
fn same_tokens(tokens: &TokenStream) -> String {
    let text = tokens.to_string();
    let laid_out = layout(tokens.clone());
    let back = TokenStream::from_str(&laid_out)
        .unwrap_or_else(|e| panic!("the layout does not lex: {e}\n{laid_out}"));
    assert_eq!(
        back.to_string(),
        text,
        "the layout changed tokens:\n{laid_out}"
    );
    laid_out
}

#[test]
fn literals_are_copied_as_they_are() {
    let tokens = TokenStream::from_str(
        r####"
        #[doc = r" a raw doc { with ; braces }"]
        pub struct S<'a> { pub a: &'a str, pub b: char }
        fn f() -> u8 {
            let s = "a {string}; with \" quotes, and \\ escapes";
            let r = r#"raw "quoted" {;}"#;
            let c = ['{', '}', ';', '\'', '\\', '\u{7b}'];
            let b = b"bytes {;}";
            let br = br##"raw bytes "#{ ;"##;
            let bc = b'{';
            let r#type = 1;
            match r#type { 1 => { 2 } _ => 3 }
        }
        "####,
    )
    .unwrap();
    let laid_out = same_tokens(&tokens);
    for literal in [
        r#"r" a raw doc { with ; braces }""#,
        r#""a {string}; with \" quotes, and \\ escapes""#,
        r##"r#"raw "quoted" {;}"#"##,
        r#"b"bytes {;}""#,
        r###"br##"raw bytes "#{ ;"##"###,
        "'\\''",
        "b'{'",
    ] {
        assert!(laid_out.contains(literal), "{literal} in:\n{laid_out}");
    }
}

#[test]
fn items_statements_and_fields_get_lines_of_their_own() {
    let tokens = TokenStream::from_str(
        "#[derive(Debug)] pub struct S { pub a: u8, pub b: u8 } impl S { fn f(&self) -> u8 { let x = self.a; x } }",
    )
    .unwrap();
    let laid_out = same_tokens(&tokens);
    let lines: Vec<&str> = laid_out.lines().collect();
    assert_eq!(lines[0], "#[derive(Debug)]", "{laid_out}");
    assert_eq!(lines[1], "pub struct S {");
    assert_eq!(lines[2], "    pub a : u8 ,");
    assert!(lines.contains(&"        let x = self . a ;"), "{laid_out}");
}

#[test]
fn the_generated_vc_client_survives_the_layout() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/vc.yaml");
    let generated = codegen::generate(
        &spec,
        codegen::Options {
            json_schema: true,
            events: false,
            spec_json: false,
        },
    )
    .expect("vc.yaml generates");
    let code = generated
        .source
        .split_once("\n\n")
        .map_or(generated.source.as_str(), |(_, code)| code);
    let tokens = TokenStream::from_str(code).expect("the generated code lexes");
    same_tokens(&tokens);
    syn::parse_file(code).expect("the generated code parses");
}
