//! Which tenant a Forge installation is: the Connect `clientKey` whose `installed` payload named
//! it (so one site is one tenant through either door), else `forge:{uuid}`. Read through from the
//! registry and kept briefly, so a verified request costs no database round trip.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stj_core::{AuthError, ClientKey, ForgeInstallationId, ForgeRegistry};

/// Bound on cached entries, so made-up installations cannot grow memory (they need a signed FIT
/// anyway, so this only bounds what Forge itself sends).
const MAX_CACHED: usize = 10_000;

#[derive(Debug)]
pub struct InstallationLinks {
    registry: Arc<dyn ForgeRegistry>,
    ttl: Duration,
    cache: Mutex<HashMap<ForgeInstallationId, (Instant, ClientKey)>>,
}

impl InstallationLinks {
    pub fn new(registry: Arc<dyn ForgeRegistry>, ttl: Duration) -> Self {
        Self { registry, ttl, cache: Mutex::new(HashMap::new()) }
    }

    pub fn registry(&self) -> &Arc<dyn ForgeRegistry> {
        &self.registry
    }

    /// The tenant key for `id`; a registry outage is `Unavailable` (503).
    pub async fn tenant_key(&self, id: &ForgeInstallationId) -> Result<ClientKey, AuthError> {
        if let Some(hit) = self.cached(id) {
            return Ok(hit);
        }
        let linked = self
            .registry
            .linked_client_key(id)
            .await
            .map_err(|e| AuthError::Unavailable(e.into()))?;
        let key = match linked {
            Some(key) => key,
            None => id.unlinked_tenant_key().map_err(|_| AuthError::Claims)?,
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(id.clone(), (Instant::now(), key.clone()));
        }
        Ok(key)
    }

    pub fn evict(&self, id: &ForgeInstallationId) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(id);
        }
    }

    fn cached(&self, id: &ForgeInstallationId) -> Option<ClientKey> {
        let cache = self.cache.lock().ok()?;
        let (at, key) = cache.get(id)?;
        (at.elapsed() < self.ttl).then(|| key.clone())
    }
}
