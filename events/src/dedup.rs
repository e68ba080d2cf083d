//! De-duplication of re-pushed events by `event_id` (schema 2.0) or `uuid` (schema 1.0).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A boxed, sendable future, as the [`DedupStore`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the ids of events already taken are remembered.
///
/// The default is [`MemoryDedup`]; implement this for a store shared by several processes
/// (the platform pushes each event to one of an app's connections, and re-pushes anywhere).
///
/// ```
/// use feishu_openapi_events::dedup::{BoxFuture, DedupStore};
///
/// /// Remembers nothing: every event is handled, re-pushes included.
/// struct NoDedup;
///
/// impl DedupStore for NoDedup {
///     fn first_sight<'a>(&'a self, _event_id: &'a str) -> BoxFuture<'a, bool> {
///         Box::pin(async { true })
///     }
///     fn forget<'a>(&'a self, _event_id: &'a str) -> BoxFuture<'a, ()> {
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait DedupStore: Send + Sync + 'static {
    /// Records `event_id`; `true` when it was not seen before (the event is to be handled).
    fn first_sight<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, bool>;
    /// Forgets `event_id`, so that a re-push is handled again (after a handler failed).
    fn forget<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, ()>;
}

/// The default [`DedupStore`]: in memory, at most `capacity` ids, each kept for `ttl`.
#[derive(Debug)]
pub struct MemoryDedup {
    capacity: usize,
    ttl: Duration,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    at: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl MemoryDedup {
    /// Ids longer than this are not remembered (such events are always handled).
    pub const MAX_ID_BYTES: usize = 256;
    /// The default capacity: 10,000 ids.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// The default time an id is kept: 12 hours (the platform re-pushes for hours).
    pub const DEFAULT_TTL: Duration = Duration::from_secs(12 * 3600);

    /// A store of at most `capacity` ids (at least 1), each kept for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            capacity: capacity.max(1),
            ttl,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.lock().at.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record(&self, id: &str) -> bool {
        if id.len() > Self::MAX_ID_BYTES {
            return true;
        }
        let now = Instant::now();
        let mut seen = self.lock();
        let Seen { at, order } = &mut *seen;
        while let Some((t, _)) = order.front() {
            if now.duration_since(*t) < self.ttl {
                break;
            }
            let (t, old) = order.pop_front().expect("front exists");
            if at.get(&old) == Some(&t) {
                at.remove(&old);
            }
        }
        if at.contains_key(id) {
            return false;
        }
        at.insert(id.to_string(), now);
        order.push_back((now, id.to_string()));
        while order.len() > self.capacity {
            let (t, old) = order.pop_front().expect("longer than capacity");
            if at.get(&old) == Some(&t) {
                at.remove(&old);
            }
        }
        true
    }
}

impl Default for MemoryDedup {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY, Self::DEFAULT_TTL)
    }
}

impl DedupStore for MemoryDedup {
    fn first_sight<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, bool> {
        let first = self.record(event_id);
        Box::pin(async move { first })
    }

    fn forget<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, ()> {
        self.lock().at.remove(event_id);
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bounded_in_count_and_time() {
        let store = MemoryDedup::new(3, Duration::from_secs(60));
        assert!(store.first_sight("a").await);
        assert!(!store.first_sight("a").await);
        for id in ["b", "c", "d"] {
            assert!(store.first_sight(id).await);
        }
        assert_eq!(store.len(), 3);
        assert!(store.first_sight("a").await, "the oldest was evicted");
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(store.first_sight("d").await, "expired");
        assert_eq!(store.len(), 1);
        store.forget("d").await;
        assert!(store.first_sight("d").await);
        for i in 0..10_000 {
            store.first_sight(&format!("flood-{i}")).await;
        }
        assert!(store.len() <= 3 && store.lock().order.len() <= 3);
    }
}
