//! The `[forge]` config section: which Forge app this backend answers and where Forge's keys are.

use std::time::Duration;

use serde::Deserialize;

/// Atlassian's production JWKS for Forge Invocation Tokens.
pub const FORGE_JWKS_URL: &str = "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json";

/// Every shipped config sets it: Forge is the only door new sites can come through. An empty
/// `app_id` turns the Forge door off (every `Bearer` token is refused with `door_not_accepted`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgeConfig {
    /// The Forge app's id (uuid, or its ARI `ari:cloud:ecosystem::app/{uuid}`); FITs must carry
    /// `aud` = `ari:cloud:ecosystem::app/{app_id}`.
    pub app_id: String,
    #[serde(default = "default_jwks_url")]
    pub jwks_url: String,
    /// How long a fetched key set is used before it is fetched again.
    #[serde(default = "default_ttl")]
    pub jwks_ttl_secs: u64,
    /// Least time between two fetches (an unknown `kid` refetches at most this often).
    #[serde(default = "default_min_refetch")]
    pub jwks_min_refetch_secs: u64,
    /// Clock skew tolerated on `exp`/`nbf`/`iat` (at most 120).
    #[serde(default = "default_leeway")]
    pub leeway_secs: u64,
}

fn default_jwks_url() -> String {
    FORGE_JWKS_URL.to_owned()
}

const fn default_ttl() -> u64 {
    3600
}

const fn default_min_refetch() -> u64 {
    30
}

const fn default_leeway() -> u64 {
    30
}

impl ForgeConfig {
    pub fn enabled(&self) -> bool {
        !self.app_id.trim().is_empty()
    }

    /// The `app_id` as a uuid, once checked (a typo would refuse every FIT).
    pub fn check(&self) -> Result<(), String> {
        let uuid = self.app_id.trim_start_matches("ari:cloud:ecosystem::app/");
        stj_core::CloudId::parse(uuid).map_err(|_| "forge.app_id must be a uuid".to_owned())?;
        if self.leeway_secs > crate::verifier::MAX_LEEWAY.as_secs() {
            return Err(format!(
                "forge.leeway_secs must be at most {}",
                crate::verifier::MAX_LEEWAY.as_secs()
            ));
        }
        if self.jwks_ttl_secs == 0 || self.jwks_min_refetch_secs == 0 {
            return Err(
                "forge.jwks_ttl_secs and forge.jwks_min_refetch_secs must be positive".into()
            );
        }
        Ok(())
    }

    pub const fn ttl(&self) -> Duration {
        Duration::from_secs(self.jwks_ttl_secs)
    }

    pub const fn min_refetch(&self) -> Duration {
        Duration::from_secs(self.jwks_min_refetch_secs)
    }

    pub const fn leeway(&self) -> Duration {
        Duration::from_secs(self.leeway_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(app_id: &str) -> ForgeConfig {
        ForgeConfig {
            app_id: app_id.to_owned(),
            jwks_url: default_jwks_url(),
            jwks_ttl_secs: default_ttl(),
            jwks_min_refetch_secs: default_min_refetch(),
            leeway_secs: default_leeway(),
        }
    }

    #[test]
    fn a_typo_in_the_forge_settings_fails_start_up() {
        assert!(config("5f0b8a52-3c1e-4d7a-9b6e-2a41c7d0e9f3").check().is_ok());
        assert!(
            config("ari:cloud:ecosystem::app/5f0b8a52-3c1e-4d7a-9b6e-2a41c7d0e9f3").check().is_ok()
        );
        assert!(config("5f0b8a52-3c1e-4d7a-9b6e").check().is_err());
        assert!(ForgeConfig { leeway_secs: 121, ..config(APP) }.check().is_err());
        assert!(ForgeConfig { jwks_ttl_secs: 0, ..config(APP) }.check().is_err());
        assert!(ForgeConfig { jwks_min_refetch_secs: 0, ..config(APP) }.check().is_err());
        assert!(!config("").enabled() && !config("  ").enabled() && config(APP).enabled());
    }

    const APP: &str = "5f0b8a52-3c1e-4d7a-9b6e-2a41c7d0e9f3";
}
