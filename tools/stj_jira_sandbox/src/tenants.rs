//! The Jira sites the sandbox plays. One app per site is enough for this app's tests.

use rand::Rng as _;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use stj_core::{ClientKey, SharedSecret, TenantUrl};
use stj_privacy::Secret;

/// What the app-licence endpoint reports for a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceState {
    /// `license.active: true` (the default for a new tenant).
    Active,
    /// `license.active: false`: expired or cancelled.
    Inactive,
    /// No `license` object at all (a free app, or licensing disabled).
    Absent,
}

/// A tenant as the app sees it after `installed`.
#[derive(Debug, Clone)]
pub struct TenantInfo {
    pub client_key: ClientKey,
    pub shared_secret: SharedSecret,
    pub base_url: TenantUrl,
}

/// The app installed on a tenant, as the descriptor named it.
#[derive(Debug, Clone)]
pub(crate) struct AppInstall {
    pub key: String,
    pub base_url: String,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Tenant {
    pub client_key: ClientKey,
    /// Redacted in `Debug`, like every secret in this workspace, even a throwaway one.
    pub secret: SharedSecret,
    pub base_url: TenantUrl,
    /// `Some(n)` when tenants have per-site paths (`/site/{n}`).
    pub site: Option<String>,
    pub oauth_client_id: String,
    pub app: Option<AppInstall>,
    pub licence: LicenceState,
    /// The site's Forge identity: a stable `cloudId` and the app's installation id (both uuids).
    pub cloud_id: String,
    pub forge_installation_id: String,
    /// The Forge installation's remote base URL while the Forge app is installed (a Connect
    /// install, `app`, also lets Forge tokens in: a Connect app on Forge is one installation).
    pub forge_remote: Option<String>,
}

impl Tenant {
    pub fn new(client_key: ClientKey, base_url: TenantUrl, site: Option<String>) -> Self {
        Self {
            client_key,
            secret: random_secret(),
            base_url,
            site,
            oauth_client_id: random_alnum(32),
            app: None,
            licence: LicenceState::Active,
            cloud_id: random_client_key(),
            forge_installation_id: random_client_key(),
            forge_remote: None,
        }
    }

    /// `ari:cloud:ecosystem::installation/{uuid}`, as the FIT and the Connect payload name it.
    pub fn forge_installation_ari(&self) -> String {
        format!("ari:cloud:ecosystem::installation/{}", self.forge_installation_id)
    }

    pub fn info(&self) -> TenantInfo {
        TenantInfo {
            client_key: self.client_key.clone(),
            shared_secret: self.secret.clone(),
            base_url: self.base_url.clone(),
        }
    }
}

/// Jira's shared secrets are long random strings; 64 characters stays inside the 128 limit.
pub(crate) fn random_secret() -> SharedSecret {
    Secret::new(random_alnum(64))
}

/// A UUID-shaped client key, like the ones Jira Cloud sends.
pub(crate) fn random_client_key() -> String {
    let bytes: [u8; 16] = rand::thread_rng().r#gen();
    let hex = hex::encode(bytes);
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default().to_owned();
    format!("{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
}

pub(crate) fn random_alnum(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}
