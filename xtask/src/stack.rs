//! The app and the Jira sandbox on loopback, as every local run starts them: `cargo xtask dev`,
//! the browser tests (`ui`), `dast` and `bench`. [`App`] is the one description of the app's
//! loopback settings (environment, port, registry, where its Jira is, log, rate limits, retry
//! backoff); the sandbox runs either inside the app's process (`--features sandbox`, a debug
//! build: dev and ui, which install and seed it themselves) or as a release process of its own
//! started first ([`start_sandbox`]: bench and DAST, which install through its control API).
//! Each process is polled until it answers; `Background` kills it however the command ends.
//! What else differs (sealing key, workers, what is installed) stays with each caller.

mod control;
mod process;

use std::path::Path;
use std::process::Command;

pub(crate) use self::control::{control_agent, install, post, start_sandbox};
pub(crate) use self::process::{exe, log_to, wait_ready};
use crate::shell;

pub(crate) const APP_KEY: &str = "io.subtask-templates.jira";

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
