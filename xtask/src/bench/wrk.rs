//! One load run with `wrk` (a C load generator: event loop per thread, keep-alive connections),
//! with what it cost: the app's CPU and wrk's own, as shares of the machine, so a reader sees
//! which side saturated. wrk's summary comes back as one JSON line from a Lua `done` hook.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::Value;

use crate::bench::proc::{self, TICKS_PER_SECOND};

const MARK: &str = "STJ-WRK ";
const DONE_SCRIPT: &str = r#"-- Written by `cargo xtask bench`: wrk's summary as one JSON line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'STJ-WRK {"requests":%.0f,"duration_us":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,' ..
    '"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"#;

/// How hard to push: wrk's threads and keep-alive connections.
#[derive(Debug, Clone)]
pub(crate) struct Wrk {
    pub(crate) threads: usize,
    pub(crate) connections: usize,
    script: PathBuf,
}

/// What one run measured. Latencies in microseconds; CPU as a share of all the machine's cores.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) requests: u64,
    pub(crate) per_second: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) max_us: f64,
    /// Socket errors, timeouts and answers other than 2xx/3xx.
    pub(crate) errors: u64,
    /// The server's processes (the app, or nginx for the floor).
    pub(crate) server_cpu: Option<f64>,
    pub(crate) client_cpu: Option<f64>,
}

impl Wrk {
    /// Writes the `done` script into `dir`.
    pub(crate) fn new(threads: usize, connections: usize, dir: &Path) -> anyhow::Result<Self> {
        let script = dir.join("wrk-done.lua");
        fs::write(&script, DONE_SCRIPT)
            .with_context(|| format!("cannot write {}", script.display()))?;
        Ok(Self { threads, connections, script })
    }

    /// `GET url` for `seconds`, with `headers` (`Name: value`; never echoed: they carry tokens)
    /// on every request; the server's CPU is that of the processes `server_pids`.
    pub(crate) fn run(
        &self,
        url: &str,
        headers: &[String],
        seconds: u64,
        server_pids: &[u32],
    ) -> anyhow::Result<Run> {
        let mut cmd = Command::new("wrk");
        cmd.args(["--threads", &self.threads.to_string()])
            .args(["--connections", &self.connections.to_string()])
            .args(["--duration", &format!("{seconds}s"), "--timeout", "5s"])
            .arg("--script")
            .arg(&self.script);
        for header in headers {
            cmd.args(["--header", header]);
        }
        cmd.arg(url);
        let client_before = proc::waited_children_ticks();
        let server_ticks =
            || server_pids.iter().map(|pid| proc::cpu_ticks(*pid)).sum::<Option<u64>>();
        let server_before = server_ticks();
        let started = Instant::now();
        let output = cmd.output().context("cannot run wrk (`cargo xtask tools` installs it)")?;
        let wall = started.elapsed().as_secs_f64();
        let server = server_ticks().zip(server_before).map(|(a, b)| a.saturating_sub(b));
        let client =
            proc::waited_children_ticks().zip(client_before).map(|(a, b)| a.saturating_sub(b));
        let stdout = String::from_utf8_lossy(&output.stdout);
        anyhow::ensure!(
            output.status.success(),
            "wrk failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let summary = stdout
            .lines()
            .find_map(|line| line.strip_prefix(MARK))
            .with_context(|| format!("wrk printed no summary: {stdout}"))?;
        let summary: Value = serde_json::from_str(summary).context("wrk summary")?;
        let share = |ticks: Option<u64>| ticks.map(|t| cpu_share(t, wall));
        parse(&summary, share(server), share(client))
    }
}

/// `ticks` of CPU over `wall` seconds, as a share of every core (1.0 = all of them busy).
fn cpu_share(ticks: u64, wall: f64) -> f64 {
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    ticks as f64 / TICKS_PER_SECOND as f64 / wall.max(f64::EPSILON) / cores
}

fn parse(summary: &Value, server_cpu: Option<f64>, client_cpu: Option<f64>) -> anyhow::Result<Run> {
    let number = |name: &str| {
        summary
            .get(name)
            .and_then(Value::as_f64)
            .with_context(|| format!("wrk summary without {name}"))
    };
    let count = |name: &str| number(name).map(|n| n as u64);
    let errors = ["connect", "read", "write", "status", "timeout"]
        .iter()
        .map(|name| count(name))
        .sum::<anyhow::Result<u64>>()?;
    let requests = count("requests")?;
    let seconds = number("duration_us")? / 1e6;
    Ok(Run {
        requests,
        per_second: requests as f64 / seconds.max(f64::EPSILON),
        p50_us: number("p50_us")?,
        p99_us: number("p99_us")?,
        max_us: number("max_us")?,
        errors,
        server_cpu,
        client_cpu,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_done_line_becomes_a_run() {
        let line = r#"{"requests":500000,"duration_us":10000000,"connect":0,"read":1,"write":0,"status":2,"timeout":0,"p50_us":250,"p99_us":1800,"max_us":9000}"#;
        let run = parse(&serde_json::from_str(line).unwrap(), Some(0.6), None).unwrap();
        assert_eq!((run.requests, run.errors), (500_000, 3));
        assert!((run.per_second - 50_000.0).abs() < 1e-6);
        assert!((run.p99_us - 1800.0).abs() < 1e-9);
        assert!(parse(&serde_json::json!({ "requests": 1 }), None, None).is_err());
    }

    #[test]
    fn cpu_share_is_of_every_core() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
        assert!((cpu_share(200, 2.0) - 1.0 / cores).abs() < 1e-9);
    }
}
