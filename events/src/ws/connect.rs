//! Connecting: URL checks, TLS, the handshake's refusals, and the reconnect jitter.

use std::sync::Arc;
use std::time::Duration;

use tokio_tungstenite::Connector;

use super::endpoint::AttemptError;
use super::LongConnectionError;

pub(super) type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A uniform random wait in `[0, nonce)`.
pub(super) fn jitter(nonce: Duration) -> Duration {
    let ms = u64::try_from(nonce.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(if ms == 0 { 0 } else { fastrand::u64(0..ms) })
}

/// A refused upgrade: fatal for 403 and for 514 with auth code 1000040350 (over the connection
/// limit), retryable otherwise.
pub(super) fn handshake_refusal(response: &http::Response<Option<Vec<u8>>>) -> AttemptError {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
    let status = header("handshake-status")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| i64::from(response.status().as_u16()));
    let auth_code = header("handshake-autherrcode").and_then(|s| s.trim().parse().ok());
    let msg = crate::printable(header("handshake-msg").unwrap_or(""));
    if status == 403 || (status == 514 && auth_code == Some(1_000_040_350)) {
        AttemptError::Fatal(LongConnectionError::HandshakeRefused {
            status,
            auth_code,
            msg,
        })
    } else {
        AttemptError::Retryable(format!(
            "handshake refused (status {status}, auth code {auth_code:?}: {msg})"
        ))
    }
}

pub(super) fn check_scheme(
    uri: &http::Uri,
    secure: &str,
    plain: &str,
    allow_insecure: bool,
) -> Result<(), LongConnectionError> {
    let scheme = uri.scheme_str().unwrap_or("");
    let loopback = matches!(
        uri.host(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    if scheme == secure || (scheme == plain && (loopback || allow_insecure)) {
        Ok(())
    } else {
        Err(LongConnectionError::Config(format!(
            "a {secure}:// URL is needed ({plain}:// only for loopback hosts)"
        )))
    }
}

pub(super) fn tls_connector() -> Result<Connector, LongConnectionError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| LongConnectionError::Config(format!("TLS: {e}")))?
        .with_no_client_auth();
    Ok(Connector::Rustls(Arc::new(config)))
}
