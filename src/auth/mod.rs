//! Authentication (auth v3): the client generated from `openapi/auth.yaml`.
//!
//! The runtime's token cache calls it for you when the client has app credentials
//! ([`FeishuClientBuilder::app_credentials`](crate::FeishuClientBuilder::app_credentials)); call
//! it yourself only to manage tokens by hand.

generated_service!(
    auth,
    "The auth client (`openapi/auth.yaml`), sharing this client's connection pool."
);
