//! Authentication (auth v3): the client generated from `openapi/auth.yaml`.
//!
//! The runtime's token cache calls it for you when the client has app credentials
//! ([`ClientBuilder::app_credentials`](crate::ClientBuilder::app_credentials), or
//! [`ClientBuilder::marketplace_app`](crate::ClientBuilder::marketplace_app) for a marketplace
//! app, which gets its app access token with the app_ticket and a tenant access token per
//! tenant); call it yourself only to manage tokens by hand.

generated_service!(@client auth);

impl crate::Connection {
    /// The auth client (`openapi/auth.yaml`), sharing this connection's pool.
    pub fn auth(&self) -> Client {
        Client::from(self)
    }
}
