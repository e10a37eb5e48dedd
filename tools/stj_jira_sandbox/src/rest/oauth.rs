//! The authorization server's token endpoint for user impersonation (the JWT bearer grant of
//! RFC 7523, Connect's `ACT_AS_USER`): the app proves itself with an assertion signed with the
//! tenant's shared secret, and gets a short-lived opaque bearer token acting as the `sub` user.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, web};
use jwt_simple::prelude::*;
use serde_json::{Map, Value, json};
use stj_core::ClientKey;

use super::auth::is_known_scope;
use crate::server::lock;
use crate::site::records::Grant;
use crate::tenants::random_alnum;
use crate::tokens::{decode_claims_unverified, fresh_claims, now_secs};
use crate::{Sandbox, SandboxError};

/// What the token endpoint answers in `expires_in` (ACE's mock of the real server says 900).
pub const ACCESS_TOKEN_TTL_SECS: u64 = 900;
/// Assertions that expire further ahead than this are refused, as Atlassian's server does.
pub const MAX_ASSERTION_LIFETIME_SECS: u64 = 120;
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ISS_PREFIX: &str = "urn:atlassian:connect:clientid:";
const SUB_PREFIX: &str = "urn:atlassian:connect:useraccountid:";
const LEEWAY_SECS: u64 = 30;

impl Sandbox {
    /// The authorization server's URL: the assertion's `aud`, and the base of `POST /oauth2/token`
    /// (in Jira Cloud `https://oauth-2-authorization-server.services.atlassian.com`).
    pub fn auth_server_url(&self) -> &str {
        &self.root_url
    }

    /// The tenant's `oauthClientId`, as the lifecycle payload carries it.
    pub fn oauth_client_id(&self, client_key: &ClientKey) -> Result<String, SandboxError> {
        self.with_tenant(client_key, |t| t.oauth_client_id.clone())
    }

    /// The claims of a good assertion for `account_id` (`iss`, `sub`, `tnt`, `aud`, `iat`, `exp` =
    /// +60 s as ACE sends): edit them and sign with [`crate::sign_hs256`] to forge variants.
    pub fn user_assertion_claims(
        &self,
        client_key: &ClientKey,
        account_id: &str,
    ) -> Result<Value, SandboxError> {
        let tenant = self.tenant(client_key)?;
        Ok(fresh_claims(json!({
            "iss": format!("{ISS_PREFIX}{}", self.oauth_client_id(client_key)?),
            "sub": format!("{SUB_PREFIX}{account_id}"),
            "tnt": tenant.base_url.as_str(),
            "aud": self.auth_server_url(),
            "exp": now_secs().saturating_add(60),
        })))
    }

    /// A bearer token for `account_id` without going through the grant (setup for tests that
    /// are not about the grant). `scopes: None` means the app's own scopes.
    pub fn user_access_token(
        &self,
        client_key: &ClientKey,
        account_id: &str,
        scopes: Option<&[&str]>,
    ) -> Result<String, SandboxError> {
        let scopes = scopes.map(|s| s.iter().map(|s| (*s).to_owned()).collect());
        self.with_site(client_key, |site| site.user(account_id).is_some())?
            .then(|| self.mint(client_key, account_id, scopes))
            .ok_or_else(|| SandboxError::Invalid(format!("no user {account_id}")))?
    }

    /// Every access token issued on the tenant so far (the privacy tests' canaries).
    pub fn issued_access_tokens(
        &self,
        client_key: &ClientKey,
    ) -> Result<Vec<String>, SandboxError> {
        self.with_site(client_key, |site| site.tokens.keys().cloned().collect())
    }

    /// Make every access token of the tenant expired, as if 15 minutes had passed.
    pub fn expire_access_tokens(&self, client_key: &ClientKey) -> Result<(), SandboxError> {
        self.with_site(client_key, |site| {
            for grant in site.tokens.values_mut() {
                grant.expires_at = 0;
            }
        })
    }

    fn mint(
        &self,
        client_key: &ClientKey,
        account_id: &str,
        scopes: Option<Vec<String>>,
    ) -> Result<String, SandboxError> {
        let token = random_alnum(64);
        let grant = Grant {
            account_id: account_id.to_owned(),
            scopes,
            expires_at: now_secs().saturating_add(ACCESS_TOKEN_TTL_SECS),
        };
        self.with_site(client_key, |site| site.tokens.insert(token.clone(), grant))?;
        Ok(token)
    }
}

/// `POST /oauth2/token` (form-encoded `grant_type`, `assertion`, optional `scope`).
pub(crate) async fn token(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let form = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return oauth_error("invalid_request", "expected a form-encoded body");
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    match params.get("grant_type").map(String::as_str) {
        Some(GRANT_TYPE) => {}
        Some(_) => return oauth_error("unsupported_grant_type", "only the JWT bearer grant"),
        None => return oauth_error("invalid_request", "grant_type is required"),
    }
    let Some(assertion) = params.get("assertion") else {
        return oauth_error("invalid_request", "assertion is required");
    };
    let scopes = match params.get("scope") {
        None => None,
        Some(raw) => {
            let scopes: Vec<String> = raw.split_whitespace().map(str::to_owned).collect();
            if scopes.is_empty() || !scopes.iter().all(|s| is_known_scope(s)) {
                return oauth_error("invalid_scope", "unknown scope (scopes are upper case)");
            }
            Some(scopes)
        }
    };
    let (client_key, account_id) = match verify_assertion(&state, assertion) {
        Ok(found) => found,
        Err(reason) => {
            tracing::info!(reason, "sandbox refused a user assertion");
            return oauth_error("invalid_grant", reason);
        }
    };
    match state.mint(&client_key, &account_id, scopes) {
        Ok(token) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(json!({
            "access_token": token,
            "expires_in": ACCESS_TOKEN_TTL_SECS,
            "token_type": "Bearer",
        })),
        Err(_) => oauth_error("invalid_grant", "the tenant is gone"),
    }
}

/// The tenant and account id the assertion is good for, or why not (fixed text, no token).
fn verify_assertion(state: &Sandbox, assertion: &str) -> Result<(ClientKey, String), &'static str> {
    let metadata = Token::decode_metadata(assertion).map_err(|_| "malformed assertion")?;
    if metadata.algorithm() != "HS256" {
        return Err("alg is not HS256");
    }
    let unverified = decode_claims_unverified(assertion).map_err(|_| "malformed assertion")?;
    let client_id = unverified
        .get("iss")
        .and_then(Value::as_str)
        .and_then(|iss| iss.strip_prefix(ISS_PREFIX))
        .ok_or("iss is not urn:atlassian:connect:clientid:{oauthClientId}")?;
    let (client_key, secret, base_url) = lock(&state.tenants)
        .iter()
        .find(|t| t.app.is_some() && t.oauth_client_id == client_id)
        .map(|t| (t.client_key.clone(), t.secret.clone(), t.base_url.clone()))
        .ok_or("no installed app has this oauthClientId")?;
    let options = VerificationOptions {
        time_tolerance: Some(Duration::from_secs(LEEWAY_SECS)),
        allowed_audiences: Some(HashSet::from([state.auth_server_url().to_owned()])),
        ..VerificationOptions::default()
    };
    let claims = HS256Key::from_bytes(secret.expose().as_bytes())
        .verify_token::<Map<String, Value>>(assertion, Some(options))
        .map_err(|_| "signature, aud, exp or iat check failed")?;
    let expires = claims.expires_at.ok_or("exp is required")?.as_secs();
    claims.issued_at.ok_or("iat is required")?;
    if expires > now_secs().saturating_add(MAX_ASSERTION_LIFETIME_SECS) {
        return Err("exp is more than 120 s ahead");
    }
    let tnt = claims.custom.get("tnt").and_then(Value::as_str).map(|t| t.trim_end_matches('/'));
    if tnt != Some(base_url.as_str()) {
        return Err("tnt is not the tenant's base URL");
    }
    let account_id = claims
        .subject
        .as_deref()
        .and_then(|s| s.strip_prefix(SUB_PREFIX))
        .ok_or("sub is not urn:atlassian:connect:useraccountid:{accountId}")?;
    let active = state
        .with_site(&client_key, |site| site.user(account_id).is_some_and(|u| u.active))
        .unwrap_or(false);
    if !active {
        return Err("sub is not an active user of the site");
    }
    Ok((client_key, account_id.to_owned()))
}

/// RFC 6749 §5.2 error body, always 400 for this grant's errors.
fn oauth_error(error: &str, description: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "error": error, "error_description": description }))
}
