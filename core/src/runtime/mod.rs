//! The runtime shared by every generated client: identity and token cache, retries, Feishu's
//! response quirks, tracing.
//!
//! Each generated `Client` carries a [`Runtime`] (progenitor's *inner type*), and every
//! operation's `send()` hands the request its builder prepared (an upload's with its body, see
//! `Multipart::upload`) to a [`Sending`] here with the operation's entry of its spec's [`Operation`]
//! table, so every operation of every service — and every endpoint added later by a spec edit —
//! gets the same behaviour without code of its own.
//!
//! Data flows one way: [`Sending`] → `call` (identity, attempts, retries, tracing) → `quirks`
//! (screening a response) → `file` (checking a download's body).

use std::sync::Arc;

use crate::{AccessToken, Error};

pub mod call;
mod extra;
pub(crate) mod file;
mod finish;
mod manager;
mod pages;
mod plan;
mod quirks;
mod retry;
mod sending;
mod ticket;
mod token;
#[cfg(feature = "upload")]
mod upload;

pub use retry::RetryPolicy;
pub use sending::{sending, Answer, Calling, Envelope, Sending, WithData};
pub use ticket::{AppTicketStore, InMemoryAppTicketStore};
pub use token::{CacheFuture, CachedToken, InMemoryTokenCache, TokenCache, DEFAULT_REFRESH_MARGIN};

#[cfg(feature = "fake")]
pub use extra::json_body;
pub use extra::ExtraFields;
pub use finish::data;
pub(crate) use finish::finish;
pub(crate) use manager::TokenManager;
pub use pages::MAX_PAGES;
pub use pages::{items_of, pages_of, Items, Paged, PagedItems, Pages};
pub use plan::Plan;
#[cfg(feature = "upload")]
pub use upload::Multipart;

/// The kinds of access token an operation accepts (its spec's `security`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `tenant_access_token`.
    Tenant,
    /// `user_access_token`.
    User,
}

/// What the runtime knows of one operation, generated from its spec.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// The token kinds it accepts; empty for operations that take none (the token endpoint).
    pub tokens: &'static [TokenKind],
    /// Its request-body rules (read where some enabled spec has rules, and by the fake).
    pub rules: &'static [crate::rules::Rule],
    /// Its error table (`x-feishu-errors`): what each documented code means, its advice, whether
    /// it is retried.
    pub errors: ErrorTable,
    /// The media type of its 2xx response when that is a file, handed over as a stream
    /// (`progenitor_client::ByteStream`): the client's total timeout would cut a large download
    /// off, so it is lifted to [`STREAMING_TOTAL_TIMEOUT`]; the read timeout (the client's
    /// timeout again, between two reads) still ends a stalled transfer. The body is checked to be
    /// such a file before it is handed over (see [`file`]).
    pub file: Option<&'static str>,
}

/// An operation's error table: its rows of the documented errors of its service, each of which
/// is written once however many operations document it.
#[derive(Clone, Copy, Debug)]
pub struct ErrorTable {
    /// The documented errors of the operation's service.
    pub rows: &'static [crate::DocumentedError],
    /// The operation's, as indices into `rows`.
    pub of_operation: &'static [u16],
}

impl ErrorTable {
    /// The table of an operation that documents no error.
    pub const NONE: Self = Self {
        rows: &[],
        of_operation: &[],
    };

    /// The operation's row of `code`.
    pub(crate) fn find(self, code: i64) -> Option<&'static crate::DocumentedError> {
        let rows = self.rows;
        self.of_operation
            .iter()
            .filter_map(|&index| rows.get(usize::from(index)))
            .find(|row| row.code == code)
    }
}

/// Decodes a success body as an operation's 200 response type: its `code` (0 when the type has
/// none) and the decoded value (handed to the caller as the operation's answer type), or `None`
/// when the body does not decode. Each answer type has its own ([`Answer::decoder`]; `None`
/// for a file); checked while the status and headers are at hand, so an undecodable success is an [`Error::Undecodable`] that keeps them — and on the hot path it is
/// the only parse.
pub type Decode = fn(&[u8]) -> Decoded;

/// What a [`Decode`] gives: the answer's `code` and the decoded value, or `None`.
pub type Decoded = Option<(i64, Box<dyn std::any::Any + Send>)>;

/// The total time a streaming operation (a file download) may take, response body included: a
/// backstop only. What ends a stalled download is the read timeout, the client's
/// [`timeout`](crate::ClientBuilder::timeout) between two reads.
pub const STREAMING_TOTAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The value every generated client carries: the settings shared by all services of one
/// [`Connection`](crate::Connection), and the identity of this handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Runtime {
    shared: Arc<Shared>,
    /// A token given for this handle; takes precedence over the token cache.
    token: Option<AccessToken>,
    /// The tenant a marketplace app's handle calls for (`for_tenant`).
    tenant: Option<Arc<str>>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) base_url: String,
    pub(crate) retry: RetryPolicy,
    /// The largest response body read into memory (JSON answers); see
    /// [`FeishuClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
    pub(crate) max_response_bytes: u64,
    pub tokens: Option<TokenManager>,
}

impl Runtime {
    pub(crate) fn new(shared: Shared, token: Option<AccessToken>) -> Self {
        Self {
            shared: Arc::new(shared),
            token,
            tenant: None,
        }
    }

    /// The same runtime calling as `token`.
    pub(crate) fn with_token(&self, token: AccessToken) -> Self {
        Self {
            token: Some(token),
            ..self.clone()
        }
    }

    /// The same runtime calling for the tenant `tenant_key` (a marketplace app's).
    pub(crate) fn with_tenant(&self, tenant_key: &str) -> Self {
        Self {
            tenant: Some(Arc::from(tenant_key)),
            ..self.clone()
        }
    }

    /// The tenant this handle calls for, if one was picked.
    pub(crate) fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The marketplace app's ticket store; `None` for any other identity.
    pub(crate) fn app_tickets(&self) -> Option<&Arc<dyn AppTicketStore>> {
        self.shared.tokens.as_ref()?.tickets()
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.shared.base_url
    }
}

/// Identity of one attempt: the header to send, and whether it came from the token cache (only
/// such a token is evicted and refreshed when Feishu calls it invalid).
pub(crate) struct Identity {
    header: Option<http::HeaderValue>,
    cached: Option<std::sync::Arc<token::ReadyToken>>,
}

impl Runtime {
    async fn identity(
        &self,
        http: &reqwest::Client,
        tokens: &[TokenKind],
    ) -> Result<Identity, Error> {
        if tokens.is_empty() {
            return Ok(Identity {
                header: None,
                cached: None,
            });
        }
        if let Some(token) = &self.token {
            return Ok(Identity {
                header: Some(token.header_value()?),
                cached: None,
            });
        }
        match &self.shared.tokens {
            Some(manager) if tokens.contains(&TokenKind::Tenant) => {
                let tenant = self.tenant.as_deref();
                let ready = match manager.ready(tenant) {
                    Some(ready) => ready,
                    // Boxed: the slow path's future stays out of every call's state machine.
                    None => Box::pin(manager.token(http, &self.shared, tenant)).await?,
                };
                Ok(Identity { header: Some(ready.header.clone()), cached: Some(ready) })
            }
            _ => Err(Error::Config(
                "this operation needs an access token: give the client app credentials or an access token".into(),
            )),
        }
    }

    async fn evict(&self, token: &crate::SecretString) {
        if let Some(manager) = &self.shared.tokens {
            manager.evict(self.tenant.as_deref(), token).await;
        }
    }
}
