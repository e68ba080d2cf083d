//! The [`Webhook`] as an axum handler (feature `axum`).

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::{any, MethodRouter};

use crate::webhook::{Refusal, Webhook};

/// Serves `webhook` on a route: any method (a non-`POST` is refused with 405), the body read up
/// to the webhook's size limit.
///
/// ```
/// use feishu_openapi_events::{Dispatcher, Webhook, WebhookConfig};
///
/// let events = Webhook::new(Dispatcher::new(), WebhookConfig::default().encrypt_key("key"));
/// let app: axum::Router = axum::Router::new()
///     .route("/webhook/event", feishu_openapi_events::axum::route(events.clone()))
///     .route("/webhook/card", feishu_openapi_events::axum::route(events));
/// # drop(app);
/// ```
pub fn route<S: Clone + Send + Sync + 'static>(webhook: Webhook) -> MethodRouter<S> {
    any(move |request: Request| {
        let webhook = webhook.clone();
        async move { serve(&webhook, request).await }
    })
}

async fn serve(webhook: &Webhook, request: Request) -> Response {
    let limit = webhook.config().max_body_bytes;
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Refusal::BodyTooLarge.response().map(Body::from);
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => webhook
            .handle(http::Request::from_parts(parts, bytes))
            .await
            .map(Body::from),
        Err(_) => Refusal::BodyTooLarge.response().map(Body::from),
    }
}
