//! Tenant access tokens from app credentials: a cache (pluggable), refreshed in one flight.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::{FutureExt, Shared};

use super::Runtime;
use crate::secret::AppCredentials;
use crate::{Error, SecretString};

/// A cached token is refreshed this long before it expires, unless configured otherwise
/// (Feishu's Go, Java and Node SDKs use the same 3 minutes).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// A boxed future, as returned by [`TokenCache`] methods.
pub type CacheFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A tenant access token and when it expires.
#[derive(Clone, Debug)]
pub struct CachedToken {
    /// The token (`t-…`).
    pub token: SecretString,
    /// When Feishu stops accepting it (wall-clock time, so that processes can share it).
    pub expires_at: SystemTime,
}

/// Where tenant access tokens are kept between calls. In memory by default
/// ([`InMemoryTokenCache`]); implement it to share tokens between processes (e.g. in Redis).
///
/// Keys are the app id. The runtime guarantees one fetch at a time per process; a shared cache
/// only needs to store and return what it is given.
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

type Flight = Shared<Pin<Box<dyn Future<Output = Result<CachedToken, Arc<Error>>> + Send>>>;

/// Gets tenant tokens for one app: from the cache while fresh, else from Feishu — one fetch at a
/// time, its result (token or error) shared by every caller waiting for it; errors not cached.
pub(crate) struct TokenManager {
    credentials: AppCredentials,
    cache: Arc<dyn TokenCache>,
    margin: Duration,
    flight: Mutex<Option<Flight>>,
    /// The last token this process used, ready to send: the hot path takes no trip to the cache.
    ready: Mutex<Option<Arc<ReadyToken>>>,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("app_id", &self.credentials.app_id)
            .field("cache", &self.cache)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    pub(crate) fn new(
        credentials: AppCredentials,
        cache: Arc<dyn TokenCache>,
        margin: Duration,
    ) -> Self {
        Self {
            credentials,
            cache,
            margin,
            flight: Mutex::new(None),
            ready: Mutex::new(None),
        }
    }

    /// The token this process used last, if it is still fresh: the hot path, no await.
    pub(crate) fn ready(&self) -> Option<Arc<ReadyToken>> {
        let ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready.as_ref().filter(|r| r.is_fresh()).cloned()
    }

    /// A fresh token: the ready one, else from the cache, else fetched (one flight).
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        shared: &super::Shared,
    ) -> Result<Arc<ReadyToken>, Error> {
        if let Some(ready) = self.ready() {
            return Ok(ready);
        }
        let key = &self.credentials.app_id;
        if let Some(cached) = self.cache.get(key).await {
            if SystemTime::now() + self.margin < cached.expires_at {
                return self.make_ready(cached);
            }
        }
        let flight = {
            let mut slot = self.flight.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(flight) => flight.clone(),
                None => {
                    let flight = self.fetch(http, shared).shared();
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
        self.make_ready(result.map_err(Error::TokenFetch)?)
    }

    fn make_ready(&self, cached: CachedToken) -> Result<Arc<ReadyToken>, Error> {
        let ready = ReadyToken::new(cached, self.margin)?;
        *self.ready.lock().unwrap_or_else(|p| p.into_inner()) = Some(ready.clone());
        Ok(ready)
    }

    pub(crate) async fn evict(&self, token: &SecretString) {
        {
            let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
            if ready.as_ref().is_some_and(|r| &r.secret == token) {
                *ready = None;
            }
        }
        self.cache.evict(&self.credentials.app_id, token).await;
    }

    /// The fetch, through the generated auth client — boxed, which also breaks the type cycle
    /// call → token fetch → generated `send` → call.
    fn fetch(
        &self,
        http: &reqwest::Client,
        shared: &super::Shared,
    ) -> Pin<Box<dyn Future<Output = Result<CachedToken, Arc<Error>>> + Send>> {
        // The auth client gets a runtime of its own, without a token manager: the token endpoint
        // takes no token, and the manager must not own a handle to itself.
        let runtime = Runtime::new(
            super::Shared {
                base_url: shared.base_url.clone(),
                retry: shared.retry.clone(),
                max_response_bytes: shared.max_response_bytes,
                tokens: None,
            },
            None,
        );
        let auth = crate::auth::Client::new_with_client(&shared.base_url, http.clone(), runtime);
        let credentials = self.credentials.clone();
        let cache = self.cache.clone();
        Box::pin(async move {
            let body = crate::auth::types::TenantAccessTokenRequest {
                app_id: credentials.app_id.clone(),
                app_secret: credentials.app_secret.clone(),
            };
            let requested_at = SystemTime::now();
            let response = auth
                .tenant_access_token_internal()
                .body(body)
                .send()
                .await
                .map_err(Arc::new)?
                .into_inner();
            let lifetime = Duration::from_secs(u64::try_from(response.expire).unwrap_or(0));
            let token = CachedToken {
                token: response.tenant_access_token,
                expires_at: requested_at + lifetime,
            };
            cache.put(&credentials.app_id, token.clone()).await;
            tracing::debug!(app_id = %credentials.app_id, expire_secs = response.expire, "fetched a tenant_access_token");
            Ok(token)
        })
    }
}
