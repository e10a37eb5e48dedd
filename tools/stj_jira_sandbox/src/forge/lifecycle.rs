//! Forge installs and uninstalls the app: `avi:forge:installed:app` / `avi:forge:uninstalled:app`
//! POSTed to the remote's `/forge/events` as system invocations (a FIT without `principal`, and the
//! system token). The installation stands whatever the remote answers, as on Forge.

use serde_json::{Value, json};
use stj_core::ClientKey;

use super::{ForgeSite, ForgeTokenRequest, app_ari};
use crate::lifecycle::check_app_url;
use crate::tenants::random_client_key;
use crate::{Sandbox, SandboxError};

/// Where the remote takes Forge's lifecycle events (the manifest's `stj-events` endpoint).
pub const FORGE_EVENTS_PATH: &str = "/forge/events";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgeEvent {
    Installed,
    Uninstalled,
}

impl ForgeEvent {
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Installed => "avi:forge:installed:app",
            Self::Uninstalled => "avi:forge:uninstalled:app",
        }
    }
}

impl Sandbox {
    /// A new site with only the Forge app, whose remote is at `remote_base_url`; the remote's
    /// answer to `avi:forge:installed:app`.
    pub async fn install_forge(
        &self,
        remote_base_url: &str,
    ) -> Result<(ForgeSite, u16), SandboxError> {
        let tenant = self.add_tenant()?;
        let status = self.forge_install(&tenant.client_key, remote_base_url).await?;
        Ok((self.forge_site(&tenant.client_key)?, status))
    }

    /// Install the Forge app on an existing site (one with the Connect app is how a site moves
    /// doors) and send `avi:forge:installed:app`; the remote's status.
    pub async fn forge_install(
        &self,
        client_key: &ClientKey,
        remote_base_url: &str,
    ) -> Result<u16, SandboxError> {
        let remote = check_app_url(remote_base_url)?;
        self.create_app_user(client_key, "Subtask Templates (Forge)")?;
        self.with_tenant(client_key, |t| t.forge_remote = Some(remote))?;
        self.send_forge_event(client_key, ForgeEvent::Installed).await
    }

    /// Send `avi:forge:uninstalled:app`, then forget the Forge installation; the remote's status.
    pub async fn forge_uninstall(&self, client_key: &ClientKey) -> Result<u16, SandboxError> {
        let status = self.send_forge_event(client_key, ForgeEvent::Uninstalled).await?;
        self.with_tenant(client_key, |t| t.forge_remote = None)?;
        Ok(status)
    }

    /// POST one event to `{remote}/forge/events` with a fresh system FIT and system token.
    pub async fn send_forge_event(
        &self,
        client_key: &ClientKey,
        event: ForgeEvent,
    ) -> Result<u16, SandboxError> {
        let remote = self.forge_remote(client_key)?;
        let request = ForgeTokenRequest {
            client_key: Some(client_key.as_str().to_owned()),
            ..ForgeTokenRequest::default()
        };
        let tokens = self.forge_tokens(&request)?;
        let headers = vec![
            ("Authorization".to_owned(), format!("Bearer {}", tokens.fit.expose())),
            ("x-forge-oauth-system".to_owned(), tokens.system_token.expose().clone()),
        ];
        let body = self.forge_event_body(&tokens.site, event);
        let url = format!("{remote}{FORGE_EVENTS_PATH}");
        Ok(self.send_json("POST", &url, headers, Some(body)).await?.status)
    }

    /// The remote base URL of the site's Forge installation; a Connect-only site's app URL.
    pub(crate) fn forge_remote(&self, client_key: &ClientKey) -> Result<String, SandboxError> {
        self.with_tenant(client_key, |t| {
            t.forge_remote.clone().or_else(|| t.app.as_ref().map(|app| app.base_url.clone()))
        })?
        .ok_or_else(|| SandboxError::NotInstalled(client_key.to_string()))
    }

    fn forge_event_body(&self, site: &ForgeSite, event: ForgeEvent) -> Value {
        json!({
            "eventType": event.event_type(),
            "id": random_client_key(),
            "context": { "cloudId": site.cloud_id },
            "app": { "id": app_ari(&self.forge.app_id), "version": "1.0.0" },
            "environment": { "id": self.forge.environment_id },
            "installationId": site.installation_id,
        })
    }
}
