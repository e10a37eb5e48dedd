//! The user and system tokens Forge hands a remote (`x-forge-oauth-user`/`-system`): here JWTs
//! signed HS256 with a key only the sandbox holds, naming the site (`cloudId`) and the account
//! (`sub`; for a system token, the app's own user). Only the sandbox's REST API reads them.

use jwt_simple::prelude::*;
use serde_json::{Map, Value, json};
use stj_privacy::Secret;

use super::ForgeSite;
use super::fit::{ForgeTokenRequest, apply_overrides};
use crate::tenants::random_alnum;
use crate::tokens::{now_secs, sign_hs256_key};
use crate::{Sandbox, SandboxError};

/// How long a user or system token lives.
pub const FORGE_TOKEN_TTL_SECS: u64 = 300;
const TOKEN_ISSUER: &str = "stj-sandbox/forge-oauth";

/// What a valid token says.
#[derive(Debug, Clone)]
pub(crate) struct TokenGrant {
    pub cloud_id: String,
    pub account_id: String,
    /// The token's `scope` (space-separated); `None`: unrestricted.
    pub scopes: Option<Vec<String>>,
}

impl Sandbox {
    pub(super) fn oauth_token(
        &self,
        site: &ForgeSite,
        account_id: &str,
        kind: &str,
        request: &ForgeTokenRequest,
    ) -> Result<Secret<String>, SandboxError> {
        let now = now_secs();
        let mut claims = json!({
            "iss": TOKEN_ISSUER,
            "sub": account_id,
            "iat": now,
            "exp": now.saturating_add(FORGE_TOKEN_TTL_SECS),
            "jti": random_alnum(24),
            "cloudId": site.cloud_id,
            "kind": kind,
        });
        if let (Some(obj), Some(scopes)) = (claims.as_object_mut(), self.forge_scopes()) {
            obj.insert("scope".to_owned(), json!(scopes.join(" ")));
        }
        apply_overrides(&mut claims, &request.token_claims)?;
        sign_hs256_key(&self.forge.keys.oauth, &claims).map(Secret::new)
    }

    /// The grant of a token the sandbox signed and that has not expired, or why not.
    pub(crate) fn check_forge_token(&self, token: &str) -> Result<TokenGrant, &'static str> {
        let options = VerificationOptions {
            time_tolerance: Some(Duration::from_secs(0)),
            allowed_issuers: Some(HashSet::from([TOKEN_ISSUER.to_owned()])),
            ..VerificationOptions::default()
        };
        let claims = self
            .forge
            .keys
            .oauth
            .verify_token::<Map<String, Value>>(token, Some(options))
            .map_err(|_| "signature, issuer or expiry check failed")?;
        if claims.expires_at.is_none() {
            return Err("exp is required");
        }
        let cloud_id = claims.custom.get("cloudId").and_then(Value::as_str).ok_or("no cloudId")?;
        let account_id = claims.subject.ok_or("no sub")?;
        let scopes = claims.custom.get("scope").map(|scope| {
            scope.as_str().unwrap_or_default().split_whitespace().map(str::to_owned).collect()
        });
        Ok(TokenGrant { cloud_id: cloud_id.to_owned(), account_id, scopes })
    }
}
