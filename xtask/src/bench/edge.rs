//! The edge scenario: `/healthz` (bare, and carrying the page's token, unread: what the token's
//! bytes cost before anything verifies it), the issue-glance iframe page with a computed-qsh
//! HS256 token (in the header, as a page load's first request carries it in the query) and the
//! JSON API with a context token (`/api/v1/context`: verification, rate limits, licence from the
//! token, a small JSON answer; no Jira call) and the same API through the Forge door (a Forge
//! Invocation Token, RS256 by the sandbox's JWKS, with the request's `x-forge-oauth-user`), each
//! under the same wrk load with the access log on, and beside them the machine's floor (nginx,
//! [`Floor`]). A warm-up run each, then rounds that take them in turn, so drift on a shared
//! machine hits all alike. Tokens are minted just before each run, so none expires during it.
//! Last, the `edge_cpu` example times the same three requests in process (one thread, no
//! sockets): the app's own CPU per request, a figure that machine noise and wrk's share of the
//! cores do not move.

use std::fs;
use std::path::Path;

use anyhow::Context as _;

use crate::bench::floor::Floor;
use crate::bench::proc::{self, Memory};
use crate::bench::report::{Report, Scenario};
use crate::bench::stack::Stack;
use crate::bench::wrk::{Run, Wrk};
use crate::bench::{Options, write_json};
use crate::shell::note;

pub(crate) const PAGE_PATH: &str = "/ui/issue-glance";
const PAGE_QUERY: &str = "issueKey=ABC-1&projectKey=ABC";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Healthz,
    /// `/healthz` carrying the page's `Authorization` header, which it never reads: what the
    /// token's bytes alone cost (wrk writing them, the kernel, actix parsing them).
    HealthzCarrying,
    Page,
    Api,
    Forge,
    /// nginx answering `/healthz`'s bytes from a static rule ([`Floor`]): what this machine gives
    /// a server that does next to nothing per request, under the same load.
    Floor,
}

impl Kind {
    pub(crate) const ALL: [Kind; 6] =
        [Kind::Healthz, Kind::HealthzCarrying, Kind::Page, Kind::Api, Kind::Forge, Kind::Floor];

    /// Whether the edge targets (ratio to `/healthz`, p99) are for this scenario: the Connect page
    /// and API. The Forge door's RS256 verification cannot reach them (issue 9's note: one RSA
    /// verification costs more than a whole `/healthz` request), so it is measured, not judged.
    pub(crate) fn judged(self) -> bool {
        matches!(self, Kind::Page | Kind::Api)
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Healthz => "GET /healthz",
            Kind::HealthzCarrying => "GET /healthz + page token (unread)",
            Kind::Page => "GET /ui/issue-glance (HS256, qsh)",
            Kind::Api => "GET /api/v1/context (context JWT)",
            Kind::Forge => "GET /api/v1/context (Forge FIT)",
            Kind::Floor => "floor: nginx, /healthz's bytes",
        }
    }

    /// URL and token headers for one run, minted now.
    fn target(self, on: &Servers<'_>) -> anyhow::Result<(String, Vec<String>)> {
        let (stack, client_key) = (on.stack, on.client_key.as_str());
        let api = format!("{}/api/v1/context", stack.app_url);
        Ok(match self {
            Kind::Floor => (on.floor.url.clone(), Vec::new()),
            Kind::Healthz => (format!("{}/healthz", stack.app_url), Vec::new()),
            Kind::HealthzCarrying => {
                let (_, token) = stack.iframe(client_key, PAGE_PATH, PAGE_QUERY)?;
                (format!("{}/healthz", stack.app_url), vec![format!("Authorization: {token}")])
            }
            Kind::Page => {
                let (url, token) = stack.iframe(client_key, PAGE_PATH, PAGE_QUERY)?;
                (url, vec![format!("Authorization: {token}")])
            }
            Kind::Api => {
                let token = stack.context_token(client_key, "bench-user")?;
                (api, vec![format!("Authorization: {token}")])
            }
            Kind::Forge => {
                let (fit, user_token) = stack.forge_tokens(client_key, "bench-user")?;
                (
                    api,
                    vec![
                        format!("Authorization: Bearer {fit}"),
                        format!("x-forge-oauth-user: {user_token}"),
                    ],
                )
            }
        })
    }
}

/// What the scenarios load: the app (with its installed tenant) and the floor beside it.
struct Servers<'a> {
    stack: &'a Stack,
    client_key: String,
    floor: Floor,
}

impl Servers<'_> {
    /// The processes whose CPU answers `kind`.
    fn pids(&self, kind: Kind) -> Vec<u32> {
        match kind {
            Kind::Floor => self.floor.pids(),
            _ => vec![self.stack.app.id()],
        }
    }
}

pub(crate) fn run(stack: &Stack, options: &Options, out_dir: &Path) -> anyhow::Result<()> {
    let client_key = stack.install()?;
    let floor = Floor::start(&stack.control, &stack.app_url, out_dir)?;
    let on = Servers { stack, client_key, floor };
    let wrk = Wrk::new(options.threads, options.connections, out_dir)?;
    note(format_args!(
        "\nbench edge: wrk, {} threads, {} keep-alive connections, {} s warm-up then {} rounds of \
         {} s per scenario, taken in turn; access log on (JSON); rate limits out of reach",
        options.threads, options.connections, options.warmup, options.edge_rounds, options.seconds
    ));
    let pid = stack.app.id();
    let lines_before = stack.log_lines();
    if options.warmup > 0 {
        for kind in Kind::ALL {
            once(&on, &wrk, kind, options.warmup)?;
        }
    }
    let mut runs: Vec<(Kind, Run)> = Vec::new();
    for round in 1..=options.edge_rounds {
        for kind in Kind::ALL {
            let run = once(&on, &wrk, kind, options.seconds)?;
            note(format_args!(
                "bench edge: round {round}: {:<36} {:>9.0} req/s, p99 {:.2} ms",
                kind.label(),
                run.per_second,
                run.p99_us / 1000.0
            ));
            runs.push((kind, run));
        }
    }
    let profile = if options.profile { Some(profile(&on, &wrk, options, out_dir)?) } else { None };
    let memory: Option<Memory> = proc::memory(pid);
    let in_process = in_process()?;
    let scenarios: Vec<Scenario> = Kind::ALL
        .iter()
        .map(|kind| {
            Scenario::new(
                *kind,
                runs.iter().filter(|(k, _)| k == kind).map(|(_, r)| r.clone()).collect(),
            )
        })
        .collect();
    let report = Report {
        options: options.clone(),
        scenarios,
        memory,
        licence_calls: stack.licence_calls()?,
        log_lines: stack.log_lines().saturating_sub(lines_before),
        profile,
        in_process,
    };
    report.print();
    write_json(&out_dir.join("edge.json"), &report.json())
}

/// The `edge_cpu` example: the app's own CPU per request, in process, where machine noise and
/// wrk's share of the cores do not reach (its last line is JSON).
fn in_process() -> anyhow::Result<serde_json::Value> {
    note("bench edge: app CPU per request in process (example edge_cpu)");
    let out = crate::shell::output(crate::shell::cargo().args([
        "run",
        "--release",
        "-q",
        "-p",
        "stj_server",
        "--example",
        "edge_cpu",
    ]))?;
    let line = out.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("edge_cpu printed {line:?}"))
}

fn once(on: &Servers<'_>, wrk: &Wrk, kind: Kind, seconds: u64) -> anyhow::Result<Run> {
    let (url, headers) = kind.target(on)?;
    let run = wrk.run(&url, &headers, seconds, &on.pids(kind))?;
    anyhow::ensure!(
        run.errors == 0,
        "{}: {} requests failed or were refused",
        kind.label(),
        run.errors
    );
    anyhow::ensure!(run.requests > 0, "{}: no request completed", kind.label());
    Ok(run)
}

/// `--profile`: `perf record -g` of the app during one more page run; the top user-space symbols
/// (self time) from `perf report`, also in `perf-report.txt`.
fn profile(
    on: &Servers<'_>,
    wrk: &Wrk,
    options: &Options,
    out_dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let data = out_dir.join("perf.data");
    let pid = on.stack.app.id();
    let mut perf = std::process::Command::new("perf");
    perf.args(["record", "-g", "-F", "499", "-o"]).arg(&data).args(["-p", &pid.to_string()]);
    let mut recorder = crate::shell::Background::spawn("perf record", &mut perf)?;
    let result = once(on, wrk, Kind::Page, options.seconds);
    // perf writes its file on SIGINT; `Background` would SIGKILL it.
    crate::shell::output(
        std::process::Command::new("kill").args(["-INT", &recorder.id().to_string()]),
    )?;
    for _ in 0..100 {
        if recorder.ensure_running().is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    result?;
    let report = crate::shell::output(
        std::process::Command::new("perf")
            .args(["report", "--no-children", "--sort", "symbol", "--stdio", "-g", "none", "-i"])
            .arg(&data),
    )?;
    fs::write(out_dir.join("perf-report.txt"), &report)?;
    Ok(report
        .lines()
        .filter(|line| {
            line.trim_start().starts_with(|c: char| c.is_ascii_digit()) && line.contains("[.]")
        })
        .take(10)
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect())
}
