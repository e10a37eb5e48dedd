//! The image's smoke test: its root filesystem, mounted read-only, started with `chroot` as the
//! image's user, against a throwaway PostgreSQL with TLS on; `migrate` then `serve`, and
//! `/healthz` and `/readyz` must answer 200 over HTTPS (the client verifies the certificate).
//!
//! The production configuration is used as the image carries it; only what ECS would inject
//! comes from the environment (registry URL, sealing key), plus a certificate issued by the
//! test CA (`https.mode = files`) so the client can verify it. The test CA is bind-mounted
//! over `/app/certs`, where RDS's bundle lives. Needs root (mount, chroot).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use stj_test_postgres::TlsCluster;

use super::Built;
use super::container::Container;
use crate::shell::{self, Background, free_port, note, target_dir};

pub(super) fn run(built: &Built) -> anyhow::Result<()> {
    let started = Instant::now();
    let postgres = TlsCluster::start(true)?;
    let container = Container::from(&built.reference)?;
    let rootfs = container.mount()?;
    let work = target_dir().join("image").join("smoke");
    drop(fs::remove_dir_all(&work));
    let certs = work.join("certs");
    fs::create_dir_all(&certs)?;
    let pki = postgres.pki();
    fs::write(certs.join("rds-ca.pem"), &pki.ca_pem)?;
    fs::write(certs.join("server.crt"), &pki.server_cert_pem)?;
    fs::write(certs.join("server.key"), &pki.server_key_pem)?;
    // Readable by the image's user (65532) through the bind mount.
    shell::run(Command::new("chmod").args(["-R", "a+rX"]).arg(&certs))?;
    let root = ReadOnlyRoot::mount(&rootfs, &work.join("root"), &certs)?;

    let port = free_port()?;
    // `localhost` is what the server certificate names (verify-full checks it); `hostaddr`
    // spares the image a resolver configuration.
    let url =
        format!("postgres://postgres@localhost:{}/postgres?hostaddr=127.0.0.1", postgres.port());
    let env = [
        ("APP_ENVIRONMENT", "production".to_owned()),
        ("APP_CONFIG_DIR", "/app/config".to_owned()),
        ("APP__REGISTRY__URL", url),
        ("APP__SEALING__ACTIVE_KEY_ID", "smoke1".to_owned()),
        ("APP__SEALING__KEYS__SMOKE1", "ab".repeat(32)),
        ("APP__HTTP__HOST", "127.0.0.1".to_owned()),
        ("APP__HTTP__PORT", port.to_string()),
        ("APP__HTTPS__MODE", "files".to_owned()),
        ("APP__HTTPS__CERT_FILE", "/app/certs/server.crt".to_owned()),
        ("APP__HTTPS__KEY_FILE", "/app/certs/server.key".to_owned()),
    ];
    shell::run(&mut root.command("migrate", &env)).context("migrate over TLS failed")?;
    let mut server = Background::spawn("the image's server", &mut root.command("serve", &env))?;
    let client = https_client(&pki.ca_pem)?;
    for path in ["/healthz", "/readyz"] {
        wait_for_200(&client, &mut server, &format!("https://localhost:{port}{path}"))?;
    }
    note(format_args!(
        "image: smoke test passed in {:.1}s (read-only root, uid 65532, HTTPS, Postgres verify-full)",
        started.elapsed().as_secs_f64()
    ));
    drop(server);
    drop(root);
    drop(container);
    Ok(())
}

fn https_client(ca_pem: &str) -> anyhow::Result<ureq::Agent> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let ca = Certificate::from_pem(ca_pem.as_bytes()).context("test CA")?;
    let tls = TlsConfig::builder().root_certs(RootCerts::Specific(Arc::new(vec![ca]))).build();
    Ok(ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .new_agent())
}

fn wait_for_200(client: &ureq::Agent, server: &mut Background, url: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        server.ensure_running()?;
        let last = match client.get(url).call() {
            Ok(res) if res.status() == 200 => {
                note(format_args!("image: {url} -> 200"));
                return Ok(());
            }
            Ok(res) => format!("status {}", res.status()),
            Err(err) => err.to_string(),
        };
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "{url} did not answer 200 within 30 s (last: {last})"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The image's root filesystem bind-mounted read-only at `dir`, with `certs` over `/app/certs`;
/// unmounted on drop.
struct ReadOnlyRoot {
    dir: PathBuf,
    mounted: Vec<PathBuf>,
}

impl ReadOnlyRoot {
    fn mount(rootfs: &Path, dir: &Path, certs: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir)?;
        let mut root = Self { dir: dir.to_path_buf(), mounted: Vec::new() };
        shell::run(Command::new("mount").arg("--bind").arg(rootfs).arg(dir))?;
        root.mounted.push(dir.to_path_buf());
        shell::run(Command::new("mount").args(["-o", "remount,bind,ro"]).arg(dir))?;
        let target = dir.join("app").join("certs");
        shell::run(Command::new("mount").args(["--bind", "-o", "ro"]).arg(certs).arg(&target))?;
        root.mounted.push(target);
        // Proof, not assumption: writing into the root must fail.
        anyhow::ensure!(
            fs::write(dir.join("app").join("probe"), "x").is_err(),
            "the image's root filesystem is writable"
        );
        Ok(root)
    }

    /// `chroot --userspec=65532:65532 <root> /app/subtask-templates <command>`, environment
    /// cleared but for `env`.
    fn command(&self, command: &str, env: &[(&str, String)]) -> Command {
        // By path: the environment is cleared, so there is no PATH to search.
        let mut cmd = Command::new("/usr/sbin/chroot");
        cmd.arg("--userspec=65532:65532")
            .arg(&self.dir)
            .args(["/app/subtask-templates", command])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        cmd
    }
}

impl Drop for ReadOnlyRoot {
    fn drop(&mut self) {
        for path in self.mounted.iter().rev() {
            if let Err(err) = shell::run(Command::new("umount").arg(path)) {
                note(format_args!("image: {err:#}"));
            }
        }
    }
}
