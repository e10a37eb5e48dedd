//! `cargo xtask bench [--only edge|subtasks] [--seconds N] [--threads N] [--warmup N]
//! [--rounds N]`: two scenarios, in this order.
//!
//! * **edge**: what JWT verification costs at the edge. Throughput and latency of
//!   `GET /api/v1/context` with a context token against the app's own `GET /healthz` under the
//!   same load, their ratio (target: at least 80%), and the app's peak RSS
//!   (`target/bench/edge.json`).
//! * **subtasks** ([`subtasks`]): one application of 200 subtasks with 50 ms added to every Jira
//!   call; wall time against the ideal (target: at most 1.15x) and the Jira calls by route
//!   (`target/bench/subtasks.json`).
//!
//! Release builds of the app and the Jira sandbox run as separate processes on loopback: the
//! sandbox first, the app on a fresh, migrated SQLite file under `target/bench/`, installed into
//! the sandbox through the signed-install handshake. Context tokens carry an active licence, so
//! no request reaches Jira during the load. Rate limits are raised out of reach, so the figures
//! measure verification, not the limiter. Both processes are killed however the command ends.

mod load;
mod subtasks;

use std::collections::BTreeMap;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::bench::load::{Load, Summary};
use crate::shell::{self, Background, cargo, free_port, note, project_root, target_dir};

/// The authenticated endpoint must reach this share of `/healthz`'s throughput.
const TARGET_RATIO: f64 = 0.8;
/// Sustained rate and burst for every tenant and user: beyond any load this command can make.
const UNREACHABLE_RATE_LIMIT: u32 = 1_000_000_000;
const APP_KEY: &str = "io.subtask-templates.jira";
/// Longest measurement and warm-up: together (150 s) they end before sandbox tokens (180 s) expire.
const MAX_SECONDS: u64 = 120;
const MAX_WARMUP: u64 = 30;
const MAX_ROUNDS: u64 = 20;
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Options {
    seconds: u64,
    threads: usize,
    warmup: u64,
    /// Applications timed in the subtasks scenario.
    rounds: u64,
    edge: bool,
    subtasks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { seconds: 5, threads: 16, warmup: 1, rounds: 5, edge: true, subtasks: true }
    }
}

const USAGE: &str = "usage: cargo xtask bench [--only edge|subtasks] [--seconds N] [--threads N] \
                     [--warmup N] [--rounds N]";

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
                "--threads" => options.threads = usize::try_from(value(1..=256)?)?,
                "--warmup" => options.warmup = value(0..=MAX_WARMUP)?,
                "--rounds" => options.rounds = value(1..=MAX_ROUNDS)?,
                "--only" => match args.next().map(String::as_str) {
                    Some("edge") => (options.edge, options.subtasks) = (true, false),
                    Some("subtasks") => (options.edge, options.subtasks) = (false, true),
                    other => anyhow::bail!("--only takes edge or subtasks, got {other:?}: {USAGE}"),
                },
                other => anyhow::bail!("unknown argument {other:?}: {USAGE}"),
            }
        }
        Ok(options)
    }

    fn load(self) -> Load {
        Load {
            threads: self.threads,
            warmup: Duration::from_secs(self.warmup),
            measure: Duration::from_secs(self.seconds),
        }
    }
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    shell::run(cargo().args(["build", "--release", "-p", "stj_server", "-p", "stj_jira_sandbox"]))?;
    let out_dir = target_dir().join("bench");
    fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;

    let stack = Stack::start(&out_dir)?;
    if options.edge {
        edge(&stack, options, &out_dir)?;
    }
    if options.subtasks {
        subtasks::run(&stack, options.rounds, &out_dir)?;
    }
    Ok(())
}

/// The edge scenario: `/healthz` then `/api/v1/context` under the same load.
fn edge(stack: &Stack, options: Options, out_dir: &Path) -> anyhow::Result<()> {
    let client_key = stack.install()?;
    note(format_args!(
        "\nbench: {} threads, keep-alive, {} s warm-up then {} s per endpoint; rate limits raised to \
         {UNREACHABLE_RATE_LIMIT}/s so the limiter never throttles (this measures verification)",
        options.threads, options.warmup, options.seconds
    ));

    let load = options.load();
    let app_pid = stack.app.id();
    let app_cpu = move || proc_cpu_ticks(app_pid);
    let healthz_url = format!("{}/healthz", stack.app_url);
    note(format_args!("bench: GET {healthz_url} ..."));
    let healthz = load::drive(load, &healthz_url, &[], &app_cpu)?;
    ensure_clean("GET /healthz", &healthz)?;

    // One user per thread, minted just before the phase so no token expires during it.
    let tokens = (0..options.threads)
        .map(|n| stack.context_token(&client_key, &format!("bench-user-{n}")).map(Some))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let context_url = format!("{}/api/v1/context", stack.app_url);
    note(format_args!("bench: GET {context_url} with context JWTs ..."));
    let context = load::drive(load, &context_url, &tokens, &app_cpu)?;
    ensure_clean("GET /api/v1/context", &context)?;

    let memory = proc_memory(app_pid);
    let licence_calls = stack.licence_calls()?;

    let report = Report { options, healthz, context, memory, licence_calls };
    report.print();
    let path = out_dir.join("edge.json");
    let json = serde_json::to_string_pretty(&report.json())?;
    fs::write(&path, format!("{json}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    note(format_args!("bench: wrote {}", path.display()));
    Ok(())
}

fn ensure_clean(endpoint: &str, summary: &Summary) -> anyhow::Result<()> {
    anyhow::ensure!(
        summary.errors == 0,
        "{endpoint}: {} requests failed; first: {}",
        summary.errors,
        summary.first_error.as_deref().unwrap_or("?")
    );
    anyhow::ensure!(summary.requests > 0, "{endpoint}: no request completed in the window");
    Ok(())
}

/// The sandbox and the app, as separate release processes on loopback.
#[derive(Debug)]
struct Stack {
    // Dropped in this order: the app first, then the sandbox.
    app: Background,
    _sandbox: Background,
    app_url: String,
    sandbox_url: String,
    control: ureq::Agent,
}

impl Stack {
    fn start(out_dir: &Path) -> anyhow::Result<Self> {
        let release = target_dir().join("release");
        let exe = |name: &str| release.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        let control: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(CONTROL_TIMEOUT))
            .max_redirects(0)
            .build()
            .into();

        let sandbox_port = free_port()?;
        let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
        let mut sandbox_command = Command::new(exe("stj_jira_sandbox"));
        sandbox_command.args(["--port", &sandbox_port.to_string()]);
        log_to(&mut sandbox_command, out_dir, "sandbox.log")?;
        let mut sandbox = Background::spawn("the Jira sandbox", &mut sandbox_command)?;
        wait_ready(&control, &mut sandbox, &format!("{sandbox_url}/__sandbox/faults"))?;

        let app_port = free_port()?;
        let app_url = format!("http://127.0.0.1:{app_port}");
        let registry = fresh_registry(out_dir)?;
        let app_command = |command: &str| {
            let mut cmd = Command::new(exe("subtask-templates"));
            cmd.arg(command)
                .current_dir(project_root())
                .env("APP_ENVIRONMENT", "test")
                .env("APP_CONFIG_DIR", project_root().join("config"))
                .env("APP__HTTP__HOST", "127.0.0.1")
                .env("APP__HTTP__PORT", app_port.to_string())
                .env("APP__CONNECT__BASE_URL", &app_url)
                .env("APP__CONNECT__APP_KEY", APP_KEY)
                .env("APP__REGISTRY__URL", format!("sqlite://{}", registry.display()))
                .env("APP__JIRA__INSTALL_KEYS_URL", format!("{sandbox_url}/install-keys"))
                // The sandbox is also the OAuth authorization server that user tokens come from.
                .env("APP__JIRA__OAUTH_SERVER_URL", &sandbox_url)
                .env("APP__SANDBOX__ENABLED", "false")
                .env("APP__TELEMETRY__FILTER", "warn");
            for limit in ["TENANT_PER_SECOND", "TENANT_BURST", "USER_PER_SECOND", "USER_BURST"] {
                cmd.env(
                    format!("APP__HTTP__RATE_LIMIT__{limit}"),
                    UNREACHABLE_RATE_LIMIT.to_string(),
                );
            }
            cmd
        };
        shell::output(&mut app_command("migrate")).context("migrating the bench registry")?;
        let mut serve = app_command("serve");
        log_to(&mut serve, out_dir, "app.log")?;
        let mut app = Background::spawn("the app", &mut serve)?;
        wait_ready(&control, &mut app, &format!("{app_url}/healthz"))?;
        note(format_args!(
            "bench: app at {app_url} (pid {}), sandbox at {sandbox_url}; logs in {}",
            app.id(),
            out_dir.display()
        ));
        Ok(Self { app, _sandbox: sandbox, app_url, sandbox_url, control })
    }

    /// A new sandbox tenant installs the app (signed install, then enabled); its client key.
    fn install(&self) -> anyhow::Result<String> {
        let installed = self.post(
            "/__sandbox/install",
            &json!({ "app_base_url": self.app_url, "app_key": APP_KEY }),
        )?;
        let status = installed.get("status").and_then(Value::as_u64);
        let enabled = installed.get("enabled_status").and_then(Value::as_u64);
        anyhow::ensure!(
            status == Some(204) && enabled == Some(204),
            "the app refused the install (installed {status:?}, enabled {enabled:?})"
        );
        let client_key = installed.get("client_key").and_then(Value::as_str);
        Ok(client_key.context("install answer without client_key")?.to_owned())
    }

    /// `JWT <token>`: a context token (qsh `context-qsh`, licence active) for `account_id`.
    fn context_token(&self, client_key: &str, account_id: &str) -> anyhow::Result<String> {
        let answer = self.post(
            &format!("/__sandbox/tenants/{client_key}/tokens/context"),
            &json!({ "account_id": account_id, "licence_active": true }),
        )?;
        let token = answer.get("token").and_then(Value::as_str).context("answer without token")?;
        Ok(format!("JWT {token}"))
    }

    /// Calls the app made to Jira's licence endpoint (there should be none: tokens carry it).
    fn licence_calls(&self) -> anyhow::Result<usize> {
        let url = format!("{}/__sandbox/requests", self.sandbox_url);
        let mut response = self.control.get(&url).call().with_context(|| format!("GET {url}"))?;
        let requests: Value =
            response.body_mut().read_json().with_context(|| format!("GET {url}"))?;
        let requests = requests.as_array().map(Vec::as_slice).unwrap_or_default();
        Ok(requests
            .iter()
            .filter_map(|r| r.get("path").and_then(Value::as_str))
            .filter(|path| path.starts_with("/rest/atlassian-connect/1/addons/"))
            .count())
    }

    /// Requests the sandbox has seen per route (`POST /rest/api/3/issue/bulk` → 4), since start.
    fn request_counts(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let url = format!("{}/__sandbox/requests/counts", self.sandbox_url);
        let mut response = self.control.get(&url).call().with_context(|| format!("GET {url}"))?;
        let status = response.status().as_u16();
        anyhow::ensure!(status == 200, "GET {url}: status {status}");
        response.body_mut().read_json().with_context(|| format!("GET {url}"))
    }

    fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.post_expect(path, body, 200)
    }

    /// `POST {sandbox}{path}` with a JSON body, answered `expected` with JSON.
    fn post_expect(&self, path: &str, body: &Value, expected: u16) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.sandbox_url);
        let mut response =
            self.control.post(&url).send_json(body).with_context(|| format!("POST {url}"))?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().with_context(|| format!("POST {url}"))?;
        anyhow::ensure!(status == expected, "POST {url}: status {status}: {text}");
        serde_json::from_str(&text).with_context(|| format!("POST {url}: not JSON: {text}"))
    }

    /// `DELETE {sandbox}{path}`, answered 2xx.
    fn delete(&self, path: &str) -> anyhow::Result<()> {
        let url = format!("{}{path}", self.sandbox_url);
        let response = self.control.delete(&url).call().with_context(|| format!("DELETE {url}"))?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "DELETE {url}: status {status}");
        Ok(())
    }
}

/// Points `cmd`'s stdout and stderr at `dir/name`, emptied first.
fn log_to(cmd: &mut Command, dir: &Path, name: &str) -> anyhow::Result<()> {
    let path = dir.join(name);
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let copy = file.try_clone().with_context(|| format!("cannot share {}", path.display()))?;
    cmd.stdout(Stdio::from(file)).stderr(Stdio::from(copy));
    Ok(())
}

/// `target/bench/registry.sqlite`, emptied: every run installs into a fresh registry.
fn fresh_registry(dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join("registry.sqlite");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
        }
    }
    Ok(path)
}

/// Polls `url` until it answers 200, `process` dies, or `READY_TIMEOUT` passes.
fn wait_ready(agent: &ureq::Agent, process: &mut Background, url: &str) -> anyhow::Result<()> {
    const POLL: Duration = Duration::from_millis(100);
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    for _ in 0..READY_TIMEOUT.as_millis().div_ceil(POLL.as_millis()) {
        process.ensure_running()?;
        match agent.get(url).call() {
            Ok(response) if response.status().as_u16() == 200 => return Ok(()),
            Ok(response) => last = format!("status {}", response.status()),
            Err(err) => last = err.to_string(),
        }
        if started.elapsed() >= READY_TIMEOUT {
            break;
        }
        std::thread::sleep(POLL);
    }
    anyhow::bail!("{url} did not answer 200 within {} ({last})", shell::secs(READY_TIMEOUT))
}

/// Linux reports CPU time in `USER_HZ` ticks, 100 per second on every mainstream architecture.
const TICKS_PER_SECOND: u64 = 100;

/// CPU time (user and system, all threads) the process has used, in ticks (Linux only).
fn proc_cpu_ticks(pid: u32) -> Option<u64> {
    parse_proc_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// `utime + stime` from `/proc/<pid>/stat`: fields 14 and 15, counted after the `(comm)` field,
/// which may itself hold spaces and parentheses.
fn parse_proc_stat(stat: &str) -> Option<u64> {
    let (_, after_comm) = stat.rsplit_once(')')?;
    let mut fields = after_comm.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    utime.checked_add(stime)
}

/// Microseconds of app CPU per request over the measured window.
fn cpu_us_per_request(s: &Summary) -> Option<f64> {
    let ticks = s.probed?;
    (s.requests > 0).then(|| ticks as f64 * 1e6 / TICKS_PER_SECOND as f64 / s.requests as f64)
}

/// Peak and current resident set size in KiB, from `/proc/<pid>/status` (Linux only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Memory {
    peak_kib: u64,
    current_kib: u64,
}

fn proc_memory(pid: u32) -> Option<Memory> {
    parse_proc_status(&fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

fn parse_proc_status(status: &str) -> Option<Memory> {
    let field = |name: &str| {
        status.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix(':')?;
            value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()
        })
    };
    Some(Memory { peak_kib: field("VmHWM")?, current_kib: field("VmRSS")? })
}

#[derive(Debug)]
struct Report {
    options: Options,
    healthz: Summary,
    context: Summary,
    memory: Option<Memory>,
    licence_calls: usize,
}

impl Report {
    fn ratio(&self) -> f64 {
        self.context.per_second / self.healthz.per_second
    }

    fn print(&self) {
        let row = |name: &str, s: &Summary| {
            format!(
                "{name:<28} {:>8.0} {:>7.2} {:>7.2} {:>7.2} {:>14} {:>9} {:>6}",
                s.per_second,
                ms(s.p50_us),
                ms(s.p99_us),
                ms(s.max_us),
                cpu_us_per_request(s).map_or_else(|| "n/a".to_owned(), |us| format!("{us:.0}")),
                s.requests,
                s.errors
            )
        };
        let ratio = self.ratio();
        let verdict = if ratio >= TARGET_RATIO { "met" } else { "NOT met" };
        let memory = self.memory.map_or_else(
            || "n/a (no /proc)".to_owned(),
            |m| {
                format!(
                    "{:.1} MiB peak (VmHWM), {:.1} MiB at the end",
                    mib(m.peak_kib),
                    mib(m.current_kib)
                )
            },
        );
        let cpu = match (cpu_us_per_request(&self.context), cpu_us_per_request(&self.healthz)) {
            (Some(context), Some(healthz)) => format!(
                "{context:.0} µs per authenticated request, {healthz:.0} µs per /healthz \
                 ({:+.0} µs for authentication, licence and rate-limit checks)",
                context - healthz
            ),
            _ => "n/a (no /proc)".to_owned(),
        };
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        note(format_args!(
            "\n{:<28} {:>8} {:>7} {:>7} {:>7} {:>14} {:>9} {:>6}\n{}\n{}\n\n\
             authenticated / healthz throughput: {:.1}% (target >= {:.0}%: {verdict})\n\
             app CPU: {cpu}\n\
             app memory: {memory}\n\
             licence calls to Jira during the run: {}\n\
             note: {} client threads and the app share this machine's {cores} cores, so the \
             clients can be the bottleneck: app CPU per request shows what verification costs",
            "endpoint",
            "req/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "app CPU µs/req",
            "requests",
            "errors",
            row("GET /healthz", &self.healthz),
            row("GET /api/v1/context (JWT)", &self.context),
            ratio * 100.0,
            TARGET_RATIO * 100.0,
            self.licence_calls,
            self.options.threads,
        ));
    }

    fn json(&self) -> Value {
        let endpoint = |path: &str, s: &Summary| {
            json!({
                "path": path,
                "requests": s.requests,
                "errors": s.errors,
                "requests_per_second": s.per_second,
                "p50_ms": ms(s.p50_us),
                "p99_ms": ms(s.p99_us),
                "max_ms": ms(s.max_us),
                "app_cpu_us_per_request": cpu_us_per_request(s),
            })
        };
        json!({
            "threads": self.options.threads,
            "warmup_seconds": self.options.warmup,
            "seconds_per_endpoint": self.options.seconds,
            "cores": std::thread::available_parallelism().map_or(0, usize::from),
            "rate_limits_per_second": UNREACHABLE_RATE_LIMIT,
            "healthz": endpoint("/healthz", &self.healthz),
            "authenticated": endpoint("/api/v1/context", &self.context),
            "throughput_ratio": self.ratio(),
            "target_ratio": TARGET_RATIO,
            "meets_target": self.ratio() >= TARGET_RATIO,
            "app_peak_rss_kib": self.memory.map(|m| m.peak_kib),
            "app_rss_kib_at_end": self.memory.map(|m| m.current_kib),
            "licence_calls_to_jira": self.licence_calls,
        })
    }
}

fn ms(us: u32) -> f64 {
    f64::from(us) / 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use crate::bench::{Options, parse_proc_stat, parse_proc_status};

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_have_defaults_and_bounds() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        let options = Options::parse(&args("--seconds 10 --threads 4 --warmup 0")).unwrap();
        assert_eq!(options, Options { seconds: 10, threads: 4, warmup: 0, ..Options::default() });
        let only = Options::parse(&args("--only subtasks --rounds 3")).unwrap();
        assert_eq!((only.edge, only.subtasks, only.rounds), (false, true, 3));
        let only = Options::parse(&args("--only edge")).unwrap();
        assert_eq!((only.edge, only.subtasks), (true, false));
        let bad = ["--seconds 0", "--seconds 121", "--seconds x", "--threads", "--threads 1000"];
        let more = ["--warmup 31", "--fast", "--only", "--only both", "--rounds 0", "--rounds 21"];
        for bad in bad.into_iter().chain(more) {
            assert!(Options::parse(&args(bad)).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn proc_status_gives_peak_and_current_rss() {
        let status = "Name:\tsubtask-templates\nVmPeak:\t  900000 kB\nVmHWM:\t   40960 kB\n\
                      VmRSS:\t   30720 kB\nThreads:\t5\n";
        let memory = parse_proc_status(status).unwrap();
        assert_eq!((memory.peak_kib, memory.current_kib), (40960, 30720));
        assert!(parse_proc_status("Name:\tx\n").is_none());
    }

    #[test]
    fn proc_stat_gives_user_plus_system_ticks() {
        let stat = "29859 (subtask (tem) S 1 2 3 0 -1 4194560 5 0 0 0 1234 56 0 0 20 0 3 0 9 1 2";
        assert_eq!(parse_proc_stat(stat), Some(1290));
        assert_eq!(parse_proc_stat("29859 (x) S 1 2"), None);
    }
}
