//! Every request routed in one place: the token endpoints (the platform's `auth`, hand-written
//! in [`super::auth`]: they issue the tokens every other operation checks), then any operation
//! of an enabled service — its bearer token checked against the token kinds its spec accepts,
//! then a plug-in's answer (see [`super::plugin`]) or the answer from its spec
//! ([`super::generic`]).
//!
//! Handlers are plain functions of the locked state and the [`RecordedRequest`]: they decide
//! the reply; [`Reply::into_response`] adds the log id and the headers.

use http::StatusCode;

use super::generic;
use super::reply::Reply;
use super::state::{Core, RecordedRequest, State, TokenStatus};
use crate::runtime::TokenKind;

/// `POST`: app credentials → tenant access token (self-built apps).
pub const TENANT_ACCESS_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// The one routing table; `operation` is what [`generic::find`] found for the request.
pub(super) fn route(
    state: &mut State,
    request: &RecordedRequest,
    operation: Option<&'static generic::Operation>,
) -> Reply {
    let Some(operation) = operation else {
        return Reply::not_found();
    };
    if let ("auth", id) = operation.name() {
        return super::auth::answer(&mut state.core, id, request);
    }
    if let Some(refusal) = authorize(&state.core, request, operation.tokens()) {
        return refusal;
    }
    for plugin in &mut state.plugins {
        if let Some(reply) = plugin.answer(&mut state.core, operation.id(), request) {
            return reply;
        }
    }
    generic::answer(&mut state.core, operation, request)
}

/// The bearer-token check every business API makes before looking at the request, against the
/// token kinds the operation accepts (`kinds`, from its spec's `security`; empty: no token):
/// the refusal, if any.
///
/// Decisions (the HTTP status of token errors is undocumented; the fake uses 400): no
/// `Authorization: Bearer …` → 99991661; a token that is neither `t-…` nor `u-…` → 99991671;
/// a kind the operation does not accept → the code of the kind it wanted: a tenant token where
/// only a user token is taken → 99991668 (user access token invalid), a user token where only a
/// tenant token is taken → 99991663 (access token invalid); then an unknown or expired tenant
/// token → 99991663, an unknown user token → 99991668.
pub(super) fn authorize(
    state: &Core,
    request: &RecordedRequest,
    kinds: &[TokenKind],
) -> Option<Reply> {
    if kinds.is_empty() {
        return None;
    }
    let invalid = |code, msg: &str| Some(Reply::error(StatusCode::BAD_REQUEST, code, msg));
    let Some(token) = request.bearer_token() else {
        return invalid(
            MISSING_TOKEN,
            "Missing access token for authorization. Please make a request with token attached.",
        );
    };
    let status = state.check_token(token);
    let kind = match status {
        TokenStatus::Malformed => {
            return invalid(
                MALFORMED_TOKEN,
                "token format wrong: it must start with t- or u-",
            )
        }
        TokenStatus::Valid if token.starts_with("u-") => TokenKind::User,
        TokenStatus::UserInvalid => TokenKind::User,
        _ => TokenKind::Tenant,
    };
    if !kinds.contains(&kind) {
        let (code, msg) = match kind {
            TokenKind::Tenant => (
                USER_TOKEN_INVALID,
                "this operation takes a user access token (u-…), not a tenant access token",
            ),
            TokenKind::User => (
                TENANT_TOKEN_INVALID,
                "this operation takes a tenant access token (t-…), not a user access token",
            ),
        };
        return invalid(code, msg);
    }
    match status {
        TokenStatus::Valid => None,
        TokenStatus::UserInvalid => {
            invalid(USER_TOKEN_INVALID, "user access token invalid or expired")
        }
        _ => invalid(
            TENANT_TOKEN_INVALID,
            "Invalid access token for authorization. Please make a request with token attached.",
        ),
    }
}

/// The platform's code for a request without `Authorization: Bearer …`.
const MISSING_TOKEN: i64 = 99991661;
/// The platform's code for an invalid or expired (tenant) access token.
const TENANT_TOKEN_INVALID: i64 = 99991663;
/// The platform's code for an invalid or expired user access token.
const USER_TOKEN_INVALID: i64 = 99991668;
/// The platform's code for a token of neither form (`t-…`, `u-…`).
const MALFORMED_TOKEN: i64 = 99991671;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::state::Config;

    fn core() -> Core {
        let config = Config {
            app_id: "cli".into(),
            app_secret: "secret".into(),
            token_ttl: std::time::Duration::from_secs(60),
            user_tokens: vec!["u-alice".into()],
            tenant_key: "fake-tenant".into(),
            tenants: Vec::new(),
            base_url: String::new(),
        };
        crate::fake::state::State::new(config, Vec::new()).core
    }

    fn code(core: &Core, token: Option<&str>, kinds: &[TokenKind]) -> Option<i64> {
        let mut request = http::Request::builder().uri("/open-apis/x");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        let request = RecordedRequest::new(&parts, bytes::Bytes::new());
        match authorize(core, &request, kinds) {
            None => None,
            Some(Reply::Json { body, .. }) => body["code"].as_i64(),
            Some(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_token_of_a_kind_the_operation_does_not_take_is_refused() {
        let core = core();
        let tenant = core.initial_token().to_string();
        let (user_only, tenant_only) = (&[TokenKind::User][..], &[TokenKind::Tenant][..]);
        assert_eq!(code(&core, Some(&tenant), user_only), Some(99991668));
        assert_eq!(code(&core, Some("u-alice"), tenant_only), Some(99991663));
        assert_eq!(code(&core, Some(&tenant), tenant_only), None);
        assert_eq!(code(&core, Some("u-alice"), user_only), None);
        assert_eq!(code(&core, Some("u-bob"), user_only), Some(99991668));
        assert_eq!(code(&core, Some("t-unknown"), tenant_only), Some(99991663));
        assert_eq!(code(&core, Some("x-what"), tenant_only), Some(99991671));
        assert_eq!(code(&core, None, user_only), Some(99991661));
        assert_eq!(code(&core, None, &[]), None, "an operation without a token");
    }
}
