//! The lifecycle callbacks Jira sends the app: `installed`/`uninstalled` signed RS256 with the
//! install key (signed install), `enabled`/`disabled` signed HS256 with the tenant's secret.

use serde_json::{Value, json};
use stj_connect::qsh::qsh;
use stj_core::ClientKey;

use crate::tenants::{AppInstall, TenantInfo, random_secret};
use crate::tokens::{fresh_claims, sign_hs256};
use crate::{Sandbox, SandboxError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleEvent {
    Installed,
    Uninstalled,
    Enabled,
    Disabled,
}

impl LifecycleEvent {
    /// The `eventType` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Installed => "installed",
            Self::Uninstalled => "uninstalled",
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        }
    }

    /// Path relative to the app's base URL, as in this app's descriptor.
    pub fn path(self) -> String {
        format!("/{}", self.as_str())
    }

    fn signed_install(self) -> bool {
        matches!(self, Self::Installed | Self::Uninstalled)
    }
}

/// Outcome of [`Sandbox::install`]: the tenant as the app should now know it, the app's
/// answer to `installed`, and to the `enabled` Jira sends after a successful install.
#[derive(Debug, Clone)]
pub struct Installed {
    pub tenant: TenantInfo,
    pub status: u16,
    pub enabled_status: Option<u16>,
}

impl Sandbox {
    /// A new tenant installs the app: `installed`, then `enabled` if the app answered 2xx. A failed
    /// install leaves the tenant without the app, as Jira marks the install incomplete.
    pub async fn install(
        &self,
        app_base_url: &str,
        app_key: &str,
    ) -> Result<Installed, SandboxError> {
        let app_base_url = check_app_url(app_base_url)?;
        let tenant = self.add_tenant()?;
        let app = AppInstall { key: app_key.to_owned(), base_url: app_base_url, enabled: false };
        self.with_tenant(&tenant.client_key, |t| t.app = Some(app))?;
        self.create_app_user(&tenant.client_key, app_key)?;
        self.complete_install(&tenant.client_key).await
    }

    /// A tenant that has the app installed and enabled, without sending any callback: for
    /// adapter tests that need a tenant but run no app.
    pub fn add_installed_tenant(
        &self,
        app_base_url: &str,
        app_key: &str,
    ) -> Result<TenantInfo, SandboxError> {
        let app_base_url = check_app_url(app_base_url)?;
        let tenant = self.add_tenant()?;
        let app = AppInstall { key: app_key.to_owned(), base_url: app_base_url, enabled: true };
        self.with_tenant(&tenant.client_key, |t| t.app = Some(app))?;
        self.create_app_user(&tenant.client_key, app_key)?;
        Ok(tenant)
    }

    /// Upgrade or secret rotation: a fresh shared secret, then `installed` and `enabled` again.
    pub async fn reinstall(&self, client_key: &ClientKey) -> Result<Installed, SandboxError> {
        self.with_tenant(client_key, |t| t.secret = random_secret())?;
        self.complete_install(client_key).await
    }

    /// Sends `uninstalled`; the tenant keeps no app whatever the app answers.
    pub async fn uninstall(&self, client_key: &ClientKey) -> Result<u16, SandboxError> {
        let status = self.send_event(client_key, LifecycleEvent::Uninstalled).await?;
        self.with_tenant(client_key, |t| t.app = None)?;
        Ok(status)
    }

    pub async fn enable(&self, client_key: &ClientKey) -> Result<u16, SandboxError> {
        self.set_enabled(client_key, true)?;
        self.send_event(client_key, LifecycleEvent::Enabled).await
    }

    pub async fn disable(&self, client_key: &ClientKey) -> Result<u16, SandboxError> {
        self.set_enabled(client_key, false)?;
        self.send_event(client_key, LifecycleEvent::Disabled).await
    }

    /// Build, sign and POST one lifecycle event; the app's status code.
    pub async fn send_event(
        &self,
        client_key: &ClientKey,
        event: LifecycleEvent,
    ) -> Result<u16, SandboxError> {
        let payload = self.lifecycle_payload(client_key, event)?;
        let authorization = self.lifecycle_authorization(client_key, event)?;
        let url = format!("{}{}", self.app(client_key)?.base_url, event.path());
        self.post_json(&url, &payload, Some(&authorization)).await
    }

    /// The JSON body Jira posts for `event` (every field Jira sends; `sharedSecret` included).
    pub fn lifecycle_payload(
        &self,
        client_key: &ClientKey,
        event: LifecycleEvent,
    ) -> Result<Value, SandboxError> {
        self.with_tenant(client_key, |t| {
            let app =
                t.app.as_ref().ok_or_else(|| SandboxError::NotInstalled(client_key.to_string()))?;
            Ok(json!({
                "key": app.key,
                "clientKey": t.client_key.as_str(),
                "sharedSecret": t.secret.expose(),
                "serverVersion": "100332",
                "pluginsVersion": "1001.0.0-SNAPSHOT",
                "baseUrl": t.base_url.as_str(),
                "displayUrl": t.base_url.as_str(),
                "productType": "jira",
                "description": format!("Atlassian JIRA at {}", t.base_url),
                "serviceEntitlementNumber": "SEN-L0000000",
                "oauthClientId": t.oauth_client_id,
                "eventType": event.as_str(),
                // A Connect app on Forge: ACE links the two installations through this field.
                "installationId": t.forge_installation_ari(),
            }))
        })?
    }

    /// The claims of the token for `event`: `iss` = clientKey, `qsh` of `POST /{event}` relative to
    /// the app's base path; signed-install events also carry `aud` = [app base URL].
    pub fn lifecycle_claims(
        &self,
        client_key: &ClientKey,
        event: LifecycleEvent,
    ) -> Result<Value, SandboxError> {
        let app = self.app(client_key)?;
        let base_path = url_path(&app.base_url);
        let hash = qsh("POST", &format!("{base_path}{}", event.path()), "", &base_path);
        let mut claims = fresh_claims(json!({ "iss": client_key.as_str(), "qsh": hash }));
        if let (true, Some(obj)) = (event.signed_install(), claims.as_object_mut()) {
            obj.insert("aud".to_owned(), json!([app.base_url]));
        }
        Ok(claims)
    }

    /// `JWT <token>` for `event`: RS256 with `kid` for (un)installed, HS256 with the secret otherwise.
    pub fn lifecycle_authorization(
        &self,
        client_key: &ClientKey,
        event: LifecycleEvent,
    ) -> Result<String, SandboxError> {
        let claims = self.lifecycle_claims(client_key, event)?;
        let token = if event.signed_install() {
            self.sign_install_token(&claims)?
        } else {
            sign_hs256(self.tenant(client_key)?.shared_secret.expose(), &claims)?
        };
        Ok(format!("JWT {token}"))
    }

    /// POST `body` to `url` (blocking ureq on the blocking pool); building block for forged calls.
    pub async fn post_json(
        &self,
        url: &str,
        body: &Value,
        authorization: Option<&str>,
    ) -> Result<u16, SandboxError> {
        let headers = authorization.map(|v| ("Authorization".to_owned(), v.to_owned()));
        let answer = self.send_json("POST", url, headers.into_iter().collect(), Some(body.clone()));
        Ok(answer.await?.status)
    }

    async fn complete_install(&self, client_key: &ClientKey) -> Result<Installed, SandboxError> {
        let status = self.send_event(client_key, LifecycleEvent::Installed).await?;
        if !(200..300).contains(&status) {
            self.with_tenant(client_key, |t| t.app = None)?;
            return Ok(Installed {
                tenant: self.tenant(client_key)?,
                status,
                enabled_status: None,
            });
        }
        let enabled_status = Some(self.enable(client_key).await?);
        Ok(Installed { tenant: self.tenant(client_key)?, status, enabled_status })
    }

    fn set_enabled(&self, client_key: &ClientKey, enabled: bool) -> Result<(), SandboxError> {
        self.with_tenant(client_key, |t| match t.app.as_mut() {
            Some(app) => {
                app.enabled = enabled;
                Ok(())
            }
            None => Err(SandboxError::NotInstalled(client_key.to_string())),
        })?
    }

    pub(crate) fn app(&self, client_key: &ClientKey) -> Result<AppInstall, SandboxError> {
        self.with_tenant(client_key, |t| t.app.clone())?
            .ok_or_else(|| SandboxError::NotInstalled(client_key.to_string()))
    }
}

/// The app's base URL without a trailing slash; refuses anything that is not plain http(s).
pub(crate) fn check_app_url(raw: &str) -> Result<String, SandboxError> {
    let bad = || SandboxError::AppUrl(raw.to_owned());
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.query().is_none()
        && url.fragment().is_none();
    if !plain || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// `/connect` for `https://x.example/connect/`, `""` for a root URL.
pub(crate) fn url_path(base_url: &str) -> String {
    url::Url::parse(base_url).map(|u| u.path().trim_end_matches('/').to_owned()).unwrap_or_default()
}
