//! Shared by the test modules: a recorder of what handlers got, and small payload types.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_openapi_events::{EventPayload, Schema};
use serde::Deserialize;

/// A generous guard against deadlocks (never a timing assertion).
pub const GUARD: Duration = Duration::from_secs(20);

pub async fn guard<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(GUARD, f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// Waits until `check` holds (polling), under the guard.
pub async fn until(what: &str, mut check: impl FnMut() -> bool) {
    guard(what, async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    pub fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// `im.message.receive_v1`, the fields the tests read.
#[derive(Debug, Deserialize)]
pub struct MessageReceive {
    pub message: Option<Message>,
}

#[derive(Debug, Deserialize)]
pub struct Message {
    pub content: Option<String>,
}

impl EventPayload for MessageReceive {
    const EVENT_TYPE: &'static str = "im.message.receive_v1";
    const SCHEMA: Schema = Schema::V2;
}
