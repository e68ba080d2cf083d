//! Access tokens from app credentials: a cache (pluggable), and one [`Slot`] per token — a
//! self-built app's tenant token, a marketplace app's app token and its tenant token of each
//! tenant — refreshed in one flight.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::{FutureExt, Shared};

use crate::{Error, SecretString};

/// A cached token is refreshed this long before it expires, unless configured otherwise
/// (Feishu's Go, Java and Node SDKs use the same 3 minutes).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// A boxed future, as returned by [`TokenCache`] methods.
pub type CacheFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token (a tenant's, or a marketplace app's app access token) and when it expires.
#[derive(Clone, Debug)]
pub struct CachedToken {
    /// The token (`t-…`).
    pub token: SecretString,
    /// When Feishu stops accepting it (wall-clock time, so that processes can share it).
    pub expires_at: SystemTime,
}

/// Where access tokens are kept between calls. In memory by default ([`InMemoryTokenCache`]);
/// implement it to share tokens between processes (e.g. in Redis).
///
/// Keys: a self-built app's tenant access token is stored under its app id (`cli_…`); a
/// marketplace app's tokens under `app_access_token:<app id>` and, one per tenant,
/// `tenant_access_token:<app id>:<tenant key>`. The runtime guarantees one fetch at a time per
/// key and process; a shared cache only needs to store and return what it is given.
pub trait TokenCache: Send + Sync + fmt::Debug {
    /// The token stored under `key`, if any (expired or not: the runtime checks).
    fn get<'a>(&'a self, key: &'a str) -> CacheFuture<'a, Option<CachedToken>>;
    /// Stores `token` under `key`.
    fn put<'a>(&'a self, key: &'a str, token: CachedToken) -> CacheFuture<'a, ()>;
    /// Removes the token under `key` if it is still `token` (Feishu called it invalid).
    fn evict<'a>(&'a self, key: &'a str, token: &'a SecretString) -> CacheFuture<'a, ()>;
}

/// The default [`TokenCache`]: a map in this process's memory.
#[derive(Debug, Default)]
pub struct InMemoryTokenCache {
    tokens: Mutex<std::collections::HashMap<String, CachedToken>>,
}

impl TokenCache for InMemoryTokenCache {
    fn get<'a>(&'a self, key: &'a str) -> CacheFuture<'a, Option<CachedToken>> {
        let token = self.tokens.lock().ok().and_then(|m| m.get(key).cloned());
        Box::pin(std::future::ready(token))
    }

    fn put<'a>(&'a self, key: &'a str, token: CachedToken) -> CacheFuture<'a, ()> {
        if let Ok(mut map) = self.tokens.lock() {
            map.insert(key.to_string(), token);
        }
        Box::pin(std::future::ready(()))
    }

    fn evict<'a>(&'a self, key: &'a str, token: &'a SecretString) -> CacheFuture<'a, ()> {
        if let Ok(mut map) = self.tokens.lock() {
            if map.get(key).is_some_and(|t| &t.token == token) {
                map.remove(key);
            }
        }
        Box::pin(std::future::ready(()))
    }
}

/// A token ready to send: the secret, its `Authorization` header, when to stop using it.
#[derive(Debug)]
pub(crate) struct ReadyToken {
    pub(crate) secret: SecretString,
    pub(crate) header: http::HeaderValue,
    refresh_at: SystemTime,
}

impl ReadyToken {
    fn new(cached: CachedToken, margin: Duration) -> Result<Arc<Self>, Error> {
        let header = crate::AccessToken::Tenant(cached.token.clone()).header_value()?;
        let refresh_at = cached
            .expires_at
            .checked_sub(margin)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Ok(Arc::new(Self {
            secret: cached.token,
            header,
            refresh_at,
        }))
    }

    fn is_fresh(&self) -> bool {
        SystemTime::now() < self.refresh_at
    }
}

/// The result of one fetch, shared by every caller waiting for it.
pub(crate) type Fetched = Result<CachedToken, Arc<Error>>;

/// A fetch of one token, boxed (which also breaks the type cycle call → token fetch → generated
/// `send` → call).
pub(crate) type Fetch = Pin<Box<dyn Future<Output = Fetched> + Send>>;

type Flight = Shared<Fetch>;

/// One token under one cache key: from the cache while fresh, else fetched — one fetch at a
/// time, its result (token or error) shared by every caller waiting for it; errors not cached.
pub(crate) struct Slot {
    key: String,
    flight: Mutex<Option<Flight>>,
    /// The last token this process used, ready to send: the hot path takes no trip to the cache.
    ready: Mutex<Option<Arc<ReadyToken>>>,
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Slot {
    pub(crate) fn new(key: String) -> Self {
        Self {
            key,
            flight: Mutex::new(None),
            ready: Mutex::new(None),
        }
    }

    /// The token this process used last, if it is still fresh: the hot path, no await.
    pub(crate) fn ready(&self) -> Option<Arc<ReadyToken>> {
        let ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready.as_ref().filter(|r| r.is_fresh()).cloned()
    }

    /// A fresh token: the ready one, else from the cache, else from `fetch` (one flight, whose
    /// token is stored in the cache).
    pub(crate) async fn token(
        &self,
        cache: &Arc<dyn TokenCache>,
        margin: Duration,
        fetch: impl FnOnce() -> Fetch,
    ) -> Result<Arc<ReadyToken>, Arc<Error>> {
        if let Some(ready) = self.ready() {
            return Ok(ready);
        }
        if let Some(cached) = cache.get(&self.key).await {
            if SystemTime::now() + margin < cached.expires_at {
                return self.make_ready(cached, margin);
            }
        }
        let flight = {
            let mut slot = self.flight.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(flight) => flight.clone(),
                None => {
                    let (cache, key, fetch) = (cache.clone(), self.key.clone(), fetch());
                    let stored: Fetch = Box::pin(async move {
                        let token = fetch.await?;
                        cache.put(&key, token.clone()).await;
                        Ok(token)
                    });
                    let flight = stored.shared();
                    *slot = Some(flight.clone());
                    flight
                }
            }
        };
        let result = flight.clone().await;
        {
            let mut slot = self.flight.lock().unwrap_or_else(|p| p.into_inner());
            if slot.as_ref().is_some_and(|f| f.ptr_eq(&flight)) {
                *slot = None;
            }
        }
        self.make_ready(result?, margin)
    }

    fn make_ready(
        &self,
        cached: CachedToken,
        margin: Duration,
    ) -> Result<Arc<ReadyToken>, Arc<Error>> {
        let ready = ReadyToken::new(cached, margin).map_err(Arc::new)?;
        *self.ready.lock().unwrap_or_else(|p| p.into_inner()) = Some(ready.clone());
        Ok(ready)
    }

    /// Forgets `token` (Feishu called it invalid), here and in the cache.
    pub(crate) async fn evict(&self, cache: &dyn TokenCache, token: &SecretString) {
        {
            let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
            if ready.as_ref().is_some_and(|r| &r.secret == token) {
                *ready = None;
            }
        }
        cache.evict(&self.key, token).await;
    }
}
