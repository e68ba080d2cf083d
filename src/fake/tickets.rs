//! Marketplace apps in the fake: the app tickets it issues and pushes as `app_ticket` events
//! (schema 1.0), the tenants that have the app installed, and which tenant a request called for.

use serde_json::Value;

#[cfg(feature = "events")]
use super::delivery::AppTicketDelivery;
use super::delivery::{envelope, ticket_event};

use super::state::{lock, Core, RecordedRequest};
use super::{FakeFeishu, FakeFeishuBuilder};

/// The tenant of the fake app's own tenant tokens (the self-built app's tenant), which has the
/// app installed as a marketplace app too.
pub const DEFAULT_TENANT_KEY: &str = "fake-tenant";

/// Pushes `ticket` to where tickets go (if anywhere), after the current answer: Feishu answers
/// `app_ticket_resend` at once and pushes the event on its own.
pub(super) fn deliver_later(core: &Core, ticket: String) {
    #[cfg(feature = "events")]
    if let Some(delivery) = core.ticket_delivery.clone() {
        let event = ticket_event(&core.config.app_id, &ticket);
        tokio::spawn(delivery.deliver(event));
    }
    #[cfg(not(feature = "events"))]
    let _ = (core, ticket);
}

impl FakeFeishu {
    /// A fresh app ticket for the fake's app, accepted by `app_access_token_create` until
    /// [`expire_app_tickets`](Self::expire_app_tickets); it is not pushed anywhere (with the
    /// `events` feature, `push_app_ticket` pushes one). `app_ticket_resend` issues one too.
    pub fn issue_app_ticket(&self) -> String {
        lock(&self.state).core.issue_app_ticket()
    }

    /// The schema 1.0 envelope of an `app_ticket` event carrying `ticket`, as Feishu pushes it.
    pub fn app_ticket_event(&self, ticket: &str) -> Value {
        envelope(ticket_event(&self.app_id(), ticket))
    }

    /// Makes every app ticket issued so far invalid: `app_access_token_create` then answers
    /// 10012 until a new one is issued.
    pub fn expire_app_tickets(&self) {
        lock(&self.state).core.expire_app_tickets();
    }

    /// Makes every app access token issued so far invalid: `tenant_access_token_create` then
    /// answers 99991664.
    pub fn expire_app_access_tokens(&self) {
        lock(&self.state).core.expire_app_tokens();
    }

    /// The tenant whose tenant access token `request` carried, if it carried one the fake
    /// issued (expired or not): which tenant a call was for.
    pub fn tenant_of(&self, request: &RecordedRequest) -> Option<String> {
        let token = request.bearer_token()?;
        lock(&self.state).core.tenant_of(token).map(str::to_string)
    }

    /// From now on, the ticket of every `app_ticket_resend` is pushed to `to` (by webhook or
    /// long connection), shortly after the answer, as Feishu does.
    #[cfg(feature = "events")]
    pub fn deliver_app_tickets(&self, to: AppTicketDelivery) {
        lock(&self.state).core.ticket_delivery = Some(to);
    }

    /// Issues a fresh app ticket and pushes it to `to` now, as Feishu does about every hour;
    /// returns the ticket once it is delivered.
    #[cfg(feature = "events")]
    pub async fn push_app_ticket(&self, to: &AppTicketDelivery) -> String {
        let ticket = self.issue_app_ticket();
        let event = ticket_event(&self.app_id(), &ticket);
        to.clone().deliver(event).await;
        ticket
    }
}

impl FakeFeishuBuilder {
    /// A further tenant that has the app installed as a marketplace app:
    /// `tenant_access_token_create` issues its tenant tokens (for any other tenant key it
    /// answers 10013). [`DEFAULT_TENANT_KEY`] always has it.
    pub fn tenant(mut self, tenant_key: impl Into<String>) -> Self {
        self.config.tenants.push(tenant_key.into());
        self
    }
}
