//! The suite against a real Postgres, one fresh database per test, and the outage test.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use stj_core::{ClientKey, InstallationRegistry, RegistryError};
use stj_privacy::Secret;
use stj_registry::{PgInstallationRegistry, RegistryConfig, SslMode, open, run_migrations};
use url::Url;

use crate::proxy::Proxy;
use crate::suite::{self, at, installation, key};

const MIGRATIONS: [&str; 3] = [
    "2025-01-01-000000_create_installations",
    "2026-11-29-000000_add_oauth_client_id",
    "2026-11-30-000000_create_forge_installations",
];

#[expect(clippy::disallowed_methods, reason = "tests find Postgres where CI puts it")]
pub fn server() -> Url {
    let raw = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    Url::parse(&raw).expect("DATABASE_URL is not a URL")
}

async fn admin(server: &Url) -> AsyncPgConnection {
    AsyncPgConnection::establish(server.as_str()).await.unwrap_or_else(|err| {
        panic!(
            "Postgres is unreachable at {}:{} ({err}). Start it with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
             or point DATABASE_URL at one.",
            server.host_str().unwrap_or_default(),
            server.port_or_known_default().unwrap_or_default(),
        )
    })
}

pub fn config(url: &Url, timeout_ms: u64) -> RegistryConfig {
    RegistryConfig {
        url: Secret::new(url.to_string()),
        max_connections: 4,
        connect_timeout_ms: timeout_ms,
        sslmode: SslMode::Disable,
        ca_file: None,
    }
}

/// A database of its own, so tests run in parallel; dropped (with its connections) on drop.
pub struct TestDb {
    server: Url,
    name: String,
}

impl TestDb {
    pub async fn empty() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let server = server();
        let name =
            format!("stj_registry_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin(&server).await)
            .await
            .unwrap();
        Self { server, name }
    }

    pub async fn migrated() -> Self {
        let db = Self::empty().await;
        assert_eq!(run_migrations(&Secret::new(db.url().to_string())).await.unwrap(), MIGRATIONS);
        db
    }

    pub fn url(&self) -> Url {
        let mut url = self.server.clone();
        url.set_path(&self.name);
        url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // `drop` cannot await; a thread with a runtime of its own can.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async move {
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin(&server).await)
                    .await
            })?;
            anyhow::Ok(())
        })
        .join();
        if !std::thread::panicking() {
            dropped.unwrap().unwrap();
        }
    }
}

/// A migrated database and a registry on it; the registry goes first.
pub struct Fresh {
    registry: PgInstallationRegistry,
    db: TestDb,
}

impl Fresh {
    pub async fn new() -> Self {
        let db = TestDb::migrated().await;
        Self { registry: PgInstallationRegistry::new(&config(&db.url(), 5_000)).unwrap(), db }
    }

    pub fn registry(&self) -> &dyn stj_registry::Registry {
        &self.registry
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
    let fresh = Fresh::new().await;
    let url = fresh.db.url();
    suite::corrupt_row_is_reported(fresh.registry(), async move |client_key: &ClientKey| {
        let mut conn = AsyncPgConnection::establish(url.as_str()).await.unwrap();
        diesel::update(raw::installations::table.find(client_key.as_str()))
            .set(raw::installations::base_url.eq("not a url"))
            .execute(&mut conn)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn migrations_apply_once() {
    let db = TestDb::migrated().await;
    assert!(run_migrations(&Secret::new(db.url().to_string())).await.unwrap().is_empty());
}

#[tokio::test]
async fn unmigrated_database_is_unavailable() {
    let db = TestDb::empty().await;
    let registry = PgInstallationRegistry::new(&config(&db.url(), 5_000)).unwrap();
    registry.ping().await.unwrap();
    assert!(matches!(registry.find(&key("acme")).await, Err(RegistryError::Unavailable(_))));
}

#[tokio::test]
async fn open_picks_postgres_from_the_url() {
    let db = TestDb::migrated().await;
    let registry = open(&config(&db.url(), 5_000)).await.unwrap();
    suite::insert_and_find(registry.as_ref()).await;
    assert!(format!("{registry:?}").starts_with("PgInstallationRegistry"));
}

async fn unavailable_within<T: Debug>(
    limit: Duration,
    call: impl Future<Output = Result<T, RegistryError>>,
) {
    let started = Instant::now();
    let result = call.await;
    assert!(matches!(result, Err(RegistryError::Unavailable(_))), "{result:?}");
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
}

#[tokio::test]
async fn outage_fails_fast_then_recovers() {
    let db = TestDb::migrated().await;
    let direct = db.url();
    let upstream =
        format!("{}:{}", direct.host_str().unwrap(), direct.port_or_known_default().unwrap());
    let proxy = Proxy::start(upstream).await;
    let mut via_proxy = direct.clone();
    via_proxy.set_port(Some(proxy.port())).unwrap();
    via_proxy.set_host(Some("127.0.0.1")).unwrap();
    let registry = PgInstallationRegistry::new(&config(&via_proxy, 1_000)).unwrap();
    registry.upsert(installation("acme", 1), at(0)).await.unwrap();

    proxy.cut();
    // The configured second, plus slack for a loaded machine; never a hang.
    let limit = Duration::from_secs(3);
    unavailable_within(limit, registry.ping()).await;
    unavailable_within(limit, registry.find(&key("acme"))).await;
    unavailable_within(limit, registry.upsert(installation("acme", 2), at(1))).await;
    unavailable_within(limit, registry.set_enabled(&key("acme"), false, at(1))).await;
    unavailable_within(limit, registry.delete(&key("acme"))).await;

    proxy.restore();
    registry.ping().await.unwrap();
    let found = registry.find(&key("acme")).await.unwrap().unwrap();
    assert_eq!(found.sealed_secret, installation("acme", 1).sealed_secret);
    assert!(registry.delete(&key("acme")).await.unwrap());
}

/// The policy's "installation metadata only": every column of every table is one of
/// `STORABLE_INSTALLATION_FIELDS` (the sealed secret is stored as key id, nonce and ciphertext).
#[tokio::test]
async fn the_table_holds_only_installation_metadata() {
    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }
    let db = TestDb::migrated().await;
    let mut conn = AsyncPgConnection::establish(db.url().as_str()).await.unwrap();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let storable = |column: &str| {
        match column {
            "secret_nonce" | "secret_ciphertext" => "sealed_shared_secret",
            "secret_key_id" => "key_id",
            other => other,
        }
        .to_owned()
    };
    let mut stored: Vec<String> = columns.iter().map(|c| storable(&c.column_name)).collect();
    stored.sort();
    stored.dedup();
    let mut allowed: Vec<String> =
        stj_privacy::STORABLE_INSTALLATION_FIELDS.iter().map(|f| (*f).to_owned()).collect();
    allowed.sort();
    assert_eq!(stored, allowed);
    let tables: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS column_name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut names: Vec<&str> = tables.iter().map(|t| t.column_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["forge_installations", "forge_links", "installations"],
        "no other table may hold anything"
    );
}
