//! Install keys by `kid`. Atlassian gives every rotated key a new `kid`, so a key once fetched
//! never changes and is cached for the life of the process (bounded in count).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jwt_simple::prelude::RS256PublicKey;

use stj_core::{InstallKeyError, InstallKeySource, KeyId};

const MAX_KEYS: usize = 256;

#[derive(Debug)]
pub struct InstallKeys {
    source: Arc<dyn InstallKeySource>,
    cache: Mutex<HashMap<KeyId, RS256PublicKey>>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("unknown install key")]
    Unknown,
    #[error("install key is not a valid RSA public key")]
    Invalid,
    #[error(transparent)]
    Unavailable(InstallKeyError),
}

impl InstallKeys {
    pub fn new(source: Arc<dyn InstallKeySource>) -> Self {
        Self { source, cache: Mutex::new(HashMap::new()) }
    }

    pub async fn get(&self, kid: &KeyId) -> Result<RS256PublicKey, KeyError> {
        if let Some(key) = self.cache.lock().ok().and_then(|c| c.get(kid).cloned()) {
            return Ok(key);
        }
        let pem = self.source.public_key_pem(kid).await.map_err(|e| match e {
            InstallKeyError::NotFound => KeyError::Unknown,
            other => KeyError::Unavailable(other),
        })?;
        let key = RS256PublicKey::from_pem(pem.trim()).map_err(|_| KeyError::Invalid)?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_KEYS {
                cache.clear();
            }
            cache.insert(kid.clone(), key.clone());
        }
        Ok(key)
    }
}
