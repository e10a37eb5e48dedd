//! Atlassian's install-key service: the RS256 public key that signed an install callback.

use async_trait::async_trait;
use stj_core::{InstallKeyError, InstallKeySource, KeyId};

use crate::config::{ConfigError, JiraConfig};
use crate::http;

/// `GET {install_keys_url}/{kid}` → PEM. Caching by `kid` is the caller's (keys never change
/// under a `kid`); this adapter only fetches.
#[derive(Debug, Clone)]
pub struct HttpInstallKeySource {
    agent: ureq::Agent,
    base: String,
}

impl HttpInstallKeySource {
    pub fn new(config: &JiraConfig) -> Result<Self, ConfigError> {
        Ok(Self { agent: http::agent(config.timeout()?), base: config.install_keys_base()? })
    }
}

#[async_trait]
impl InstallKeySource for HttpInstallKeySource {
    async fn public_key_pem(&self, kid: &KeyId) -> Result<String, InstallKeyError> {
        // `KeyId` admits only [A-Za-z0-9_-/] without `..`: safe to put in the path as it is.
        let url = format!("{}/{}", self.base, kid.as_str());
        let fetched = http::get(&self.agent, url, "text/plain", None).await.map_err(|e| {
            tracing::warn!(kid = kid.as_str(), error = %e, "install-key service unreachable");
            InstallKeyError::Unavailable(e)
        })?;
        match fetched.status {
            200 if fetched.body.contains("-----BEGIN PUBLIC KEY-----") => Ok(fetched.body),
            404 => Err(InstallKeyError::NotFound),
            status => {
                tracing::warn!(kid = kid.as_str(), status, "install-key service gave no key");
                Err(InstallKeyError::Unavailable(anyhow::anyhow!(
                    "install-key service answered {status} without a PEM public key"
                )))
            }
        }
    }
}
