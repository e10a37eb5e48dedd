//! The adapters against the Jira sandbox: a real HTTP server on 127.0.0.1 that signs, verifies
//! and misbehaves on request.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a failed unwrap is a failed test"
)]

use std::time::{Duration, Instant};

use stj_core::{InstallKeyError, InstallKeySource, KeyId, Licence, LicenceError, LicenceSource};
use stj_jira::{ConfigError, HttpInstallKeySource, JiraConfig, JiraLicenceSource};
use stj_jira_sandbox::{Fault, FaultKind, JiraSandbox, LicenceState, SandboxConfig, TenantInfo};
use stj_privacy::Secret;

const APP: &str = "io.subtask-templates.jira";
const APP_URL: &str = "https://subtask-templates.example.com";

fn sandbox() -> JiraSandbox {
    JiraSandbox::start(SandboxConfig::default()).unwrap()
}

fn config(install_keys_url: &str, timeout_ms: u64) -> JiraConfig {
    JiraConfig {
        install_keys_url: install_keys_url.to_owned(),
        timeout_ms,
        ..JiraConfig::default()
    }
}

fn keys(sandbox: &JiraSandbox) -> HttpInstallKeySource {
    HttpInstallKeySource::new(&config(&sandbox.install_keys_url(), 2_000)).unwrap()
}

fn kid(sandbox: &JiraSandbox) -> KeyId {
    KeyId::parse(sandbox.install_kid()).unwrap()
}

fn licences(timeout_ms: u64) -> JiraLicenceSource {
    JiraLicenceSource::new(APP, &config("https://connect-install-keys.atlassian.com", timeout_ms))
        .unwrap()
}

async fn licence_of(
    source: &JiraLicenceSource,
    tenant: &TenantInfo,
) -> Result<Licence, LicenceError> {
    source.licence(&tenant.client_key, &tenant.base_url, &tenant.shared_secret).await
}

fn assert_key_unavailable(result: Result<String, InstallKeyError>, why: &str) {
    assert!(matches!(result, Err(InstallKeyError::Unavailable(_))), "{why}: {result:?}");
}

#[tokio::test]
async fn fetches_the_pem_for_a_known_kid() {
    let sandbox = sandbox();
    let pem = keys(&sandbox).public_key_pem(&kid(&sandbox)).await.unwrap();
    assert_eq!(pem, sandbox.install_public_key_pem());
}

#[tokio::test]
async fn an_unknown_kid_is_not_found() {
    let sandbox = sandbox();
    let result = keys(&sandbox).public_key_pem(&KeyId::parse("no/such-kid").unwrap()).await;
    assert!(matches!(result, Err(InstallKeyError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn a_server_that_is_down_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let source =
        HttpInstallKeySource::new(&config(&format!("http://127.0.0.1:{port}"), 2_000)).unwrap();
    let kid = KeyId::parse("any").unwrap();
    assert_key_unavailable(source.public_key_pem(&kid).await, "connection refused");
}

#[tokio::test]
async fn a_slow_server_times_out_as_unavailable() {
    let sandbox = sandbox();
    sandbox.add_fault(Fault::new("GET /install-keys/*", FaultKind::Latency { ms: 5_000 }));
    let source = HttpInstallKeySource::new(&config(&sandbox.install_keys_url(), 300)).unwrap();
    let started = Instant::now();
    assert_key_unavailable(source.public_key_pem(&kid(&sandbox)).await, "latency past the timeout");
    assert!(started.elapsed() < Duration::from_secs(3), "gave up after {:?}", started.elapsed());
}

#[tokio::test]
async fn failures_and_redirects_are_unavailable() {
    let sandbox = sandbox();
    // Same server under another host name: following it would hand back a good key.
    let elsewhere = format!(
        "{}/{}",
        sandbox.install_keys_url().replace("127.0.0.1", "localhost"),
        sandbox.install_kid()
    );
    let faults = [
        FaultKind::Status { status: 503 },
        FaultKind::Status { status: 403 },
        FaultKind::RateLimited { retry_after_secs: 1 },
        FaultKind::DropConnection,
        FaultKind::Timeout { ms: 5_000 },
        FaultKind::Redirect { location: elsewhere },
    ];
    let source = HttpInstallKeySource::new(&config(&sandbox.install_keys_url(), 500)).unwrap();
    for fault in faults {
        sandbox.add_fault(Fault::new("GET /install-keys/*", fault.clone()).times(1));
        assert_key_unavailable(source.public_key_pem(&kid(&sandbox)).await, &format!("{fault:?}"));
    }
    assert_eq!(
        source.public_key_pem(&kid(&sandbox)).await.unwrap(),
        sandbox.install_public_key_pem()
    );
}

#[test]
fn refuses_a_plain_http_key_service_beyond_loopback() {
    let result =
        HttpInstallKeySource::new(&config("http://connect-install-keys.atlassian.com", 1_000));
    assert!(matches!(result, Err(ConfigError::InstallKeysUrl)));
    assert!(HttpInstallKeySource::new(&JiraConfig::default()).is_ok());
    assert!(matches!(
        JiraLicenceSource::new("bad key", &JiraConfig::default()),
        Err(ConfigError::AppKey)
    ));
}

#[tokio::test]
async fn reads_an_active_inactive_or_missing_licence() {
    let sandbox = sandbox();
    let tenant = sandbox.add_installed_tenant(APP_URL, APP).unwrap();
    let source = licences(2_000);
    assert_eq!(licence_of(&source, &tenant).await.unwrap(), Licence::Active);
    sandbox.set_licence(&tenant.client_key, LicenceState::Inactive).unwrap();
    assert_eq!(licence_of(&source, &tenant).await.unwrap(), Licence::Inactive);
    sandbox.set_licence(&tenant.client_key, LicenceState::Absent).unwrap();
    assert_eq!(licence_of(&source, &tenant).await.unwrap(), Licence::Inactive);
    assert_eq!(sandbox.requests().len(), 3, "no caching in the adapter");
}

#[tokio::test]
async fn signs_relative_to_a_tenant_base_path() {
    let sandbox =
        JiraSandbox::start(SandboxConfig { tenant_paths: true, ..SandboxConfig::default() })
            .unwrap();
    let tenant = sandbox.add_installed_tenant(APP_URL, APP).unwrap();
    assert!(!tenant.base_url.path().is_empty());
    assert_eq!(licence_of(&licences(2_000), &tenant).await.unwrap(), Licence::Active);
}

#[tokio::test]
async fn a_refused_token_is_unavailable() {
    let sandbox = sandbox();
    let tenant = sandbox.add_installed_tenant(APP_URL, APP).unwrap();
    let stale = TenantInfo {
        shared_secret: Secret::new("a-secret-jira-no-longer-holds".to_owned()),
        ..tenant
    };
    let result = licence_of(&licences(2_000), &stale).await;
    assert!(matches!(result, Err(LicenceError::Unavailable(_))), "{result:?}");
    let other_app = JiraLicenceSource::new("someone.else", &JiraConfig::default()).unwrap();
    let tenant = sandbox.add_installed_tenant(APP_URL, APP).unwrap();
    assert!(licence_of(&other_app, &tenant).await.is_err(), "signed as another app");
}

#[tokio::test]
async fn licence_endpoint_failures_are_unavailable() {
    let sandbox = sandbox();
    let tenant = sandbox.add_installed_tenant(APP_URL, APP).unwrap();
    let source = licences(500);
    let route = "GET /rest/atlassian-connect/1/addons/*";
    for fault in [
        FaultKind::Status { status: 500 },
        FaultKind::RateLimited { retry_after_secs: 2 },
        FaultKind::Timeout { ms: 5_000 },
        FaultKind::DropConnection,
    ] {
        sandbox.add_fault(Fault::new(route, fault.clone()).times(1));
        let result = licence_of(&source, &tenant).await;
        assert!(matches!(result, Err(LicenceError::Unavailable(_))), "{fault:?}: {result:?}");
    }
    assert_eq!(licence_of(&source, &tenant).await.unwrap(), Licence::Active);
}
