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

#[cfg(feature = "acs")]
pub mod acs;

#[cfg(feature = "admin")]
pub mod admin;

#[cfg(feature = "aily")]
pub mod aily;

#[cfg(feature = "apaas")]
pub mod apaas;

#[cfg(feature = "application")]
pub mod application;

#[cfg(feature = "approval")]
pub mod approval;

#[cfg(feature = "attendance")]
pub mod attendance;

#[cfg(feature = "authen")]
pub mod authen;

#[cfg(feature = "baike")]
pub mod baike;

#[cfg(feature = "base")]
pub mod base;

#[cfg(feature = "bitable")]
pub mod bitable;

#[cfg(feature = "board")]
pub mod board;

#[cfg(feature = "bot")]
pub mod bot;

#[cfg(feature = "calendar")]
pub mod calendar;

#[cfg(feature = "cardkit")]
pub mod cardkit;

#[cfg(feature = "compensation")]
pub mod compensation;

#[cfg(feature = "contact")]
pub mod contact;

#[cfg(feature = "corehr")]
pub mod corehr;

#[cfg(feature = "directory")]
pub mod directory;

#[cfg(feature = "docs")]
pub mod docs;

#[cfg(feature = "document_ai")]
pub mod document_ai;

#[cfg(feature = "docx")]
pub mod docx;

#[cfg(feature = "drive")]
pub mod drive;

#[cfg(feature = "ehr")]
pub mod ehr;

#[cfg(feature = "event")]
pub mod event;

#[cfg(feature = "helpdesk")]
pub mod helpdesk;

#[cfg(feature = "hire")]
pub mod hire;

#[cfg(feature = "human_authentication")]
pub mod human_authentication;

#[cfg(feature = "lingo")]
pub mod lingo;

#[cfg(feature = "mail")]
pub mod mail;

#[cfg(feature = "mdm")]
pub mod mdm;

#[cfg(feature = "minutes")]
pub mod minutes;

#[cfg(feature = "moments")]
pub mod moments;

#[cfg(feature = "okr")]
pub mod okr;

#[cfg(feature = "optical_char_recognition")]
pub mod optical_char_recognition;

#[cfg(feature = "passport")]
pub mod passport;

#[cfg(feature = "payroll")]
pub mod payroll;

#[cfg(feature = "performance")]
pub mod performance;

#[cfg(feature = "personal_settings")]
pub mod personal_settings;

#[cfg(feature = "report")]
pub mod report;

#[cfg(feature = "search")]
pub mod search;

#[cfg(feature = "security_and_compliance")]
pub mod security_and_compliance;

#[cfg(feature = "sheets")]
pub mod sheets;

#[cfg(feature = "spark")]
pub mod spark;

#[cfg(feature = "speech_to_text")]
pub mod speech_to_text;

#[cfg(feature = "task")]
pub mod task;

#[cfg(feature = "tenant")]
pub mod tenant;

#[cfg(feature = "translation")]
pub mod translation;

#[cfg(feature = "trust_party")]
pub mod trust_party;

#[cfg(feature = "verification")]
pub mod verification;

#[cfg(feature = "wiki")]
pub mod wiki;

#[cfg(feature = "workplace")]
pub mod workplace;

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
