//! Minting what Forge sends a remote: the FIT (RS256, `kid` header) and the user and system
//! tokens (`x-forge-oauth-user`, `x-forge-oauth-system`). Claims go through JSON so tests can
//! override or remove any of them by dotted path before signing.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use stj_core::ClientKey;
use stj_privacy::Secret;

use super::keys::SignWith;
use super::{ForgeSite, app_ari};
use crate::server::licence_active;
use crate::tenants::random_alnum;
use crate::tokens::{TOKEN_TTL_SECS, now_secs, sign_rs256};
use crate::{Sandbox, SandboxError};

/// `iss` of every FIT.
pub const FIT_ISSUER: &str = "forge/invocation-token";

/// What `POST /__sandbox/forge/tokens` takes: the site (`clientKey` or `cloudId`), the user
/// (`accountId`; none: a system invocation, no `principal` and no user token), the module context
/// (`extension`), and for negative tests claim overrides, the signing key and the `kid`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForgeTokenRequest {
    pub client_key: Option<String>,
    pub cloud_id: Option<String>,
    pub account_id: Option<String>,
    pub extension: Option<Value>,
    /// FIT claims to set, by dotted path (`"app.installationId"`); `null` removes the claim.
    #[serde(default)]
    pub claims: Map<String, Value>,
    #[serde(default)]
    pub sign_with: SignWith,
    /// The FIT's `kid` header; the published key's `kid` by default.
    pub kid: Option<String>,
    /// The same kind of overrides for the user and system tokens (`exp`, `cloudId`, …).
    #[serde(default)]
    pub token_claims: Map<String, Value>,
}

impl ForgeTokenRequest {
    /// A user invocation on the tenant `client_key` as `account_id`.
    pub fn user(client_key: &ClientKey, account_id: &str) -> Self {
        Self {
            client_key: Some(client_key.as_str().to_owned()),
            account_id: Some(account_id.to_owned()),
            ..Self::default()
        }
    }
}

/// What a Forge invocation of the remote carries, and the site it is for.
#[derive(Debug, Clone)]
pub struct ForgeTokens {
    /// `Authorization: Bearer {fit}`.
    pub fit: Secret<String>,
    /// `x-forge-oauth-user`; `None` for a system invocation.
    pub user_token: Option<Secret<String>>,
    /// `x-forge-oauth-system`.
    pub system_token: Secret<String>,
    pub site: ForgeSite,
}

impl Sandbox {
    /// A FIT and fresh user and system tokens, as Forge sends them with one invocation.
    pub fn forge_tokens(&self, request: &ForgeTokenRequest) -> Result<ForgeTokens, SandboxError> {
        let site = self.forge_site_for(request)?;
        let mut claims = self.fit_claims(&site, request)?;
        apply_overrides(&mut claims, &request.claims)?;
        let kid = request.kid.as_deref().unwrap_or(&self.forge.keys.kid);
        let fit = sign_rs256(&self.forge.keys.signer(request.sign_with, kid)?, &claims)?;
        let user_token = match &request.account_id {
            Some(account) => Some(self.oauth_token(&site, account, "user", request)?),
            None => None,
        };
        let app_account = self.app_account_id(&site.client_key)?;
        let system_token = self.oauth_token(&site, &app_account, "system", request)?;
        Ok(ForgeTokens { fit: Secret::new(fit), user_token, system_token, site })
    }

    fn forge_site_for(&self, request: &ForgeTokenRequest) -> Result<ForgeSite, SandboxError> {
        match (&request.client_key, &request.cloud_id) {
            (Some(raw), None) => {
                let key = ClientKey::parse(raw)
                    .map_err(|_| SandboxError::UnknownTenant(raw.to_owned()))?;
                self.forge_site(&key)
            }
            (None, Some(cloud_id)) => self.forge_site_by_cloud(cloud_id),
            _ => Err(SandboxError::Claims("give exactly one of clientKey and cloudId".to_owned())),
        }
    }

    /// The claim set the contract names, before overrides.
    fn fit_claims(
        &self,
        site: &ForgeSite,
        request: &ForgeTokenRequest,
    ) -> Result<Value, SandboxError> {
        let now = now_secs();
        let licence = self.with_tenant(&site.client_key, |t| t.licence)?;
        let mut app = json!({
            "id": app_ari(&self.forge.app_id),
            "installationId": site.installation_id,
            "apiBaseUrl": site.api_base_url,
            "environment": { "type": "DEVELOPMENT", "id": self.forge.environment_id },
        });
        if let (Some(obj), Some(active)) = (app.as_object_mut(), licence_active(licence)) {
            obj.insert("license".to_owned(), json!({ "isActive": active }));
        }
        let mut claims = json!({
            "iss": FIT_ISSUER,
            "aud": app_ari(&self.forge.app_id),
            "iat": now,
            "nbf": now,
            "exp": now.saturating_add(TOKEN_TTL_SECS),
            "jti": random_alnum(24),
            "app": app,
            "context": {
                "cloudId": site.cloud_id,
                "siteUrl": site.site_url,
                "extension": request.extension.clone().unwrap_or_else(|| json!({})),
            },
        });
        if let (Some(obj), Some(account)) = (claims.as_object_mut(), &request.account_id) {
            obj.insert("principal".to_owned(), json!(account));
        }
        Ok(claims)
    }
}

/// Set (or with `null`, remove) each claim named by a dotted path, creating objects on the way.
pub(crate) fn apply_overrides(
    claims: &mut Value,
    overrides: &Map<String, Value>,
) -> Result<(), SandboxError> {
    for (path, value) in overrides {
        let bad = |why: &str| SandboxError::Claims(format!("claim path {path:?}: {why}"));
        let mut segments: Vec<&str> = path.split('.').collect();
        let last = segments.pop().filter(|s| !s.is_empty()).ok_or_else(|| bad("empty name"))?;
        let mut node = &mut *claims;
        for segment in segments {
            let obj = node.as_object_mut().ok_or_else(|| bad("crosses a non-object"))?;
            node = obj.entry(segment.to_owned()).or_insert_with(|| json!({}));
        }
        let obj = node.as_object_mut().ok_or_else(|| bad("crosses a non-object"))?;
        if value.is_null() {
            obj.remove(last);
        } else {
            obj.insert(last.to_owned(), value.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_set_and_remove_by_path() {
        let mut claims =
            json!({ "iss": "a", "app": { "id": "x", "license": { "isActive": true } } });
        let overrides = json!({ "iss": "b", "app.id": null, "app.license.isActive": false,
                                "context.cloudId": "c" });
        apply_overrides(&mut claims, overrides.as_object().unwrap()).unwrap();
        assert_eq!(
            claims,
            json!({ "iss": "b", "app": { "license": { "isActive": false } },
                    "context": { "cloudId": "c" } })
        );
        let bad = json!({ "iss.x": 1 });
        assert!(apply_overrides(&mut claims, bad.as_object().unwrap()).is_err());
        let empty = json!({ "app.": 1 });
        assert!(apply_overrides(&mut claims, empty.as_object().unwrap()).is_err());
    }
}
