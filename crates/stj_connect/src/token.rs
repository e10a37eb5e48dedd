//! Tenant tokens (HS256): iframe, webhook, enabled/disabled and frontend calls. The order follows
//! Atlassian's: decode unverified → `iss` → tenant → HMAC → exp/iat → qsh. The token is decoded
//! once (`jwt::Token`) and verified with ring's HMAC; jwt-simple stays for the signed install
//! (`lifecycle`), and its rules are the ones `jwt` keeps.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use jwt_simple::JWTError;
use jwt_simple::prelude::*;
use serde::Deserialize;

use stj_core::{
    AuthError, Authenticator, ClientKey, Door, JiraAccess, Licence, Principal, QshPolicy,
    RequestFacts,
};
use stj_privacy::Personal;

use crate::context_tokens::ContextTokens;
use crate::jwt::Token;
use crate::qsh::{CONTEXT_QSH, qsh_matches};
use crate::tenants::{Entry, TenantDirectory};

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
    /// Read only by the equivalence test; parsed so the signed install keeps its rules.
    #[serde(default)]
    #[cfg_attr(not(test), expect(dead_code, reason = "parsed for its rules, read by tests"))]
    pub(crate) context: Option<serde_json::Value>,
}

/// Takes the token from `Authorization: JWT …` or the `jwt` query parameter; both present and
/// different is ambiguous and refused.
pub(crate) fn extract_token<'a>(facts: &RequestFacts<'a>) -> Result<Cow<'a, str>, AuthError> {
    let header = match facts.authorization {
        Some(value) => Some(value.strip_prefix("JWT ").ok_or(AuthError::Malformed)?.trim()),
        None => None,
    };
    let query = if may_name(facts.raw_query, "jwt") { facts.raw_query } else { "" };
    let mut from_query = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "jwt")
        .map(|(_, value)| value);
    let query = from_query.next();
    if from_query.next().is_some() {
        return Err(AuthError::Malformed);
    }
    let token = match (header, query) {
        (Some(h), Some(q)) if h != q => return Err(AuthError::Malformed),
        (Some(t), _) => Cow::Borrowed(t),
        (None, Some(t)) => t,
        (None, None) => return Err(AuthError::Missing),
    };
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(AuthError::Malformed);
    }
    Ok(token)
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
    /// Context tokens that verified against the tenant's current entry.
    context_tokens: ContextTokens,
}

/// What a verified tenant token established.
#[derive(Debug)]
pub(crate) struct Verified {
    /// A cache entry whose tenant is present.
    pub(crate) entry: Arc<Entry>,
    pub(crate) subject: Option<String>,
    pub(crate) context_qsh: bool,
    pub(crate) context_licence: Option<Licence>,
}

impl ConnectJwtAuthenticator {
    pub fn new(tenants: Arc<TenantDirectory>, app_base_path: &str) -> Self {
        Self {
            tenants,
            app_base_path: app_base_path.trim_end_matches('/').to_owned(),
            context_tokens: ContextTokens::default(),
        }
    }

    /// Verifies a tenant token: the tenant and what the claims say.
    pub(crate) async fn verify(
        &self,
        facts: &RequestFacts<'_>,
        policy: QshPolicy,
    ) -> Result<Verified, AuthError> {
        let raw = extract_token(facts)?;
        if let Some(recalled) = self.context_tokens.recall(&raw, |iss| self.tenants.cached(iss)) {
            // As the full path: times (in `recall`), then qsh: `context-qsh` fits only this policy.
            let recalled = recalled?;
            if policy != QshPolicy::ComputedOrContext {
                return Err(AuthError::Qsh);
            }
            return Ok(Verified {
                entry: Arc::clone(&recalled.entry),
                subject: recalled.subject.clone(),
                context_qsh: true,
                context_licence: recalled.context_licence,
            });
        }
        let token = Token::decode(&raw)?;
        let (claims, issuer) = token.read()?;
        let unavailable = |e: crate::tenants::TenantError| AuthError::Unavailable(e.into());
        let client_key = || ClientKey::parse(&issuer).map_err(|_| AuthError::UnknownIssuer);
        let (cached, from_cache) = match self.tenants.cached(&issuer) {
            Some(hit) => (hit, true),
            None => (self.tenants.refresh(&client_key()?).await.map_err(unavailable)?, false),
        };
        let entry = match token.check(&cached, &claims) {
            // Another instance may have re-installed the tenant (new secret) since we cached it.
            Err(AuthError::UnknownIssuer | AuthError::Signature) if from_cache => {
                let fresh = self.tenants.refresh(&client_key()?).await.map_err(unavailable)?;
                token.check(&fresh, &claims)?;
                fresh
            }
            result => result.map(|()| cached)?,
        };
        let claims = claims.map_err(|()| AuthError::Malformed)?;
        let (method, path, query) = (facts.method, facts.raw_path, facts.raw_query);
        let ok = match (claims.qsh.as_deref(), policy) {
            (Some(q), _) if qsh_matches(q, method, path, query, &self.app_base_path) => true,
            (Some(CONTEXT_QSH), QshPolicy::ComputedOrContext) => true,
            _ => false,
        };
        if !ok {
            return Err(AuthError::Qsh);
        }
        let context_qsh = claims.qsh.as_deref() == Some(CONTEXT_QSH);
        if context_qsh {
            let subject = claims.subject.as_deref();
            let (times, licence) = (claims.times(), claims.context_licence);
            self.context_tokens.remember(&raw, &issuer, &entry, times, subject, licence);
        }
        Ok(Verified {
            entry,
            subject: claims.subject.map(Cow::into_owned),
            context_qsh,
            context_licence: claims.context_licence,
        })
    }
}

#[async_trait]
impl Authenticator for ConnectJwtAuthenticator {
    async fn authenticate(
        &self,
        facts: &RequestFacts<'_>,
        policy: QshPolicy,
    ) -> Result<Principal, AuthError> {
        let verified = self.verify(facts, policy).await?;
        let tenant = verified.entry.tenant.as_ref().ok_or(AuthError::UnknownIssuer)?;
        if !tenant.enabled {
            return Err(AuthError::Disabled);
        }
        let account_id = match verified.subject {
            Some(sub) if sub.is_empty() || sub.len() > ACCOUNT_ID_MAX => {
                return Err(AuthError::Malformed);
            }
            Some(sub) => Some(Personal::new(sub)),
            None => None,
        };
        let licence_claim = if verified.context_qsh {
            verified.context_licence
        } else {
            query_licence(facts.raw_query)
        };
        Ok(Principal {
            client_key: tenant.client_key.clone(),
            base_url: tenant.base_url.clone(),
            account_id,
            licence_claim,
            access: JiraAccess::Connect,
            door: Door::Connect,
        })
    }
}

/// `lic=active|none` on iframe URLs; covered by the qsh we just checked, so it can be trusted.
fn query_licence(raw_query: &str) -> Option<Licence> {
    if !may_name(raw_query, "lic") {
        return None;
    }
    let licence = |value: &str| if value == "active" { Licence::Active } else { Licence::Inactive };
    if raw_query.contains(['%', '+']) {
        return url::form_urlencoded::parse(raw_query.as_bytes())
            .find(|(name, _)| name == "lic")
            .map(|(_, value)| licence(&value));
    }
    // Nothing to decode: the same pairs as form_urlencoded's, read in place.
    raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(name, _)| *name == "lic")
        .map(|(_, value)| licence(value))
}

/// Whether a query may hold a parameter whose decoded name is `name` (ASCII letters): only if the
/// text appears as it is, or the query percent-encodes something (`+` decodes to a space, and a
/// bad escape to U+FFFD, never to a letter). Lets the common query skip a decoding pass.
fn may_name(raw_query: &str, name: &str) -> bool {
    raw_query.contains('%') || raw_query.contains(name)
}

#[cfg(test)]
mod query_tests {
    use super::*;

    #[test]
    fn the_shortcut_never_hides_a_parameter() {
        let decoded_has = |query: &str, name: &str| {
            url::form_urlencoded::parse(query.as_bytes()).any(|(n, _)| n == name)
        };
        for query in [
            "",
            "jwt=a",
            "a=1&jwt=b",
            "%6Awt=x",
            "j%77t=x",
            "jw%74=x",
            "lic=active",
            "%6Cic=none",
            "li+c=1",
            "JWT=a",
            "ljwtic=1",
            "issueKey=ABC-1&projectKey=ABC&lic=active",
            "&&=&",
            "x=%",
            "jwt",
            "lic",
        ] {
            for name in ["jwt", "lic"] {
                if decoded_has(query, name) {
                    assert!(may_name(query, name), "{query:?} has {name}");
                }
            }
        }
        assert!(!may_name("issueKey=ABC-1&projectKey=ABC&lic=active", "jwt"));
        // The in-place reading of `lic` is form_urlencoded's on queries with nothing to decode.
        let reference = |query: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(n, _)| n == "lic")
                .map(|(_, v)| if v == "active" { Licence::Active } else { Licence::Inactive })
        };
        for query in [
            "lic=active",
            "lic=none",
            "lic",
            "lic=",
            "&&lic=active&&",
            "lic=active&lic=none",
            "lic=none&lic=active",
            "lic=active=x",
            "a=1&lic=active",
            "lic=ACTIVE",
            "xlic=active",
            "=lic",
            "lic=%61ctive",
            "lic=act+ive",
            "li%63=active",
            "lic=active;x",
        ] {
            assert_eq!(query_licence(query), reference(query), "{query:?}");
        }
        assert_eq!(query_licence("a=1"), None);
        assert_eq!(query_licence("%6Cic=active"), Some(Licence::Active));
    }
}
