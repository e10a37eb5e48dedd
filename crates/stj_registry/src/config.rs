use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, ensure};
use serde::Deserialize;
use stj_privacy::Secret;

use crate::tls::SslMode;

/// Where installations live, as read by the binary from its configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// `postgres://user:password@host:port/db` or `sqlite://path/to/file.sqlite`
    /// (`sqlite://:memory:` for a throwaway, already migrated database). May carry a password.
    pub url: Secret<String>,
    /// Size of the Postgres pool. SQLite uses one connection: it has a single writer anyway.
    pub max_connections: u32,
    /// Bound on each registry call, including waiting for or opening a connection: past it the
    /// call fails with `RegistryError::Unavailable` instead of hanging.
    pub connect_timeout_ms: u64,
    /// Postgres only: `verify-full` (the default) or `disable`. Production refuses `disable`.
    #[serde(default)]
    pub sslmode: SslMode,
    /// PEM bundle of the CAs the Postgres server certificate must chain to (RDS: the region's
    /// bundle). Required by `verify-full`.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl RegistryConfig {
    pub(crate) fn timeout(&self) -> anyhow::Result<Duration> {
        ensure!(self.connect_timeout_ms > 0, "registry connect_timeout_ms must be positive");
        Ok(Duration::from_millis(self.connect_timeout_ms))
    }
}

/// The backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub(crate) fn of(url: &Secret<String>) -> anyhow::Result<Self> {
        let url = url.expose();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite://") {
            Ok(Self::Sqlite)
        } else {
            // The URL itself stays out of the message: it may carry a password.
            Err(anyhow!("registry URL must start with postgres://, postgresql:// or sqlite://"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<RegistryConfig, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn deserialises_and_never_prints_the_url() {
        let config = parse(
            r#"{"url":"postgres://app:hunter2@db/stj","max_connections":4,"connect_timeout_ms":1500}"#,
        )
        .unwrap();
        assert_eq!(config.timeout().unwrap(), Duration::from_millis(1500));
        assert_eq!(Backend::of(&config.url).unwrap(), Backend::Postgres);
        assert!(!format!("{config:?}").contains("hunter2"));
        assert_eq!(config.sslmode, SslMode::VerifyFull, "TLS unless switched off");
    }

    #[test]
    fn reads_sslmode_and_refuses_unknown_modes() {
        let base = r#""url":"postgres://db/x","max_connections":1,"connect_timeout_ms":1"#;
        let off = parse(&format!(r#"{{{base},"sslmode":"disable"}}"#)).unwrap();
        assert_eq!(off.sslmode, SslMode::Disable);
        assert!(parse(&format!(r#"{{{base},"sslmode":"prefer"}}"#)).is_err());
    }

    #[test]
    fn rejects_unknown_fields_schemes_and_zero_timeouts() {
        assert!(
            parse(r#"{"url":"x","max_connections":1,"connect_timeout_ms":1,"ssl":true}"#).is_err()
        );
        let err = Backend::of(&Secret::new("mysql://u:hunter2@db".to_owned())).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        let config = parse(r#"{"url":"sqlite://x","max_connections":1,"connect_timeout_ms":0}"#);
        assert!(config.unwrap().timeout().is_err());
    }
}
