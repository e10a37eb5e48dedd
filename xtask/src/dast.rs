//! `cargo xtask dast`: the dynamic gate. Release builds of the app and the Jira sandbox run as
//! separate processes on 127.0.0.1, the app in local mode on a fresh, migrated SQLite registry; two
//! sandbox tenants install it through the real signed-install handshake. Then schemathesis fuzzes
//! every operation of `openapi/openapi.yaml` three times, with `dast/hooks.py` signing each request:
//!
//! 1. `valid`: a fresh, correct token per request; all checks, injection and oversized payloads;
//! 2. `none`: protected operations without a token; each must answer 401/403;
//! 3. `tampered`: protected operations with broken tokens; each must answer 401/403.
//!
//! Any 5xx, schema violation, leaked internal, missing security header or accepted bad token fails
//! the gate, with schemathesis's curl line to reproduce it. The app's log must hold no panic and no
//! secret. Ports, the working directory and the tool cache are configurable (`--help`).

pub(crate) mod bite;
mod options;
mod stack;

use std::fs;
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;

pub(crate) use crate::dast::options::Options;
use crate::dast::stack::Stack;
use crate::shell::{self, cargo, note, secs};
use crate::tools::python_tool;

/// The three schemathesis runs: auth mode, whether public operations take part.
const RUNS: [(&str, bool); 3] = [("valid", true), ("none", false), ("tampered", false)];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let Some(options) = Options::parse(args)? else {
        note(options::USAGE);
        return Ok(());
    };
    gate(&options)
}

/// The `ci` step: the gate with its defaults (and the environment's overrides).
pub(crate) fn ci() -> anyhow::Result<()> {
    gate(&Options::parse(&[])?.context("no options")?)
}

pub(crate) fn gate(options: &Options) -> anyhow::Result<()> {
    let schemathesis = python_tool("schemathesis");
    anyhow::ensure!(
        schemathesis.is_file(),
        "{} is missing: run `cargo xtask tools`",
        schemathesis.display()
    );
    if options.build {
        // With cargo-auditable (as `sca-binary` builds) when it is there: the gate then runs the
        // very binary that step audited, and neither step rebuilds the other's artifacts.
        let mut build = cargo();
        build.current_dir(&options.root).env("CARGO_TARGET_DIR", &options.target);
        if shell::has_program("cargo-auditable") {
            build.arg("auditable");
        }
        build.args(["build", "--release", "--locked"]);
        shell::run(build.args(["-p", "stj_server", "-p", "stj_jira_sandbox"]))?;
    }
    let started = Instant::now();
    let mut stack = Stack::start(options)?;
    let context = stack.install_and_describe()?;
    let mut timings = Vec::new();
    let mut failed = Vec::new();
    for (mode, with_public) in RUNS {
        let run_started = Instant::now();
        note(format_args!("\n==> dast: schemathesis, tokens: {mode}"));
        let mut cmd = schemathesis_run(options, &stack.app_url, &context, mode, with_public);
        if let Err(err) = shell::run(&mut cmd) {
            failed.push(format!("{mode}: {err:#}"));
        }
        timings.push(format!("{mode} {}", secs(run_started.elapsed())));
        stack.ensure_alive()?;
    }
    let log_problems = stack.log_problems()?;
    let passed = failed.is_empty() && log_problems.is_empty();
    note(format_args!(
        "\ndast: {} in {} ({}); reports and logs in {}",
        if passed { "passed" } else { "FAILED" },
        secs(started.elapsed()),
        timings.join(", "),
        options.dir.display()
    ));
    if options.keep {
        stack.hold();
    }
    drop(stack);
    let curls = options.dir.join("failures.curl");
    if let Ok(text) = fs::read_to_string(&curls) {
        note(format_args!(
            "\ndast: the failing requests as sent, tokens included ({}):",
            curls.display()
        ));
        note(text.chars().take(8000).collect::<String>());
    }
    anyhow::ensure!(log_problems.is_empty(), "the app's log: {}", log_problems.join("; "));
    anyhow::ensure!(
        failed.is_empty(),
        "schemathesis found problems; each has a curl line above (replay it against \
         `cargo xtask dast --keep` within the token's 3 minutes):\n{}",
        failed.join("\n")
    );
    Ok(())
}

fn schemathesis_run(
    options: &Options,
    app_url: &str,
    context: &std::path::Path,
    mode: &str,
    with_public: bool,
) -> Command {
    let report_dir = options.dir.join(format!("report-{mode}"));
    let mut cmd = Command::new(python_tool("schemathesis"));
    cmd.arg("--config-file")
        .arg(options.root.join("dast/schemathesis.toml"))
        .arg("run")
        .arg(options.root.join("openapi/openapi.yaml"))
        .arg("--url")
        .arg(app_url)
        .args(["--checks", "all", "--workers", "1", "--no-color"])
        .args(["--seed", &options.seed.to_string()])
        .args(["--max-examples", &options.examples_for(mode).to_string()])
        .args(["--generation-database", "none"])
        .args(["--generation-with-security-parameters", "false"])
        .args(["--request-timeout", "10", "--max-redirects", "0"])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report_dir);
    if !with_public {
        // Every answer is a refusal here, which schemathesis would warn about.
        cmd.args(["--exclude-tag", "public", "--warnings", "off"]);
    }
    // schemathesis writes nothing into the repository: it runs in the gate's directory.
    cmd.current_dir(&options.dir)
        .env("PYTHONPATH", &options.root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("SCHEMATHESIS_HOOKS", "dast.hooks")
        .env("STJ_DAST_AUTH", mode)
        .env("STJ_DAST_CONTEXT", context)
        .env("STJ_DAST_CURL_LOG", options.dir.join("failures.curl"));
    if let Some(vectors) = options.qsh_vectors() {
        cmd.env("STJ_DAST_QSH_VECTORS", vectors);
    }
    cmd
}

/// Empties `dir` of what an earlier run left (registry, logs, reports).
fn fresh_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}
