//! The app and the Jira sandbox as release processes on loopback, as `cargo xtask dast` and
//! `cargo xtask bench` both run them: the sandbox first, then the app (migrated by the caller)
//! with the loopback settings both need, each polled until it answers. `Background` kills both
//! however the command ends. What differs (environment, logging, what is installed) stays with
//! each caller (`dast/stack.rs`, `bench/stack.rs`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::shell::{self, Background};

pub(crate) const APP_KEY: &str = "io.subtask-templates.jira";
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A client for the sandbox's control API and for readiness polls: no redirects, statuses as
/// answers, 30 s at most per call.
pub(crate) fn control_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_redirects(0)
        .build()
        .into()
}

/// The release binary `name` in `release` (`target/release`).
pub(crate) fn exe(release: &Path, name: &str) -> PathBuf {
    release.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Starts the sandbox on `port`, its output in `log`; its URL once it answers.
pub(crate) fn start_sandbox(
    agent: &ureq::Agent,
    release: &Path,
    port: u16,
    log: &Path,
) -> anyhow::Result<(Background, String)> {
    let url = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(exe(release, "stj_jira_sandbox"));
    cmd.args(["--port", &port.to_string()]);
    log_to(&mut cmd, log)?;
    let mut sandbox = Background::spawn("the Jira sandbox", &mut cmd)?;
    wait_ready(agent, &mut sandbox, &format!("{url}/__sandbox/faults"))?;
    Ok((sandbox, url))
}

/// `subtask-templates <command>` on `127.0.0.1:<port>` with a SQLite registry, the sandbox as
/// install-key service and OAuth server, no in-process sandbox, and every rate limit at
/// `rate_limit` (tenant and user, sustained and burst). Callers add the rest.
pub(crate) fn app_command(
    release: &Path,
    command: &str,
    port: u16,
    sandbox_url: &str,
    registry: &Path,
    rate_limit: &str,
) -> Command {
    let mut cmd = Command::new(exe(release, "subtask-templates"));
    cmd.arg(command)
        .env("APP_CONFIG_DIR", shell::project_root().join("config"))
        .env("APP__HTTP__HOST", "127.0.0.1")
        .env("APP__HTTP__PORT", port.to_string())
        .env("APP__CONNECT__BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("APP__CONNECT__APP_KEY", APP_KEY)
        .env("APP__REGISTRY__URL", format!("sqlite://{}", registry.display()))
        .env("APP__JIRA__INSTALL_KEYS_URL", format!("{sandbox_url}/install-keys"))
        // The sandbox is also the OAuth authorization server that user tokens come from.
        .env("APP__JIRA__OAUTH_SERVER_URL", sandbox_url)
        // The sandbox plays Forge too: its JWKS holds the keys of the FITs it mints.
        .env("APP__FORGE__JWKS_URL", format!("{sandbox_url}/forge/.well-known/jwks.json"))
        .env("APP__SANDBOX__ENABLED", "false");
    for limit in ["TENANT_PER_SECOND", "TENANT_BURST", "USER_PER_SECOND", "USER_BURST"] {
        cmd.env(format!("APP__HTTP__RATE_LIMIT__{limit}"), rate_limit);
    }
    cmd
}

/// Points `cmd`'s stdout and stderr at `path`, emptied first.
pub(crate) fn log_to(cmd: &mut Command, path: &Path) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let copy = file.try_clone().with_context(|| format!("cannot share {}", path.display()))?;
    cmd.stdout(Stdio::from(file)).stderr(Stdio::from(copy));
    Ok(())
}

/// Polls `url` until it answers 200, `process` dies, or [`READY_TIMEOUT`] passes.
pub(crate) fn wait_ready(
    agent: &ureq::Agent,
    process: &mut Background,
    url: &str,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < READY_TIMEOUT {
        process.ensure_running()?;
        match agent.get(url).call() {
            Ok(response) if response.status().as_u16() == 200 => return Ok(()),
            Ok(response) => last = format!("status {}", response.status()),
            Err(err) => last = err.to_string(),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("{url} did not answer 200 within {} ({last})", shell::secs(READY_TIMEOUT))
}

/// `POST {sandbox_url}{path}` with a JSON body, answered `expected` with JSON.
pub(crate) fn post(
    agent: &ureq::Agent,
    sandbox_url: &str,
    path: &str,
    body: &Value,
    expected: u16,
) -> anyhow::Result<Value> {
    let url = format!("{sandbox_url}{path}");
    let mut response = agent.post(&url).send_json(body).with_context(|| format!("POST {url}"))?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().with_context(|| format!("POST {url}"))?;
    anyhow::ensure!(status == expected, "POST {url}: status {status}: {text}");
    serde_json::from_str(&text).with_context(|| format!("POST {url}: not JSON: {text}"))
}

/// A new sandbox tenant installs the app at `app_url` (signed install, then enabled); the
/// sandbox's answer (`client_key`, `shared_secret`, ...).
pub(crate) fn install(
    agent: &ureq::Agent,
    sandbox_url: &str,
    app_url: &str,
) -> anyhow::Result<Value> {
    let body = json!({ "app_base_url": app_url, "app_key": APP_KEY });
    let answer = post(agent, sandbox_url, "/__sandbox/install", &body, 200)?;
    let status = answer.get("status").and_then(Value::as_u64);
    let enabled = answer.get("enabled_status").and_then(Value::as_u64);
    anyhow::ensure!(
        status == Some(204) && enabled == Some(204),
        "the app refused the signed install (installed {status:?}, enabled {enabled:?})"
    );
    Ok(answer)
}
