#![doc = include_str!("../README.md")]

mod config;
mod forge_queries;
mod locks;
mod migrations;
mod pg;
mod queries;
mod row;
mod sqlite;
mod tls;

use std::sync::Arc;

use stj_core::{ForgeRegistry, InstallationRegistry};

pub use config::RegistryConfig;
pub use locks::{LocksConfig, PgEntityLocks};
pub use migrations::{migrate, run_migrations};
pub use pg::PgInstallationRegistry;
pub use sqlite::SqliteInstallationRegistry;
pub use tls::SslMode;

use crate::config::Backend;

/// Both doors' installations in one store: Connect installs and Forge installations with links.
pub trait Registry: InstallationRegistry + ForgeRegistry {}

impl<T: InstallationRegistry + ForgeRegistry> Registry for T {}

/// The registry the URL names (`postgres://…` or `sqlite://…`), unmigrated (except `:memory:`).
pub async fn open(config: &RegistryConfig) -> anyhow::Result<Arc<dyn Registry>> {
    Ok(match Backend::of(&config.url)? {
        Backend::Postgres => Arc::new(PgInstallationRegistry::new(config)?),
        Backend::Sqlite => Arc::new(SqliteInstallationRegistry::open(config).await?),
    })
}

/// The entity locks for the registry's backend: advisory locks on Postgres (shared by every
/// instance on it), `None` on SQLite (one process: the caller's in-process locks suffice).
pub fn entity_locks(
    registry: &RegistryConfig,
    locks: &LocksConfig,
) -> anyhow::Result<Option<Arc<dyn stj_core::EntityLocks>>> {
    Ok(match Backend::of(&registry.url)? {
        Backend::Postgres => Some(Arc::new(PgEntityLocks::new(registry, locks)?)),
        Backend::Sqlite => None,
    })
}
