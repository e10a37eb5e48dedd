//! Whether a PostgreSQL answers at a URL, without logging in: `pg_isready` when it is
//! installed, else a TCP connection to the URL's host and port.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::shell::has_program;

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

#[cfg(test)]
mod tests {
    use super::host_port;

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
