//! `Finish`: a future that hands its inner future's output to a function, in place.
//!
//! `futures::FutureExt::map` moves the whole inner future out of its state when that future
//! completes (to take the function), which for a call — whose future holds the request, the
//! response and the builder's fields — is a copy of a few kilobytes on every call. Here the inner
//! future stays where it is until the outer one is dropped, and only the function is taken.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project_lite::pin_project! {
    /// `future`, then `finish` applied to its output.
    pub struct Finish<Fut, F> {
        #[pin]
        future: Fut,
        finish: Option<F>,
    }
}

/// `future`, then `finish` applied to its output (see the module docs for why not `map`).
pub fn finish<Fut, F, T>(future: Fut, finish: F) -> Finish<Fut, F>
where
    Fut: Future,
    F: FnOnce(Fut::Output) -> T,
{
    Finish {
        future,
        finish: Some(finish),
    }
}

impl<Fut, F, T> Future for Finish<Fut, F>
where
    Fut: Future,
    F: FnOnce(Fut::Output) -> T,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.project();
        let output = ready!(this.future.poll(cx));
        let finish = this
            .finish
            .take()
            .expect("a Finish future is not polled after it completed");
        Poll::Ready(finish(output))
    }
}

/// The `data` of a sent call's answer, taken by `take`; an answer without it is
/// [`Error::NoData`](crate::Error::NoData) naming `operation`, with the response's log id.
pub fn data<E, D>(
    sent: Result<progenitor_client::ResponseValue<E>, crate::Error>,
    operation: &'static str,
    take: impl FnOnce(E) -> Option<D>,
) -> Result<D, crate::Error> {
    let sent = sent?;
    let log_id = crate::error::convert::log_id(sent.headers(), None);
    take(sent.into_inner()).ok_or(crate::Error::NoData { operation, log_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_output_goes_through_the_function() {
        assert_eq!(finish(async { 20 }, |n| n + 1).await, 21);
    }
}
