//! `cargo xtask bench [--only edge|subtasks] [--seconds N] [--threads N] [--connections N]
//! [--warmup N] [--edge-rounds N] [--rounds N] [--profile]`: two scenarios, in this order.
//!
//! * **edge** ([`edge`]): `/healthz`, the iframe page (HS256, computed qsh) and the JSON API
//!   (context token) under `wrk` load with the access log on; medians of alternating rounds, the
//!   ratio of each to `/healthz` (target: at least 80%), p99 (at most 3 ms), the app's and wrk's
//!   CPU shares, the app's peak RSS (at most 20 MiB), and the machine's floor (nginx answering
//!   `/healthz`'s bytes statically under the same load); `target/bench/edge.json`.
//! * **subtasks** ([`subtasks`]): one application of 200 subtasks with 50 ms added to every Jira
//!   call; wall time against the ideal (target: at most 1.15x) and the Jira calls by route
//!   (`target/bench/subtasks.json`).
//!
//! Release builds of the app and the Jira sandbox run as separate processes on loopback
//! ([`stack`]). Tokens carry an active licence, so no request reaches Jira during the load.

mod edge;
mod floor;
mod proc;
mod report;
mod stack;
mod subtasks;
mod wrk;

use std::fs;
use std::path::Path;

use anyhow::Context as _;

use crate::bench::stack::Stack;
use crate::shell::{self, cargo, note, target_dir};

/// Longest run: with the token minted just before it, far inside the sandbox tokens' 180 s.
const MAX_SECONDS: u64 = 120;
const MAX_WARMUP: u64 = 30;
const MAX_ROUNDS: u64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// Seconds per measured wrk run.
    pub(crate) seconds: u64,
    /// wrk threads and keep-alive connections.
    pub(crate) threads: usize,
    pub(crate) connections: usize,
    /// Seconds of warm-up per edge scenario (0: none).
    pub(crate) warmup: u64,
    /// Rounds of the edge scenarios, each taking all three in turn.
    pub(crate) edge_rounds: u64,
    /// Applications timed in the subtasks scenario.
    pub(crate) rounds: u64,
    /// `perf record -g` of the app during one more page run.
    pub(crate) profile: bool,
    edge: bool,
    subtasks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seconds: 10,
            threads: 2,
            connections: 32,
            warmup: 2,
            edge_rounds: 3,
            rounds: 5,
            profile: false,
            edge: true,
            subtasks: true,
        }
    }
}

const USAGE: &str = "usage: cargo xtask bench [--only edge|subtasks] [--seconds N] [--threads N] \
                     [--connections N] [--warmup N] [--edge-rounds N] [--rounds N] [--profile]";

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = |range: std::ops::RangeInclusive<u64>| -> anyhow::Result<u64> {
                let raw = args.next().with_context(|| format!("{flag} needs a number"))?;
                let n: u64 = raw.parse().with_context(|| format!("{flag} {raw:?}"))?;
                anyhow::ensure!(range.contains(&n), "{flag} must be in {range:?}, got {n}");
                Ok(n)
            };
            match flag.as_str() {
                "--seconds" => options.seconds = value(1..=MAX_SECONDS)?,
                "--threads" => options.threads = usize::try_from(value(1..=64)?)?,
                "--connections" => options.connections = usize::try_from(value(1..=1024)?)?,
                "--warmup" => options.warmup = value(0..=MAX_WARMUP)?,
                "--edge-rounds" => options.edge_rounds = value(1..=MAX_ROUNDS)?,
                "--rounds" => options.rounds = value(1..=MAX_ROUNDS)?,
                "--profile" => options.profile = true,
                "--only" => match args.next().map(String::as_str) {
                    Some("edge") => (options.edge, options.subtasks) = (true, false),
                    Some("subtasks") => (options.edge, options.subtasks) = (false, true),
                    other => anyhow::bail!("--only takes edge or subtasks, got {other:?}: {USAGE}"),
                },
                other => anyhow::bail!("unknown argument {other:?}: {USAGE}"),
            }
        }
        anyhow::ensure!(
            options.connections >= options.threads,
            "--connections ({}) must be at least --threads ({}): wrk gives each thread its own",
            options.connections,
            options.threads
        );
        Ok(options)
    }
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    anyhow::ensure!(
        !options.edge || shell::has_program("wrk"),
        "wrk is not installed: run `cargo xtask tools` (Debian package wrk)"
    );
    anyhow::ensure!(
        !options.edge || shell::has_program(floor::NGINX),
        "nginx is not installed: run `cargo xtask tools` (Debian package nginx)"
    );
    shell::run(cargo().args(["build", "--release", "-p", "stj_server", "-p", "stj_jira_sandbox"]))?;
    let out_dir = target_dir().join("bench");
    fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;

    let stack = Stack::start(&out_dir)?;
    if options.edge {
        edge::run(&stack, &options, &out_dir)?;
    }
    if options.subtasks {
        subtasks::run(&stack, options.rounds, &out_dir)?;
    }
    Ok(())
}

/// Writes a scenario's report as pretty JSON to `path`, and says so.
fn write_json(path: &Path, report: &serde_json::Value) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(report)?;
    fs::write(path, format!("{json}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    note(format_args!("bench: wrote {}", path.display()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::bench::Options;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_have_defaults_and_bounds() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        let options =
            Options::parse(&args("--seconds 5 --threads 4 --connections 64 --warmup 0")).unwrap();
        let want =
            Options { seconds: 5, threads: 4, connections: 64, warmup: 0, ..Options::default() };
        assert_eq!(options, want);
        let only = Options::parse(&args("--only subtasks --rounds 3")).unwrap();
        assert_eq!((only.edge, only.subtasks, only.rounds), (false, true, 3));
        let only = Options::parse(&args("--only edge --edge-rounds 5 --profile")).unwrap();
        assert_eq!(
            (only.edge, only.subtasks, only.edge_rounds, only.profile),
            (true, false, 5, true)
        );
        let bad = ["--seconds 0", "--seconds 121", "--seconds x", "--threads", "--threads 1000"];
        let more = ["--warmup 31", "--fast", "--only", "--only both", "--rounds 0", "--rounds 21"];
        let still = ["--threads 8 --connections 4", "--edge-rounds 0", "--connections 2000"];
        for bad in bad.into_iter().chain(more).chain(still) {
            assert!(Options::parse(&args(bad)).is_err(), "{bad} was accepted");
        }
    }
}
