//! The four lifecycle callbacks. `installed`/`uninstalled` are signed by Atlassian (RS256, key by
//! `kid`); `enabled`/`disabled` by the tenant's shared secret. Nothing is written unless the
//! signature, `aud`, `iss`, times and qsh all check out.

use std::sync::Arc;

use jwt_simple::prelude::*;
use serde::Deserialize;

use stj_core::{
    AuthError, ClientKey, Clock, ForgeInstallationId, ForgeRegistry, KeyId, NewInstallation,
    QshPolicy, RequestFacts, TenantUrl,
};
use stj_privacy::Secret;

use crate::install_keys::{InstallKeys, KeyError};
use crate::qsh::qsh;
use crate::tenants::TenantDirectory;
use crate::token::{
    AtlassianClaims, ConnectJwtAuthenticator, classify, extract_token, require_times,
    verification_options,
};

/// Lifecycle payload fields the app reads; everything else Jira sends is ignored and never stored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LifecyclePayload {
    key: String,
    client_key: String,
    base_url: String,
    #[serde(default)]
    display_url: Option<String>,
    #[serde(default)]
    shared_secret: Option<Secret<String>>,
    #[serde(default)]
    oauth_client_id: Option<String>,
    /// The Forge installation this install is (sent once the app has a Forge version): linking
    /// the two makes one tenant of a site whichever door it comes through.
    #[serde(default)]
    installation_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Unauthorized(#[from] AuthError),
    #[error("invalid lifecycle payload: {0}")]
    BadPayload(String),
    #[error("install key service unavailable")]
    KeyServiceUnavailable,
    #[error("installation registry unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl LifecycleError {
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(e) => e.code(),
            Self::BadPayload(_) => "lifecycle_payload_invalid",
            Self::KeyServiceUnavailable => "install_keys_unavailable",
            Self::Unavailable(_) => "registry_unavailable",
        }
    }
}

#[derive(Debug)]
pub struct Lifecycle {
    app_key: String,
    app_base_url: String,
    app_base_path: String,
    keys: InstallKeys,
    tenants: Arc<TenantDirectory>,
    tenant_tokens: Arc<ConnectJwtAuthenticator>,
    clock: Arc<dyn Clock>,
    forge_links: Option<Arc<dyn ForgeRegistry>>,
}

/// Shared secrets Jira sends are at most 128 printable ASCII characters; anything shorter than 32
/// is not a real secret (and `openapi/openapi.yaml` promises exactly this range and charset).
const SECRET_LEN: std::ops::RangeInclusive<usize> = 32..=256;

impl Lifecycle {
    pub fn new(
        app_key: &str,
        app_base_url: &str,
        keys: InstallKeys,
        tenants: Arc<TenantDirectory>,
        tenant_tokens: Arc<ConnectJwtAuthenticator>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let app_base_url = app_base_url.trim_end_matches('/').to_owned();
        let app_base_path = url::Url::parse(&app_base_url)
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Self {
            app_key: app_key.to_owned(),
            app_base_url,
            app_base_path,
            keys,
            tenants,
            tenant_tokens,
            clock,
            forge_links: None,
        }
    }

    /// Records the Connect-to-Forge link when an `installed` payload carries `installationId`.
    #[must_use]
    pub fn with_forge_links(mut self, registry: Arc<dyn ForgeRegistry>) -> Self {
        self.forge_links = Some(registry);
        self
    }

    pub async fn installed(
        &self,
        facts: &RequestFacts<'_>,
        body: &[u8],
    ) -> Result<ClientKey, LifecycleError> {
        let issuer = self.verify_signed_install(facts).await?;
        let payload = self.payload(body, &issuer)?;
        let secret = payload
            .shared_secret
            .filter(|s| {
                let secret = s.expose();
                SECRET_LEN.contains(&secret.len()) && secret.bytes().all(|b| b.is_ascii_graphic())
            })
            .ok_or_else(|| bad("sharedSecret must be 32 to 256 printable ASCII characters"))?;
        let base_url =
            TenantUrl::parse(&payload.base_url).map_err(|e| bad(&format!("baseUrl: {e}")))?;
        let display_url = match payload.display_url.as_deref() {
            Some(raw) if !raw.is_empty() => {
                Some(TenantUrl::parse(raw).map_err(|e| bad(&format!("displayUrl: {e}")))?)
            }
            _ => None,
        };
        let forge_installation = match payload.installation_id.as_deref() {
            Some(raw) if !raw.is_empty() => Some(
                ForgeInstallationId::parse(raw)
                    .map_err(|e| bad(&format!("installationId: {e}")))?,
            ),
            _ => None,
        };
        let oauth_client_id = match payload.oauth_client_id {
            Some(id) if !is_oauth_client_id(&id) => return Err(bad("oauthClientId is malformed")),
            other => other.filter(|id| !id.is_empty()),
        };
        let sealed_secret = self
            .tenants
            .sealer()
            .seal(&issuer, &secret)
            .map_err(|e| LifecycleError::Unavailable(e.into()))?;
        let new = NewInstallation {
            client_key: issuer.clone(),
            base_url,
            display_url,
            sealed_secret,
            enabled: true,
            oauth_client_id,
        };
        self.tenants
            .registry()
            .upsert(new, self.clock.now())
            .await
            .map_err(|e| LifecycleError::Unavailable(e.into()))?;
        if let (Some(links), Some(id)) = (&self.forge_links, forge_installation) {
            links
                .link_connect(&issuer, &id)
                .await
                .map_err(|e| LifecycleError::Unavailable(e.into()))?;
        }
        self.tenants.evict(&issuer);
        Ok(issuer)
    }

    pub async fn uninstalled(
        &self,
        facts: &RequestFacts<'_>,
        body: &[u8],
    ) -> Result<ClientKey, LifecycleError> {
        let issuer = self.verify_signed_install(facts).await?;
        self.payload(body, &issuer)?;
        self.tenants
            .registry()
            .delete(&issuer)
            .await
            .map_err(|e| LifecycleError::Unavailable(e.into()))?;
        self.tenants.evict(&issuer);
        Ok(issuer)
    }

    /// `enabled`/`disabled`: HS256 with the tenant's current secret. An unsigned `disabled` (sent after
    /// uninstall, AC-2561) fails verification and changes nothing.
    pub async fn set_enabled(
        &self,
        facts: &RequestFacts<'_>,
        body: &[u8],
        enabled: bool,
    ) -> Result<ClientKey, LifecycleError> {
        let verified = self.tenant_tokens.verify(facts, QshPolicy::Computed).await?;
        let tenant = verified.entry.tenant.as_ref().ok_or(AuthError::UnknownIssuer)?;
        self.payload(body, &tenant.client_key)?;
        self.tenants
            .registry()
            .set_enabled(&tenant.client_key, enabled, self.clock.now())
            .await
            .map_err(|e| LifecycleError::Unavailable(e.into()))?;
        self.tenants.evict(&tenant.client_key);
        Ok(tenant.client_key.clone())
    }

    /// RS256 only, key by `kid`, `aud` = our base URL, `iss` = the payload's client key (checked by
    /// `payload`), exp/iat required, qsh computed over this request.
    async fn verify_signed_install(
        &self,
        facts: &RequestFacts<'_>,
    ) -> Result<ClientKey, LifecycleError> {
        let token = extract_token(facts)?;
        let metadata = Token::decode_metadata(&token).map_err(|_| AuthError::Malformed)?;
        if metadata.algorithm() != "RS256" {
            return Err(AuthError::Algorithm.into());
        }
        let kid =
            metadata.key_id().and_then(|k| KeyId::parse(k).ok()).ok_or(AuthError::Malformed)?;
        let key = self.keys.get(&kid).await.map_err(|e| match e {
            KeyError::Unknown | KeyError::Invalid => {
                LifecycleError::Unauthorized(AuthError::Signature)
            }
            KeyError::Unavailable(_) => LifecycleError::KeyServiceUnavailable,
        })?;
        let claims = key
            .verify_token::<AtlassianClaims>(&token, Some(verification_options()))
            .map_err(|e| classify(&e))?;
        require_times(&claims)?;
        let audience_ok = claims.audiences.as_ref().is_some_and(|aud| {
            aud.clone().into_set().iter().any(|a| a.trim_end_matches('/') == self.app_base_url)
        });
        if !audience_ok {
            return Err(AuthError::Signature.into());
        }
        let expected = qsh(facts.method, facts.raw_path, facts.raw_query, &self.app_base_path);
        if claims.custom.qsh.as_deref() != Some(expected.as_str()) {
            return Err(AuthError::Qsh.into());
        }
        let issuer = claims.issuer.as_deref().ok_or(AuthError::Malformed)?;
        ClientKey::parse(issuer).map_err(|_| AuthError::UnknownIssuer.into())
    }

    fn payload(&self, body: &[u8], issuer: &ClientKey) -> Result<LifecyclePayload, LifecycleError> {
        let payload: LifecyclePayload = serde_json::from_slice(body).map_err(|e| {
            // Position only: serde's message can quote values, and this body carries a secret.
            bad(&format!("not a lifecycle payload (line {}, column {})", e.line(), e.column()))
        })?;
        if payload.key != self.app_key {
            return Err(bad("key does not name this app"));
        }
        if payload.client_key != issuer.as_str() {
            return Err(AuthError::UnknownIssuer.into());
        }
        Ok(payload)
    }
}

/// Atlassian's client ids are opaque tokens; allow the URL-safe set they use, bounded.
fn is_oauth_client_id(id: &str) -> bool {
    id.len() <= 256
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

fn bad(message: &str) -> LifecycleError {
    LifecycleError::BadPayload(message.to_owned())
}
