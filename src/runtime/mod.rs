//! The runtime shared by every generated client: identity, hooks, Feishu's response quirks.
//!
//! Each generated `Client` carries a [`Runtime`] (progenitor's *inner type*) and implements
//! `ClientHooks` by calling [`pre`] and [`exec`] here, so every operation of every service — and
//! every endpoint added later by a spec edit — gets the same behaviour without code of its own.

use std::sync::Arc;

use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use progenitor_client::OperationInfo;

use crate::rules::{self, OperationRules};
use crate::AccessToken;

pub mod fault;
mod quirks;

pub use quirks::log_id;

/// The value every generated client carries: who it calls as, and the settings shared by all
/// services of one [`FeishuClient`](crate::FeishuClient). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Runtime {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    token: Option<AccessToken>,
}

impl Runtime {
    pub(crate) fn new(token: Option<AccessToken>) -> Self {
        Self { shared: Arc::new(Shared { token }) }
    }

    fn authorization(&self) -> Result<Option<HeaderValue>, crate::Error> {
        self.shared.token.as_ref().map(AccessToken::header_value).transpose()
    }
}

/// The `pre` hook: checks the serialised body against the spec's rules before any I/O, and sets
/// Feishu's JSON content type.
pub fn pre<E>(
    request: &mut reqwest::Request,
    info: &OperationInfo,
    table: &[OperationRules],
) -> Result<(), progenitor_client::Error<E>> {
    quirks::drop_api_version_header(request);
    let Some(body) = request.body().and_then(reqwest::Body::as_bytes) else {
        return Ok(());
    };
    rules::check(table, info.operation_id, body)
        .map_err(|v| progenitor_client::Error::InvalidRequest(v.to_string()))?;
    quirks::json_content_type(request);
    Ok(())
}

/// The `exec` hook: authorises the request, sends it, and screens the response for Feishu errors
/// (see [`fault`]).
pub async fn exec(
    http: &reqwest::Client,
    runtime: &Runtime,
    mut request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    match runtime.authorization() {
        Ok(Some(value)) => {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(None) => {}
        Err(e) => return Ok(fault::response(e)),
    }
    let started = std::time::Instant::now();
    let response = http.execute(request).await?;
    let status = response.status().as_u16();
    let screened = quirks::screen(response).await;
    tracing::debug!(
        operation_id = info.operation_id,
        http_status = status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "feishu call"
    );
    screened
}

/// `true` for a JSON content type (`application/json`, with or without parameters).
fn is_json(value: Option<&HeaderValue>) -> bool {
    value
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// Used by [`quirks`]: the content type of a request or response.
fn content_type(headers: &http::HeaderMap) -> Option<&HeaderValue> {
    headers.get(CONTENT_TYPE)
}
