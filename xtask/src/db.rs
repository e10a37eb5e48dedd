//! Finding a PostgreSQL to test and develop against, first match wins:
//!
//! 1. `DATABASE_URL`, when it is set and something answers there;
//! 2. the machine's own server at `LOCAL_URL` (trust auth, database `test`);
//! 3. a cluster of our own, started with the machine's server binaries (see `cluster`).

mod cluster;

use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;

pub(crate) use crate::db::cluster::{Cluster, Lifetime};
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

/// Whether a PostgreSQL server accepts connections at `url` (without authenticating).
///
/// Asks `pg_isready` when it is installed, otherwise tries a TCP connection.
pub(crate) fn is_reachable(url: &str) -> bool {
    if has_program("pg_isready") {
        let status = Command::new("pg_isready")
            .args(["-q", "-t", "3", "-d", url])
            .stdin(Stdio::null())
            .status();
        match status.ok().and_then(|status| status.code()) {
            Some(0) => return true,
            Some(1 | 2) => return false,
            // 3: pg_isready could not use the URL; judge by TCP instead.
            _ => {}
        }
    }
    host_port(url).is_some_and(|(host, port)| tcp_connects(&host, port))
}

fn tcp_connects(host: &str, port: u16) -> bool {
    let Ok(addrs) = (host, port).to_socket_addrs() else { return false };
    addrs.into_iter().any(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
}

/// Host and port of a `postgres://` URL; `None` for a Unix-socket URL or another scheme.
fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next()?;
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_userinfo, host)| host);
    let (host, port) = match host_and_port.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match host_and_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_and_port, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => 5432,
    };
    Some((host.to_owned(), port))
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

#[cfg(test)]
mod tests {
    use crate::db::host_port;

    #[test]
    fn host_port_reads_tcp_urls_only() {
        let host = |url: &str| host_port(url).map(|(host, port)| format!("{host}:{port}"));
        assert_eq!(
            host("postgres://postgres@127.0.0.1:5432/test").as_deref(),
            Some("127.0.0.1:5432")
        );
        assert_eq!(host("postgresql://u:p@db/x?sslmode=off").as_deref(), Some("db:5432"));
        assert_eq!(host("postgres://[::1]:6543/x").as_deref(), Some("::1:6543"));
        assert_eq!(host("postgres:///test?host=/run/postgresql"), None);
        assert_eq!(host("mysql://root@127.0.0.1/test"), None);
    }
}
