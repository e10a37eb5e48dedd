//! The Forge Invocation Token's custom claims the app reads, and what it makes of them. Every
//! value here comes from a token whose signature, issuer, audience and times were checked.

use serde::Deserialize;

use stj_core::{AuthError, CloudId, ForgeInstallationId, Licence, TenantUrl};

#[derive(Debug, Deserialize)]
pub(crate) struct FitClaims {
    pub(crate) app: AppClaims,
    #[serde(default)]
    pub(crate) context: Option<ContextClaims>,
    /// The calling user's account id; absent for system invocations (lifecycle events).
    #[serde(default)]
    pub(crate) principal: Option<String>,
    #[serde(default)]
    pub(crate) iat: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppClaims {
    pub(crate) id: String,
    pub(crate) installation_id: String,
    pub(crate) api_base_url: String,
    #[serde(default)]
    pub(crate) environment: Option<EnvironmentClaims>,
    #[serde(default)]
    pub(crate) license: Option<LicenseClaims>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct EnvironmentClaims {
    #[serde(default, rename = "type")]
    pub(crate) kind: Option<String>,
}

/// The app licence Forge puts in the invocation context of a paid app. Field names as in
/// `@forge/api` 8.3.0 `out/api/runtime.d.ts` (`type License = { active?: boolean; isActive?:
/// boolean; … }`, the runtime's `appContext.license`) and `@forge/bridge` 7.2.0
/// `out/types.d.ts` (`FullContext.license: LicenseDetails { active: boolean; … }`); Atlassian's
/// answer on community.developer.atlassian.com/t/48971 reads `context.license.isActive`.
/// `isActive` wins when both are present.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LicenseClaims {
    #[serde(default)]
    pub(crate) is_active: Option<bool>,
    #[serde(default)]
    pub(crate) active: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContextClaims {
    #[serde(default)]
    pub(crate) cloud_id: Option<String>,
    #[serde(default)]
    pub(crate) site_url: Option<String>,
}

/// What a verified FIT establishes.
#[derive(Debug, Clone)]
pub struct VerifiedFit {
    pub installation_id: ForgeInstallationId,
    pub api_base_url: TenantUrl,
    pub cloud_id: Option<CloudId>,
    pub site_url: Option<TenantUrl>,
    pub account_id: Option<String>,
    pub licence: Option<Licence>,
}

const ACCOUNT_ID_MAX: usize = 128;

impl FitClaims {
    /// The claims the app uses, parsed; anything malformed is a refusal (`token_claims`).
    pub(crate) fn into_verified(self, app_ari: &str) -> Result<VerifiedFit, AuthError> {
        if self.app.id != app_ari {
            return Err(AuthError::Claims);
        }
        let installation_id =
            ForgeInstallationId::parse(&self.app.installation_id).map_err(|_| AuthError::Claims)?;
        let api_base_url =
            TenantUrl::parse(&self.app.api_base_url).map_err(|_| AuthError::Claims)?;
        let context = self.context.unwrap_or(ContextClaims { cloud_id: None, site_url: None });
        let cloud_id = context
            .cloud_id
            .as_deref()
            .map(CloudId::parse)
            .transpose()
            .map_err(|_| AuthError::Claims)?;
        let site_url = context
            .site_url
            .as_deref()
            .map(TenantUrl::parse)
            .transpose()
            .map_err(|_| AuthError::Claims)?;
        let account_id = match self.principal {
            Some(id) if id.is_empty() || id.len() > ACCOUNT_ID_MAX => {
                return Err(AuthError::Claims);
            }
            other => other,
        };
        let production =
            self.app.environment.and_then(|e| e.kind).is_none_or(|kind| kind == "PRODUCTION");
        Ok(VerifiedFit {
            installation_id,
            api_base_url,
            cloud_id,
            site_url,
            account_id,
            licence: licence(self.app.license, production),
        })
    }
}

/// The licence the token states. Forge sends none for free apps and outside production
/// (development and staging environments cannot be licensed): there the app counts as licensed.
/// A production invocation without a licence states nothing (`None`), and the licence gate
/// decides (see `ForgeLicenceGate`).
fn licence(claim: Option<LicenseClaims>, production: bool) -> Option<Licence> {
    let active = claim.and_then(|c| c.is_active.or(c.active));
    match (active, production) {
        (Some(true), _) | (None, false) => Some(Licence::Active),
        (Some(false), _) => Some(Licence::Inactive),
        (None, true) => None,
    }
}
