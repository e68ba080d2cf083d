//! [`Connection`]: one configured connection to Feishu or Lark, shared by every service client.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::runtime::{
    AppTicketStore, InMemoryAppTicketStore, InMemoryTokenCache, RetryPolicy, Runtime, Shared,
    TokenCache, TokenManager,
};
use crate::secret::AppCredentials;
use crate::{AccessToken, Error};

/// Default timeout for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout for one request, from sending it to the end of its response body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default limit of a response body read into memory: 32 MiB. Feishu's JSON answers, a page of
/// 500 records included, stay far below it; file downloads are streamed and not limited by it.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// Which Open Platform to call. Paths are the same on both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Brand {
    /// Feishu (飞书), `https://open.feishu.cn` — the default.
    #[default]
    Feishu,
    /// Lark, the international brand, `https://open.larksuite.com`.
    Lark,
}

impl Brand {
    /// The brand's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Brand::Feishu => "https://open.feishu.cn",
            Brand::Lark => "https://open.larksuite.com",
        }
    }
}

/// One configured connection to Feishu or Lark: base URL, identity (app credentials with a token
/// cache, or a token), retries and one connection pool, shared by every service client made from
/// it. Cheap to clone.
///
/// `feishu_openapi::FeishuClient` wraps it and adds one accessor per enabled service
/// (`feishu.vc()`); a `&FeishuClient` is accepted wherever a `&Connection` is asked for.
///
/// ```
/// use feishu_openapi_core::{AccessToken, Brand, Connection};
/// let connection: Connection = Connection::builder()
///     .brand(Brand::Lark)
///     .app_credentials("cli_a1b2c3", "app-secret")
///     .build()?;
/// assert_eq!(connection.base_url(), "https://open.larksuite.com");
/// // The same connection calling as a signed-in user (no new connection pool):
/// let _as_user = connection.with_access_token(AccessToken::user("u-…"));
/// # Ok::<(), feishu_openapi_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Connection {
    http: reqwest::Client,
    runtime: Runtime,
}

impl Connection {
    /// A builder; by default Feishu (`https://open.feishu.cn`) with no identity.
    pub fn builder() -> ClientBuilder<Connection> {
        ClientBuilder::new()
    }

    /// The base URL every request goes to.
    pub fn base_url(&self) -> &str {
        self.runtime.base_url()
    }

    /// The same connection calling as `token` (a user access token, or a tenant token you
    /// manage): it takes precedence over the token cache. Shares the connection pool and
    /// settings; cheap.
    pub fn with_access_token(&self, token: AccessToken) -> Self {
        Self {
            http: self.http.clone(),
            runtime: self.runtime.with_token(token),
        }
    }

    /// The same connection calling for the tenant `tenant_key`: a marketplace (store) app
    /// serves many tenants and picks one per call. Each tenant gets a tenant access token of its
    /// own, fetched once and cached. Shares the connection pool and settings; cheap.
    ///
    /// A marketplace app's call that takes a tenant token without a tenant picked fails before
    /// any I/O ([`Error::Config`]), as does a self-built app's with one (it has one tenant).
    ///
    /// ```
    /// use feishu_openapi_core::Connection;
    /// let connection: Connection = Connection::builder()
    ///     .marketplace_app("cli_a1b2c3", "app-secret")
    ///     .build()?;
    /// let _acme = connection.for_tenant("2ed263bf32cf1651");
    /// # Ok::<(), feishu_openapi_core::Error>(())
    /// ```
    pub fn for_tenant(&self, tenant_key: impl AsRef<str>) -> Self {
        Self {
            http: self.http.clone(),
            runtime: self.runtime.with_tenant(tenant_key.as_ref()),
        }
    }

    /// The tenant this connection calls for ([`for_tenant`](Self::for_tenant)), if one was
    /// picked.
    pub fn tenant_key(&self) -> Option<&str> {
        self.runtime.tenant()
    }

    /// A marketplace app's ticket store (see
    /// [`ClientBuilder::app_ticket_store`]): hand it to the events dispatcher
    /// (`Dispatcher::feed_app_tickets`) so that the `app_ticket` events reach it. `None` for a
    /// connection that is not a marketplace app's.
    pub fn app_ticket_store(&self) -> Option<Arc<dyn AppTicketStore>> {
        self.runtime.app_tickets().cloned()
    }

    /// The parts a generated service client is made of. Not part of the API.
    #[doc(hidden)]
    pub fn __parts(&self) -> (&str, reqwest::Client, Runtime) {
        (
            self.runtime.base_url(),
            self.http.clone(),
            self.runtime.clone(),
        )
    }
}

/// Builds a [`Connection`], or the client `C` made from it (`feishu_openapi::FeishuClient`).
pub struct ClientBuilder<C = Connection> {
    brand: Brand,
    base_url: Option<String>,
    token: Option<AccessToken>,
    credentials: Option<AppCredentials>,
    marketplace: bool,
    tickets: Option<Arc<dyn AppTicketStore>>,
    cache: Option<Arc<dyn TokenCache>>,
    refresh_margin: Option<Duration>,
    retry: RetryPolicy,
    allow_insecure_http: bool,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    max_response_bytes: Option<u64>,
    client: PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> ClientBuilder<C> {
    /// Feishu (`https://open.feishu.cn`) with no identity.
    pub fn new() -> Self {
        Self {
            brand: Brand::default(),
            base_url: None,
            token: None,
            credentials: None,
            marketplace: false,
            tickets: None,
            cache: None,
            refresh_margin: None,
            retry: RetryPolicy::default(),
            allow_insecure_http: false,
            connect_timeout: None,
            timeout: None,
            max_response_bytes: None,
            client: PhantomData,
        }
    }

    /// Feishu (default) or Lark.
    pub fn brand(mut self, brand: Brand) -> Self {
        self.brand = brand;
        self
    }

    /// A custom base URL (a private deployment, a test server), instead of the brand's.
    ///
    /// Plain `http://` is accepted only for a loopback host (127.0.0.1, localhost, ::1) unless
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set: tokens must not cross a network
    /// unencrypted.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A fixed access token to send (tenant or user). It takes precedence over app credentials.
    pub fn access_token(mut self, token: AccessToken) -> Self {
        self.token = Some(token);
        self
    }

    /// A self-built app's id (`cli_…`) and secret: the client fetches tenant access tokens with
    /// them, caches them, and refreshes them before they expire.
    pub fn app_credentials(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(AppCredentials::new(app_id, app_secret));
        self.marketplace = false;
        self
    }

    /// A marketplace (store, ISV) app's id (`cli_…`) and secret. Such an app serves many tenants:
    /// pick one per call with [`Connection::for_tenant`]. The client gets the app's app access
    /// token with the latest app_ticket (kept in the [ticket store](Self::app_ticket_store)),
    /// then one tenant access token per tenant; it caches them all and refreshes them before
    /// they expire.
    ///
    /// Feishu pushes the ticket as the `app_ticket` event: let the events dispatcher store it
    /// (`Dispatcher::feed_app_tickets` with [`Connection::app_ticket_store`]). Without a ticket a
    /// call asks Feishu to push one and fails with [`Error::AppTicketMissing`].
    pub fn marketplace_app(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(AppCredentials::new(app_id, app_secret));
        self.marketplace = true;
        self
    }

    /// Where a marketplace app's app_ticket is kept (default: [`InMemoryAppTicketStore`]).
    /// Implement [`AppTicketStore`] to share tickets between processes, e.g. when another
    /// process receives the events.
    pub fn app_ticket_store(mut self, store: Arc<dyn AppTicketStore>) -> Self {
        self.tickets = Some(store);
        self
    }

    /// Where access tokens are cached (default: [`InMemoryTokenCache`]). Share one cache between
    /// clients, or implement [`TokenCache`] to share tokens between processes.
    pub fn token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// How long before it expires a cached token is replaced
    /// (default [`DEFAULT_REFRESH_MARGIN`](crate::DEFAULT_REFRESH_MARGIN), 3 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = Some(margin);
        self
    }

    /// Retry bounds (default [`RetryPolicy::default`]: 3 attempts).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Accept a plain `http://` base URL on a non-loopback host.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Timeout for establishing a connection (default [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout for one request, response body included (default [`DEFAULT_TIMEOUT`], 60 s).
    ///
    /// A file download (an operation whose response is streamed, such as `export_download`) is
    /// not cut off after this long in all: for it, this is the longest wait for the response and
    /// between two reads of its body, and
    /// [`STREAMING_TOTAL_TIMEOUT`](crate::STREAMING_TOTAL_TIMEOUT) bounds the whole.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest response body the client reads into memory (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 32 MiB). A JSON answer above it — announced by its
    /// `Content-Length` or found while reading — is [`Error::TooLarge`], and is read no further,
    /// so a hostile or broken server cannot make the process grow. File downloads are streamed
    /// and not limited by it.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<C, Error>
    where
        C: From<Connection>,
    {
        let base_url = match self.base_url {
            Some(url) => check_base_url(&url, self.allow_insecure_http)?,
            None => self.brand.base_url().to_string(),
        };
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "RetryPolicy::max_attempts must be at least 1".into(),
            ));
        }
        if self.tickets.is_some() && !(self.marketplace && self.credentials.is_some()) {
            return Err(Error::Config(
                "an app_ticket store is for a marketplace app: set marketplace_app(app_id, app_secret)".into(),
            ));
        }
        let cache = self
            .cache
            .unwrap_or_else(|| Arc::new(InMemoryTokenCache::default()));
        let margin = self.refresh_margin.unwrap_or(crate::DEFAULT_REFRESH_MARGIN);
        let tokens = match self.credentials {
            Some(c) if c.app_id.trim().is_empty() || c.app_secret.expose_secret().is_empty() => {
                return Err(Error::Config(
                    "app credentials need a non-empty app id and app secret".into(),
                ))
            }
            Some(c) if self.marketplace => {
                let tickets = self
                    .tickets
                    .unwrap_or_else(|| Arc::new(InMemoryAppTicketStore::default()));
                Some(TokenManager::marketplace(c, cache, margin, tickets))
            }
            Some(c) => Some(TokenManager::self_built(c, cache, margin)),
            None => None,
        };
        // Redirects are not followed: Feishu's APIs do not redirect, and a followed redirect
        // could carry the Authorization header to another host.
        let http = reqwest::Client::builder()
            .user_agent(concat!("feishu-openapi-rust/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
            // Also between two reads: what bounds a streamed download, whose total is lifted.
            .read_timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let shared = Shared {
            base_url,
            retry: self.retry,
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            tokens,
        };
        Ok(C::from(Connection {
            http,
            runtime: Runtime::new(shared, self.token),
        }))
    }
}

fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::Config(format!("base URL {url:?} is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&parsed) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base URL {url:?} uses plain http on a non-loopback host; use https, or allow_insecure_http(true)"
            )))
        }
        other => return Err(Error::Config(format!("base URL {url:?}: scheme {other:?} is not http(s)"))),
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL {url:?} must not have a query or fragment"
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("brand", &self.brand)
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .field("credentials", &self.credentials)
            .field("marketplace", &self.marketplace)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}
