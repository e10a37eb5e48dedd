//! HTTPS serving with rustls: TLS 1.2 and 1.3 only, HTTP/1.1.
//!
//! Behind the ALB the certificate may be self-signed and made at start (`self-signed`): the ALB
//! encrypts to its targets but does not verify their certificates, so a per-task key that never
//! leaves memory is as good as any and needs no rotation. `files` serves a certificate chain and
//! key from PEM files (e.g. mounted from Secrets Manager) for setups that do verify.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HttpsMode {
    /// Plain HTTP: local runs and tests only (production start-up refuses it).
    Off,
    /// A certificate generated at start for `localhost` and the configured names.
    SelfSigned,
    /// `cert_file` (chain, PEM) and `key_file` (PKCS#8, PKCS#1 or SEC1 PEM).
    Files,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpsConfig {
    pub mode: HttpsMode,
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

/// The rustls configuration to serve with, or `None` for plain HTTP.
pub fn server_config(config: &HttpsConfig) -> anyhow::Result<Option<ServerConfig>> {
    let (chain, key) = match config.mode {
        HttpsMode::Off => return Ok(None),
        HttpsMode::SelfSigned => self_signed()?,
        HttpsMode::Files => {
            let (Some(cert), Some(key)) = (&config.cert_file, &config.key_file) else {
                bail!("https.mode = \"files\" needs https.cert_file and https.key_file");
            };
            (read_chain(cert)?, read_key(key)?)
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = ServerConfig::builder_with_provider(provider)
        // Nothing older than TLS 1.2, as the security policy says (rustls has no 1.0/1.1 at all).
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS 1.2/1.3 unsupported by the crypto provider")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the HTTPS certificate and key do not match or are unusable")?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(server))
}

fn self_signed() -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let names = vec!["localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names)
        .context("generating the self-signed HTTPS certificate")?;
    let key = PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
    Ok((vec![certified.cert.der().clone()], PrivateKeyDer::Pkcs8(key)))
}

fn read_chain(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("cannot read https.cert_file {}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("bad PEM in {}", path.display()))?;
    anyhow::ensure!(!chain.is_empty(), "https.cert_file {} holds no certificate", path.display());
    Ok(chain)
}

fn read_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).with_context(|| {
        format!("cannot read a private key from https.key_file {}", path.display())
    })
}
