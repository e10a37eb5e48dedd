//! Postgres connections over TLS (rustls), for the pool and for `migrate`.
//!
//! `verify-full` means what libpq means by it: the server must offer TLS, its certificate must
//! chain to the configured CA bundle (`registry.ca_file`, e.g. RDS's global bundle) and name the
//! host in the URL. There is no "prefer"/"require" middle ground: a connection that is encrypted
//! but unauthenticated is one an attacker on the path can terminate.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context as _, anyhow, ensure};
use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls::{ClientConfig, RootCertStore};
use serde::Deserialize;
use tokio_postgres::config::SslMode as WireSslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::RegistryConfig;

/// How the registry talks to Postgres; the names are libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    /// Plain TCP: local runs and CI's loopback Postgres only (production start-up refuses it).
    Disable,
    /// TLS, the certificate checked against `ca_file` and the URL's host name.
    #[default]
    VerifyFull,
}

/// How to open one Postgres connection: plain, or TLS with the CA bundle already read.
#[derive(Clone)]
pub(crate) enum Connector {
    Plain,
    Tls(MakeRustlsConnect),
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain => "Connector::Plain",
            Self::Tls(_) => "Connector::Tls",
        })
    }
}

impl Connector {
    /// Reads the CA bundle once (start-up fails on a missing or empty one, not the first query).
    pub(crate) fn from_config(config: &RegistryConfig) -> anyhow::Result<Self> {
        // tokio-postgres knows no `verify-full`; one setting, in one place, avoids two answers.
        ensure!(
            !config.url.expose().contains("sslmode"),
            "registry URL must not carry sslmode: set registry.sslmode instead"
        );
        match config.sslmode {
            SslMode::Disable => Ok(Self::Plain),
            SslMode::VerifyFull => {
                let ca_file = config.ca_file.as_deref().ok_or_else(|| {
                    anyhow!("registry.sslmode = \"verify-full\" needs registry.ca_file")
                })?;
                Ok(Self::Tls(MakeRustlsConnect::new(client_config(ca_file)?)))
            }
        }
    }

    /// One connection to `url`, as the pool's setup callback and `migrate` need it.
    pub(crate) fn establish(
        &self,
        url: &str,
    ) -> BoxFuture<'static, diesel::ConnectionResult<AsyncPgConnection>> {
        let this = self.clone();
        let url = url.to_owned();
        async move {
            let mut config = tokio_postgres::Config::from_str(&url)
                .map_err(|err| ConnectionError::BadConnection(err.to_string()))?;
            match this {
                Self::Plain => {
                    config.ssl_mode(WireSslMode::Disable);
                    let (client, conn) =
                        config.connect(tokio_postgres::NoTls).await.map_err(bad_connection)?;
                    AsyncPgConnection::try_from_client_and_connection(client, conn).await
                }
                Self::Tls(tls) => {
                    // Require: a server answering "no TLS" is refused, never used in the clear.
                    config.ssl_mode(WireSslMode::Require);
                    let (client, conn) = config.connect(tls).await.map_err(bad_connection)?;
                    AsyncPgConnection::try_from_client_and_connection(client, conn).await
                }
            }
        }
        .boxed()
    }
}

/// tokio-postgres's error text names the cause (certificate, host name, TLS refused) and never
/// the password, which it does not echo.
fn bad_connection(err: tokio_postgres::Error) -> ConnectionError {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    ConnectionError::BadConnection(message)
}

/// A rustls client trusting exactly the certificates in `ca_file` (no system or web roots:
/// the database's CA is known in advance).
fn client_config(ca_file: &Path) -> anyhow::Result<ClientConfig> {
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca_file)
        .with_context(|| format!("cannot read registry.ca_file {}", ca_file.display()))?;
    for cert in certs {
        let cert = cert.with_context(|| format!("bad PEM in {}", ca_file.display()))?;
        roots.add(cert).with_context(|| format!("bad CA certificate in {}", ca_file.display()))?;
    }
    ensure!(!roots.is_empty(), "registry.ca_file {} holds no certificate", ca_file.display());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS 1.2/1.3 unsupported by the crypto provider")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
