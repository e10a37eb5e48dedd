//! The Forge door's `Authenticator`: a verified FIT plus the request's `x-forge-oauth-user` token.
//!
//! What is verified where:
//! - the FIT (installation, site, user, licence) by this app: signature by Forge's JWKS, issuer,
//!   audience, times; nothing about the tenant is taken from anywhere else;
//! - the user token by Jira: the app sends it only to the FIT's verified `app.apiBaseUrl`, and
//!   Atlassian's API refuses a token minted for another site;
//! - token mixing (another installation's FIT with this installation's user token) by this app
//!   too, as defence in depth: the user token's payload is decoded WITHOUT trusting it and used
//!   only to refuse — if it names a site (`cloudId`) or installation other than the FIT's, the
//!   request is refused with 401 `token_installation`. A payload that names none is left to Jira.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use stj_core::{
    AuthError, Authenticator, CloudId, Door, ForgeInstallationId, JiraAccess, Principal, QshPolicy,
    RequestFacts,
};
use stj_privacy::{Personal, Secret};

use crate::claims::VerifiedFit;
use crate::links::InstallationLinks;
use crate::verifier::FitVerifier;

/// Longest `x-forge-oauth-user` accepted.
pub const MAX_USER_TOKEN_LEN: usize = 16 * 1024;

#[derive(Debug)]
pub struct ForgeAuthenticator {
    verifier: Arc<FitVerifier>,
    links: Arc<InstallationLinks>,
}

impl ForgeAuthenticator {
    pub fn new(verifier: Arc<FitVerifier>, links: Arc<InstallationLinks>) -> Self {
        Self { verifier, links }
    }
}

#[async_trait]
impl Authenticator for ForgeAuthenticator {
    async fn authenticate(
        &self,
        facts: &RequestFacts<'_>,
        _policy: QshPolicy,
    ) -> Result<Principal, AuthError> {
        let fit = self.verifier.verify(facts.authorization).await?;
        let token = facts
            .forge_user_token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        if token.len() > MAX_USER_TOKEN_LEN {
            return Err(AuthError::Malformed);
        }
        refuse_other_site(token, &fit)?;
        let client_key = self.links.tenant_key(&fit.installation_id).await?;
        Ok(Principal {
            client_key,
            base_url: fit.site_url.clone().unwrap_or_else(|| fit.api_base_url.clone()),
            account_id: fit.account_id.map(Personal::new),
            licence_claim: fit.licence,
            access: JiraAccess::ForgeUser {
                api_base_url: fit.api_base_url,
                token: Secret::new(token.to_owned()),
            },
            door: Door::Forge,
        })
    }
}

/// Site-naming claims a user token's payload may carry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NamedSite {
    #[serde(default)]
    cloud_id: Option<String>,
    #[serde(default)]
    installation_id: Option<String>,
}

/// Refuses a user token whose (unverified) payload names another site or installation than the
/// verified FIT. Never grants anything: a token that passes is still verified by Jira.
pub(crate) fn refuse_other_site(token: &str, fit: &VerifiedFit) -> Result<(), AuthError> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(());
    };
    let Some(named) = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<NamedSite>(&bytes).ok())
    else {
        return Ok(());
    };
    if let Some(cloud_id) = named.cloud_id {
        let same =
            CloudId::parse(&cloud_id).ok().zip(fit.cloud_id.as_ref()).is_some_and(|(a, b)| a == *b);
        if !same {
            return Err(AuthError::Installation);
        }
    }
    if let Some(id) = named.installation_id
        && ForgeInstallationId::parse(&id).ok().as_ref() != Some(&fit.installation_id)
    {
        return Err(AuthError::Installation);
    }
    Ok(())
}
