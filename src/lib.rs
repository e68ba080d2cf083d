#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[macro_use]
mod enums;
#[macro_use]
mod service;
pub mod auth;
mod client;
mod common;
mod error;
pub mod rules;
pub mod runtime;
mod secret;

#[cfg(feature = "vc")]
pub mod vc;

#[cfg(feature = "fake")]
pub mod fake;

pub use client::{
    Brand, FeishuClient, FeishuClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use common::{InvalidUnixSeconds, UnixSeconds, UserId, UserIdType};
pub use error::{ApiError, Error, ErrorKind, FeishuErrorBody, FeishuErrorDetail};
pub use runtime::{RetryPolicy, TokenCache};
pub use secret::{AccessToken, AppCredentials, SecretString};

/// Re-exported so that callers can name generated response wrappers without a direct dependency.
pub use progenitor_client::ResponseValue;
