//! A CA and a server certificate for `localhost` (DNS name only, so `127.0.0.1` does not match),
//! plus an unrelated CA. Made fresh per cluster: nothing long-lived to leak or expire.

use anyhow::Context as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// PEM texts for one test run.
#[derive(Debug, Clone)]
pub struct TestPki {
    /// The CA that issued the server certificate.
    pub ca_pem: String,
    /// A CA that issued nothing the server has.
    pub other_ca_pem: String,
    /// Server certificate for DNS name `localhost` only.
    pub server_cert_pem: String,
    pub server_key_pem: String,
}

impl TestPki {
    pub fn generate() -> anyhow::Result<Self> {
        let (ca_pem, ca_params, ca_key) = ca("stj test CA")?;
        let (other_ca_pem, _, _) = ca("stj unrelated CA")?;
        let issuer = Issuer::new(ca_params, ca_key);
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])
            .context("server certificate parameters")?;
        params.distinguished_name.push(DnType::CommonName, "localhost");
        let key = KeyPair::generate().context("server key")?;
        let cert = params.signed_by(&key, &issuer).context("signing the server certificate")?;
        Ok(Self {
            ca_pem,
            other_ca_pem,
            server_cert_pem: cert.pem(),
            server_key_pem: key.serialize_pem(),
        })
    }
}

fn ca(name: &str) -> anyhow::Result<(String, CertificateParams, KeyPair)> {
    let mut params = CertificateParams::new(Vec::new()).context("CA parameters")?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().context("CA key")?;
    let cert = params.clone().self_signed(&key).context("self-signing the CA")?;
    Ok((cert.pem(), params, key))
}
