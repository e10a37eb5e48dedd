//! The access log goes through a queue to a writer thread: on SIGTERM the server finishes, and
//! every queued line, the last request's included, is on stdout before the process exits. Each
//! is the request span's line: route pattern, status, duration; no raw path or query.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::config_dir;

const REQUESTS: usize = 300;

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "runs the built binary and signals it as an operator would"
)]
fn sigterm_writes_every_queued_access_line_before_exit() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Command::new(env!("CARGO_BIN_EXE_subtask-templates"))
        .arg("serve")
        .env("APP_ENVIRONMENT", "test")
        .env("APP_CONFIG_DIR", config_dir())
        .env("APP__HTTP__PORT", port.to_string())
        .env("APP__TELEMETRY__FILTER", "info")
        .env("APP__TELEMETRY__FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    for n in 0..REQUESTS {
        let answer = get(port, &format!("/healthz?shutdown-probe={n}"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // At once, while lines may still be queued.
    let kill = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let output = server.wait_with_output().unwrap();
    assert!(output.status.success(), "exit after SIGTERM: {:?}", output.status);
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The request span's line names the route pattern, never the raw path or query.
    assert!(!stdout.contains("shutdown-probe"), "a raw query reached the log");
    let access: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|json| json["target"] == "access")
        .collect();
    assert_eq!(access.len(), REQUESTS, "access lines written: {}", access.len());
    for json in access {
        let span = &json["spans"][0];
        assert_eq!(span["name"], "request", "{json}");
        assert_eq!(json["message"], "request", "{json}");
        assert_eq!(span["http.method"], "GET", "{json}");
        assert_eq!(span["http.route"], "/healthz", "{json}");
        assert_eq!(span["http.status"], 200, "{json}");
        assert!(span["http.duration_us"].is_u64(), "{json}");
    }
}
