//! Jira's app-licence endpoint, asked as the app itself (JWT signed with the tenant's secret).

use async_trait::async_trait;
use serde::Deserialize;
use stj_connect::outgoing::app_authorization;
use stj_core::{ClientKey, Licence, LicenceError, LicenceSource, SharedSecret, TenantUrl};

use stj_privacy::Secret;

use crate::config::{ConfigError, JiraConfig, check_app_key};
use crate::transport::{Policy, Request, Transport};

/// `GET {baseUrl}/rest/atlassian-connect/1/addons/{appKey}`. No cache: the domain's licence gate
/// caches answers per tenant.
#[derive(Debug, Clone)]
pub struct JiraLicenceSource {
    transport: Transport,
    app_key: String,
    path: String,
}

impl JiraLicenceSource {
    pub fn new(app_key: &str, config: &JiraConfig) -> Result<Self, ConfigError> {
        check_app_key(app_key)?;
        Ok(Self {
            transport: Transport::new(config.timeout()?, Policy::fetch()),
            app_key: app_key.to_owned(),
            path: format!("/rest/atlassian-connect/1/addons/{app_key}"),
        })
    }
}

/// The part of the add-on record that matters; Jira omits `license` for apps without licensing.
#[derive(Debug, Deserialize)]
struct AddonRecord {
    license: Option<LicenseRecord>,
}

#[derive(Debug, Deserialize)]
struct LicenseRecord {
    active: bool,
}

#[async_trait]
impl LicenceSource for JiraLicenceSource {
    #[tracing::instrument(
        skip_all,
        fields(
            jira.op = "licence",
            http.method = "GET",
            http.route = "/rest/atlassian-connect/1/addons/{addonKey}",
        )
    )]
    async fn licence(
        &self,
        client_key: &ClientKey,
        base_url: &TenantUrl,
        shared_secret: &SharedSecret,
    ) -> Result<Licence, LicenceError> {
        let tenant = base_url.host();
        let unavailable = |e: anyhow::Error| {
            tracing::warn!(tenant.host = tenant, installation.client_key = %client_key, error.cause = %e, "licence lookup failed");
            LicenceError::Unavailable(e)
        };
        let authorization =
            app_authorization(&self.app_key, base_url, shared_secret, "GET", &self.path)
                .map_err(|e| unavailable(e.into()))?;
        let url = format!("{}{}", base_url.as_str(), self.path);
        let request = Request::get(url, "application/json", Some(Secret::new(authorization)));
        let reply = self.transport.send(request).await.map_err(|e| unavailable(e.into_cause()))?;
        if reply.status != 200 {
            return Err(unavailable(anyhow::anyhow!("licence endpoint answered {}", reply.status)));
        }
        let record: AddonRecord = serde_json::from_str(&reply.body).map_err(|e| {
            unavailable(anyhow::Error::new(e).context("licence record is not the expected JSON"))
        })?;
        Ok(match record.license {
            Some(LicenseRecord { active: true }) => Licence::Active,
            Some(LicenseRecord { active: false }) | None => Licence::Inactive,
        })
    }
}
