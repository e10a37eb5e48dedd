//! The tenants the app knows, read through from the registry and kept briefly in memory so a
//! verified request costs no database round trip. Lifecycle changes evict at once.

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
        if let Some(hit) = self.cached(client_key) {
            return Ok(hit);
        }
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
