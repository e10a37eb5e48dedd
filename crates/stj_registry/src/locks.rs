//! `EntityLocks` on PostgreSQL: a session-level advisory lock per entity (`pg_advisory_lock` on
//! the entity's 64-bit key), held on a connection of its own pool for as long as the guard lives.
//! Nothing is written: the lock lives in the server's lock table, and dies with its session, so a
//! crashed instance's locks go when its connections do.
//!
//! **Bounded wait.** A free lock is taken with one `pg_try_advisory_lock`; a held one is waited
//! for with `pg_advisory_lock` under `lock_timeout` set to what is left of the wait bound (the
//! server queues waiters, so turns are first come, first served).
//!
//! **Release on every path.** Dropping the guard hands the unlock to a task; if that cannot run
//! or fails, the connection is closed instead, and the server frees its locks. A lock attempt
//! that is cancelled (the client went away) closes its connection the same way, so a lock taken
//! by a query nobody waits for any more cannot linger on a pooled connection.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use async_trait::async_trait;
use deadpool::Runtime;
use deadpool::managed::{PoolError, TimeoutType};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use stj_core::{EntityLock, EntityLocks, LockError, LockedEntity};

use crate::RegistryConfig;
use crate::tls::Connector;

/// How long an unlock may take before the connection is closed instead.
const UNLOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// Beyond the wait bound, how long a lock query may stay unanswered before the connection is
/// taken for dead.
const ANSWER_MARGIN: Duration = Duration::from_secs(2);

/// `[locks]`: how entity locks behave (the same on SQLite's in-process locks).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocksConfig {
    /// Longest wait for an entity's lock before answering 503 `busy` with `Retry-After`.
    pub wait_ms: u64,
    /// Connections of the lock pool: locks held or awaited at once by this instance.
    pub max_connections: u32,
}

impl Default for LocksConfig {
    fn default() -> Self {
        Self { wait_ms: 20_000, max_connections: 16 }
    }
}

impl LocksConfig {
    pub fn wait(&self) -> Duration {
        Duration::from_millis(self.wait_ms.max(1))
    }
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

pub struct PgEntityLocks {
    pool: Pool<AsyncPgConnection>,
    wait: Duration,
}

impl PgEntityLocks {
    /// Its own pool on the registry's database (same TLS policy), so held locks never starve
    /// registry queries. Connects lazily, like the registry.
    pub fn new(registry: &RegistryConfig, config: &LocksConfig) -> anyhow::Result<Self> {
        anyhow::ensure!(config.max_connections > 0, "locks.max_connections must be positive");
        let connector = Connector::from_config(registry)?;
        let mut setup = ManagerConfig::default();
        setup.custom_setup = Box::new(move |url| connector.establish(url));
        let manager =
            AsyncDieselConnectionManager::new_with_config(registry.url.expose().as_str(), setup);
        let wait = config.wait();
        let pool = Pool::builder(manager)
            .max_size(usize::try_from(config.max_connections)?)
            .wait_timeout(Some(wait))
            .create_timeout(Some(Duration::from_millis(registry.connect_timeout_ms.max(1))))
            .recycle_timeout(Some(Duration::from_millis(registry.connect_timeout_ms.max(1))))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|err| anyhow!("building the lock pool: {err}"))?;
        Ok(Self { pool, wait })
    }

    /// The span names the operation only: the key stands for a tenant's issue or library.
    #[tracing::instrument(skip_all, fields(db.op = "entity_lock"))]
    async fn acquire(
        &self,
        key: i64,
        deadline: Instant,
    ) -> Result<Object<AsyncPgConnection>, LockError> {
        let conn = self.pool.get().await.map_err(|err| match err {
            PoolError::Timeout(TimeoutType::Wait) => LockError::Busy,
            other => LockError::Unavailable(anyhow!("lock pool: {other}")),
        })?;
        // Until the lock is known to be had or not, a drop closes the connection.
        let mut pending = Detaching(Some(conn));
        let conn = pending.conn()?;
        let free = sql_query("SELECT pg_try_advisory_lock($1) AS locked")
            .bind::<BigInt, _>(key)
            .get_result::<Locked>(conn);
        let free = bounded(ANSWER_MARGIN, free).await?;
        if !free.locked {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return pending.release_clean(LockError::Busy);
            }
            let limit = format!("{}ms", left.as_millis().max(1));
            let set = sql_query("SELECT set_config('lock_timeout', $1, false)")
                .bind::<Text, _>(limit)
                .execute(conn);
            bounded(ANSWER_MARGIN, set).await?;
            let waited = sql_query("SELECT pg_advisory_lock($1) IS NOT NULL AS locked")
                .bind::<BigInt, _>(key)
                .get_result::<Locked>(conn);
            match tokio::time::timeout(left.saturating_add(ANSWER_MARGIN), waited).await {
                Ok(Ok(_)) => {}
                // `lock_timeout` ended the wait (SQLSTATE 55P03); the session holds nothing.
                Ok(Err(diesel::result::Error::DatabaseError(_, info)))
                    if info.message().contains("lock timeout") =>
                {
                    return pending.release_clean(LockError::Busy);
                }
                Ok(Err(err)) => {
                    return Err(LockError::Unavailable(anyhow!("advisory lock: {err}")));
                }
                Err(_) => {
                    return Err(LockError::Unavailable(anyhow!("no answer from the database")));
                }
            }
        }
        pending.0.take().ok_or_else(|| LockError::Unavailable(anyhow!("connection lost")))
    }
}

#[async_trait]
impl EntityLocks for PgEntityLocks {
    async fn lock(&self, entity: &LockedEntity) -> Result<EntityLock, LockError> {
        let key = entity.lock_key();
        let started = Instant::now();
        let conn = self.acquire(key, started.checked_add(self.wait).unwrap_or(started)).await?;
        Ok(EntityLock::new(Held { conn: Some(conn), key }))
    }

    fn wait_bound(&self) -> Duration {
        self.wait
    }
}

/// Awaits a query on the lock connection within `limit`; a silent server is unavailable.
async fn bounded<T>(
    limit: Duration,
    query: impl Future<Output = Result<T, diesel::result::Error>>,
) -> Result<T, LockError> {
    match tokio::time::timeout(limit, query).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(LockError::Unavailable(anyhow!("advisory lock: {err}"))),
        Err(_) => Err(LockError::Unavailable(anyhow!("no answer from the database"))),
    }
}

/// A connection whose lock state is unknown: dropped, it is closed (taken out of the pool), so
/// the server ends the session and frees whatever it holds.
struct Detaching(Option<Object<AsyncPgConnection>>);

impl Detaching {
    fn conn(&mut self) -> Result<&mut AsyncPgConnection, LockError> {
        self.0.as_deref_mut().ok_or_else(|| LockError::Unavailable(anyhow!("connection lost")))
    }

    /// The session holds no lock: back to the pool.
    fn release_clean<T>(mut self, error: LockError) -> Result<T, LockError> {
        drop(self.0.take());
        Err(error)
    }
}

impl Drop for Detaching {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(Object::take(conn));
        }
    }
}

/// A held lock: its connection, kept out of the pool until the unlock.
struct Held {
    conn: Option<Object<AsyncPgConnection>>,
    key: i64,
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut unlocking = Detaching(Some(conn));
        let key = self.key;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // `unlocking` closes the connection: the server frees the lock.
        };
        runtime.spawn(async move {
            let Ok(conn) = unlocking.conn() else { return };
            let unlock = sql_query("SELECT pg_advisory_unlock($1) AS locked")
                .bind::<BigInt, _>(key)
                .get_result::<Locked>(conn);
            if let Ok(Ok(Locked { locked: true })) =
                tokio::time::timeout(UNLOCK_TIMEOUT, unlock).await
            {
                drop(unlocking.0.take()); // released: the connection goes back to the pool
            }
        });
    }
}

impl fmt::Debug for PgEntityLocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgEntityLocks")
            .field("pool", &self.pool.status())
            .field("wait", &self.wait)
            .finish()
    }
}
