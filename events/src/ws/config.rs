//! `ClientConfig`: the ping and reconnect settings the server gives (endpoint answer, pongs).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The long connection's ping and reconnect settings. The server sends them with the endpoint
/// and may change them in a pong; these defaults hold until it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// How many reconnects are tried before giving up; `-1`: no limit.
    pub reconnect_count: i64,
    /// The wait between reconnects after the first.
    pub reconnect_interval: Duration,
    /// The first reconnect waits a random time below this.
    pub reconnect_nonce: Duration,
    /// The time between pings.
    pub ping_interval: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            reconnect_count: -1,
            reconnect_interval: Duration::from_secs(120),
            reconnect_nonce: Duration::from_secs(30),
            ping_interval: Duration::from_secs(120),
        }
    }
}

/// `ClientConfig` as it is on the wire: integers, in seconds, any of them missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WireClientConfig {
    /// `ReconnectCount`.
    #[serde(
        rename = "ReconnectCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reconnect_count: Option<i64>,
    /// `ReconnectInterval`, seconds.
    #[serde(
        rename = "ReconnectInterval",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reconnect_interval: Option<u64>,
    /// `ReconnectNonce`, seconds.
    #[serde(
        rename = "ReconnectNonce",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reconnect_nonce: Option<u64>,
    /// `PingInterval`, seconds.
    #[serde(
        rename = "PingInterval",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ping_interval: Option<u64>,
}

impl ClientConfig {
    /// Takes the values `wire` carries (a ping interval of 0 counts as 1 second).
    pub fn apply(&mut self, wire: &WireClientConfig) {
        if let Some(count) = wire.reconnect_count {
            self.reconnect_count = count.max(-1);
        }
        if let Some(s) = wire.reconnect_interval {
            self.reconnect_interval = Duration::from_secs(s);
        }
        if let Some(s) = wire.reconnect_nonce {
            self.reconnect_nonce = Duration::from_secs(s);
        }
        if let Some(s) = wire.ping_interval {
            self.ping_interval = Duration::from_secs(s.max(1));
        }
    }

    /// The settings as the server sends them.
    pub fn to_wire(&self) -> WireClientConfig {
        WireClientConfig {
            reconnect_count: Some(self.reconnect_count),
            reconnect_interval: Some(self.reconnect_interval.as_secs()),
            reconnect_nonce: Some(self.reconnect_nonce.as_secs()),
            ping_interval: Some(self.ping_interval.as_secs()),
        }
    }
}
