//! `cargo xtask dev`: the app for local work, started as every loopback run is (`stack::App`, the
//! `local` environment of `config/local.toml`): SQLite registry in `.local/stj.sqlite`, the Jira
//! sandbox on 127.0.0.1:8081 (in the server's process) and the app on 127.0.0.1:8080, installed
//! into the sandbox through the signed-install handshake, its log as the configuration says.
//!
//! Runs `subtask-templates migrate`, then becomes `cargo run … serve` (exec on Unix, and cargo
//! execs the binary in turn), so Ctrl-C and SIGTERM reach the server itself, which shuts down
//! gracefully, and its exit status is the command's.

use std::process::Command;

use anyhow::Context as _;

use crate::forge;
use crate::shell::{self, cargo, note};
use crate::stack;

/// Where the app and the sandbox serve (as `config/local.toml` says too).
const APP_PORT: u16 = 8080;
const SANDBOX_PORT: u16 = 8081;
const APP_URL: &str = "http://127.0.0.1:8080";
const SANDBOX_URL: &str = "http://127.0.0.1:8081";
/// The sandbox's host pages for the demo site: the app key of `config/base.toml` and the module
/// keys of `stj_connect::descriptor` (`MY_TEMPLATES_KEY`, `PROJECT_TEMPLATES_KEY`).
const ISSUE_PAGE: &str = "/browse/DEMO-1";
const PERSONAL_PAGE: &str = "/plugins/servlet/ac/io.subtask-templates.jira/my-subtask-templates";
const PROJECT_PAGE: &str = "/projects/DEMO/apps/project-subtask-templates";

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    anyhow::ensure!(args.is_empty(), "`dev` takes no arguments, got {args:?}");
    let registry = shell::project_root().join(".local").join("stj.sqlite");
    let custom_ui = forge::custom_ui_dir();
    let app = stack::App {
        environment: "local",
        port: APP_PORT,
        registry: &registry,
        jira: stack::Jira::InProcess { port: SANDBOX_PORT, custom_ui: &custom_ui },
        log: stack::Log::Configured,
        rate_limit: None,
        quick_retries: false,
    };
    shell::run(&mut server(&app, "migrate")).context("migrating the local registry failed")?;
    // The Forge door's Custom UI; the Connect door works without it, so a machine without
    // Node.js still gets a dev server.
    if let Err(err) = forge::build(&[]) {
        note(format_args!("dev: no Forge Custom UI ({err:#}); ?door=forge pages will say so"));
    }
    note(format_args!(
        "\ndev: starting the app at {APP_URL} with the Jira sandbox at {SANDBOX_URL}\n\
         dev: descriptor {APP_URL}/atlassian-connect.json, health {APP_URL}/healthz\n\
         dev: stop with Ctrl-C (or SIGTERM); in-flight requests finish first\n\
         \n\
         dev: once it is serving, open {SANDBOX_URL}{ISSUE_PAGE}\n\
         dev:   personal templates {SANDBOX_URL}{PERSONAL_PAGE}\n\
         dev:   project templates  {SANDBOX_URL}{PROJECT_PAGE}\n\
         dev:   as another user ?as=admin|member|unlicensed, dark theme ?theme=dark\n\
         \n\
         dev: the Forge door (the Forge app's Custom UI from {ui}, invoking the remote):\n\
         dev:   {SANDBOX_URL}{ISSUE_PAGE}?door=forge\n\
         dev:   {SANDBOX_URL}{PERSONAL_PAGE}?door=forge\n\
         dev:   {SANDBOX_URL}{PROJECT_PAGE}?door=forge   (?door=connect switches back)\n",
        ui = custom_ui.display()
    ));
    serve(server(&app, "serve"))
}

/// `cargo run -p stj_server --features sandbox --bin subtask-templates -- <command>` with `app`'s
/// settings.
fn server(app: &stack::App<'_>, command: &str) -> Command {
    let mut cmd = cargo();
    // The sandbox runs inside the server here only: the feature stays off in every other build.
    cmd.args(["run", "-p", "stj_server", "--features", "sandbox", "--bin", "subtask-templates"])
        .args(["--", command]);
    app.configure(&mut cmd);
    cmd
}

/// Replaces this process with `cmd`: returns only if it could not be started.
#[cfg(unix)]
fn serve(mut cmd: Command) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt as _;

    let line = shell::describe(&cmd);
    note(format_args!("$ {line}"));
    let err = cmd.exec();
    Err(err).with_context(|| format!("failed to start `{line}`"))
}

/// Runs `cmd` to the end and exits with its status (Ctrl-C reaches it through the console).
#[cfg(not(unix))]
fn serve(mut cmd: Command) -> anyhow::Result<()> {
    let line = shell::describe(&cmd);
    note(format_args!("$ {line}"));
    let status = cmd.status().with_context(|| format!("failed to start `{line}`"))?;
    std::process::exit(status.code().unwrap_or(1))
}
