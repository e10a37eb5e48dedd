//! Tenant tokens (HS256): iframe, webhook, enabled/disabled and frontend calls. The order follows
//! Atlassian's: decode unverified → `iss` → tenant → HMAC → exp/iat → qsh.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use jwt_simple::JWTError;
use jwt_simple::prelude::*;
use serde::Deserialize;

use stj_core::{
    AuthError, Authenticator, ClientKey, Door, JiraAccess, Licence, Principal, QshPolicy,
    RequestFacts,
};
use stj_privacy::Personal;

use crate::qsh::{CONTEXT_QSH, qsh};
use crate::tenants::{Tenant, TenantDirectory};

/// Clock skew tolerated on `exp`/`iat`/`nbf` (Atlassian's Java verifier uses 30 s).
pub const LEEWAY_SECS: u64 = 30;
/// Longest token accepted; Connect tokens are well under 2 KiB.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
const ACCOUNT_ID_MAX: usize = 128;

#[derive(Debug, Deserialize)]
pub(crate) struct UnverifiedIssuer {
    pub(crate) iss: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AtlassianClaims {
    pub(crate) qsh: Option<String>,
    #[serde(default)]
    context: Option<serde_json::Value>,
}

/// Takes the token from `Authorization: JWT …` or the `jwt` query parameter; both present and
/// different is ambiguous and refused.
pub(crate) fn extract_token<'a>(facts: &RequestFacts<'a>) -> Result<String, AuthError> {
    let header = match facts.authorization {
        Some(value) => {
            Some(value.strip_prefix("JWT ").ok_or(AuthError::Malformed)?.trim().to_owned())
        }
        None => None,
    };
    let mut from_query = url::form_urlencoded::parse(facts.raw_query.as_bytes())
        .filter(|(name, _)| name == "jwt")
        .map(|(_, value)| value.into_owned());
    let query = from_query.next();
    if from_query.next().is_some() {
        return Err(AuthError::Malformed);
    }
    let token = match (header, query) {
        (Some(h), Some(q)) if h != q => return Err(AuthError::Malformed),
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) => return Err(AuthError::Missing),
    };
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

/// Reads `iss` before verifying, only to pick the key; nothing else is trusted from it.
pub(crate) fn unverified_issuer(token: &str) -> Result<ClientKey, AuthError> {
    let payload = token.split('.').nth(1).ok_or(AuthError::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| AuthError::Malformed)?;
    let claims: UnverifiedIssuer =
        serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)?;
    ClientKey::parse(&claims.iss.ok_or(AuthError::Malformed)?).map_err(|_| AuthError::UnknownIssuer)
}

pub(crate) fn verification_options() -> VerificationOptions {
    VerificationOptions {
        time_tolerance: Some(Duration::from_secs(LEEWAY_SECS)),
        max_token_length: Some(MAX_TOKEN_LEN),
        ..VerificationOptions::default()
    }
}

/// Maps jwt-simple's verification failure to the reason we report.
pub(crate) fn classify(err: &jwt_simple::Error) -> AuthError {
    match err.downcast_ref::<JWTError>() {
        Some(
            JWTError::TokenHasExpired
            | JWTError::ClockDrift
            | JWTError::TokenNotValidYet
            | JWTError::TokenIsTooOld,
        ) => AuthError::Expired,
        Some(JWTError::AlgorithmMismatch) => AuthError::Algorithm,
        Some(JWTError::InvalidSignature | JWTError::InvalidAuthenticationTag) => {
            AuthError::Signature
        }
        _ => AuthError::Malformed,
    }
}

/// Requires `exp` and `iat` (jwt-simple checks them only when present).
pub(crate) fn require_times<T>(claims: &JWTClaims<T>) -> Result<(), AuthError> {
    if claims.expires_at.is_none() || claims.issued_at.is_none() {
        return Err(AuthError::Expired);
    }
    Ok(())
}

#[derive(Debug)]
pub struct ConnectJwtAuthenticator {
    tenants: Arc<TenantDirectory>,
    /// Path prefix of the app's base URL, stripped before computing qsh.
    app_base_path: String,
}

impl ConnectJwtAuthenticator {
    pub fn new(tenants: Arc<TenantDirectory>, app_base_path: &str) -> Self {
        Self { tenants, app_base_path: app_base_path.trim_end_matches('/').to_owned() }
    }

    /// Verifies a tenant token and returns the tenant with the verified claims.
    pub(crate) async fn verify(
        &self,
        facts: &RequestFacts<'_>,
        policy: QshPolicy,
    ) -> Result<(Tenant, JWTClaims<AtlassianClaims>), AuthError> {
        let token = extract_token(facts)?;
        // Only the algorithm gate; `check_signature` verifies the token before anything is trusted.
        // nosemgrep: stj.unverified-token-metadata -- verified by check_signature below
        let metadata = Token::decode_metadata(&token).map_err(|_| AuthError::Malformed)?;
        if metadata.algorithm() != "HS256" {
            return Err(AuthError::Algorithm);
        }
        let client_key = unverified_issuer(&token)?;
        let unavailable = |e: crate::tenants::TenantError| AuthError::Unavailable(e.into());
        let (cached, from_cache) = self.tenants.lookup(&client_key).await.map_err(unavailable)?;
        let (tenant, claims) = match check_signature(cached, &token) {
            // Another instance may have re-installed the tenant (new secret) since we cached it.
            Err(AuthError::UnknownIssuer | AuthError::Signature) if from_cache => {
                let fresh = self.tenants.refresh(&client_key).await.map_err(unavailable)?;
                check_signature(fresh, &token)?
            }
            result => result?,
        };
        require_times(&claims)?;
        let expected = qsh(facts.method, facts.raw_path, facts.raw_query, &self.app_base_path);
        let ok = match (claims.custom.qsh.as_deref(), policy) {
            (Some(q), _) if q == expected => true,
            (Some(CONTEXT_QSH), QshPolicy::ComputedOrContext) => true,
            _ => false,
        };
        if !ok {
            return Err(AuthError::Qsh);
        }
        Ok((tenant, claims))
    }
}

/// The tenant's secret verifies the token (signature and times), or why not.
fn check_signature(
    tenant: Option<Tenant>,
    token: &str,
) -> Result<(Tenant, JWTClaims<AtlassianClaims>), AuthError> {
    let tenant = tenant.ok_or(AuthError::UnknownIssuer)?;
    let key = HS256Key::from_bytes(tenant.shared_secret.expose().as_bytes());
    let claims = key
        .verify_token::<AtlassianClaims>(token, Some(verification_options()))
        .map_err(|e| classify(&e))?;
    Ok((tenant, claims))
}

#[async_trait]
impl Authenticator for ConnectJwtAuthenticator {
    async fn authenticate(
        &self,
        facts: &RequestFacts<'_>,
        policy: QshPolicy,
    ) -> Result<Principal, AuthError> {
        let (tenant, claims) = self.verify(facts, policy).await?;
        if !tenant.enabled {
            return Err(AuthError::Disabled);
        }
        let account_id = match claims.subject {
            Some(sub) if sub.is_empty() || sub.len() > ACCOUNT_ID_MAX => {
                return Err(AuthError::Malformed);
            }
            Some(sub) => Some(Personal::new(sub)),
            None => None,
        };
        let is_context = claims.custom.qsh.as_deref() == Some(CONTEXT_QSH);
        let licence_claim = if is_context {
            context_licence(claims.custom.context.as_ref())
        } else {
            query_licence(facts.raw_query)
        };
        Ok(Principal {
            client_key: tenant.client_key,
            base_url: tenant.base_url,
            account_id,
            licence_claim,
            access: JiraAccess::Connect,
            door: Door::Connect,
        })
    }
}

/// `lic=active|none` on iframe URLs; covered by the qsh we just checked, so it can be trusted.
fn query_licence(raw_query: &str) -> Option<Licence> {
    url::form_urlencoded::parse(raw_query.as_bytes())
        .find(|(name, _)| name == "lic")
        .map(|(_, value)| if value == "active" { Licence::Active } else { Licence::Inactive })
}

/// `context.license.active` on context tokens.
fn context_licence(context: Option<&serde_json::Value>) -> Option<Licence> {
    let active = context?.get("license")?.get("active")?.as_bool()?;
    Some(if active { Licence::Active } else { Licence::Inactive })
}
