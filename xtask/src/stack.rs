//! The app and the Jira sandbox on loopback, as every local run starts them: `cargo xtask dev`,
//! the browser tests (`ui`), `dast` and `bench`. [`App`] is the one description of the app's
//! loopback settings (environment, port, registry, where its Jira is, log, rate limits, retry
//! backoff); the sandbox runs either inside the app's process (`--features sandbox`, a debug
//! build: dev and ui, which install and seed it themselves) or as a release process of its own
//! started first ([`start_sandbox`]: bench and DAST, which install through its control API).
//! Each process is polled until it answers; `Background` kills it however the command ends.
//! What else differs (sealing key, workers, what is installed) stays with each caller.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::shell::{self, Background};

pub(crate) const APP_KEY: &str = "io.subtask-templates.jira";
/// Long enough for a debug build's first RSA key (the in-process sandbox) on a loaded machine.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// Where the app's Jira (and Forge) is: always a sandbox on loopback.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Jira<'a> {
    /// A sandbox process of its own at this URL ([`start_sandbox`]): install keys, OAuth
    /// server and Forge's JWKS are its, and the app runs no sandbox.
    Sandbox(&'a str),
    /// The sandbox inside the app's process (a build with `--features sandbox`) on this port,
    /// serving the Forge Custom UI from `custom_ui`: it points the app at itself, installs the
    /// app through the signed-install handshake and seeds the demo site.
    InProcess { port: u16, custom_ui: &'a Path },
}

impl Jira<'_> {
    pub(crate) fn url(&self) -> String {
        match self {
            Jira::Sandbox(url) => (*url).to_owned(),
            Jira::InProcess { port, .. } => format!("http://127.0.0.1:{port}"),
        }
    }
}

/// How the app logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Log {
    /// As the environment's configuration says (`dev`: pretty lines).
    Configured,
    /// JSON lines at this filter, as in production (the access log on at `info`).
    Json(&'static str),
}

/// The app's settings for one loopback run: everything else comes from `config/` and the
/// environment named.
#[derive(Debug, Clone, Copy)]
pub(crate) struct App<'a> {
    /// `APP_ENVIRONMENT`: `local` (dev, ui, DAST) or `test` (bench).
    pub(crate) environment: &'a str,
    pub(crate) port: u16,
    /// The SQLite registry file.
    pub(crate) registry: &'a Path,
    pub(crate) jira: Jira<'a>,
    pub(crate) log: Log,
    /// Every rate limit (tenant and user, sustained and burst), when a run raises them.
    pub(crate) rate_limit: Option<&'a str>,
    /// Jira's retry backoff shortened (100 to 500 ms) so failure states show in seconds.
    pub(crate) quick_retries: bool,
}

impl App<'_> {
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sets this run's environment on `cmd` (a `subtask-templates` command, or `cargo run` of it).
    pub(crate) fn configure(&self, cmd: &mut Command) {
        let jira = self.jira.url();
        cmd.env("APP_ENVIRONMENT", self.environment)
            .env("APP_CONFIG_DIR", shell::project_root().join("config"))
            .env("APP__HTTP__HOST", "127.0.0.1")
            .env("APP__HTTP__PORT", self.port.to_string())
            .env("APP__CONNECT__BASE_URL", self.url())
            .env("APP__CONNECT__APP_KEY", APP_KEY)
            .env("APP__REGISTRY__URL", format!("sqlite://{}", self.registry.display()))
            // The sandbox's stand-in for Connect's all.js: its host pages answer the AP calls.
            .env("APP__HTTP__CONNECT_JS_URL", format!("{jira}/atlassian-connect/all.js"));
        match self.jira {
            Jira::Sandbox(url) => {
                cmd.env("APP__JIRA__INSTALL_KEYS_URL", format!("{url}/install-keys"))
                    // The sandbox is also the OAuth authorization server that user tokens come from.
                    .env("APP__JIRA__OAUTH_SERVER_URL", url)
                    // The sandbox plays Forge too: its JWKS holds the keys of the FITs it mints.
                    .env("APP__FORGE__JWKS_URL", format!("{url}/forge/.well-known/jwks.json"))
                    .env("APP__SANDBOX__ENABLED", "false");
            }
            Jira::InProcess { port, custom_ui } => {
                cmd.env("APP__SANDBOX__ENABLED", "true")
                    .env("APP__SANDBOX__PORT", port.to_string())
                    .env("APP__SANDBOX__FORGE_CUSTOM_UI", custom_ui);
            }
        }
        if let Log::Json(filter) = self.log {
            cmd.env("APP__TELEMETRY__FORMAT", "json").env("APP__TELEMETRY__FILTER", filter);
        }
        if let Some(limit) = self.rate_limit {
            for name in ["TENANT_PER_SECOND", "TENANT_BURST", "USER_PER_SECOND", "USER_BURST"] {
                cmd.env(format!("APP__HTTP__RATE_LIMIT__{name}"), limit);
            }
        }
        if self.quick_retries {
            cmd.env("APP__JIRA__RETRY__INITIAL_BACKOFF_MS", "100")
                .env("APP__JIRA__RETRY__MAX_BACKOFF_MS", "500");
        }
    }

    /// `subtask-templates <command>` from the build in `bin_dir` (`target/release`, `target/debug`)
    /// with these settings.
    pub(crate) fn command(&self, bin_dir: &Path, command: &str) -> Command {
        let mut cmd = Command::new(exe(bin_dir, "subtask-templates"));
        cmd.arg(command);
        self.configure(&mut cmd);
        cmd
    }
}

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

/// The binary `name` in `bin_dir` (`target/release`, `target/debug`).
pub(crate) fn exe(bin_dir: &Path, name: &str) -> PathBuf {
    bin_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::process::Command;

    use super::{App, Jira, Log};

    fn env_of(cmd: &Command) -> BTreeMap<String, Option<String>> {
        cmd.get_envs()
            .map(|(k, v)| {
                (k.to_string_lossy().into_owned(), v.map(|v| v.to_string_lossy().into_owned()))
            })
            .collect()
    }

    #[test]
    fn one_description_for_both_kinds_of_stack() {
        let registry = Path::new("/tmp/r.sqlite");
        let bench = App {
            environment: "test",
            port: 5001,
            registry,
            jira: Jira::Sandbox("http://127.0.0.1:5002"),
            log: Log::Json("info"),
            rate_limit: Some("99"),
            quick_retries: false,
        };
        let env = env_of(&bench.command(Path::new("target/release"), "serve"));
        let get = |name: &str| env.get(name).cloned().flatten();
        assert_eq!(get("APP_ENVIRONMENT").as_deref(), Some("test"));
        assert_eq!(get("APP__CONNECT__BASE_URL").as_deref(), Some("http://127.0.0.1:5001"));
        assert_eq!(get("APP__REGISTRY__URL").as_deref(), Some("sqlite:///tmp/r.sqlite"));
        assert_eq!(get("APP__SANDBOX__ENABLED").as_deref(), Some("false"));
        assert_eq!(
            get("APP__FORGE__JWKS_URL").as_deref(),
            Some("http://127.0.0.1:5002/forge/.well-known/jwks.json")
        );
        assert_eq!(get("APP__HTTP__RATE_LIMIT__USER_BURST").as_deref(), Some("99"));
        assert_eq!(get("APP__TELEMETRY__FORMAT").as_deref(), Some("json"));
        assert!(get("APP__JIRA__RETRY__MAX_BACKOFF_MS").is_none());

        let custom_ui = Path::new("/tmp/ui");
        let dev = App {
            environment: "local",
            port: 8080,
            registry,
            jira: Jira::InProcess { port: 8081, custom_ui },
            log: Log::Configured,
            rate_limit: None,
            quick_retries: true,
        };
        let env = env_of(&dev.command(Path::new("target/debug"), "serve"));
        let get = |name: &str| env.get(name).cloned().flatten();
        assert_eq!(get("APP__SANDBOX__ENABLED").as_deref(), Some("true"));
        assert_eq!(get("APP__SANDBOX__PORT").as_deref(), Some("8081"));
        assert_eq!(get("APP__SANDBOX__FORGE_CUSTOM_UI").as_deref(), Some("/tmp/ui"));
        assert_eq!(
            get("APP__HTTP__CONNECT_JS_URL").as_deref(),
            Some("http://127.0.0.1:8081/atlassian-connect/all.js")
        );
        // The in-process sandbox points the app at itself; its log is as configured.
        assert!(get("APP__FORGE__JWKS_URL").is_none() && get("APP__TELEMETRY__FORMAT").is_none());
        assert!(get("APP__HTTP__RATE_LIMIT__USER_BURST").is_none());
        assert_eq!(get("APP__JIRA__RETRY__MAX_BACKOFF_MS").as_deref(), Some("500"));
    }
}
