//! The sandbox as a process of its own, driven through its control API: started, then asked to
//! install the app.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::APP_KEY;
use super::process::{exe, log_to, wait_ready};
use crate::shell::Background;

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
