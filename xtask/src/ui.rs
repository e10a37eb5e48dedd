//! `cargo xtask ui`: the browser tests. Starts the app with its in-process Jira sandbox exactly as
//! `cargo xtask dev` does (`stack::App`: local configuration, SQLite registry, signed-install
//! handshake, demo seed), on free ports and a fresh registry under `target/ui/`, then runs `ui/tests/*.test.mjs`
//! (node's test runner, pinned playwright-core driving Debian's Chromium, pinned axe-core) through
//! the sandbox's Jira host pages. Screenshots and the timing report land in `target/ui/`.
//! Every suite runs once per door, each against a stack of its own: the Connect iframes, then
//! `?door=forge` (the Forge app's Custom UI, `cargo xtask forge-build`, invoking the remote
//! through the sandbox's stand-in for Forge). `cargo xtask ui issue --grep=retry --door=forge`
//! runs one file's tests whose names match, through one door.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;

use crate::shell::{self, Background, cargo, free_port, note, project_root, target_dir};
use crate::stack;

/// Where Debian's package puts Chromium; `STJ_CHROMIUM` overrides.
const CHROMIUM: &str = "/usr/bin/chromium";

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
    let custom_ui = crate::forge::custom_ui_dir();
    let registry = out.join(format!("stj-{door}.sqlite"));
    // As `cargo xtask dev` runs it, on free ports, with Jira's backoff shortened (as the DAST
    // run does) so failure states show in seconds.
    let app = stack::App {
        environment: "local",
        port: free_port()?,
        registry: &registry,
        jira: stack::Jira::InProcess { port: free_port()?, custom_ui: &custom_ui },
        log: stack::Log::Json("info"),
        rate_limit: None,
        quick_retries: true,
    };
    let (app_url, host_url) = (app.url(), app.jira.url());
    let debug = target_dir().join("debug");
    shell::run(app.command(&debug, "migrate").current_dir(&root))?;
    let mut serve = app.command(&debug, "serve");
    serve.current_dir(&root);
    stack::log_to(&mut serve, &out.join(format!("app-{door}.log")))?;
    let mut process = Background::spawn("the app with its Jira sandbox", &mut serve)?;
    // The host page for the demo issue answers once the app serves, is installed into the
    // sandbox and the demo project is seeded.
    stack::wait_ready(&stack::control_agent(), &mut process, &format!("{host_url}/browse/DEMO-1"))
        .with_context(|| format!("the stack did not come up (target/ui/app-{door}.log)"))?;
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
    process.ensure_running().with_context(|| {
        format!("the app died during the browser tests (target/ui/app-{door}.log)")
    })?;
    if run.keep {
        note(format_args!("ui: --keep: the stack runs until Ctrl-C"));
        std::thread::sleep(Duration::from_secs(u64::MAX / 4));
    }
    result.context("browser tests failed: screenshots and logs in target/ui/")
}
