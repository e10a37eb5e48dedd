//! The suite against SQLite: a temporary file per test, and `sqlite://:memory:`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use stj_core::ClientKey;
use stj_privacy::Secret;
use stj_registry::{RegistryConfig, SqliteInstallationRegistry, SslMode, open, run_migrations};

use crate::{MIGRATIONS, suite};

fn config(url: String) -> RegistryConfig {
    RegistryConfig {
        url: Secret::new(url),
        max_connections: 1,
        connect_timeout_ms: 5_000,
        sslmode: SslMode::Disable,
        ca_file: None,
    }
}

/// A migrated database file of its own, removed on drop.
pub struct Fresh {
    registry: SqliteInstallationRegistry,
    path: PathBuf,
}

impl Fresh {
    pub async fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "stj_registry_{}_{}.sqlite",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let url = format!("sqlite://{}", path.display());
        let applied = run_migrations(&Secret::new(url.clone())).await.unwrap();
        assert_eq!(applied, MIGRATIONS);
        assert!(run_migrations(&Secret::new(url.clone())).await.unwrap().is_empty());
        let registry = SqliteInstallationRegistry::open(&config(url)).await.unwrap();
        Self { registry, path }
    }

    pub fn registry(&self) -> &dyn stj_registry::Registry {
        &self.registry
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

crate::behaviour_tests!(Fresh::new);

#[tokio::test]
async fn corrupt_row_is_reported() {
    use diesel::{Connection, ExpressionMethods, QueryDsl, RunQueryDsl, SqliteConnection};

    let fresh = Fresh::new().await;
    let path = fresh.path.display().to_string();
    suite::corrupt_row_is_reported(fresh.registry(), async move |client_key: &ClientKey| {
        let mut conn = SqliteConnection::establish(&path).unwrap();
        diesel::update(suite::raw::installations::table.find(client_key.as_str()))
            .set(suite::raw::installations::base_url.eq("not a url"))
            .execute(&mut conn)
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn in_memory_database_comes_migrated() {
    let registry = open(&config("sqlite://:memory:".to_owned())).await.unwrap();
    assert!(format!("{registry:?}").starts_with("SqliteInstallationRegistry"));
    suite::insert_and_find(registry.as_ref()).await;
    suite::tenants_are_isolated(registry.as_ref()).await;
}

#[tokio::test]
async fn creates_the_database_directory() {
    let dir = std::env::temp_dir().join(format!("stj_registry_dir_{}", std::process::id()));
    let url = format!("sqlite://{}/nested/stj.sqlite", dir.display());
    assert_eq!(run_migrations(&Secret::new(url.clone())).await.unwrap(), MIGRATIONS);
    let registry = open(&config(url)).await.unwrap();
    registry.ping().await.unwrap();
    drop(registry);
    std::fs::remove_dir_all(dir).unwrap();
}
