//! `cargo xtask ui`: the browser tests. Starts the app with its in-process Jira sandbox exactly as
//! `cargo xtask dev` does (local configuration, SQLite registry, signed-install handshake, demo
//! seed), on free ports and a fresh registry under `target/ui/`, then runs `ui/tests/*.test.mjs`
//! (node's test runner, pinned playwright-core driving Debian's Chromium, pinned axe-core) through
//! the sandbox's Jira host pages. Screenshots and the timing report land in `target/ui/`.
//! Every suite runs once per door, each against a stack of its own: the Connect iframes, then
//! `?door=forge` (the Forge app's Custom UI, `cargo xtask forge-build`, invoking the remote
//! through the sandbox's stand-in for Forge). `cargo xtask ui issue --grep=retry --door=forge`
//! runs one file's tests whose names match, through one door.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::shell::{self, Background, cargo, free_port, note, project_root, target_dir};

/// Where Debian's package puts Chromium; `STJ_CHROMIUM` overrides.
const CHROMIUM: &str = "/usr/bin/chromium";
const READY_TIMEOUT: Duration = Duration::from_secs(90);

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let keep = args.iter().any(|a| a == "--keep");
    let grep = args.iter().find_map(|a| a.strip_prefix("--grep="));
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let root = project_root();
    let out = target_dir().join("ui");
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("cannot clear {}", out.display()))?;
    }
    fs::create_dir_all(&out)?;
    let chromium = shell::env_var("STJ_CHROMIUM").unwrap_or_else(|| CHROMIUM.to_owned());
    anyhow::ensure!(
        Path::new(&chromium).exists(),
        "no Chromium at {chromium}: run `cargo xtask tools` (it installs Debian's chromium)"
    );
    let ui = root.join("ui");
    shell::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&ui))
        .context("npm ci in ui/ failed")?;
    // The Forge door's Custom UI: every flow runs once per door.
    crate::forge::build(&[])?;
    shell::run(cargo().args([
        "build",
        "-p",
        "stj_server",
        "--features",
        "sandbox",
        "--bin",
        "subtask-templates",
    ]))?;

    let doors: Vec<&str> = match args.iter().find_map(|a| a.strip_prefix("--door=")) {
        Some(door) => vec![door],
        None => DOORS.to_vec(),
    };
    // Both doors run even when the first fails: the two reports side by side say more.
    let mut failed = Vec::new();
    for door in doors {
        anyhow::ensure!(DOORS.contains(&door), "--door={door}: the doors are {DOORS:?}");
        let run = Run { chromium: &chromium, grep, filter: &filter, keep };
        if let Err(err) = run_door(door, &run) {
            note(format_args!("ui: the {door} door failed: {err:#}"));
            failed.push(door);
        }
    }
    anyhow::ensure!(failed.is_empty(), "browser tests failed through {failed:?}: target/ui/");
    Ok(())
}

/// Every flow runs once per door: Connect's iframes, then the Forge app's Custom UI.
const DOORS: [&str; 2] = ["connect", "forge"];

struct Run<'a> {
    chromium: &'a str,
    grep: Option<&'a str>,
    filter: &'a [&'a String],
    keep: bool,
}

/// A fresh app + sandbox (new ports, new registry, new Jira content), the tests, then stop.
fn run_door(door: &str, run: &Run<'_>) -> anyhow::Result<()> {
    let root = project_root();
    let out = target_dir().join("ui");
    let app_port = free_port()?;
    let sandbox_port = free_port()?;
    let app_url = format!("http://127.0.0.1:{app_port}");
    let host_url = format!("http://127.0.0.1:{sandbox_port}");
    let exe = target_dir().join("debug").join("subtask-templates");
    let registry = format!("sqlite://{}", out.join(format!("stj-{door}.sqlite")).display());
    let server = |command: &str| {
        let mut cmd = Command::new(&exe);
        cmd.arg(command)
            .current_dir(&root)
            .env("APP_ENVIRONMENT", "local")
            .env("APP__HTTP__PORT", app_port.to_string())
            .env("APP__CONNECT__BASE_URL", &app_url)
            .env("APP__REGISTRY__URL", &registry)
            .env("APP__SANDBOX__PORT", sandbox_port.to_string())
            .env("APP__SANDBOX__FORGE_CUSTOM_UI", crate::forge::custom_ui_dir())
            .env("APP__HTTP__CONNECT_JS_URL", format!("{host_url}/atlassian-connect/all.js"))
            // Jira's backoff shortened (as the DAST run does) so failure states show in seconds.
            .env("APP__JIRA__RETRY__INITIAL_BACKOFF_MS", "100")
            .env("APP__JIRA__RETRY__MAX_BACKOFF_MS", "500")
            .env("APP__TELEMETRY__FORMAT", "json");
        cmd
    };
    shell::run(&mut server("migrate"))?;
    let mut cmd = server("serve");
    let log = File::create(out.join(format!("app-{door}.log")))?;
    cmd.stdout(Stdio::from(log.try_clone()?)).stderr(Stdio::from(log));
    let mut app = Background::spawn("the app with its Jira sandbox", &mut cmd)?;
    wait_ready(&mut app, &format!("{host_url}/browse/DEMO-1"))?;
    note(format_args!(
        "ui ({door} door): app {app_url}, Jira host pages {host_url}/browse/DEMO-1?door={door}"
    ));

    let mut test = Command::new("node");
    test.args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .current_dir(root.join("ui"))
        .env("STJ_UI_APP_URL", &app_url)
        .env("STJ_UI_HOST_URL", &host_url)
        .env("STJ_UI_OUT", &out)
        .env("STJ_UI_DOOR", door)
        .env("STJ_CHROMIUM", run.chromium);
    if let Some(pattern) = run.grep {
        test.arg(format!("--test-name-pattern={pattern}"));
    }
    if run.filter.is_empty() {
        test.arg("tests/");
    } else {
        test.args(run.filter.iter().map(|f| format!("tests/{f}.test.mjs")));
    }
    let result = shell::run(&mut test);
    app.ensure_running().with_context(|| {
        format!("the app died during the browser tests (target/ui/app-{door}.log)")
    })?;
    if run.keep {
        note(format_args!("ui: --keep: the stack runs until Ctrl-C"));
        std::thread::sleep(Duration::from_secs(u64::MAX / 4));
    }
    result.context("browser tests failed: screenshots and logs in target/ui/")
}

/// Waits until the sandbox's host page for the demo issue answers 200: the app serves, it is
/// installed into the sandbox and the demo project is seeded.
fn wait_ready(app: &mut Background, url: &str) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let started = Instant::now();
    while started.elapsed() < READY_TIMEOUT {
        app.ensure_running()?;
        if agent.get(url).call().is_ok_and(|r| r.status() == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    anyhow::bail!(
        "{url} did not answer 200 within {}s (target/ui/app.log)",
        READY_TIMEOUT.as_secs()
    )
}
