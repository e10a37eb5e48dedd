use std::time::Duration;

use crate::RegistryConfig;
use crate::config::Backend;
use crate::tls::{Connector, SslMode};
use diesel::backend::Backend as DieselBackend;
use diesel::migration::MigrationSource;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use stj_privacy::Secret;

pub(crate) const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub(crate) const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Applies pending migrations for the URL's backend and returns the names applied (empty when
/// up to date). Only the binary's `migrate` subcommand calls this; serving never migrates.
/// Postgres connects with the same TLS policy as serving (`registry.sslmode`, `ca_file`).
pub async fn migrate(config: &RegistryConfig) -> anyhow::Result<Vec<String>> {
    let database_url = &config.url;
    let backend = Backend::of(database_url)?;
    let url = database_url.expose().clone();
    let connector = match backend {
        Backend::Postgres => Some(Connector::from_config(config)?),
        Backend::Sqlite => None,
    };
    // diesel's migration harness is synchronous.
    tokio::task::spawn_blocking(move || match (backend, connector) {
        (Backend::Postgres, Some(connector)) => {
            // Blocks this (blocking-pool) thread on the caller's runtime, which drives the
            // connection task while the harness runs.
            let conn = tokio::runtime::Handle::current().block_on(connector.establish(&url))?;
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
            apply(&mut conn, POSTGRES)
        }
        (Backend::Postgres, None) => anyhow::bail!("no connector for Postgres"),
        (Backend::Sqlite, _) => {
            let mut conn = crate::sqlite::establish(&url, Duration::from_secs(30))?;
            apply(&mut conn, SQLITE)
        }
    })
    .await?
}

/// [`migrate`] over a plain connection (`sslmode = "disable"`): tests and local SQLite files.
pub async fn run_migrations(database_url: &Secret<String>) -> anyhow::Result<Vec<String>> {
    let config = RegistryConfig {
        url: database_url.clone(),
        max_connections: 1,
        connect_timeout_ms: 30_000,
        sslmode: SslMode::Disable,
        ca_file: None,
    };
    migrate(&config).await
}

pub(crate) fn apply<DB: DieselBackend>(
    conn: &mut impl MigrationHarness<DB>,
    source: EmbeddedMigrations,
) -> anyhow::Result<Vec<String>>
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    // The harness reports versions; callers log the full directory names.
    let all: Vec<(String, String)> = MigrationSource::<DB>::migrations(&source)
        .map_err(anyhow::Error::from_boxed)?
        .iter()
        .map(|migration| (migration.name().version().to_string(), migration.name().to_string()))
        .collect();
    let applied: Vec<String> = conn
        .run_pending_migrations(source)
        .map_err(anyhow::Error::from_boxed)?
        .iter()
        .map(ToString::to_string)
        .collect();
    let names = all
        .into_iter()
        .filter(|(version, _)| applied.contains(version))
        .map(|(_, name)| name)
        .collect();
    Ok(names)
}
