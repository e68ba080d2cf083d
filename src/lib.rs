#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[macro_use]
mod enums;
#[macro_use]
mod service;
pub mod auth;
mod client;
mod common;
#[cfg(feishu_download)]
pub mod download;
mod error;
mod rules;
mod runtime;
mod secret;
#[cfg(feishu_upload)]
pub mod upload;

#[cfg(feature = "vc")]
pub mod vc;

#[cfg(feature = "im")]
pub mod im;

#[cfg(feature = "fake")]
pub mod fake;

pub use client::{
    Brand, FeishuClient, FeishuClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
};
pub use common::{InvalidUnixSeconds, UnixSeconds, UserId, UserIdType};
pub use error::{ApiError, DocumentedError, Error, ErrorKind, FeishuErrorBody, FeishuErrorDetail};
pub use rules::{InvalidEnumValue, InvalidId, RuleViolation};
// Plumbing of the generated operation tables, named here only so that a build whose services
// use none of a variant does not call it unused; not part of the API.
#[doc(hidden)]
pub use rules::Rule;
#[doc(hidden)]
pub use runtime::TokenKind;
/// The most pages a paginated listing's `pages()` or `items()` requests.
#[cfg(feishu_pagination)]
pub use runtime::MAX_PAGES;
pub use runtime::{
    log_id, CacheFuture, CachedToken, InMemoryTokenCache, RetryPolicy, TokenCache,
    DEFAULT_REFRESH_MARGIN, STREAMING_TOTAL_TIMEOUT,
};
pub use secret::{AccessToken, AppCredentials, SecretString};

/// Re-exported so that callers can name generated response wrappers without a direct dependency.
pub use progenitor_client::ResponseValue;
