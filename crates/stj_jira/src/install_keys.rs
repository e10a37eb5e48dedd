//! Atlassian's install-key service: the RS256 public key that signed an install callback.

use async_trait::async_trait;
use stj_core::{InstallKeyError, InstallKeySource, KeyId};

use crate::config::{ConfigError, JiraConfig};
use crate::transport::{Policy, Request, Transport};

/// `GET {install_keys_url}/{kid}` → PEM. Caching by `kid` is the caller's (keys never change
/// under a `kid`); this adapter only fetches.
#[derive(Debug, Clone)]
pub struct HttpInstallKeySource {
    transport: Transport,
    base: String,
}

impl HttpInstallKeySource {
    pub fn new(config: &JiraConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            transport: Transport::new(config.timeout()?, Policy::fetch()),
            base: config.install_keys_base()?,
        })
    }
}

#[async_trait]
impl InstallKeySource for HttpInstallKeySource {
    #[tracing::instrument(
        skip_all,
        fields(jira.op = "install_key", http.method = "GET", http.route = "/{kid}")
    )]
    async fn public_key_pem(&self, kid: &KeyId) -> Result<String, InstallKeyError> {
        // `KeyId` admits only [A-Za-z0-9_-/] without `..`: safe to put in the path as it is.
        let url = format!("{}/{}", self.base, kid.as_str());
        let reply =
            self.transport.send(Request::get(url, "text/plain", None)).await.map_err(|e| {
                let e = e.into_cause();
                tracing::warn!(install_key.kid = kid.as_str(), error.cause = %e, "install-key service unavailable");
                InstallKeyError::Unavailable(e)
            })?;
        match reply.status {
            200 if reply.body.contains("-----BEGIN PUBLIC KEY-----") => Ok(reply.body),
            404 => Err(InstallKeyError::NotFound),
            status => {
                tracing::warn!(
                    install_key.kid = kid.as_str(),
                    http.status = status,
                    "install-key service gave no key"
                );
                Err(InstallKeyError::Unavailable(anyhow::anyhow!(
                    "install-key service answered {status} without a PEM public key"
                )))
            }
        }
    }
}
