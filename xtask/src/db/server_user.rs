//! Running the server tools as the `postgres` user when we are root (`initdb` and `pg_ctl`
//! refuse to run as root), and a folder for the cluster that this user can write.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use crate::shell::{has_program, output, project_root};

pub(super) fn running_as_root() -> anyhow::Result<bool> {
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
pub(super) fn as_server_user(as_postgres: bool, cmd: &Command) -> Command {
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
pub(super) fn dir_candidates(name: &str) -> [PathBuf; 2] {
    [
        project_root().join("target").join("xtask").join(name),
        std::env::temp_dir().join(format!("stj-xtask-{name}")),
    ]
}

/// A directory the server user can write, preferring one that already holds a cluster.
pub(super) fn cluster_dir(name: &str, as_postgres: bool) -> anyhow::Result<PathBuf> {
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
