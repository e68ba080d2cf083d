//! [`FeishuClient`]: one configured connection to Feishu or Lark, handing out service clients.

use std::time::Duration;

use crate::runtime::Runtime;
use crate::{AccessToken, Error};

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

/// A configured client: base URL, identity and one connection pool, shared by every service.
///
/// ```
/// use feishu_openapi::{AccessToken, Brand, FeishuClient};
/// let feishu = FeishuClient::builder()
///     .brand(Brand::Lark)
///     .access_token(AccessToken::tenant("t-…"))
///     .build()?;
/// assert_eq!(feishu.base_url(), "https://open.larksuite.com");
/// let _vc = feishu.vc(); // the generated VC client
/// # Ok::<(), feishu_openapi::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FeishuClient {
    base_url: String,
    http: reqwest::Client,
    runtime: Runtime,
}

impl FeishuClient {
    /// A builder; by default Feishu (`https://open.feishu.cn`) with no identity.
    pub fn builder() -> FeishuClientBuilder {
        FeishuClientBuilder::default()
    }

    /// The base URL every request goes to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The same client calling as `token` instead: shares the connection pool, costs no new
    /// connection.
    pub fn with_access_token(&self, token: AccessToken) -> Self {
        Self { runtime: Runtime::new(Some(token)), ..self.clone() }
    }

    /// The parts a generated service client is made of.
    pub(crate) fn parts(&self) -> (&str, reqwest::Client, Runtime) {
        (&self.base_url, self.http.clone(), self.runtime.clone())
    }
}

/// Builds a [`FeishuClient`].
#[derive(Debug, Default)]
pub struct FeishuClientBuilder {
    brand: Brand,
    base_url: Option<String>,
    token: Option<AccessToken>,
    allow_insecure_http: bool,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
}

impl FeishuClientBuilder {
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

    /// The access token to send (tenant or user).
    pub fn access_token(mut self, token: AccessToken) -> Self {
        self.token = Some(token);
        self
    }

    /// Accept a plain `http://` base URL on a non-loopback host.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Timeout for a whole request, response body included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<FeishuClient, Error> {
        let base_url = match self.base_url {
            Some(url) => check_base_url(&url, self.allow_insecure_http)?,
            None => self.brand.base_url().to_string(),
        };
        let http = reqwest::Client::builder()
            .user_agent(concat!("feishu-openapi-rust/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
            .timeout(self.timeout.unwrap_or(Duration::from_secs(60)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(FeishuClient { base_url, http, runtime: Runtime::new(self.token) })
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
        return Err(Error::Config(format!("base URL {url:?} must not have a query or fragment")));
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
