//! The pages of a paginated operation (`x-feishu-pagination` in its spec) as a stream: one
//! implementation behind the generated `pages()` and `items()` of every such operation, which
//! return the named streams [`Pages`] and [`Items`]. A paginated builder says how it pages
//! ([`Paged`], [`PagedItems`], generated from its spec); the stream is compiled where it is
//! polled.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};

use super::{Calling, WithData};
use crate::Error;

/// How an operation builder pages: generated for each paginated operation. Not part of the API.
pub trait Paged<'a>: Clone + Send + Unpin + Sized + 'a {
    /// One page: the answer's `data`.
    type Page: Send + 'a;
    /// The same request for the page of `token`.
    fn with_token(self, token: String) -> Self;
    /// A page's `has_more` and its token for the next page.
    fn more(page: &Self::Page) -> (bool, Option<&str>);
    /// The operation's answer, whose `data` is a page.
    type Answer: WithData<Data = Self::Page> + Send + 'a;
    /// The request's call (the builder's `call()`): a named future, one type for every
    /// operation's answer, where an `impl Future` was a hidden type rustc inferred for each.
    fn fetch(self) -> Calling<'a, Self::Answer>;
}

/// How a paginated operation's pages hold their items: generated for each operation whose
/// pagination names its list (`items`). Not part of the API.
pub trait PagedItems<'a>: Paged<'a> {
    /// One item.
    type Item: Send + 'a;
    /// The items of one page.
    fn items(page: Self::Page) -> Vec<Self::Item>;
}

type Boxed<'a, T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

/// Where a named stream is: its builder until the first poll, then the stream.
enum Lazy<'a, B, T> {
    Ready(B),
    Running(Boxed<'a, T>),
    Done,
}

impl<'a, B, T> Lazy<'a, B, T> {
    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        start: impl FnOnce(B) -> Boxed<'a, T>,
    ) -> Poll<Option<Result<T, Error>>> {
        if let Lazy::Ready(_) = self {
            if let Lazy::Ready(builder) = std::mem::replace(self, Lazy::Done) {
                *self = Lazy::Running(start(builder));
            }
        }
        match self {
            Lazy::Running(stream) => stream.as_mut().poll_next(cx),
            _ => Poll::Ready(None),
        }
    }
}

/// The stream of an operation's `pages()`: every page of the answer, one request each,
/// following the page token; it ends after a page whose `has_more` is false or whose token is
/// absent or empty, and a token that comes back twice, or more than [`MAX_PAGES`] pages, ends
/// it with an error. Nothing is sent until it is polled.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<'a, B: Paged<'a>>(Lazy<'a, B, B::Page>);

/// The stream of an operation's `items()`: every item of every page (see [`Pages`]). Nothing
/// is sent until it is polled.
#[must_use = "streams do nothing unless polled"]
pub struct Items<'a, B: PagedItems<'a>>(Lazy<'a, B, B::Item>);

impl<'a, B: Paged<'a>> Pages<'a, B> {
    /// The pages of `builder`'s request.
    pub fn new(builder: B) -> Self {
        Self(Lazy::Ready(builder))
    }
}

impl<'a, B: PagedItems<'a>> Items<'a, B> {
    /// The items of the pages of `builder`'s request.
    pub fn new(builder: B) -> Self {
        Self(Lazy::Ready(builder))
    }
}

/// [`Pages::new`] and [`Items::new`] as free functions, which the generated `pages()` and
/// `items()` call (see `super::sending`).
pub fn pages_of<'a, B: Paged<'a>>(builder: B) -> Pages<'a, B> {
    Pages::new(builder)
}

/// See [`pages_of`].
pub fn items_of<'a, B: PagedItems<'a>>(builder: B) -> Items<'a, B> {
    Items::new(builder)
}

impl<'a, B: Paged<'a>> Stream for Pages<'a, B> {
    type Item = Result<B::Page, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().0.poll_next(cx, |builder| {
            Box::pin(pages(builder, B::with_token, B::fetch, B::more))
        })
    }
}

impl<'a, B: PagedItems<'a>> Stream for Items<'a, B> {
    type Item = Result<B::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .0
            .poll_next(cx, |builder| Box::pin(items(Pages::new(builder), B::items)))
    }
}

impl<'a, B: Paged<'a>> std::fmt::Debug for Pages<'a, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}

impl<'a, B: PagedItems<'a>> std::fmt::Debug for Items<'a, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Items")
    }
}

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
fn pages<'a, B, D, Fut>(
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
fn items<'a, D, T>(
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
