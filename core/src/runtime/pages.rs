//! The pages of a paginated operation (`x-feishu-pagination` in its spec) as a stream: one
//! implementation behind the generated `pages()` and `items()` of every such operation.

use std::collections::HashSet;
use std::future::Future;

use futures::{Stream, StreamExt};

use crate::Error;

/// The most pages one `pages()` stream requests; past it the stream ends with
/// [`Error::Pagination`]. (A guard against a server that never says `has_more: false`.)
pub const MAX_PAGES: usize = 10_000;

/// Where the stream is.
enum Next {
    /// The first page: the request as given.
    First,
    /// The page of this `page_token`.
    Token(String),
    /// This error, then the end.
    Fail(Error),
    /// Nothing more.
    Done,
}

struct State<B, W, S, M> {
    request: B,
    with_token: W,
    send: S,
    more: M,
    next: Next,
    seen: HashSet<String>,
    pages: usize,
}

/// Pages of `request`: the first as given, each next one with the previous answer's
/// `page_token` set by `with_token`, sent by `send`. `more` reads an answer's `has_more` and
/// `page_token`; the stream ends after an answer with `has_more` false or without a token
/// (absent or empty — an empty token would ask for the first page again), or after an error. A
/// token seen before, or more than [`MAX_PAGES`] pages, is [`Error::Pagination`].
pub fn pages<'a, B, D, Fut>(
    request: B,
    with_token: impl Fn(B, String) -> B + Send + 'a,
    send: impl Fn(B) -> Fut + Send + 'a,
    more: impl Fn(&D) -> (bool, Option<&str>) + Send + 'a,
) -> impl Stream<Item = Result<D, Error>> + Send + 'a
where
    B: Clone + Send + 'a,
    D: Send + 'a,
    Fut: Future<Output = Result<D, Error>> + Send + 'a,
{
    let state = State {
        request,
        with_token,
        send,
        more,
        next: Next::First,
        seen: HashSet::new(),
        pages: 0,
    };
    futures::stream::unfold(state, |mut state| async move {
        let request = match std::mem::replace(&mut state.next, Next::Done) {
            Next::Done => return None,
            Next::Fail(error) => return Some((Err(error), state)),
            _ if state.pages >= MAX_PAGES => {
                let error = Error::Pagination(format!(
                    "stopped after {MAX_PAGES} pages (MAX_PAGES): the server kept saying has_more"
                ));
                return Some((Err(error), state));
            }
            Next::First => state.request.clone(),
            Next::Token(token) => (state.with_token)(state.request.clone(), token),
        };
        state.pages += 1;
        let page = match (state.send)(request).await {
            Ok(page) => page,
            Err(error) => return Some((Err(error), state)),
        };
        let (has_more, token) = (state.more)(&page);
        state.next = match token.filter(|t| has_more && !t.is_empty()) {
            None => Next::Done,
            Some(token) if state.seen.contains(token) => Next::Fail(Error::Pagination(format!(
                "the answer to page {} gave the page_token {token:?} of an earlier page: the pages would repeat forever",
                state.pages
            ))),
            Some(token) => {
                state.seen.insert(token.to_string());
                Next::Token(token.to_string())
            }
        };
        Some((Ok(page), state))
    })
}

/// The items of every page of `pages`, taken out of each page by `items`.
pub fn items<'a, D, T>(
    pages: impl Stream<Item = Result<D, Error>> + Send + 'a,
    items: impl Fn(D) -> Vec<T> + Send + 'a,
) -> impl Stream<Item = Result<T, Error>> + Send + 'a
where
    D: Send + 'a,
    T: Send + 'a,
{
    pages.flat_map(move |page| {
        futures::stream::iter(match page {
            Ok(page) => items(page).into_iter().map(Ok).collect::<Vec<_>>(),
            Err(error) => vec![Err(error)],
        })
    })
}
