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

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

#[derive(Debug)]
pub struct TenantDirectory {
    registry: Arc<dyn InstallationRegistry>,
    sealer: Arc<SecretSealer>,
    ttl: Duration,
    cache: Mutex<HashMap<ClientKey, (Instant, Option<Tenant>)>>,
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
        Self { registry, sealer, ttl, cache: Mutex::new(HashMap::new()) }
    }

    pub fn registry(&self) -> &Arc<dyn InstallationRegistry> {
        &self.registry
    }

    pub fn sealer(&self) -> &SecretSealer {
        &self.sealer
    }

    pub async fn get(&self, client_key: &ClientKey) -> Result<Option<Tenant>, TenantError> {
        Ok(self.lookup(client_key).await?.0)
    }

    /// The tenant, and whether it came from the cache (then `refresh` may find newer news).
    pub(crate) async fn lookup(
        &self,
        client_key: &ClientKey,
    ) -> Result<(Option<Tenant>, bool), TenantError> {
        if let Some(hit) = self.cached(client_key) {
            return Ok((hit, true));
        }
        Ok((self.refresh(client_key).await?, false))
    }

    /// Reads the tenant from the registry, replacing whatever was cached.
    pub async fn refresh(&self, client_key: &ClientKey) -> Result<Option<Tenant>, TenantError> {
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
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(client_key.clone(), (Instant::now(), tenant.clone()));
        }
        Ok(tenant)
    }

    pub fn evict(&self, client_key: &ClientKey) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(client_key);
        }
    }

    fn cached(&self, client_key: &ClientKey) -> Option<Option<Tenant>> {
        let cache = self.cache.lock().ok()?;
        let (at, tenant) = cache.get(client_key)?;
        (at.elapsed() < self.ttl).then(|| tenant.clone())
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
