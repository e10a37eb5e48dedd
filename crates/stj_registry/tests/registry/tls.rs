//! The registry and `migrate` against a real PostgreSQL with TLS on (a throwaway cluster whose
//! CA is made for the test): verify-full connects; another CA, another host name and a server
//! without TLS are refused, none of them answered in the clear.

use std::path::PathBuf;

use stj_core::{InstallationRegistry, RegistryError};
use stj_privacy::Secret;
use stj_registry::{PgInstallationRegistry, RegistryConfig, SslMode, migrate};
use stj_test_postgres::TlsCluster;

use crate::suite;

fn verify_full(url: String, ca_file: PathBuf) -> RegistryConfig {
    RegistryConfig {
        url: Secret::new(url),
        max_connections: 2,
        connect_timeout_ms: 10_000,
        sslmode: SslMode::VerifyFull,
        ca_file: Some(ca_file),
    }
}

async fn refused(config: RegistryConfig, expect: &str) {
    let registry = PgInstallationRegistry::new(&config).unwrap();
    let err = registry.ping().await.unwrap_err();
    assert!(matches!(err, RegistryError::Unavailable(_)), "{err:?}");
    let text = format!("{:#}", anyhow::Error::from(err));
    assert!(text.to_lowercase().contains(expect), "expected {expect:?} in: {text}");
    let err = migrate(&config).await.unwrap_err();
    assert!(format!("{err:#}").to_lowercase().contains(expect), "migrate: {err:#}");
}

/// One cluster per test (a few seconds each) so that dropping it always stops it.
#[tokio::test]
async fn verify_full_migrates_and_serves_and_refuses_another_ca_or_host() {
    let cluster = TlsCluster::start(true).unwrap();
    let config = verify_full(cluster.url("localhost"), cluster.ca_file());
    assert_eq!(migrate(&config).await.unwrap().len(), 3);
    assert!(migrate(&config).await.unwrap().is_empty());
    let registry = PgInstallationRegistry::new(&config).unwrap();
    registry.ping().await.unwrap();
    suite::insert_and_find(&registry).await;

    refused(verify_full(cluster.url("localhost"), cluster.other_ca_file()), "certificate").await;
    // The certificate names `localhost` only; the same server reached as 127.0.0.1 must fail.
    refused(verify_full(cluster.url("127.0.0.1"), cluster.ca_file()), "certificate").await;

    let url = format!("{}?sslmode=require", cluster.url("localhost"));
    let err = PgInstallationRegistry::new(&verify_full(url, cluster.ca_file())).unwrap_err();
    assert!(err.to_string().contains("registry.sslmode"), "{err}");
}

#[tokio::test]
async fn a_server_without_tls_is_refused() {
    let cluster = TlsCluster::start(false).unwrap();
    let config = verify_full(cluster.url("localhost"), cluster.ca_file());
    refused(config, "tls").await;
}

#[tokio::test]
async fn verify_full_without_a_ca_file_is_refused_at_start() {
    let mut config = verify_full("postgres://postgres@localhost/x".to_owned(), PathBuf::new());
    config.ca_file = None;
    let err = PgInstallationRegistry::new(&config).unwrap_err();
    assert!(err.to_string().contains("ca_file"), "{err}");
    config.ca_file = Some(PathBuf::from("/nonexistent/ca.pem"));
    assert!(PgInstallationRegistry::new(&config).is_err());
}
