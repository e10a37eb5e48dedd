//! The tenants the app knows, read through from the registry and kept briefly in memory so a
//! verified request costs no database round trip. Lifecycle changes evict at once here; other
//! instances learn of them from the registry (see "Several instances" below).
//!
//! Several instances share one registry, and a lifecycle callback reaches only one of them:
//! - a re-install (new shared secret) is honoured by every instance at once: a token whose
//!   signature fails against a cached secret, or whose issuer was cached as unknown, makes the
//!   authenticator re-read the registry (`refresh`) before answering 401;
//! - a disable or uninstall is seen by the others within the cache's lifetime
//!   (`connect.tenant_cache_secs`, at most [`MAX_TTL_SECS`]): a cached, still valid secret would
//!   otherwise keep verifying, and nothing in a token says the tenant was disabled.
//!
//! Every authenticated request reads this cache, so reads take no lock: `papaya` (a lock-free
//! concurrent map; readers never block and never wait for writers) holds `Arc`s of entries that
//! also carry the tenant's HMAC key, prepared once per registry read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use stj_core::{
    ClientKey, CredentialsError, InstallationRegistry, RegistryError, SecretSealer, SharedSecret,
    TenantCredentials, TenantCredentialsSource, TenantUrl,
};

/// What verification needs of a tenant: its URL, its unsealed secret, whether it is enabled.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub client_key: ClientKey,
    pub base_url: TenantUrl,
    pub shared_secret: SharedSecret,
    pub enabled: bool,
    pub oauth_client_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("stored shared secret does not open: {0}")]
    Seal(#[from] stj_core::SealError),
}

/// A cached registry answer: the tenant (with its HMAC key) or "not installed", and when it was read.
#[derive(Debug)]
pub(crate) struct Entry {
    at: Instant,
    pub(crate) tenant: Option<Tenant>,
    /// HMAC-SHA-256 keyed with the tenant's shared secret (ring keeps the key schedule).
    pub(crate) hmac: Option<ring::hmac::Key>,
}

impl Entry {
    pub(crate) fn new(tenant: Option<Tenant>) -> Self {
        let hmac = tenant.as_ref().map(|t| {
            ring::hmac::Key::new(ring::hmac::HMAC_SHA256, t.shared_secret.expose().as_bytes())
        });
        Self { at: Instant::now(), tenant, hmac }
    }
}

#[derive(Debug)]
pub struct TenantDirectory {
    registry: Arc<dyn InstallationRegistry>,
    sealer: Arc<SecretSealer>,
    ttl: Duration,
    cache: papaya::HashMap<ClientKey, Arc<Entry>>,
}

/// The longest `connect.tenant_cache_secs` allowed: the stated bound for another instance to
/// refuse a tenant that was disabled or uninstalled through one of them.
pub const MAX_TTL_SECS: u64 = 5;

/// Bound on cached entries (found and not found), so unknown issuers cannot grow memory.
const MAX_CACHED: usize = 10_000;

impl TenantDirectory {
    pub fn new(
        registry: Arc<dyn InstallationRegistry>,
        sealer: Arc<SecretSealer>,
        ttl: Duration,
    ) -> Self {
        Self { registry, sealer, ttl, cache: papaya::HashMap::new() }
    }

    pub fn registry(&self) -> &Arc<dyn InstallationRegistry> {
        &self.registry
    }

    pub fn sealer(&self) -> &SecretSealer {
        &self.sealer
    }

    pub async fn get(&self, client_key: &ClientKey) -> Result<Option<Tenant>, TenantError> {
        match self.cached(client_key.as_str()) {
            Some(hit) => Ok(hit.tenant.clone()),
            None => Ok(self.refresh(client_key).await?.tenant.clone()),
        }
    }

    /// The cached entry for a client key as the token states it, if fresh. Only valid client
    /// keys are ever cached, so a hit also means `raw` parses as one.
    pub(crate) fn cached(&self, raw: &str) -> Option<Arc<Entry>> {
        let cache = self.cache.pin();
        let entry = cache.get(raw)?;
        (entry.at.elapsed() < self.ttl).then(|| Arc::clone(entry))
    }

    /// Reads the tenant from the registry, replacing whatever was cached.
    pub(crate) async fn refresh(&self, client_key: &ClientKey) -> Result<Arc<Entry>, TenantError> {
        let tenant = match self.registry.find(client_key).await? {
            None => None,
            Some(installation) => Some(Tenant {
                shared_secret: self
                    .sealer
                    .open(&installation.client_key, &installation.sealed_secret)?,
                client_key: installation.client_key,
                base_url: installation.base_url,
                enabled: installation.enabled,
                oauth_client_id: installation.oauth_client_id,
            }),
        };
        let entry = Arc::new(Entry::new(tenant));
        let cache = self.cache.pin();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(client_key.clone(), Arc::clone(&entry));
        Ok(entry)
    }

    pub fn evict(&self, client_key: &ClientKey) {
        self.cache.pin().remove(client_key);
    }
}

#[async_trait]
impl TenantCredentialsSource for TenantDirectory {
    async fn credentials(
        &self,
        client_key: &ClientKey,
    ) -> Result<TenantCredentials, CredentialsError> {
        let tenant = self
            .get(client_key)
            .await
            .map_err(|e| CredentialsError::Unavailable(e.into()))?
            .filter(|t| t.enabled)
            .ok_or(CredentialsError::NotInstalled)?;
        Ok(TenantCredentials {
            client_key: tenant.client_key,
            base_url: tenant.base_url,
            shared_secret: tenant.shared_secret,
            oauth_client_id: tenant.oauth_client_id,
        })
    }
}
