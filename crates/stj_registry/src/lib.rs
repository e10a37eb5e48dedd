#![doc = include_str!("../README.md")]

mod config;
mod locks;
mod migrations;
mod pg;
mod queries;
mod row;
mod schema;
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

/// The columns the code declares (`src/schema.rs`), per backend: (table, column, diesel SQL type,
/// nullable). Only for `tests/registry/schema.rs`, which holds them against the migrated databases.
#[doc(hidden)]
pub mod declared {
    pub use crate::pg::schema::COLUMNS as POSTGRES;
    pub use crate::sqlite::schema::COLUMNS as SQLITE;
}

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
