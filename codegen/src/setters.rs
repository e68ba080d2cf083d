//! Each builder setter's conversion as one call of the core's `setter` functions.
//!
//! typify's struct builders and progenitor's operation builders write, in every setter,
//! `value.try_into()`, an `Option::Some` where the field is optional, and a `map_err` whose
//! closure formats the error message: a closure and a `format!` for the type checker and the
//! borrow checker in each of a service's setters (about a tenth of corehr's build). This pass
//! replaces that expression by a call of `crate::setter::{value, some, parameter,
//! some_parameter, body}` with the field's name (or the message), which do the same once for
//! every service: the setters keep their signatures, their fields the same values, and an error the
//! same message.

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use quote::quote;

use super::tokens::{ident, punct, regroup};
use super::trim::{head, module_at, split_items};

/// `tokens` (progenitor's output) with every setter's conversion (see the module's docs) a call
/// of the core's, and how many were rewritten. Only the builders' methods are walked: the
/// operations' (`mod builder`) and typify's (`mod types { mod builder }`).
pub fn shared(tokens: TokenStream) -> (TokenStream, usize) {
    let mut count = 0;
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    if let Some(at) = module_at(&top, "builder") {
        top[at] = builders(&top[at], &mut count);
    }
    if let Some(at) = module_at(&top, "types") {
        let TokenTree::Group(types) = &top[at] else {
            unreachable!("module_at finds a group");
        };
        let mut items: Vec<TokenTree> = types.stream().into_iter().collect();
        if let Some(inner) = module_at(&items, "builder") {
            items[inner] = builders(&items[inner], &mut count);
            top[at] = TokenTree::Group(regroup(types, items.into_iter().collect()));
        }
    }
    (top.into_iter().collect(), count)
}

/// A builders' module body (`module`) with the setters of its `impl` blocks rewritten.
fn builders(module: &TokenTree, count: &mut usize) -> TokenTree {
    let TokenTree::Group(module) = module else {
        return module.clone();
    };
    let mut out: Vec<TokenTree> = Vec::new();
    for mut item in split_items(module.stream()) {
        if matches!(head(&item), Some(("impl", _))) {
            if let Some(TokenTree::Group(body)) = item.pop() {
                let mut methods: Vec<TokenTree> = Vec::new();
                for mut method in split_items(body.stream()) {
                    if let Some(TokenTree::Group(statements)) = method.last_mut() {
                        if statements.delimiter() == Delimiter::Brace {
                            let rewritten = statements_of(statements.stream(), count);
                            *statements = regroup(statements, rewritten);
                        }
                    }
                    methods.extend(method);
                }
                item.push(TokenTree::Group(regroup(
                    &body,
                    methods.into_iter().collect(),
                )));
            }
        }
        out.extend(item);
    }
    TokenTree::Group(regroup(module, out.into_iter().collect()))
}

/// A method's statements with each conversion at their level rewritten.
fn statements_of(tokens: TokenStream, count: &mut usize) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some((call, used)) = conversion(&trees[i..]) {
            out.extend(call);
            *count += 1;
            i += used;
            continue;
        }
        out.push(trees[i].clone());
        i += 1;
    }
    out.into_iter().collect()
}

/// At the start of `trees`, `value.try_into()[.map(Some)].map_err(|…| message)`: the core's call
/// that does the same, and how many trees it replaces.
fn conversion(trees: &[TokenTree]) -> Option<(TokenStream, usize)> {
    let [value, dot, try_into, empty, rest @ ..] = trees else {
        return None;
    };
    let empty_call = matches!(empty, TokenTree::Group(g)
        if g.delimiter() == Delimiter::Parenthesis && g.stream().is_empty());
    if !(ident(value, "value") && punct(dot, '.') && ident(try_into, "try_into") && empty_call) {
        return None;
    }
    let mut body = false;
    let (optional, rest, used) = match rest {
        [dot, map, TokenTree::Group(some), rest @ ..]
            if punct(dot, '.') && ident(map, "map") && is_some(&some.stream().to_string()) =>
        {
            (true, rest, 7)
        }
        [dot, map, TokenTree::Group(from), rest @ ..]
            if punct(dot, '.')
                && ident(map, "map")
                && from.stream().to_string() == "From :: from" =>
        {
            body = true;
            (false, rest, 7)
        }
        _ => (false, rest, 4),
    };
    let [dot, map_err, TokenTree::Group(closure), ..] = rest else {
        return None;
    };
    if !(punct(dot, '.') && ident(map_err, "map_err")) {
        return None;
    }
    let closure = closure.stream().to_string();
    let call = if body {
        let message = Literal::string(body_message(&closure)?);
        quote!(crate::setter::body(value, #message))
    } else if let Some(field) = typify_field(&closure) {
        let field = Literal::string(field);
        if optional {
            quote!(crate::setter::some(value, #field))
        } else {
            quote!(crate::setter::value(value, #field))
        }
    } else if let Some(message) = progenitor_message(&closure) {
        let message = Literal::string(message);
        if optional {
            quote!(crate::setter::some_parameter(value, #message))
        } else {
            quote!(crate::setter::parameter(value, #message))
        }
    } else {
        return None;
    };
    Some((call, used + 3))
}

fn is_some(path: &str) -> bool {
    matches!(path, "Some" | ":: std :: option :: Option :: Some")
}

/// typify's `|e| format!("error converting supplied value for <field>: {e}")`: the field.
fn typify_field(closure: &str) -> Option<&str> {
    let inner = closure
        .strip_prefix("| e | format ! (\"error converting supplied value for ")?
        .strip_suffix(": {e}\")")?;
    plain(inner)
}

/// progenitor's `|_| "conversion to `<type>` for <name> failed".to_string()`: the message.
fn progenitor_message(closure: &str) -> Option<&str> {
    conversion_message(closure, "| _ | \"", "\" . to_string ()")
}

/// progenitor's `|s| format!("conversion to `<type>` for body failed: {}", s)`: the message
/// before the error.
fn body_message(closure: &str) -> Option<&str> {
    conversion_message(closure, "| s | format ! (\"", ": {}\" , s)")
}

/// The `conversion to …` message of `closure` between `before` and `after`.
fn conversion_message<'a>(closure: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let inner = closure.strip_prefix(before)?.strip_suffix(after)?;
    inner.starts_with("conversion to ").then_some(())?;
    plain(inner)
}

/// `text` when it needs no escaping inside a string literal.
fn plain(text: &str) -> Option<&str> {
    (!text.contains(['"', '\\'])).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_text(tokens: TokenStream) -> (String, usize) {
        let (out, count) = shared(tokens);
        (out.to_string(), count)
    }

    #[test]
    fn typify_setters_call_the_cores_conversion_with_their_field() {
        let (out, count) = shared_text(quote! {
            pub mod types { pub mod builder { impl TryFrom<Body> for super::Body {
                type Error = super::error::ConversionError;
                fn try_from(value: Body) -> Result<Self, super::error::ConversionError> { todo!() }
            }
            impl Body {
                pub fn name<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<String>, T::Error: ::std::fmt::Display {
                    self.name = value.try_into().map_err(|e| format!("error converting supplied value for name: {e}"));
                    self
                }
                pub fn ids<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<Vec<String>>, T::Error: ::std::fmt::Display {
                    self.ids = value.try_into().map(::std::option::Option::Some).map_err(|e| format!("error converting supplied value for ids: {e}"));
                    self
                }
            } } }
        });
        assert_eq!(count, 2);
        assert!(
            out.contains("self . name = crate :: setter :: value (value , \"name\") ;"),
            "{out}"
        );
        assert!(
            out.contains("self . ids = crate :: setter :: some (value , \"ids\") ;"),
            "{out}"
        );
        assert!(!out.contains("format !"), "{out}");
        // The other items of the builders' `impl` blocks are kept whole.
        assert!(
            out.contains("type Error = super :: error :: ConversionError ; fn try_from"),
            "{out}"
        );
    }

    #[test]
    fn operation_setters_call_the_cores_conversion_with_their_message() {
        let (out, count) = shared_text(quote! {
            pub mod builder { impl<'a> RoomList<'a> {
            pub fn page_size<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> {
                self.page_size = value.try_into().map(Some).map_err(|_| "conversion to `i64` for page_size failed".to_string());
                self
            }
            pub fn room_id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<String> {
                self.room_id = value.try_into().map_err(|_| "conversion to `String` for room_id failed".to_string());
                self
            }
            } }
        });
        assert_eq!(count, 2);
        assert!(out.contains(
            "crate :: setter :: some_parameter (value , \"conversion to `i64` for page_size failed\")"
        ), "{out}");
        assert!(out.contains(
            "crate :: setter :: parameter (value , \"conversion to `String` for room_id failed\")"
        ), "{out}");
    }

    #[test]
    fn an_operations_body_setter_calls_the_cores_conversion_with_its_message() {
        let (out, count) = shared_text(quote! {
            pub mod builder { impl<'a> ChatCreate<'a> { pub fn body<V>(mut self, value: V) -> Self {
                self.body = value.try_into().map(From::from).map_err(|s| format!("conversion to `Body` for body failed: {}", s));
                self
            } } }
        });
        assert_eq!(count, 1);
        assert!(
            out.contains("self . body = crate :: setter :: body (value , \"conversion to `Body` for body failed\") ;"),
            "{out}"
        );
    }

    #[test]
    fn other_conversions_are_left_as_they_are() {
        let input = quote! {
            pub mod builder { impl<'a> ChatCreate<'a> { pub fn body<V>(mut self, value: V) -> Self {
                self.body = value.try_into().map(|v| Some(v)).map_err(|s| format!("{}", s));
                self
            } } }
        };
        let (out, count) = shared_text(input.clone());
        assert_eq!(count, 0);
        assert_eq!(out, input.to_string());
    }
}
