//! Which tokens an app gets, and how: a self-built app's one tenant token from its credentials;
//! a marketplace app's app token from its credentials and the latest app_ticket, then one tenant
//! token per tenant from that app token. Each token is a [`Slot`] (cached, one flight).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::ticket::AppTicketStore;
use super::token::{CachedToken, Fetch, ReadyToken, Slot, TokenCache};
use super::Runtime;
use crate::secret::AppCredentials;
use crate::{Error, SecretString};

/// Feishu's code for an app_ticket it refuses (the official SDKs then ask for a new one).
const APP_TICKET_INVALID: i64 = 10012;
/// Feishu's code for an invalid or expired app access token.
const APP_ACCESS_TOKEN_INVALID: i64 = 99991664;

/// Gets the access tokens of one app.
pub(crate) struct TokenManager {
    credentials: AppCredentials,
    cache: Arc<dyn TokenCache>,
    margin: Duration,
    app: App,
}

enum App {
    /// A self-built app: one tenant, one tenant token (cached under the app id).
    SelfBuilt(Slot),
    /// A marketplace app: an app token, and a tenant token per tenant.
    Marketplace(Marketplace),
}

struct Marketplace {
    tickets: Arc<dyn AppTicketStore>,
    app_token: Arc<Slot>,
    /// One slot per tenant key met so far.
    tenants: Mutex<HashMap<String, Arc<Slot>>>,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.app {
            App::SelfBuilt(_) => "self-built",
            App::Marketplace(_) => "marketplace",
        };
        f.debug_struct("TokenManager")
            .field("app_id", &self.credentials.app_id)
            .field("app", &kind)
            .field("cache", &self.cache)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    /// A self-built app's: its tenant token from the app id and secret.
    pub(crate) fn self_built(
        credentials: AppCredentials,
        cache: Arc<dyn TokenCache>,
        margin: Duration,
    ) -> Self {
        let slot = Slot::new(credentials.app_id.clone());
        Self {
            credentials,
            cache,
            margin,
            app: App::SelfBuilt(slot),
        }
    }

    /// A marketplace app's: its app token from the app id, secret and the ticket in `tickets`,
    /// and a tenant token per tenant.
    pub(crate) fn marketplace(
        credentials: AppCredentials,
        cache: Arc<dyn TokenCache>,
        margin: Duration,
        tickets: Arc<dyn AppTicketStore>,
    ) -> Self {
        let app_token = Arc::new(Slot::new(format!(
            "app_access_token:{}",
            credentials.app_id
        )));
        Self {
            credentials,
            cache,
            margin,
            app: App::Marketplace(Marketplace {
                tickets,
                app_token,
                tenants: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The marketplace app's ticket store; `None` for a self-built app.
    pub(crate) fn tickets(&self) -> Option<&Arc<dyn AppTicketStore>> {
        match &self.app {
            App::SelfBuilt(_) => None,
            App::Marketplace(m) => Some(&m.tickets),
        }
    }

    /// The slot of the tenant token a call for `tenant` (the handle's tenant key, if any) uses,
    /// or why there is none — before any I/O.
    fn slot(&self, tenant: Option<&str>) -> Result<Arc<Slot>, &'static str> {
        match (&self.app, tenant) {
            (App::SelfBuilt(_), Some(_)) => Err(
                "for_tenant is for marketplace apps: a self-built app calls for its own tenant only",
            ),
            // Not reached: the self-built slot is not shared (see `ready` and `token`).
            (App::SelfBuilt(_), None) => Err("a self-built app's slot is not shared"),
            (App::Marketplace(_), None) => Err(
                "a marketplace app calls for one tenant at a time: pick it with for_tenant(tenant_key)",
            ),
            (App::Marketplace(_), Some("")) => Err("the tenant key given to for_tenant is empty"),
            (App::Marketplace(m), Some(tenant)) => {
                let mut tenants = m.tenants.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(slot) = tenants.get(tenant) {
                    return Ok(slot.clone());
                }
                let key = format!("tenant_access_token:{}:{tenant}", self.credentials.app_id);
                let slot = Arc::new(Slot::new(key));
                tenants.insert(tenant.to_string(), slot.clone());
                Ok(slot)
            }
        }
    }

    /// The tenant token this process used last for `tenant`, if it is still fresh: the hot
    /// path, no await.
    pub(crate) fn ready(&self, tenant: Option<&str>) -> Option<Arc<ReadyToken>> {
        match (&self.app, tenant) {
            (App::SelfBuilt(slot), None) => slot.ready(),
            _ => self.slot(tenant).ok()?.ready(),
        }
    }

    /// A fresh tenant token for `tenant`: the ready one, else from the cache, else fetched (one
    /// flight per tenant).
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        shared: &super::Shared,
        tenant: Option<&str>,
    ) -> Result<Arc<ReadyToken>, Error> {
        let fetched = match (&self.app, tenant) {
            (App::SelfBuilt(slot), None) => {
                let fetch = || self.self_built_fetch(auth_client(http, shared));
                slot.token(&self.cache, self.margin, fetch).await
            }
            (_, tenant) => {
                let slot = self.slot(tenant).map_err(|e| Error::Config(e.into()))?;
                let fetch = || self.tenant_fetch(auth_client(http, shared), tenant);
                slot.token(&self.cache, self.margin, fetch).await
            }
        };
        fetched.map_err(Error::TokenFetch)
    }

    /// Forgets `token`, the tenant token of `tenant` that Feishu called invalid.
    pub(crate) async fn evict(&self, tenant: Option<&str>, token: &SecretString) {
        match (&self.app, tenant) {
            (App::SelfBuilt(slot), None) => slot.evict(self.cache.as_ref(), token).await,
            _ => {
                if let Ok(slot) = self.slot(tenant) {
                    slot.evict(self.cache.as_ref(), token).await;
                }
            }
        }
    }

    /// A self-built app's tenant token.
    fn self_built_fetch(&self, auth: crate::auth::Client) -> Fetch {
        let credentials = self.credentials.clone();
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
            tracing::debug!(app_id = %credentials.app_id, expire_secs = response.expire, "fetched a tenant_access_token");
            Ok(cached(
                response.tenant_access_token,
                requested_at,
                response.expire,
            ))
        })
    }

    /// A marketplace app's tenant token for `tenant`, with its app token (itself a slot: one
    /// flight for all tenants). An app token Feishu calls invalid is dropped and fetched again,
    /// once.
    fn tenant_fetch(&self, auth: crate::auth::Client, tenant: Option<&str>) -> Fetch {
        let App::Marketplace(market) = &self.app else {
            unreachable!("tenant slots are a marketplace app's")
        };
        let tenant = tenant.unwrap_or_default().to_string();
        let (cache, margin) = (self.cache.clone(), self.margin);
        let app_token = market.app_token.clone();
        let app_fetch = AppTokenFetch {
            credentials: self.credentials.clone(),
            tickets: market.tickets.clone(),
            auth: auth.clone(),
        };
        Box::pin(async move {
            let mut retried = false;
            loop {
                let app = app_token
                    .token(&cache, margin, || app_fetch.clone().fetch())
                    .await?;
                let body = crate::auth::types::MarketplaceTenantAccessTokenRequest {
                    app_access_token: app.secret.clone(),
                    tenant_key: tenant.clone(),
                };
                let requested_at = SystemTime::now();
                match auth.tenant_access_token_create().body(body).send().await {
                    Ok(response) => {
                        let response = response.into_inner();
                        tracing::debug!(tenant_key = %crate::Printable(&tenant), expire_secs = response.expire, "fetched a marketplace app's tenant_access_token");
                        return Ok(cached(
                            response.tenant_access_token,
                            requested_at,
                            response.expire,
                        ));
                    }
                    Err(e) if e.code() == Some(APP_ACCESS_TOKEN_INVALID) => {
                        app_token.evict(cache.as_ref(), &app.secret).await;
                        if retried {
                            return Err(Arc::new(e));
                        }
                        retried = true;
                    }
                    Err(e) => return Err(Arc::new(e)),
                }
            }
        })
    }
}

/// What fetching a marketplace app's app token needs.
#[derive(Clone)]
struct AppTokenFetch {
    credentials: AppCredentials,
    tickets: Arc<dyn AppTicketStore>,
    auth: crate::auth::Client,
}

impl AppTokenFetch {
    /// The app token from the latest ticket. Without a ticket, or with one Feishu refuses
    /// (10012, then dropped), Feishu is asked to push a new one (`app_ticket_resend`) and the
    /// fetch fails at once: the ticket comes later, as an event.
    fn fetch(self) -> Fetch {
        Box::pin(async move {
            let app_id = &self.credentials.app_id;
            let Some(ticket) = self.tickets.get(app_id).await else {
                let resend = self.resend().await.err().map(Arc::new);
                return Err(Arc::new(Error::AppTicketMissing {
                    app_id: app_id.clone(),
                    resend,
                }));
            };
            let body = crate::auth::types::MarketplaceAppAccessTokenRequest {
                app_id: app_id.clone(),
                app_secret: self.credentials.app_secret.clone(),
                app_ticket: ticket.clone(),
            };
            let requested_at = SystemTime::now();
            match self.auth.app_access_token_create().body(body).send().await {
                Ok(response) => {
                    let response = response.into_inner();
                    tracing::debug!(app_id = %app_id, expire_secs = response.expire, "fetched a marketplace app's app_access_token");
                    Ok(cached(
                        response.app_access_token,
                        requested_at,
                        response.expire,
                    ))
                }
                Err(e) => {
                    if e.code() == Some(APP_TICKET_INVALID) {
                        self.tickets.evict(app_id, &ticket).await;
                        if let Err(resend) = self.resend().await {
                            tracing::warn!(error = %resend, "asking Feishu to push a new app_ticket failed");
                        }
                    }
                    Err(Arc::new(e))
                }
            }
        })
    }

    /// Asks Feishu to push the app's ticket again.
    async fn resend(&self) -> Result<(), Error> {
        let body = crate::auth::types::AppTicketResendRequest {
            app_id: self.credentials.app_id.clone(),
            app_secret: self.credentials.app_secret.clone(),
        };
        self.auth.app_ticket_resend().body(body).send().await?;
        tracing::debug!(app_id = %self.credentials.app_id, "asked Feishu to push the app_ticket again");
        Ok(())
    }
}

/// A token answered at `requested_at` with `expire` seconds to live.
fn cached(token: SecretString, requested_at: SystemTime, expire: i64) -> CachedToken {
    let lifetime = Duration::from_secs(u64::try_from(expire).unwrap_or(0));
    CachedToken {
        token,
        expires_at: requested_at + lifetime,
    }
}

/// The auth client the fetches use: a runtime of its own, without a token manager (the token
/// endpoints take no token, and the manager must not own a handle to itself).
fn auth_client(http: &reqwest::Client, shared: &super::Shared) -> crate::auth::Client {
    let runtime = Runtime::new(
        super::Shared {
            base_url: shared.base_url.clone(),
            retry: shared.retry.clone(),
            max_response_bytes: shared.max_response_bytes,
            tokens: None,
        },
        None,
    );
    crate::auth::Client::new_with_client(&shared.base_url, http.clone(), runtime)
}
