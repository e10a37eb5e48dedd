use std::fmt;
use std::time::Duration;

use anyhow::{anyhow, ensure};
use deadpool::Runtime;
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use stj_core::RegistryError;

use crate::RegistryConfig;
use crate::queries::impl_registry;
use crate::tls::Connector;

pub(crate) mod schema {
    crate::schema::tables!(Timestamptz);
}

/// The production registry: PostgreSQL through a deadpool of `AsyncPgConnection`s.
pub struct PgInstallationRegistry {
    pool: Pool<AsyncPgConnection>,
    timeout: Duration,
}

impl PgInstallationRegistry {
    /// Builds the pool without connecting, so the process starts while the database is down
    /// (`ping` reports it) and recovers when it comes back. Does not migrate.
    pub fn new(config: &RegistryConfig) -> anyhow::Result<Self> {
        let timeout = config.timeout()?;
        ensure!(config.max_connections > 0, "registry max_connections must be positive");
        // Every pooled connection goes through the TLS policy (`tls`), not diesel's default.
        let connector = Connector::from_config(config)?;
        let mut setup = ManagerConfig::default();
        setup.custom_setup = Box::new(move |url| connector.establish(url));
        let manager =
            AsyncDieselConnectionManager::new_with_config(config.url.expose().as_str(), setup);
        let pool = Pool::builder(manager)
            .max_size(usize::try_from(config.max_connections)?)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            // deadpool ignores the timeouts above unless it has a runtime to run them on.
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|err| anyhow!("building the registry pool: {err}"))?;
        Ok(Self { pool, timeout })
    }

    /// A pooled connection; stale ones fail deadpool's recycle check and are replaced.
    async fn conn(&self) -> Result<Object<AsyncPgConnection>, RegistryError> {
        self.pool.get().await.map_err(|err| RegistryError::Unavailable(err.into()))
    }

    /// Bounds a whole call: pool timeouts cover acquiring a connection, not a query on a
    /// connection whose peer went silent.
    async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        tokio::time::timeout(self.timeout, call).await.unwrap_or_else(|_| {
            Err(RegistryError::Unavailable(anyhow!(
                "no answer from the database within {:?}",
                self.timeout
            )))
        })
    }
}

impl_registry!(PgInstallationRegistry);

/// By hand: the pool's manager holds the URL, which may carry a password.
impl fmt::Debug for PgInstallationRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgInstallationRegistry")
            .field("pool", &self.pool.status())
            .field("timeout", &self.timeout)
            .finish()
    }
}
