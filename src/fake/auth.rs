//! The platform's `auth` operations, hand-written: they issue the tokens every other operation
//! checks. The fake's one app serves as a self-built app (`*_internal`) and as a marketplace app
//! (app tickets, then a tenant token per tenant) alike; the token fields of every answer are top
//! level (no `data`).
//!
//! Decisions (all errors at HTTP 400): a body without its string fields → 10003 `invalid param`;
//! an unknown app id → 99991543; a wrong secret → 10014; an app ticket it did not issue or that
//! expired → 10012; an unknown or expired app access token → 99991664; a tenant without the app
//! → 10013.

use http::StatusCode;
use serde_json::{json, Value};

use super::reply::Reply;
use super::state::{Core, RecordedRequest};

/// The answer to the `auth` operation `operation_id`.
pub(super) fn answer(core: &mut Core, operation_id: &str, request: &RecordedRequest) -> Reply {
    let body = Body(request.json());
    match operation_id {
        "tenant_access_token_internal" => {
            let tenant = core.config.tenant_key.clone();
            check_app(core, &body).unwrap_or_else(|| {
                let token = core.issue_tenant_token(&tenant);
                token_answer(core, "ok", "tenant_access_token", token)
            })
        }
        "app_access_token_internal" => check_app(core, &body).unwrap_or_else(|| {
            let tenant = core.config.tenant_key.clone();
            let tenant_token = core.issue_tenant_token(&tenant);
            let token = core.issue_app_token();
            let mut answer = token_body(core, "ok", "app_access_token", token);
            answer["tenant_access_token"] = Value::String(tenant_token);
            Reply::json(answer)
        }),
        "app_access_token_create" => check_app(core, &body).unwrap_or_else(|| {
            let Some(ticket) = body.field("app_ticket") else {
                return invalid_param("app_ticket");
            };
            if !core.app_ticket_valid(ticket) {
                return Reply::error(StatusCode::BAD_REQUEST, 10012, "get app access token fail")
                    .with_message("the app_ticket is invalid or expired");
            }
            let token = core.issue_app_token();
            token_answer(core, "success", "app_access_token", token)
        }),
        "tenant_access_token_create" => {
            let (Some(app_token), Some(tenant)) =
                (body.field("app_access_token"), body.field("tenant_key"))
            else {
                return invalid_param("app_access_token and tenant_key");
            };
            if !core.app_token_valid(app_token) {
                return Reply::error(
                    StatusCode::BAD_REQUEST,
                    99991664,
                    "app access token invalid",
                );
            }
            if !core.has_tenant(tenant) {
                return Reply::error(
                    StatusCode::BAD_REQUEST,
                    10013,
                    "get tenant access token fail",
                )
                .with_message("no tenant with this tenant_key has the app installed");
            }
            let token = core.issue_tenant_token(tenant);
            token_answer(core, "success", "tenant_access_token", token)
        }
        "app_ticket_resend" => check_app(core, &body).unwrap_or_else(|| {
            let ticket = core.issue_app_ticket();
            super::tickets::deliver_later(core, ticket);
            Reply::json(json!({"code": 0, "msg": "success"}))
        }),
        _ => Reply::not_found(),
    }
}

/// A request body read as JSON.
struct Body(Option<Value>);

impl Body {
    /// The non-empty string field `name`.
    fn field(&self, name: &str) -> Option<&str> {
        self.0
            .as_ref()?
            .get(name)?
            .as_str()
            .filter(|s| !s.is_empty())
    }
}

/// The refusal of a body's `app_id` and `app_secret`, if they are not the fake's app's.
fn check_app(core: &Core, body: &Body) -> Option<Reply> {
    let (Some(app_id), Some(app_secret)) = (body.field("app_id"), body.field("app_secret")) else {
        return Some(invalid_param("app_id and app_secret"));
    };
    if app_id != core.config.app_id {
        return Some(
            Reply::error(
                StatusCode::BAD_REQUEST,
                99991543,
                "app_id or app_secret is invalid",
            )
            .with_message("no app with this app_id"),
        );
    }
    (app_secret != core.config.app_secret)
        .then(|| Reply::error(StatusCode::BAD_REQUEST, 10014, "app secret invalid"))
}

fn invalid_param(fields: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, 10003, "invalid param").with_message(format!(
        "the body must be a JSON object with the strings {fields}"
    ))
}

/// `{"code":0,"msg":msg,<field>:token,"expire":<ttl>}`.
fn token_body(core: &Core, msg: &str, field: &str, token: String) -> Value {
    json!({
        "code": 0,
        "msg": msg,
        field: token,
        "expire": core.config.token_ttl.as_secs(),
    })
}

fn token_answer(core: &Core, msg: &str, field: &str, token: String) -> Reply {
    Reply::json(token_body(core, msg, field, token))
}
