use std::net::{IpAddr, Ipv4Addr};

use jwt_simple::prelude::*;
use stj_jira_sandbox::{JiraSandbox, SandboxConfig, SandboxError};

use crate::common::get;

#[test]
fn serves_the_public_key_for_its_kid_and_404_otherwise() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
    let (status, pem) =
        get(&format!("{}/{}", sandbox.install_keys_url(), sandbox.install_kid()), None).unwrap();
    assert_eq!(status, 200);
    assert_eq!(pem, sandbox.install_public_key_pem());
    assert!(RS256PublicKey::from_pem(&pem).is_ok());

    let (status, _) = get(&format!("{}/no-such-kid", sandbox.install_keys_url()), None).unwrap();
    assert_eq!(status, 404);
}

#[test]
fn install_tokens_carry_the_kid_and_verify_with_the_served_key() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let token = sandbox
        .sign_install_token(&serde_json::json!({ "iss": "x", "exp": 4_000_000_000u64 }))
        .unwrap();
    let metadata = Token::decode_metadata(&token).unwrap();
    assert_eq!(metadata.algorithm(), "RS256");
    assert_eq!(metadata.key_id(), Some(sandbox.install_kid()));
    let key = RS256PublicKey::from_pem(sandbox.install_public_key_pem()).unwrap();
    assert!(key.verify_token::<NoCustomClaims>(&token, None).is_ok());
}

#[test]
fn refuses_to_bind_beyond_loopback() {
    for bind in [IpAddr::V4(Ipv4Addr::UNSPECIFIED), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))] {
        let err =
            JiraSandbox::start(SandboxConfig { bind, ..SandboxConfig::default() }).unwrap_err();
        assert!(matches!(err, SandboxError::NonLoopbackBind(_)), "{err}");
    }
}

#[test]
fn binds_a_configured_port_and_frees_it_when_dropped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = SandboxConfig { port, ..SandboxConfig::default() };
    let sandbox = JiraSandbox::start(config.clone()).unwrap();
    assert_eq!(sandbox.base_url(), format!("http://127.0.0.1:{port}"));
    drop(sandbox);
    let again = JiraSandbox::start(config).unwrap();
    assert_eq!(again.base_url(), format!("http://127.0.0.1:{port}"));
}
