//! The app and the Jira sandbox as release processes on loopback, for the DAST runs: the app in
//! local mode on a fresh, migrated SQLite registry with a throwaway sealing key, installed into
//! two sandbox tenants through the signed-install handshake.

use std::fs;
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::dast::options::Options;
use crate::shell::{self, Background, free_port, note};
use crate::stack::{self as loopback, APP_KEY, control_agent};

/// Beyond anything the runs send: the gate tests answers, not the limiter (tests cover 429s).
const RAISED_RATE_LIMIT: &str = "1000000";

#[derive(Debug)]
pub(crate) struct Stack {
    // Dropped in this order: the app first, then the sandbox.
    app: Background,
    sandbox: Background,
    pub(crate) app_url: String,
    sandbox_url: String,
    dir: PathBuf,
    sealing_key: String,
    control: ureq::Agent,
}

impl Stack {
    pub(crate) fn start(options: &Options) -> anyhow::Result<Self> {
        super::fresh_dir(&options.dir)?;
        let dir = options.dir.clone();
        let release = options.target.join("release");
        let control = control_agent();
        let sandbox_port = options.sandbox_port.map_or_else(free_port, Ok)?;
        let (sandbox, sandbox_url) =
            loopback::start_sandbox(&control, &release, sandbox_port, &dir.join("sandbox.log"))?;

        let sealing_key = throwaway_key();
        let registry = dir.join("registry.sqlite");
        let settings = loopback::App {
            environment: "local",
            port: options.app_port.map_or_else(free_port, Ok)?,
            registry: &registry,
            jira: loopback::Jira::Sandbox(&sandbox_url),
            log: loopback::Log::Json("info"),
            rate_limit: Some(RAISED_RATE_LIMIT),
            quick_retries: true,
        };
        let app_url = settings.url();
        let app = |command: &str| {
            let mut cmd = settings.command(&release, command);
            cmd.current_dir(&dir)
                .env("APP_CONFIG_DIR", options.root.join("config"))
                .env("APP__HTTP__WORKERS", "2")
                .env("APP__SEALING__ACTIVE_KEY_ID", "dast")
                .env("APP__SEALING__KEYS__DAST", &sealing_key);
            cmd
        };
        shell::output(&mut app("migrate")).context("migrating the DAST registry")?;
        let mut serve = app("serve");
        loopback::log_to(&mut serve, &dir.join("app.log"))?;
        let mut app = Background::spawn("the app", &mut serve)?;
        loopback::wait_ready(&control, &mut app, &format!("{app_url}/readyz"))?;
        note(format_args!("dast: app at {app_url}, Jira sandbox at {sandbox_url}"));
        Ok(Self { app, sandbox, app_url, sandbox_url, dir, sealing_key, control })
    }

    /// Installs the app into two new sandbox tenants (one for pages and the API, one that
    /// lifecycle calls may disable or uninstall) and writes what the hooks need; its path.
    pub(crate) fn install_and_describe(&self) -> anyhow::Result<PathBuf> {
        let main = self.install()?;
        let lifecycle = self.install()?;
        // Jira content for the subtask API: project DEMO, issue DEMO-1, a site admin to act as.
        let seed = self.post(
            &format!(
                "/__sandbox/tenants/{}/seed-demo",
                field(&main, "client_key").as_str().unwrap_or_default()
            ),
            &json!({}),
        )?;
        let context = json!({
            "account_id": field(&seed, "admin_account_id"),
            "app_url": self.app_url,
            "sandbox_url": self.sandbox_url,
            "app_key": APP_KEY,
            "tenants": { "main": main, "lifecycle": lifecycle },
            "secrets": [self.sealing_key],
        });
        let path = self.dir.join("context.json");
        fs::write(&path, serde_json::to_string_pretty(&context)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        loopback::post(&self.control, &self.sandbox_url, path, body, 200)
    }

    fn install(&self) -> anyhow::Result<Value> {
        let answer = loopback::install(&self.control, &self.sandbox_url, &self.app_url)?;
        note(format_args!("dast: installed into tenant {}", field(&answer, "client_key")));
        Ok(
            json!({ "client_key": field(&answer, "client_key"), "shared_secret": field(&answer, "shared_secret") }),
        )
    }

    pub(crate) fn ensure_alive(&mut self) -> anyhow::Result<()> {
        self.app.ensure_running().context("the app died during the run (see app.log)")?;
        self.sandbox.ensure_running()
    }

    /// Panics or secrets in the app's log.
    pub(crate) fn log_problems(&self) -> anyhow::Result<Vec<String>> {
        let context: Value =
            serde_json::from_str(&fs::read_to_string(self.dir.join("context.json"))?)?;
        let mut secrets = vec![self.sealing_key.clone()];
        let tenants = field(&context, "tenants");
        for tenant in tenants.as_object().into_iter().flat_map(|t| t.values()) {
            secrets.extend(field(tenant, "shared_secret").as_str().map(str::to_owned));
        }
        let log = fs::read_to_string(self.dir.join("app.log"))?;
        let mut problems = Vec::new();
        if log.contains("panicked") {
            problems.push("a handler panicked".to_owned());
        }
        if secrets.iter().any(|s| !s.is_empty() && log.contains(s.as_str())) {
            problems.push("a shared secret or the sealing key was logged".to_owned());
        }
        Ok(problems)
    }

    /// `--keep`: the stack stays up until Enter (or end of input).
    pub(crate) fn hold(&self) {
        note(format_args!(
            "dast: --keep: app at {}, sandbox at {}; press Enter to stop them",
            self.app_url, self.sandbox_url
        ));
        let mut line = String::new();
        let _ignored = std::io::stdin().read_line(&mut line);
    }
}

/// `value[name]`, or null.
fn field(value: &Value, name: &str) -> Value {
    value.get(name).cloned().unwrap_or(Value::Null)
}

/// 64 hex characters from the kernel's randomness: a sealing key that lives for one run.
fn throwaway_key() -> String {
    let bytes = fs::read("/proc/sys/kernel/random/uuid").unwrap_or_default();
    let more = fs::read("/proc/sys/kernel/random/uuid").unwrap_or_default();
    let hex: String = [bytes, more]
        .concat()
        .iter()
        .map(|b| char::from(*b))
        .filter(char::is_ascii_hexdigit)
        .collect();
    format!("{hex:0>64}").chars().take(64).collect()
}
