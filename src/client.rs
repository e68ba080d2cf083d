//! [`FeishuClient`]: one configured connection to Feishu or Lark, handing out a client per
//! enabled service (the accessors are generated with the services, see `services.rs`).

use feishu_openapi_core::{AccessToken, ClientBuilder, Connection};

/// A configured client: base URL, identity (app credentials with a token cache, or a token),
/// retries and one connection pool, shared by every service; `feishu.vc()`, `feishu.im()`, … give
/// the client of each service whose feature is on.
///
/// It is a [`Connection`] (which it dereferences to) with those accessors: pass `&feishu`
/// wherever a `&Connection` is asked for.
///
/// ```
/// use feishu_openapi::{AccessToken, Brand, FeishuClient};
/// let feishu = FeishuClient::builder()
///     .brand(Brand::Lark)
///     .app_credentials("cli_a1b2c3", "app-secret")
///     .build()?;
/// assert_eq!(feishu.base_url(), "https://open.larksuite.com");
/// let _vc = feishu.vc(); // the generated VC client; tokens are fetched and cached for you
/// // One call as a signed-in user instead (no new connection pool):
/// let _as_user = feishu.with_access_token(AccessToken::user("u-…")).vc();
/// # Ok::<(), feishu_openapi::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FeishuClient {
    connection: Connection,
}

/// Builds a [`FeishuClient`]: every setting of [`ClientBuilder`].
pub type FeishuClientBuilder = ClientBuilder<FeishuClient>;

impl FeishuClient {
    /// A builder; by default Feishu (`https://open.feishu.cn`) with no identity.
    pub fn builder() -> FeishuClientBuilder {
        ClientBuilder::new()
    }

    /// The same client calling as `token` (a user access token, or a tenant token you manage):
    /// it takes precedence over the token cache. Shares the connection pool and settings; cheap.
    pub fn with_access_token(&self, token: AccessToken) -> Self {
        Self {
            connection: self.connection.with_access_token(token),
        }
    }

    /// The same client calling for the tenant `tenant_key`: a marketplace (store) app serves
    /// many tenants and picks one per call (see [`Connection::for_tenant`]). Each tenant gets a
    /// tenant access token of its own, fetched once and cached. Cheap.
    ///
    /// ```
    /// use feishu_openapi::FeishuClient;
    /// let feishu = FeishuClient::builder()
    ///     .marketplace_app("cli_a1b2c3", "app-secret")
    ///     .build()?;
    /// let acme = feishu.for_tenant("2ed263bf32cf1651");
    /// assert_eq!(acme.tenant_key(), Some("2ed263bf32cf1651"));
    /// let _vc = acme.vc(); // calls with the tenant access token of that tenant
    /// # Ok::<(), feishu_openapi::Error>(())
    /// ```
    pub fn for_tenant(&self, tenant_key: impl AsRef<str>) -> Self {
        Self {
            connection: self.connection.for_tenant(tenant_key),
        }
    }

    /// The connection every service client of this client shares.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }
}

impl From<Connection> for FeishuClient {
    fn from(connection: Connection) -> Self {
        Self { connection }
    }
}

impl std::ops::Deref for FeishuClient {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.connection
    }
}

impl AsRef<Connection> for FeishuClient {
    fn as_ref(&self) -> &Connection {
        &self.connection
    }
}
