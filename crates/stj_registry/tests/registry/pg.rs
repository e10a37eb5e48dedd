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

use crate::MIGRATIONS;
use crate::proxy::Proxy;
use crate::suite::{self, at, installation, key};

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

crate::behaviour_tests!(Fresh::new);

#[tokio::test]
async fn corrupt_row_is_reported() {
    let fresh = Fresh::new().await;
    let url = fresh.db.url();
    suite::corrupt_row_is_reported(fresh.registry(), async move |client_key: &ClientKey| {
        let mut conn = AsyncPgConnection::establish(url.as_str()).await.unwrap();
        diesel::update(suite::raw::installations::table.find(client_key.as_str()))
            .set(suite::raw::installations::base_url.eq("not a url"))
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
