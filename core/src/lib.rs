//! The runtime every Feishu service crate of [`feishu-openapi`](https://docs.rs/feishu-openapi)
//! shares: the [`Connection`] (base URL, identity and token cache, retries, one connection pool),
//! errors, secrets, the request rules, downloads and uploads, and the `auth` service it needs to
//! fetch tokens.
//!
//! Use it through `feishu-openapi`, which re-exports everything public here and adds one client
//! per service; the modules marked hidden are plumbing for the generated code, not an API.
#![warn(missing_docs)]

#[macro_use]
mod enums;
#[macro_use]
mod service;
pub mod auth;
mod client;
mod common;
pub mod download;
mod error;
#[doc(hidden)]
pub mod object;
#[doc(hidden)]
pub mod open_enum;
mod response;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod runtime;
mod secret;
#[doc(hidden)]
pub mod setter;
#[cfg(feature = "upload")]
pub mod upload;

pub use client::{
    Brand, ClientBuilder, Connection, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
};
pub use common::{InvalidUnixSeconds, UnixSeconds, UserId, UserIdType};
pub use error::{
    log_id, ApiError, DocumentedError, Error, ErrorKind, FeishuErrorBody, FeishuErrorDetail,
    Printable,
};
/// The body of most answers, `{code, msg, data}`, under each operation's answer name.
pub use response::ResponseBody;
pub use rules::{InvalidEnumValue, InvalidId, RuleViolation};
/// The most pages a paginated listing's `pages()` or `items()` requests.
pub use runtime::MAX_PAGES;
pub use runtime::{
    AppTicketStore, CacheFuture, CachedToken, InMemoryAppTicketStore, InMemoryTokenCache,
    RetryPolicy, TokenCache, DEFAULT_REFRESH_MARGIN, STREAMING_TOTAL_TIMEOUT,
};
/// What an operation's `send()` and `call()` return (futures) and its `pages()` and `items()`
/// (streams).
pub use runtime::{Calling, Items, Pages, Sending};
pub use secret::{AccessToken, AppCredentials, SecretString};

/// Re-exported so that callers can name generated response wrappers without a direct dependency.
pub use progenitor_client::ResponseValue;

// The generated `auth` names it from the crate root, as every service crate does.
#[cfg(feature = "fake")]
use __private::__SentFromJson;

/// What the generated code of a service crate names from its crate root (the macro
/// [`generated_service!`] imports it there). Not part of the API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "upload")]
    pub use crate::upload;
    pub use crate::{
        download, object, open_enum, rules, runtime, setter, DocumentedError, Error,
        FeishuErrorBody, FeishuErrorDetail, ResponseBody, SecretString, UnixSeconds, UserId,
        UserIdType, MAX_PAGES,
    };
    /// What a service's `__send_from_json` returns for an operation it has: the call.
    pub type __SentFromJson<'a> = std::pin::Pin<
        Box<dyn std::future::Future<Output = std::result::Result<(), crate::Error>> + Send + 'a>,
    >;
}
