//! The suite against SQLite: a temporary file per test, and `sqlite://:memory:`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use stj_core::ClientKey;
use stj_privacy::Secret;
use stj_registry::{RegistryConfig, SqliteInstallationRegistry, SslMode, open, run_migrations};

use crate::suite;

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
        assert_eq!(
            applied,
            [
                "2025-01-01-000000_create_installations",
                "2026-11-29-000000_add_oauth_client_id",
                "2026-11-30-000000_create_forge_installations"
            ]
        );
        assert!(run_migrations(&Secret::new(url.clone())).await.unwrap().is_empty());
        let registry = SqliteInstallationRegistry::open(&config(url)).await.unwrap();
        Self { registry, path }
    }

    pub fn registry(&self) -> &dyn stj_registry::Registry {
        &self.registry
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

crate::behaviour_tests!(Fresh::new;
    insert_and_find,
    upsert_overwrites_and_keeps_created_at,
    set_enabled_updates_only_existing,
    delete_removes_once,
    find_missing_is_none,
    tenants_are_isolated,
    ping_answers,
    forge_installations_upsert_find_delete,
    connect_links_make_one_tenant,
);

mod raw {
    diesel::table! {
        installations (client_key) {
            client_key -> Text,
            base_url -> Text,
        }
    }
}

#[tokio::test]
async fn corrupt_row_is_reported() {
    use diesel::{Connection, ExpressionMethods, QueryDsl, RunQueryDsl, SqliteConnection};

    let fresh = Fresh::new().await;
    let path = fresh.path.display().to_string();
    suite::corrupt_row_is_reported(fresh.registry(), async move |client_key: &ClientKey| {
        let mut conn = SqliteConnection::establish(&path).unwrap();
        diesel::update(raw::installations::table.find(client_key.as_str()))
            .set(raw::installations::base_url.eq("not a url"))
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
    assert_eq!(run_migrations(&Secret::new(url.clone())).await.unwrap().len(), 3);
    let registry = open(&config(url)).await.unwrap();
    registry.ping().await.unwrap();
    drop(registry);
    std::fs::remove_dir_all(dir).unwrap();
}
