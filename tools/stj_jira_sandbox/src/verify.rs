//! How Jira checks the JWT an app signs for its REST calls: HS256 with the tenant's shared secret,
//! `iss` = the installed app's key, `exp` and `iat` both present (30 s leeway, as the Java host),
//! and a `qsh` over this exact method, path and query.

use actix_web::HttpRequest;
use jwt_simple::prelude::*;
use serde_json::{Map, Value};
use stj_connect::qsh::qsh;

use crate::Sandbox;
use crate::server::lock;
use crate::tenants::Tenant;

const LEEWAY_SECS: u64 = 30;

/// The parts of an incoming app request that the check needs.
#[derive(Debug)]
pub(crate) struct AppCall<'a> {
    /// The `{n}` of `/site/{n}/…` when tenants have per-site paths.
    pub site: Option<&'a str>,
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub authorization: Option<&'a str>,
}

/// The tenant whose secret signed this request (`JWT` in `Authorization`, the site from a
/// `/site/{site}/…` path), or `None` with the reason logged.
pub(crate) fn app_request(state: &Sandbox, req: &HttpRequest) -> Option<Tenant> {
    let call = AppCall {
        site: req.match_info().get("site"),
        method: req.method().as_str(),
        raw_path: req.uri().path(),
        raw_query: req.query_string(),
        authorization: req.headers().get("Authorization").and_then(|v| v.to_str().ok()),
    };
    app_call(state, &call)
        .inspect_err(|reason| {
            tracing::info!(reason, path = call.raw_path, "sandbox refused an app token");
        })
        .ok()
}

/// The tenant whose secret signed this call, or why it is refused (a fixed reason, never the token).
pub(crate) fn app_call(state: &Sandbox, call: &AppCall<'_>) -> Result<Tenant, &'static str> {
    let token = call
        .authorization
        .and_then(|h| h.strip_prefix("JWT "))
        .ok_or("missing Authorization: JWT header")?;
    let metadata = Token::decode_metadata(token).map_err(|_| "malformed token")?;
    if metadata.algorithm() != "HS256" {
        return Err("alg is not HS256");
    }
    // Jira knows the tenant from the host; with one host for all tenants (root layout), the
    // tenant is the one whose secret verifies the token.
    let candidates: Vec<Tenant> = lock(&state.tenants)
        .iter()
        .filter(|t| t.app.is_some() && (call.site.is_none() || t.site.as_deref() == call.site))
        .cloned()
        .collect();
    let options = VerificationOptions {
        time_tolerance: Some(Duration::from_secs(LEEWAY_SECS)),
        ..VerificationOptions::default()
    };
    let (tenant, claims) = candidates
        .into_iter()
        .find_map(|t| {
            let key = HS256Key::from_bytes(t.secret.expose().as_bytes());
            let claims =
                key.verify_token::<Map<String, Value>>(token, Some(options.clone())).ok()?;
            Some((t, claims))
        })
        .ok_or("signature, exp or iat check failed for every tenant")?;
    if claims.expires_at.is_none() || claims.issued_at.is_none() {
        return Err("exp and iat are required");
    }
    let app_key = tenant.app.as_ref().map(|a| a.key.as_str());
    if claims.issuer.as_deref() != app_key {
        return Err("iss is not the installed app's key");
    }
    let expected = qsh(call.method, call.raw_path, call.raw_query, tenant.base_url.path());
    if claims.custom.get("qsh").and_then(Value::as_str) != Some(expected.as_str()) {
        return Err("qsh does not match the request");
    }
    Ok(tenant)
}
