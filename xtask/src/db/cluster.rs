//! A PostgreSQL cluster of our own, made with the machine's `initdb` and `pg_ctl`.
//!
//! It listens on a free port of 127.0.0.1 only, with trust auth and a database `test`.
//! `initdb` and `pg_ctl` refuse to run as root, so as root they run as the `postgres` user
//! (through `runuser`, or `su` where `runuser` is missing) in a directory that user owns.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::Context as _;

use crate::db::binaries::server_bin_dir;
use crate::db::server_user::{as_server_user, cluster_dir, dir_candidates, running_as_root};
use crate::shell::{free_port, note, output};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifetime {
    /// Stopped and deleted when dropped (`ci`).
    Throwaway,
    /// Kept (running) under `target/xtask/dev-db` and reused by the next start (`dev-db`).
    Persistent,
}

#[derive(Debug)]
pub(crate) struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    run_as_postgres: bool,
    lifetime: Lifetime,
    started: bool,
}

impl Cluster {
    /// Starts a cluster (or, for `Persistent`, reuses a running one).
    pub(crate) fn start(lifetime: Lifetime) -> anyhow::Result<Cluster> {
        let bin = server_bin_dir()?;
        let run_as_postgres = running_as_root()?;
        let name = match lifetime {
            Lifetime::Throwaway => format!("pg-ci-{}", std::process::id()),
            Lifetime::Persistent => "dev-db".to_owned(),
        };
        let dir = cluster_dir(&name, run_as_postgres)?;
        // From here on, dropping `cluster` cleans up whatever was made.
        let mut cluster = Cluster { bin, dir, port: 0, run_as_postgres, lifetime, started: false };
        if lifetime == Lifetime::Persistent && cluster.is_running() {
            cluster.port = cluster.saved_port()?;
            note(format_args!(
                "postgres: reusing the running cluster in {}",
                cluster.dir.display()
            ));
            return Ok(cluster);
        }
        let fresh = !cluster.data_dir().join("PG_VERSION").is_file();
        if fresh {
            cluster.initdb()?;
        }
        cluster.port = free_port()?;
        fs::write(cluster.dir.join("port"), cluster.port.to_string())
            .context("failed to record the cluster's port")?;
        cluster.pg_ctl_start()?;
        if fresh {
            cluster.create_test_database()?;
        }
        Ok(cluster)
    }

    /// Stops the persistent (`dev-db`) cluster if it runs; returns whether it did.
    pub(crate) fn stop_persistent() -> anyhow::Result<bool> {
        let Some(dir) = dir_candidates("dev-db").into_iter().find(|dir| dir.join("data").is_dir())
        else {
            return Ok(false);
        };
        let bin = server_bin_dir()?;
        let run_as_postgres = running_as_root()?;
        let mut cluster = Cluster {
            bin,
            dir,
            port: 0,
            run_as_postgres,
            lifetime: Lifetime::Persistent,
            started: false,
        };
        if !cluster.is_running() {
            return Ok(false);
        }
        cluster.started = true;
        cluster.stop()?;
        Ok(true)
    }

    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/test", self.port)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A server tool, to be run by `run_tool`.
    fn tool(&self, tool: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(tool));
        cmd.current_dir(&self.dir);
        cmd
    }

    /// Runs `cmd` as the `postgres` user when we are root, returning its stdout.
    fn run_tool(&self, cmd: &Command) -> anyhow::Result<String> {
        output(&mut as_server_user(self.run_as_postgres, cmd))
    }

    fn initdb(&self) -> anyhow::Result<()> {
        note(format_args!("postgres: initdb in {}", self.data_dir().display()));
        let mut cmd = self.tool("initdb");
        cmd.arg("-D").arg(self.data_dir());
        cmd.args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        self.run_tool(&cmd).context("initdb failed")?;
        Ok(())
    }

    fn pg_ctl_start(&mut self) -> anyhow::Result<()> {
        note(format_args!("postgres: starting on 127.0.0.1:{}", self.port));
        let log = self.dir.join("server.log");
        let server_options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off",
            self.port
        );
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("-D").arg(self.data_dir()).arg("-l").arg(&log);
        cmd.args(["-w", "-t", "60", "-o", &server_options, "start"]);
        self.started = true;
        self.run_tool(&cmd).with_context(|| {
            let log_text = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = log_text.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!("pg_ctl start failed; end of {}:\n{}", log.display(), tail.join("\n"))
        })?;
        Ok(())
    }

    fn create_test_database(&self) -> anyhow::Result<()> {
        let port = self.port.to_string();
        output(Command::new(self.bin.join("createdb")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "test",
        ]))
        .context("createdb test failed")?;
        Ok(())
    }

    fn is_running(&self) -> bool {
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("-D").arg(self.data_dir()).arg("status");
        self.run_tool(&cmd).is_ok()
    }

    fn saved_port(&self) -> anyhow::Result<u16> {
        let path = self.dir.join("port");
        let text = fs::read_to_string(&path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        text.trim().parse().with_context(|| format!("{} holds no port", path.display()))
    }

    fn stop(&mut self) -> anyhow::Result<()> {
        if !self.started {
            return Ok(());
        }
        note(format_args!("postgres: stopping the cluster in {}", self.dir.display()));
        let mut cmd = self.tool("pg_ctl");
        cmd.arg("-D").arg(self.data_dir()).args(["-m", "fast", "-w", "stop"]);
        self.run_tool(&cmd).context("pg_ctl stop failed")?;
        self.started = false;
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.lifetime == Lifetime::Persistent {
            return;
        }
        if let Err(err) = self.stop() {
            note(format_args!("postgres: {err:#}"));
        }
        if let Err(err) = fs::remove_dir_all(&self.dir) {
            note(format_args!("postgres: failed to delete {}: {err}", self.dir.display()));
        }
    }
}
