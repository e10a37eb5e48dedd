//! `initdb` + `pg_ctl` for a cluster that lives as long as its `TlsCluster` value.
//!
//! `initdb` refuses to run as root, so as root the tools run as `postgres` (`runuser`) in a
//! directory that user owns. Loopback only, trust auth (the tests are about transport, not
//! passwords), no Unix socket, fsync off.

#![expect(
    clippy::disallowed_methods,
    reason = "test tooling, never linked into the server: it runs initdb and pg_ctl"
)]

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context as _, bail, ensure};

use crate::TestPki;

const SERVER_BIN_ROOT: &str = "/usr/lib/postgresql";

/// A running throwaway cluster; stopped and deleted on drop.
#[derive(Debug)]
pub struct TlsCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
    running: bool,
    pki: TestPki,
}

impl TlsCluster {
    /// A cluster with `ssl=on` and a fresh CA; `tls = false` gives one that refuses TLS.
    pub fn start(tls: bool) -> anyhow::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let bin = server_bin_dir()?;
        let as_postgres = running_as_root()?;
        let dir = std::env::temp_dir().join(format!(
            "stj-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let pki = TestPki::generate()?;
        let mut cluster = Self { bin, dir, port: 0, as_postgres, running: false, pki };
        cluster.write_public_files()?;
        cluster.chown(&cluster.dir)?;
        let mut initdb = cluster.tool("initdb");
        initdb.arg("-D").arg(cluster.data_dir());
        initdb.args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        cluster.run(initdb).context("initdb failed")?;
        cluster.write_server_key()?;
        cluster.port = free_port()?;
        cluster.pg_ctl_start(tls)?;
        Ok(cluster)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres@<host>:<port>/postgres`; `localhost` matches the certificate,
    /// `127.0.0.1` (same server) does not.
    pub fn url(&self, host: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres", self.port)
    }

    /// PEM of the CA that issued the server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// PEM of a CA unrelated to the server.
    pub fn other_ca_file(&self) -> PathBuf {
        self.dir.join("other-ca.pem")
    }

    pub fn pki(&self) -> &TestPki {
        &self.pki
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn write_public_files(&self) -> anyhow::Result<()> {
        fs::write(self.ca_file(), &self.pki.ca_pem)?;
        fs::write(self.other_ca_file(), &self.pki.other_ca_pem)?;
        Ok(())
    }

    /// Postgres insists the key is private to the server user.
    fn write_server_key(&self) -> anyhow::Result<()> {
        let cert = self.data_dir().join("server.crt");
        let key = self.data_dir().join("server.key");
        fs::write(&cert, &self.pki.server_cert_pem)?;
        fs::write(&key, &self.pki.server_key_pem)?;
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600))?;
        self.chown(&cert)?;
        self.chown(&key)
    }

    fn chown(&self, path: &Path) -> anyhow::Result<()> {
        if self.as_postgres {
            let mut chown = Command::new("chown");
            chown.args(["-R", "postgres:postgres"]).arg(path);
            output(chown)?;
        }
        Ok(())
    }

    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        let mut cmd = if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        };
        cmd.current_dir(&self.dir);
        cmd
    }

    fn run(&self, cmd: Command) -> anyhow::Result<String> {
        output(cmd)
    }

    fn pg_ctl_start(&mut self, tls: bool) -> anyhow::Result<()> {
        let log = self.dir.join("server.log");
        let ssl = if tls { "on" } else { "off" };
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off \
             -c ssl={ssl} -c ssl_cert_file=server.crt -c ssl_key_file=server.key \
             -c ssl_min_protocol_version=TLSv1.2",
            self.port
        );
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("-D").arg(self.data_dir()).arg("-l").arg(&log);
        cmd.args(["-w", "-t", "60", "-o", &options, "start"]);
        self.running = true;
        self.run(cmd).with_context(|| {
            let text = fs::read_to_string(&log).unwrap_or_default();
            format!("pg_ctl start failed; {}:\n{text}", log.display())
        })?;
        Ok(())
    }
}

impl Drop for TlsCluster {
    fn drop(&mut self) {
        if self.running {
            let mut cmd = self.tool("pg_ctl");
            cmd.arg("-D").arg(self.data_dir()).args(["-m", "immediate", "-w", "stop"]);
            drop(self.run(cmd));
        }
        drop(fs::remove_dir_all(&self.dir));
    }
}

fn output(mut cmd: Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("cannot run {cmd:?}"))?;
    ensure!(
        out.status.success(),
        "{cmd:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb` and `pg_ctl`.
fn server_bin_dir() -> anyhow::Result<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir(SERVER_BIN_ROOT)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let bin = entry.path().join("bin");
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "the TLS Postgres tests start their own server and need initdb and pg_ctl in \
             {SERVER_BIN_ROOT}/<version>/bin: `apt-get install postgresql`"
        ),
    }
}

fn running_as_root() -> anyhow::Result<bool> {
    let mut id = Command::new("id");
    id.arg("-u");
    Ok(output(id)?.trim() == "0")
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("no free port")?;
    Ok(listener.local_addr()?.port())
}
