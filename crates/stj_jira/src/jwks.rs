//! Forge's JWKS (`forge.jwks_url`): the keys that sign Forge Invocation Tokens. Fetched only when
//! the verifier's cache asks (TTL, or an unknown `kid` at most once per interval).

use async_trait::async_trait;
use stj_core::{JwksError, JwksSource, TenantUrl};

use crate::config::{ConfigError, JiraConfig};
use crate::http;

#[derive(Debug, Clone)]
pub struct HttpJwksSource {
    agent: ureq::Agent,
    url: String,
}

impl HttpJwksSource {
    /// `url` must be https (http only on loopback, for the sandbox), without query or credentials.
    pub fn new(url: &str, config: &JiraConfig) -> Result<Self, ConfigError> {
        let url = TenantUrl::parse(url).map_err(|_| ConfigError::JwksUrl)?;
        Ok(Self { agent: http::agent(config.timeout()?), url: url.as_str().to_owned() })
    }
}

#[async_trait]
impl JwksSource for HttpJwksSource {
    async fn fetch(&self) -> Result<String, JwksError> {
        let fetched = http::get(&self.agent, self.url.clone(), "application/json", None)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "Forge JWKS unreachable");
                JwksError::Unavailable(e)
            })?;
        if fetched.status == 200 {
            return Ok(fetched.body);
        }
        tracing::warn!(status = fetched.status, "Forge JWKS gave no key set");
        Err(JwksError::Unavailable(anyhow::anyhow!("JWKS answered {}", fetched.status)))
    }
}
