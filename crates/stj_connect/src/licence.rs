//! Licence policy: a verified claim in the token wins; otherwise Jira's app-licence endpoint is
//! asked and its answer reused per tenant for at most five minutes (Jira caches it as long).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use stj_core::{ClientKey, Licence, LicenceCheckError, LicenceGate, LicenceSource, Principal};

use crate::tenants::TenantDirectory;

pub const MAX_LICENCE_CACHE: Duration = Duration::from_secs(300);

#[derive(Debug)]
pub struct ConnectLicenceGate {
    source: Arc<dyn LicenceSource>,
    tenants: Arc<TenantDirectory>,
    ttl: Duration,
    cache: Mutex<HashMap<ClientKey, (Instant, Licence)>>,
}

impl ConnectLicenceGate {
    pub fn new(
        source: Arc<dyn LicenceSource>,
        tenants: Arc<TenantDirectory>,
        ttl: Duration,
    ) -> Self {
        Self { source, tenants, ttl: ttl.min(MAX_LICENCE_CACHE), cache: Mutex::new(HashMap::new()) }
    }

    fn cached(&self, client_key: &ClientKey) -> Option<Licence> {
        let cache = self.cache.lock().ok()?;
        let (at, licence) = cache.get(client_key)?;
        (at.elapsed() < self.ttl).then_some(*licence)
    }
}

#[async_trait]
impl LicenceGate for ConnectLicenceGate {
    async fn licence(&self, principal: &Principal) -> Result<Licence, LicenceCheckError> {
        if let Some(claim) = principal.licence_claim {
            return Ok(claim);
        }
        if let Some(hit) = self.cached(&principal.client_key) {
            return Ok(hit);
        }
        let tenant = self
            .tenants
            .get(&principal.client_key)
            .await
            .map_err(|e| LicenceCheckError::Unavailable(e.into()))?
            .ok_or_else(|| LicenceCheckError::Unavailable(anyhow::anyhow!("tenant vanished")))?;
        let licence = self
            .source
            .licence(&tenant.client_key, &tenant.base_url, &tenant.shared_secret)
            .await
            .map_err(|e| LicenceCheckError::Unavailable(e.into()))?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(tenant.client_key, (Instant::now(), licence));
        }
        Ok(licence)
    }
}
