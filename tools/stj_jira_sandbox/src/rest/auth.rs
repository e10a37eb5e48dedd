//! Who is calling: the app with its JWT (acting as the app user), or a user through a bearer token
//! from the JWT bearer grant (acting as that user, within the token's scopes). Anything else is
//! 401, in the body Jira's Connect authentication filter writes.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde_json::json;
use stj_core::ClientKey;

use crate::forge::scopes_cover;
use crate::server::lock;
use crate::tokens::now_secs;
use crate::{Sandbox, verify};

/// The authenticated caller of a REST route.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub client_key: ClientKey,
    /// The tenant's base URL, for `self` links.
    pub base_url: String,
    /// The app user for app JWTs, the impersonated user for bearer tokens.
    pub account_id: String,
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map_err(|denied| {
            InternalError::from_response("request not authenticated", denied.response()).into()
        }))
    }
}

/// Why a call is not authenticated; both are 401, in different bodies.
#[derive(Debug, Clone, Copy)]
enum Denied {
    Unauthenticated,
    /// A user token used beyond its `scope`.
    ScopeMismatch,
}

impl Denied {
    fn response(self) -> HttpResponse {
        match self {
            Self::Unauthenticated => unauthorized(),
            Self::ScopeMismatch => HttpResponse::Unauthorized()
                .json(json!({ "code": 401, "message": "Unauthorized; scope does not match" })),
        }
    }
}

pub(crate) fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({
        "message": "Client must be authenticated to access this resource.",
        "status-code": 401,
    }))
}

fn authenticate(req: &HttpRequest) -> Result<Caller, Denied> {
    let state = req.app_data::<web::Data<Sandbox>>().ok_or(Denied::Unauthenticated)?;
    let authorization = req.headers().get("Authorization").and_then(|v| v.to_str().ok());
    if let Some(cloud_id) = req.match_info().get("cloudId") {
        let (caller, scopes) = state.forge_caller(cloud_id, authorization).map_err(|reason| {
            tracing::info!(reason, "sandbox refused a Forge token");
            Denied::Unauthenticated
        })?;
        let template = req.match_pattern().unwrap_or_default();
        let template = template.strip_prefix(crate::rest::FORGE_PREFIX).unwrap_or_default();
        return match scopes {
            Some(granted) if !scopes_cover(&granted, req.method().as_str(), template) => {
                tracing::info!(route = template, "Forge token lacks the operation's scopes");
                Err(Denied::ScopeMismatch)
            }
            _ => Ok(caller),
        };
    }
    let site = req.match_info().get("site");
    if let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) {
        return user_caller(state, req, site, token.trim());
    }
    let tenant = verify::app_request(state, req).ok_or(Denied::Unauthenticated)?;
    let account_id =
        state.app_account_id(&tenant.client_key).map_err(|_| Denied::Unauthenticated)?;
    Ok(Caller {
        client_key: tenant.client_key,
        base_url: tenant.base_url.as_str().to_owned(),
        account_id,
    })
}

fn user_caller(
    state: &Sandbox,
    req: &HttpRequest,
    site: Option<&str>,
    token: &str,
) -> Result<Caller, Denied> {
    // Sites and tenants are separate locks; take them one after the other, never nested.
    let found = lock(&state.sites).iter().find_map(|(client_key, s)| {
        let grant = s.tokens.get(token)?;
        let active = s.user(&grant.account_id).is_some_and(|u| u.active);
        Some((client_key.clone(), grant.clone(), active))
    });
    let Some((client_key, grant, active)) = found else {
        tracing::info!("sandbox refused an unknown bearer token");
        return Err(Denied::Unauthenticated);
    };
    if grant.expires_at <= now_secs() || !active {
        tracing::info!("sandbox refused an expired bearer token or an inactive user");
        return Err(Denied::Unauthenticated);
    }
    let client_key = ClientKey::parse(&client_key).map_err(|_| Denied::Unauthenticated)?;
    let (tenant_site, installed, base_url) = state
        .with_tenant(&client_key, |t| (t.site.clone(), t.app.is_some(), t.base_url.clone()))
        .map_err(|_| Denied::Unauthenticated)?;
    // A token is only good at its own site.
    if !installed || tenant_site.as_deref() != site {
        return Err(Denied::Unauthenticated);
    }
    if let Some(scopes) = &grant.scopes
        && !allows(scopes, req.method())
    {
        return Err(Denied::ScopeMismatch);
    }
    Ok(Caller { client_key, base_url: base_url.as_str().to_owned(), account_id: grant.account_id })
}

/// Connect scopes nest: each of READ, WRITE, DELETE, PROJECT_ADMIN, ADMIN includes those before it.
const SCOPE_LADDER: [&str; 5] = ["READ", "WRITE", "DELETE", "PROJECT_ADMIN", "ADMIN"];

/// Reads need READ, deletes DELETE, other writes WRITE (as the spec's connect scopes say).
fn allows(granted: &[String], method: &Method) -> bool {
    let needed = match *method {
        Method::GET | Method::HEAD | Method::OPTIONS => "READ",
        Method::DELETE => "DELETE",
        _ => "WRITE",
    };
    let rank = |scope: &str| SCOPE_LADDER.iter().position(|s| *s == scope);
    let Some(needed) = rank(needed) else { return false };
    granted.iter().filter_map(|s| rank(s)).any(|r| r >= needed)
}

/// Whether `scope` is a Connect scope a user token may carry.
pub(crate) fn is_known_scope(scope: &str) -> bool {
    SCOPE_LADDER.contains(&scope) || scope == "ACT_AS_USER"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest() {
        let granted = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(allows(&granted(&["READ"]), &Method::GET));
        assert!(!allows(&granted(&["READ"]), &Method::POST));
        assert!(allows(&granted(&["WRITE"]), &Method::PUT));
        assert!(allows(&granted(&["WRITE"]), &Method::GET));
        assert!(!allows(&granted(&["WRITE"]), &Method::DELETE));
        assert!(allows(&granted(&["ADMIN"]), &Method::DELETE));
        assert!(!allows(&granted(&["ACT_AS_USER"]), &Method::GET));
    }
}
