//! Layered configuration. Every section is defined by the crate that uses it and denies unknown
//! keys, so a typo or a stale key fails start-up (and the test that loads every file in `config/`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use stj_connect::ConnectConfig;
use stj_core::SealingKey;
use stj_forge::ForgeConfig;
use stj_http::HttpConfig;
use stj_jira::JiraConfig;
use stj_privacy::Secret;
use stj_registry::RegistryConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Local,
    Test,
    Production,
}

impl Environment {
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        match raw {
            "local" => Ok(Self::Local),
            "test" => Ok(Self::Test),
            "production" => Ok(Self::Production),
            other => {
                anyhow::bail!("APP_ENVIRONMENT must be local, test or production, not {other:?}")
            }
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub http: HttpConfig,
    pub connect: ConnectConfig,
    /// The Forge door: the Forge app this backend is the remote of.
    pub forge: ForgeConfig,
    pub registry: RegistryConfig,
    /// Entity locks (advisory locks on the registry's Postgres); defaults when absent.
    #[serde(default)]
    pub locks: stj_registry::LocksConfig,
    pub jira: JiraConfig,
    pub sealing: SealingConfig,
    pub telemetry: TelemetryConfig,
    pub sandbox: SandboxConfig,
    pub https: crate::https::HttpsConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealingConfig {
    /// Id of the key new secrets are sealed with.
    pub active_key_id: String,
    /// Key id → 32 bytes as 64 hex characters. Keep old ids until every row is re-sealed.
    pub keys: BTreeMap<String, Secret<String>>,
}

impl SealingConfig {
    pub fn keys(&self) -> Vec<SealingKey> {
        self.keys.iter().map(|(id, hex)| SealingKey { id: id.clone(), hex: hex.clone() }).collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// tracing-subscriber filter, e.g. `info` or `info,stj_http=debug`.
    pub filter: String,
    /// `json` (production) or `pretty` (local).
    pub format: String,
}

/// The local Jira sandbox. Refused outside `local` and `test`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    pub enabled: bool,
    pub port: u16,
    /// The Forge Custom UI build (`cargo xtask forge-build`) its `?door=forge` pages serve;
    /// empty: none (those pages say how to build it).
    #[serde(default)]
    pub forge_custom_ui: String,
}

impl Settings {
    /// Loads `base.toml`, then `<environment>.toml`, then `APP__…` variables from `env`.
    pub fn load(
        config_dir: &Path,
        environment: Environment,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let overrides: config::Map<String, String> =
            env.into_iter().filter(|(k, _)| k.starts_with("APP__")).collect();
        let settings: Self = config::Config::builder()
            .add_source(config::File::from(config_dir.join("base.toml")))
            .add_source(config::File::from(
                config_dir.join(format!("{}.toml", environment.as_str())),
            ))
            .add_source(
                config::Environment::with_prefix("APP")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("http.frame_ancestors")
                    .source(Some(overrides)),
            )
            .build()
            .context("failed to read configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        settings.check(environment)?;
        Ok(settings)
    }

    fn check(&self, environment: Environment) -> anyhow::Result<()> {
        if environment == Environment::Production {
            anyhow::ensure!(
                !self.sandbox.enabled,
                "the Jira sandbox cannot be enabled in production"
            );
            anyhow::ensure!(
                self.connect.base_url.starts_with("https://"),
                "connect.base_url must be https in production"
            );
            anyhow::ensure!(
                self.jira.install_keys_url.starts_with("https://")
                    && self.jira.oauth_server_url.starts_with("https://"),
                "jira.install_keys_url and jira.oauth_server_url must be https in production"
            );
            anyhow::ensure!(
                self.forge.jwks_url.starts_with("https://"),
                "forge.jwks_url must be https in production"
            );
            anyhow::ensure!(
                self.https.mode != crate::https::HttpsMode::Off,
                "https.mode cannot be off in production: the ALB reaches the task over HTTPS"
            );
            // RDS forces TLS anyway; refusing here fails the deploy, not every request.
            anyhow::ensure!(
                self.registry.sslmode == stj_registry::SslMode::VerifyFull
                    && self.registry.ca_file.is_some(),
                "registry.sslmode must be verify-full with a registry.ca_file in production"
            );
        }
        anyhow::ensure!(
            self.connect.tenant_cache_secs <= stj_connect::tenants::MAX_TTL_SECS,
            "connect.tenant_cache_secs must be at most {}: it bounds how long another instance \
             keeps accepting a disabled or uninstalled tenant",
            stj_connect::tenants::MAX_TTL_SECS
        );
        if self.forge.enabled() {
            self.forge.check().map_err(anyhow::Error::msg)?;
        }
        anyhow::ensure!(
            self.sealing.keys.contains_key(&self.sealing.active_key_id),
            "sealing.active_key_id {:?} has no key in sealing.keys",
            self.sealing.active_key_id
        );
        Ok(())
    }
}
