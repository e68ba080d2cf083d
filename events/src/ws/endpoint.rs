//! The endpoint call: `POST {base}/callback/ws/endpoint` gives the WebSocket URL and settings.

use serde::Deserialize;

use super::config::WireClientConfig;
use super::LongConnectionError;
use feishu_openapi_core::AppCredentials;

/// The path of the endpoint call.
pub const ENDPOINT_PATH: &str = "/callback/ws/endpoint";
/// Endpoint codes worth retrying: `1` (system busy) and `1000040343` (internal error).
pub const RETRYABLE_CODES: [i64; 2] = [1, 1_000_040_343];
/// The largest endpoint answer read.
const MAX_ANSWER_BYTES: usize = 64 << 10;

/// What the endpoint gave.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub url: String,
    pub config: Option<WireClientConfig>,
}

/// Why a connection attempt failed: worth another attempt, or not.
#[derive(Debug)]
pub(crate) enum AttemptError {
    Retryable(String),
    Fatal(LongConnectionError),
}

#[derive(Deserialize)]
struct Answer {
    code: Option<i64>,
    #[serde(default)]
    msg: String,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "ClientConfig")]
    client_config: Option<WireClientConfig>,
}

pub(crate) async fn fetch(
    http: &reqwest::Client,
    base_url: &str,
    credentials: &AppCredentials,
) -> Result<Endpoint, AttemptError> {
    let url = format!("{}{ENDPOINT_PATH}", base_url.trim_end_matches('/'));
    let body = serde_json::json!({
        "AppID": credentials.app_id,
        "AppSecret": credentials.app_secret.expose_secret(),
    });
    let mut response = http
        .post(url)
        .header("locale", "zh")
        .json(&body)
        .send()
        .await
        .map_err(|e| {
            AttemptError::Retryable(format!("endpoint call failed: {}", without_url(e)))
        })?;
    let status = response.status();
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(AttemptError::Retryable("endpoint answer too large".into()));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(AttemptError::Retryable(format!(
                    "endpoint answer unreadable: {}",
                    without_url(e)
                )))
            }
        }
    }
    let Ok(answer) = serde_json::from_slice::<Answer>(&bytes) else {
        let why = format!("endpoint answered HTTP {status} without a JSON body");
        return Err(if status.is_client_error() && status.as_u16() != 429 {
            AttemptError::Fatal(LongConnectionError::EndpointRefused {
                code: i64::from(status.as_u16()),
                msg: why,
            })
        } else {
            AttemptError::Retryable(why)
        });
    };
    match answer.code {
        Some(0) => {}
        Some(code) if RETRYABLE_CODES.contains(&code) => {
            return Err(AttemptError::Retryable(format!(
                "endpoint busy (code {code}: {})",
                crate::printable(&answer.msg)
            )))
        }
        code => {
            return Err(AttemptError::Fatal(LongConnectionError::EndpointRefused {
                code: code.unwrap_or(-1),
                msg: crate::printable(&answer.msg),
            }))
        }
    }
    let data = answer.data.unwrap_or(Data {
        url: None,
        client_config: None,
    });
    let url = data
        .url
        .filter(|u| !u.is_empty())
        .ok_or_else(|| AttemptError::Retryable("endpoint answer without a URL".into()))?;
    Ok(Endpoint {
        url,
        config: data.client_config,
    })
}

/// A reqwest error's text without the URL (which could carry data from the server).
fn without_url(e: reqwest::Error) -> String {
    e.without_url().to_string()
}
