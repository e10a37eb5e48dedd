//! Finding a PostgreSQL to test and develop against, first match wins:
//!
//! 1. `DATABASE_URL`, when it is set and something answers there;
//! 2. the machine's own server at `LOCAL_URL` (trust auth, database `test`);
//! 3. a cluster of our own, started with the machine's server binaries (see `cluster`).

mod binaries;
mod cluster;
mod reach;
mod server_user;

use std::process::Command;

use anyhow::Context as _;

pub(crate) use crate::db::cluster::{Cluster, Lifetime};
use crate::db::reach::is_reachable;
use crate::shell::{env_var, has_program, note, output, redact_url};

/// The server every machine of this project runs, and the CI service container.
pub(crate) const LOCAL_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A reachable PostgreSQL; a throwaway cluster behind it stops when this is dropped.
#[derive(Debug)]
pub(crate) struct Postgres {
    url: String,
    _cluster: Option<Cluster>,
}

impl Postgres {
    pub(crate) fn url(&self) -> &str {
        &self.url
    }
}

/// A PostgreSQL for one run (`ci`): a cluster started here is stopped and deleted on drop.
pub(crate) fn discover() -> anyhow::Result<Postgres> {
    discover_with(Lifetime::Throwaway)
}

/// Like `discover`, choosing what happens to a cluster that has to be started.
pub(crate) fn discover_with(lifetime: Lifetime) -> anyhow::Result<Postgres> {
    if let Some(url) = find_running()? {
        return Ok(Postgres { url, _cluster: None });
    }
    let cluster = Cluster::start(lifetime)?;
    let url = cluster.url();
    note(format_args!("postgres: using our own cluster at {url}"));
    Ok(Postgres { url, _cluster: Some(cluster) })
}

fn find_running() -> anyhow::Result<Option<String>> {
    match env_var("DATABASE_URL") {
        Some(url) if is_reachable(&url) => {
            note(format_args!("postgres: using DATABASE_URL ({})", redact_url(&url)));
            return Ok(Some(url));
        }
        Some(url) => note(format_args!(
            "postgres: DATABASE_URL is set ({}) but nothing answers there; trying {LOCAL_URL}",
            redact_url(&url)
        )),
        None => note(format_args!("postgres: DATABASE_URL is unset; trying {LOCAL_URL}")),
    }
    if is_reachable(LOCAL_URL) {
        ensure_local_database()?;
        note(format_args!("postgres: using {LOCAL_URL}"));
        return Ok(Some(LOCAL_URL.to_owned()));
    }
    note("postgres: nothing answers at 127.0.0.1:5432; starting a cluster of our own");
    Ok(None)
}

/// The machine's server answers; make sure its database `test` exists too.
fn ensure_local_database() -> anyhow::Result<()> {
    if !has_program("psql") {
        return Ok(());
    }
    let probe = output(Command::new("psql").args(["-X", "-q", "-d", LOCAL_URL, "-c", "SELECT 1"]));
    match probe {
        Ok(_) => Ok(()),
        Err(err) if format!("{err:#}").contains("does not exist") => {
            note("postgres: creating database `test` at 127.0.0.1:5432");
            output(Command::new("createdb").args([
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                "postgres",
                "test",
            ]))
            .context(
                "the server at 127.0.0.1:5432 has no database `test` and creating it failed",
            )?;
            Ok(())
        }
        Err(err) => Err(err.context(format!("the server at {LOCAL_URL} answers but refuses us"))),
    }
}
