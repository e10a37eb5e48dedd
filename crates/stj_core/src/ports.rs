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

/// The kinds of Jira entity whose read-modify-write the app serialises (Jira's entity properties
/// have no compare-and-set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// An issue's application ledger (apply, retry, recovery).
    IssueLedger,
    /// A user's personal template library (`id`: the account id).
    PersonalLibrary,
    /// A project's shared template library (`id`: the project key).
    ProjectLibrary,
}

impl EntityKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IssueLedger => "issue-ledger",
            Self::PersonalLibrary => "personal-library",
            Self::ProjectLibrary => "project-library",
        }
    }
}

/// One entity of one tenant: what a lock is for. Only ids, never content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LockedEntity {
    pub client_key: ClientKey,
    pub kind: EntityKind,
    pub id: String,
}

impl LockedEntity {
    pub fn new(client_key: &ClientKey, kind: EntityKind, id: impl Into<String>) -> Self {
        Self { client_key: client_key.clone(), kind, id: id.into() }
    }

    /// A 64-bit key for the entity (the first 8 bytes of SHA-256 over its parts, each followed by
    /// a NUL): what PostgreSQL advisory locks take. A collision only makes two entities share
    /// turns; it never lets two holders in at once.
    pub fn lock_key(&self) -> i64 {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for part in [self.client_key.as_str(), self.kind.as_str(), self.id.as_str()] {
            ctx.update(part.as_bytes());
            ctx.update(&[0]);
        }
        let digest = ctx.finish();
        let mut bytes = [0u8; 8];
        for (to, from) in bytes.iter_mut().zip(digest.as_ref()) {
            *to = *from;
        }
        i64::from_be_bytes(bytes)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Someone else held it for the whole wait bound: the edge answers 503 `busy` + Retry-After.
    #[error("the entity stayed locked for the whole wait bound")]
    Busy,
    /// The lock service (the database) is down or timed out.
    #[error("lock service unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// A held lock; dropping it releases the lock (on every path: success, error, cancellation).
pub struct EntityLock {
    _held: Box<dyn Send + Sync>,
}

impl EntityLock {
    pub fn new(held: impl Send + Sync + 'static) -> Self {
        Self { _held: Box::new(held) }
    }
}

impl Debug for EntityLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntityLock")
    }
}

/// Mutual exclusion per entity across every instance that shares the lock service; the lock
/// itself is all that is stored while it is held.
#[async_trait]
pub trait EntityLocks: Send + Sync + Debug {
    /// Waits at most the adapter's wait bound for the entity's lock.
    async fn lock(&self, entity: &LockedEntity) -> Result<EntityLock, LockError>;

    /// The wait bound, for `Retry-After` hints and logs.
    fn wait_bound(&self) -> std::time::Duration;
}
