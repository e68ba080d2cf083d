//! The hook for hand-written parts of the fake: operations whose answers depend on what came
//! before (a service's long-running tasks and their files), which a spec cannot describe.
//!
//! A plug-in lives with its service (`vc_export/` for VC's exports), is compiled only with that
//! service's cargo feature, and is registered in [`enabled`]. The generic fake finds every
//! request's operation from the specs and checks its bearer token against the operation's token
//! kinds before a plug-in sees it; a plug-in is asked by operationId, never by path, and an
//! operation no plug-in takes is answered from its spec (`generic`).

use std::any::Any;
use std::fmt;

use super::reply::Reply;
use super::state::{Core, RecordedRequest};

/// A hand-written part of the fake, with state of its own.
pub(super) trait Plugin: Any + Send + fmt::Debug {
    /// The answer to a request for `operation_id` (its token already accepted), or `None` to
    /// leave it to the answer from the spec.
    fn answer(
        &mut self,
        core: &mut Core,
        operation_id: &str,
        request: &RecordedRequest,
    ) -> Option<Reply>;

    /// A copy, for a cloned [`FakeFeishuBuilder`](super::FakeFeishuBuilder).
    fn clone_box(&self) -> Box<dyn Plugin>;
}

impl Clone for Box<dyn Plugin> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// The plug-ins of the enabled services, fresh: the one place that names them.
#[allow(
    clippy::vec_init_then_push,
    reason = "one push per enabled service with a plug-in, each under its feature"
)]
pub(super) fn enabled() -> Vec<Box<dyn Plugin>> {
    #[allow(
        unused_mut,
        reason = "no push when no service with a plug-in is enabled"
    )]
    let mut plugins: Vec<Box<dyn Plugin>> = Vec::new();
    #[cfg(feature = "vc")]
    plugins.push(Box::new(super::vc_export::Exports::default()));
    plugins
}

/// The plug-in of type `P` among `plugins`.
#[allow(dead_code, reason = "for plug-ins, and a build may enable none")]
pub(super) fn find_mut<P: Plugin>(plugins: &mut [Box<dyn Plugin>]) -> Option<&mut P> {
    plugins
        .iter_mut()
        .find_map(|p| (p.as_mut() as &mut dyn Any).downcast_mut::<P>())
}
