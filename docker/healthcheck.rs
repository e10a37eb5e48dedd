//! The container's health probe: `GET /healthz` on 127.0.0.1:$APP__HTTP__PORT (default 8080),
//! healthy on HTTP 200 within 2 s. The runtime image has no shell or curl; this std-only program
//! is compiled in the builder stage (`rustc -O docker/healthcheck.rs`) and copied next to the app.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    match probe() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) | Err(_) => ExitCode::FAILURE,
    }
}

fn probe() -> std::io::Result<bool> {
    let port = std::env::var("APP__HTTP__PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut head = [0_u8; 12];
    stream.read_exact(&mut head)?;
    Ok(head.starts_with(b"HTTP/1.") && head.ends_with(b" 200"))
}
