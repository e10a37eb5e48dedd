use std::fmt;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, anyhow};
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use stj_core::RegistryError;
use tokio::sync::{Mutex, MutexGuard};

use crate::RegistryConfig;
use crate::migrations::{SQLITE, apply};
use crate::queries::impl_registry;

pub(crate) mod schema {
    crate::schema::tables!(TimestamptzSqlite);
}

type Conn = SyncConnectionWrapper<SqliteConnection>;

const MEMORY: &str = "sqlite://:memory:";

/// The embedded default for local runs: one SQLite connection behind a lock (SQLite has a single
/// writer, and a `:memory:` database lives in its one connection).
pub struct SqliteInstallationRegistry {
    conn: Mutex<Conn>,
    timeout: Duration,
}

impl SqliteInstallationRegistry {
    /// Opens (creating if needed) the file the `sqlite://` URL names. A file is not migrated
    /// here; `sqlite://:memory:` is, since nothing else can reach it.
    pub async fn open(config: &RegistryConfig) -> anyhow::Result<Self> {
        let timeout = config.timeout()?;
        let url = config.url.expose().clone();
        let conn = tokio::task::spawn_blocking(move || -> anyhow::Result<SqliteConnection> {
            let mut conn = establish(&url, timeout)?;
            if url == MEMORY {
                apply(&mut conn, SQLITE)?;
            }
            Ok(conn)
        })
        .await??;
        Ok(Self { conn: Mutex::new(SyncConnectionWrapper::new(conn)), timeout })
    }

    /// Waiting for the connection is bounded; a running statement is bounded by SQLite's
    /// `busy_timeout`.
    async fn conn(&self) -> Result<MutexGuard<'_, Conn>, RegistryError> {
        tokio::time::timeout(self.timeout, self.conn.lock()).await.map_err(|_| {
            RegistryError::Unavailable(anyhow!("SQLite connection busy for {:?}", self.timeout))
        })
    }

    /// Not cancelled on a timer: dropping a running `SyncConnectionWrapper` call blocks the
    /// thread until the statement ends (and panics on a current-thread runtime).
    async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        call.await
    }
}

impl_registry!(SqliteInstallationRegistry);

impl fmt::Debug for SqliteInstallationRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteInstallationRegistry").field("timeout", &self.timeout).finish()
    }
}

/// Opens a `sqlite://` URL, creating the file's directory for local runs.
pub(crate) fn establish(url: &str, busy: Duration) -> anyhow::Result<SqliteConnection> {
    let path = url.strip_prefix("sqlite://").context("not a sqlite:// URL")?;
    let mut conn = if url == MEMORY {
        SqliteConnection::establish(":memory:")?
    } else {
        if let Some(dir) = Path::new(path).parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).context("creating the SQLite database directory")?;
        }
        // diesel opens `sqlite://path` as the SQLite URI `file:path`.
        SqliteConnection::establish(url)?
    };
    // Another process (`migrate`, a second server) may hold the write lock for a moment.
    // PRAGMA takes no bind parameters; the value is an integer (milliseconds), never text.
    // nosemgrep: stj.sql-built-from-strings -- integer from typed config, cannot inject
    conn.batch_execute(&format!("PRAGMA busy_timeout = {};", busy.as_millis()))?;
    Ok(conn)
}
