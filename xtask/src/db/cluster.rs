//! A PostgreSQL cluster of our own, made with the machine's `initdb` and `pg_ctl`.
//!
//! It listens on a free port of 127.0.0.1 only, with trust auth and a database `test`.
//! `initdb` and `pg_ctl` refuse to run as root, so as root they run as the `postgres` user
//! (through `runuser`, or `su` where `runuser` is missing) in a directory that user owns.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use crate::shell::{free_port, has_program, note, output, project_root};

/// Where distribution packages put the server binaries, one folder per major version.
const SERVER_BIN_ROOT: &str = "/usr/lib/postgresql";
const SERVER_TOOLS: [&str; 3] = ["initdb", "pg_ctl", "createdb"];

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

/// The newest `/usr/lib/postgresql/<version>/bin` holding every tool we need.
fn server_bin_dir() -> anyhow::Result<PathBuf> {
    let mut complete = Vec::new();
    let mut incomplete = Vec::new();
    if let Ok(entries) = fs::read_dir(SERVER_BIN_ROOT) {
        for entry in entries.flatten() {
            let bin = entry.path().join("bin");
            let missing: Vec<&str> =
                SERVER_TOOLS.into_iter().filter(|tool| !bin.join(tool).is_file()).collect();
            let version = entry.file_name().to_string_lossy().parse::<u32>().unwrap_or(0);
            if missing.is_empty() {
                complete.push((version, bin));
            } else {
                incomplete.push(format!("{} lacks {}", bin.display(), missing.join(", ")));
            }
        }
    }
    complete.sort();
    if let Some((_version, bin)) = complete.pop() {
        return Ok(bin);
    }
    let found = if incomplete.is_empty() { "found none".to_owned() } else { incomplete.join("; ") };
    anyhow::bail!(
        "no PostgreSQL to use: DATABASE_URL is unset or unreachable, nothing answers at \
         127.0.0.1:5432, and there are no server binaries to start one with (need {} in \
         {SERVER_BIN_ROOT}/<version>/bin; {found}); install them with `apt-get install \
         postgresql`, or point DATABASE_URL at a running server",
        SERVER_TOOLS.join(", ")
    )
}

fn running_as_root() -> anyhow::Result<bool> {
    let uid = output(Command::new("id").arg("-u")).context("failed to find out who we are")?;
    let root = uid.trim() == "0";
    if root {
        output(Command::new("id").args(["-u", "postgres"])).context(
            "initdb refuses to run as root and there is no `postgres` user to run it as; \
             `apt-get install postgresql` creates one",
        )?;
    }
    Ok(root)
}

/// `cmd` (program, arguments and folder), run as the `postgres` user if `as_postgres`.
fn as_server_user(as_postgres: bool, cmd: &Command) -> Command {
    let mut wrapped = if !as_postgres {
        let mut wrapped = Command::new(cmd.get_program());
        wrapped.args(cmd.get_args());
        wrapped
    } else if has_program("runuser") {
        let mut wrapped = Command::new("runuser");
        wrapped.args(["-u", "postgres", "--"]).arg(cmd.get_program()).args(cmd.get_args());
        wrapped
    } else {
        // util-linux `su` takes one command string, so the words are quoted into it.
        let words = std::iter::once(cmd.get_program()).chain(cmd.get_args());
        let line = words.map(shell_quote).collect::<Vec<_>>().join(" ");
        let mut wrapped = Command::new("su");
        wrapped.args(["-s", "/bin/sh", "-c"]).arg(format!("exec {line}")).arg("postgres");
        wrapped
    };
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

fn shell_quote(word: &OsStr) -> String {
    format!("'{}'", word.to_string_lossy().replace('\'', r"'\''"))
}

/// `target/xtask/<name>`, else a folder of that name in the temp dir.
fn dir_candidates(name: &str) -> [PathBuf; 2] {
    [
        project_root().join("target").join("xtask").join(name),
        std::env::temp_dir().join(format!("stj-xtask-{name}")),
    ]
}

/// A directory the server user can write, preferring one that already holds a cluster.
fn cluster_dir(name: &str, as_postgres: bool) -> anyhow::Result<PathBuf> {
    let candidates = dir_candidates(name);
    if let Some(existing) = candidates.iter().find(|dir| dir.join("data").is_dir()) {
        return Ok(existing.clone());
    }
    let mut problems = Vec::new();
    for dir in candidates {
        match prepare_dir(&dir, as_postgres) {
            Ok(()) => return Ok(dir),
            Err(err) => problems.push(format!("{}: {err:#}", dir.display())),
        }
    }
    anyhow::bail!("no directory for a PostgreSQL cluster: {}", problems.join("; "))
}

fn prepare_dir(dir: &Path, as_postgres: bool) -> anyhow::Result<()> {
    fs::create_dir_all(dir).context("failed to create it")?;
    if as_postgres {
        output(Command::new("chown").args(["postgres:postgres"]).arg(dir))?;
        // Every parent must be searchable by `postgres` too, which `test -w` also checks.
        let mut writable = Command::new("test");
        writable.arg("-w").arg(dir);
        output(&mut as_server_user(true, &writable))
            .context("the `postgres` user cannot write there")?;
    }
    Ok(())
}
