use std::time::Duration;

use diesel::Connection;
use diesel::backend::Backend as DieselBackend;
use diesel::migration::MigrationSource;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use stj_privacy::Secret;

use crate::config::Backend;

pub(crate) const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub(crate) const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Applies pending migrations for the URL's backend and returns the names applied (empty when
/// up to date). Only the binary's `migrate` subcommand calls this; serving never migrates.
pub async fn run_migrations(database_url: &Secret<String>) -> anyhow::Result<Vec<String>> {
    let backend = Backend::of(database_url)?;
    let url = database_url.expose().clone();
    // diesel's migration harness is synchronous.
    tokio::task::spawn_blocking(move || match backend {
        Backend::Postgres => {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
            apply(&mut conn, POSTGRES)
        }
        Backend::Sqlite => {
            let mut conn = crate::sqlite::establish(&url, Duration::from_secs(30))?;
            apply(&mut conn, SQLITE)
        }
    })
    .await?
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
