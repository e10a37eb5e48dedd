//! The traits adapters implement. Object-safe, wired as `Arc<dyn …>` by the binary.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{ClientKey, Installation, KeyId, NewInstallation, SharedSecret, TenantUrl};

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The database is down or timed out: the edge answers 503 and retries on the next request.
    #[error("installation registry unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A stored row no longer parses (edited by hand, or written by a newer version).
    #[error("stored installation is invalid: {0}")]
    Corrupt(String),
}

/// Where installations live. Only what Connect needs is stored; uninstall deletes the row.
#[async_trait]
pub trait InstallationRegistry: Send + Sync + Debug {
    /// Insert, or overwrite secret, URLs and enabled flag of an existing row (keeping `created_at`).
    async fn upsert(
        &self,
        new: NewInstallation,
        now: DateTime<Utc>,
    ) -> Result<Installation, RegistryError>;
    async fn find(&self, client_key: &ClientKey) -> Result<Option<Installation>, RegistryError>;
    /// `Ok(false)` when no such installation exists.
    async fn set_enabled(
        &self,
        client_key: &ClientKey,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, RegistryError>;
    /// `Ok(false)` when no such installation existed.
    async fn delete(&self, client_key: &ClientKey) -> Result<bool, RegistryError>;
    /// Cheap round trip for `/readyz`.
    async fn ping(&self) -> Result<(), RegistryError>;
}

#[derive(Debug, thiserror::Error)]
pub enum InstallKeyError {
    #[error("no install key with this kid")]
    NotFound,
    #[error("install key service unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// Atlassian's install-key service: the RS256 public key (PEM) that signed an install callback.
#[async_trait]
pub trait InstallKeySource: Send + Sync + Debug {
    async fn public_key_pem(&self, kid: &KeyId) -> Result<String, InstallKeyError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Licence {
    Active,
    Inactive,
}

#[derive(Debug, thiserror::Error)]
pub enum LicenceError {
    #[error("licence service unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// Jira's app-licence endpoint, asked when a request carries no verified licence claim.
#[async_trait]
pub trait LicenceSource: Send + Sync + Debug {
    async fn licence(
        &self,
        client_key: &ClientKey,
        base_url: &TenantUrl,
        shared_secret: &SharedSecret,
    ) -> Result<Licence, LicenceError>;
}

pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What an outbound adapter needs to call a tenant's Jira: its URL, secret and OAuth client id.
#[derive(Debug, Clone)]
pub struct TenantCredentials {
    pub client_key: ClientKey,
    pub base_url: TenantUrl,
    pub shared_secret: SharedSecret,
    pub oauth_client_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("tenant is not installed")]
    NotInstalled,
    #[error("tenant credentials unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// Looks up a tenant's credentials (read through the registry, unsealed, cached).
#[async_trait]
pub trait TenantCredentialsSource: Send + Sync + Debug {
    async fn credentials(
        &self,
        client_key: &ClientKey,
    ) -> Result<TenantCredentials, CredentialsError>;
}
