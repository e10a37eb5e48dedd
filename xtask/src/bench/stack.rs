//! The Jira sandbox and the app as separate release processes on loopback: the sandbox first, the
//! app on a fresh, migrated SQLite file under `target/bench/`, with JSON logs at `info` (the
//! access log on, as in production) and rate limits raised out of reach. The app's stdout (its
//! log) is read to the end by a thread, as a container runtime would, and counted; the first
//! 64 KiB and all of stderr go to `app.log`.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::shell::{self, Background, free_port, note, project_root, target_dir};
use crate::stack::{self as loopback, control_agent};

/// Sustained rate and burst for every tenant and user: beyond any load the bench can make.
pub(crate) const UNREACHABLE_RATE_LIMIT: u32 = 1_000_000_000;
/// Bytes of the app's stdout kept in `app.log` (the rest is counted, not stored).
const LOG_HEAD: usize = 64 * 1024;

#[derive(Debug)]
pub(crate) struct Stack {
    // Dropped in this order: the app first, then the sandbox.
    pub(crate) app: Background,
    _sandbox: Background,
    pub(crate) app_url: String,
    sandbox_url: String,
    pub(crate) control: ureq::Agent,
    /// Lines the app has written to stdout so far.
    log_lines: Arc<AtomicU64>,
}

impl Stack {
    pub(crate) fn start(out_dir: &Path) -> anyhow::Result<Self> {
        let release = target_dir().join("release");
        let control = control_agent();
        let (sandbox, sandbox_url) = loopback::start_sandbox(
            &control,
            &release,
            free_port()?,
            &out_dir.join("sandbox.log"),
        )?;

        let registry = fresh_registry(out_dir)?;
        let limit = UNREACHABLE_RATE_LIMIT.to_string();
        let app = loopback::App {
            environment: "test",
            port: free_port()?,
            registry: &registry,
            jira: loopback::Jira::Sandbox(&sandbox_url),
            // Production logging: JSON lines, the access log on.
            log: loopback::Log::Json("info"),
            rate_limit: Some(&limit),
            quick_retries: false,
        };
        let app_url = app.url();
        let app_command = |command: &str| {
            let mut cmd = app.command(&release, command);
            cmd.current_dir(project_root());
            cmd
        };
        shell::output(&mut app_command("migrate")).context("migrating the bench registry")?;
        let mut serve = app_command("serve");
        let app_log = File::create(out_dir.join("app.log"))?;
        serve.stdout(Stdio::piped()).stderr(Stdio::from(app_log.try_clone()?));
        let mut app = Background::spawn("the app", &mut serve)?;
        let log_lines = Arc::new(AtomicU64::new(0));
        let stdout = app.take_stdout().context("the app's stdout is not piped")?;
        drain(stdout, app_log, Arc::clone(&log_lines));
        loopback::wait_ready(&control, &mut app, &format!("{app_url}/healthz"))?;
        note(format_args!(
            "bench: app at {app_url} (pid {}), sandbox at {sandbox_url}; logs in {}",
            app.id(),
            out_dir.display()
        ));
        Ok(Self { app, _sandbox: sandbox, app_url, sandbox_url, control, log_lines })
    }

    /// Lines the app has logged since it started.
    pub(crate) fn log_lines(&self) -> u64 {
        self.log_lines.load(Ordering::Relaxed)
    }

    /// A new sandbox tenant installs the app (signed install, then enabled); its client key.
    pub(crate) fn install(&self) -> anyhow::Result<String> {
        let installed = loopback::install(&self.control, &self.sandbox_url, &self.app_url)?;
        let client_key = installed.get("client_key").and_then(Value::as_str);
        Ok(client_key.context("install answer without client_key")?.to_owned())
    }

    /// `JWT <token>`: a context token (qsh `context-qsh`, licence active) for `account_id`.
    pub(crate) fn context_token(
        &self,
        client_key: &str,
        account_id: &str,
    ) -> anyhow::Result<String> {
        let answer = self.post(
            &format!("/__sandbox/tenants/{client_key}/tokens/context"),
            &json!({ "account_id": account_id, "licence_active": true }),
        )?;
        let token = answer.get("token").and_then(Value::as_str).context("answer without token")?;
        Ok(format!("JWT {token}"))
    }

    /// A Forge Invocation Token and its `x-forge-oauth-user` token for `account_id` on the site of
    /// `client_key` (its Connect install carried the Forge installation id, so the two doors are
    /// one tenant), as Forge's platform mints them for one invocation.
    pub(crate) fn forge_tokens(
        &self,
        client_key: &str,
        account_id: &str,
    ) -> anyhow::Result<(String, String)> {
        let answer = self.post(
            "/__sandbox/forge/tokens",
            &json!({ "clientKey": client_key, "accountId": account_id }),
        )?;
        let text = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_owned);
        let fit = text("fit").context("answer without fit")?;
        let user_token = text("userToken").context("answer without userToken")?;
        Ok((fit, user_token))
    }

    /// An iframe URL as Jira signs it (computed qsh, `lic=active`): the app's URL without the
    /// token, and `JWT <token>` to send in the header.
    pub(crate) fn iframe(
        &self,
        client_key: &str,
        path: &str,
        query: &str,
    ) -> anyhow::Result<(String, String)> {
        let answer = self.post(
            &format!("/__sandbox/tenants/{client_key}/tokens/iframe"),
            &json!({ "method": "GET", "path": path, "query": query, "account_id": "bench-user", "lic": true }),
        )?;
        let text = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_owned);
        let url = text("url").context("answer without url")?;
        let token = text("token").context("answer without token")?;
        Ok((url, format!("JWT {token}")))
    }

    /// Calls the app made to Jira's licence endpoint (there should be none: tokens carry it).
    pub(crate) fn licence_calls(&self) -> anyhow::Result<usize> {
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
    pub(crate) fn request_counts(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let url = format!("{}/__sandbox/requests/counts", self.sandbox_url);
        let mut response = self.control.get(&url).call().with_context(|| format!("GET {url}"))?;
        let status = response.status().as_u16();
        anyhow::ensure!(status == 200, "GET {url}: status {status}");
        response.body_mut().read_json().with_context(|| format!("GET {url}"))
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.post_expect(path, body, 200)
    }

    /// `POST {sandbox}{path}` with a JSON body, answered `expected` with JSON.
    pub(crate) fn post_expect(
        &self,
        path: &str,
        body: &Value,
        expected: u16,
    ) -> anyhow::Result<Value> {
        loopback::post(&self.control, &self.sandbox_url, path, body, expected)
    }

    /// `DELETE {sandbox}{path}`, answered 2xx.
    pub(crate) fn delete(&self, path: &str) -> anyhow::Result<()> {
        let url = format!("{}{path}", self.sandbox_url);
        let response = self.control.delete(&url).call().with_context(|| format!("DELETE {url}"))?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "DELETE {url}: status {status}");
        Ok(())
    }
}

/// Reads `stdout` to its end on a thread of its own: the head into `head`, the lines counted.
fn drain(mut stdout: std::process::ChildStdout, mut head: File, lines: Arc<AtomicU64>) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 256 * 1024];
        let mut kept = 0usize;
        while let Ok(n) = stdout.read(&mut buf) {
            let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else { break };
            let newlines = chunk.iter().filter(|b| **b == b'\n').count();
            lines.fetch_add(u64::try_from(newlines).unwrap_or(0), Ordering::Relaxed);
            if kept < LOG_HEAD {
                let take = chunk.get(..n.min(LOG_HEAD.saturating_sub(kept))).unwrap_or_default();
                kept = kept.saturating_add(take.len());
                let _ignored = head.write_all(take);
            }
        }
    });
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
