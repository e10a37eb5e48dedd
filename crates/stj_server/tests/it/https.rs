//! HTTPS serving: a verified TLS client gets `/healthz`; plain HTTP to the TLS port gets no HTTP
//! answer; a TLS 1.1 ClientHello gets no ServerHello (TLS 1.2+ only); self-signed mode serves.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use stj_test_postgres::TestPki;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::support::{Db, TestApp, spawn_app_with, temp_path};

fn https_app(pki: &TestPki) -> TestApp {
    let cert = temp_path("server.crt");
    let key = temp_path("server.key");
    std::fs::write(&cert, &pki.server_cert_pem).unwrap();
    std::fs::write(&key, &pki.server_key_pem).unwrap();
    spawn_app_with(
        Db::Sqlite,
        &[
            ("APP__HTTPS__MODE", "files"),
            ("APP__HTTPS__CERT_FILE", cert.to_str().unwrap()),
            ("APP__HTTPS__KEY_FILE", key.to_str().unwrap()),
        ],
    )
}

fn port(app: &TestApp) -> u16 {
    app.url.rsplit(':').next().unwrap().parse().unwrap()
}

/// What the server sends back to `bytes` before it closes (empty if it closes at once).
fn raw_exchange(port: u16, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    drop(stream.read_to_end(&mut answer));
    answer
}

/// A TLS 1.1 ClientHello (record and handshake version 0x0302) offering only TLS 1.1 suites.
fn tls11_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02];
    body.extend_from_slice(&[0x11; 32]); // client random
    body.push(0); // no session id
    body.extend_from_slice(&[0x00, 0x04, 0x00, 0x2f, 0x00, 0x35]); // AES-CBC-SHA suites
    body.extend_from_slice(&[0x01, 0x00]); // null compression
    let mut handshake = vec![0x01, 0x00];
    handshake.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x02];
    record.extend_from_slice(&u16::try_from(handshake.len()).unwrap().to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

#[test]
fn https_serves_verified_clients_and_refuses_plain_http_and_tls_1_1() {
    let pki = TestPki::generate().unwrap();
    let app = https_app(&pki);
    let port = port(&app);

    let ca = Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap();
    let tls = TlsConfig::builder().root_certs(RootCerts::Specific(Arc::new(vec![ca]))).build();
    let client = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut res = client.get(format!("https://localhost:{port}/healthz")).call().unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.body_mut().read_to_string().unwrap().contains("ok"));
    // HSTS over HTTPS, as the security headers promise.
    assert!(res.headers().get("strict-transport-security").is_some());

    let plain = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(!plain.starts_with(b"HTTP/"), "plain HTTP answered: {plain:?}");

    let answer = raw_exchange(port, &tls11_client_hello());
    // rustls answers a fatal protocol_version alert; never a handshake record (ServerHello).
    assert_eq!(answer.first(), Some(&0x15), "TLS 1.1 got no alert: {answer:?}");
    assert!(answer.first() != Some(&0x16), "TLS 1.1 got a handshake: {answer:?}");
    if let [0x15, _, _, _, _, level, description, ..] = answer.as_slice() {
        assert_eq!(*level, 2, "fatal alert");
        assert!([70, 40].contains(description), "protocol_version or handshake_failure");
    }
}

#[test]
fn self_signed_mode_serves_tls() {
    let app = spawn_app_with(Db::Sqlite, &[("APP__HTTPS__MODE", "self-signed")]);
    let port = port(&app);
    let plain = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(!plain.starts_with(b"HTTP/"), "plain HTTP answered: {plain:?}");
    // A TLS 1.2 client is answered with a handshake; the certificate is the task's own.
    let tls = TlsConfig::builder().root_certs(RootCerts::Specific(Arc::new(Vec::new()))).build();
    let client = ureq::Agent::config_builder().tls_config(tls).build().new_agent();
    let err = client.get(format!("https://localhost:{port}/healthz")).call().unwrap_err();
    assert!(err.to_string().to_lowercase().contains("certificate"), "{err}");
}
