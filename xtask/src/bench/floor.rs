//! The machine's floor: nginx answering `/healthz` with the app's own bytes (status, body and
//! security headers, copied from the app's live answer) from a static rule, with its access log
//! on, two worker processes like the app's two workers, under the same wrk load. A server that
//! does next to nothing per request: its throughput and p99 are what this machine gives at 32
//! connections before any application work (its tail is the scheduling of two shared vCPUs
//! between the server, wrk and the log), so the app's figures can be read against it.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;

use crate::shell::{Background, free_port, note};

/// Debian's nginx (`cargo xtask tools` installs it), by path: `/usr/sbin` is not on every user's
/// `PATH`.
pub(crate) const NGINX: &str = "/usr/sbin/nginx";

/// Headers nginx writes itself (or that describe the connection, not the answer).
const OWN_HEADERS: [&str; 5] = ["content-length", "content-type", "date", "server", "connection"];

#[derive(Debug)]
pub(crate) struct Floor {
    server: Background,
    pub(crate) url: String,
}

impl Floor {
    /// Starts nginx in the foreground (`daemon off`) with its files under `dir/nginx`, answering
    /// what `app_url/healthz` answers now.
    pub(crate) fn start(control: &ureq::Agent, app_url: &str, dir: &Path) -> anyhow::Result<Self> {
        let dir = dir.join("nginx");
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let answer = Answer::of(control, &format!("{app_url}/healthz"))?;
        let port = free_port()?;
        let conf = dir.join("nginx.conf");
        fs::write(&conf, config(&answer, port)?)
            .with_context(|| format!("cannot write {}", conf.display()))?;
        let mut cmd = Command::new(NGINX);
        cmd.arg("-p").arg(&dir).arg("-c").arg(&conf).arg("-e").arg(dir.join("error.log"));
        let server = Background::spawn("nginx (machine floor)", &mut cmd)?;
        // Owned by `Self` from here, so every way out stops its workers too (`Drop`).
        let mut floor = Self { server, url: format!("http://127.0.0.1:{port}/healthz") };
        for _ in 0..100 {
            floor.server.ensure_running()?;
            if control.get(&floor.url).call().is_ok() {
                note(format_args!(
                    "bench: machine floor (nginx) at {}, pid {}",
                    floor.url,
                    floor.server.id()
                ));
                return Ok(floor);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!(
            "nginx did not answer {} (see {})",
            floor.url,
            dir.join("error.log").display()
        )
    }

    /// The master and its worker processes: the CPU that answers.
    pub(crate) fn pids(&self) -> Vec<u32> {
        let master = self.server.id();
        let children = fs::read_to_string(format!("/proc/{master}/task/{master}/children"))
            .unwrap_or_default();
        std::iter::once(master)
            .chain(children.split_whitespace().filter_map(|pid| pid.parse().ok()))
            .collect()
    }
}

impl Drop for Floor {
    /// SIGTERM lets the master stop its workers; `Background` alone would SIGKILL the master and
    /// leave the workers listening.
    fn drop(&mut self) {
        let master = self.server.id().to_string();
        if Command::new("kill").args(["-TERM", &master]).status().is_ok() {
            for _ in 0..100 {
                if self.server.ensure_running().is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// What the app answered: status, headers to repeat, content type and body.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn of(control: &ureq::Agent, url: &str) -> anyhow::Result<Self> {
        let mut response = control.get(url).call().with_context(|| format!("GET {url}"))?;
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
        };
        let content_type = header("content-type");
        let headers = response
            .headers()
            .iter()
            .filter(|(name, _)| !OWN_HEADERS.contains(&name.as_str()))
            .map(|(name, value)| Ok((name.to_string(), value.to_str()?.to_owned())))
            .collect::<anyhow::Result<Vec<_>>>()
            .with_context(|| format!("GET {url}: a header that is not text"))?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().with_context(|| format!("GET {url}"))?;
        Ok(Self { status, content_type, headers, body })
    }
}

/// nginx's configuration: foreground, two workers, an access log line per request (buffered as
/// it ships), one static location that answers `answer`.
fn config(answer: &Answer, port: u16) -> anyhow::Result<String> {
    let mut headers = String::new();
    for (name, value) in &answer.headers {
        writeln!(headers, "      add_header {name} {} always;", quoted(value)?)?;
    }
    Ok(format!(
        "daemon off;\nworker_processes 2;\npid nginx.pid;\nerror_log error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log access.log;\n  server_tokens off;\n  \
         client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; \
         uwsgi_temp_path tmp; scgi_temp_path tmp;\n  \
         server {{\n    listen 127.0.0.1:{port};\n    location = /healthz {{\n      \
         default_type {};\n{headers}      return {} {};\n    }}\n  }}\n}}\n",
        quoted(&answer.content_type)?,
        answer.status,
        quoted(&answer.body)?,
    ))
}

/// `value` in nginx's quotes: single ones if it holds a double quote (a JSON body), else double;
/// refuses what would need escaping (both quotes, backslashes, `$` variables, control
/// characters) rather than guess at nginx's rules.
fn quoted(value: &str) -> anyhow::Result<String> {
    let needs_escaping = value.chars().any(|c| matches!(c, '\\' | '$') || c.is_control());
    let both_quotes = value.contains('"') && value.contains('\'');
    anyhow::ensure!(
        !needs_escaping && !both_quotes,
        "cannot put {value:?} in nginx's configuration as it is"
    );
    let quote = if value.contains('"') { '\'' } else { '"' };
    Ok(format!("{quote}{value}{quote}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_answers_the_apps_bytes() {
        let answer = Answer {
            status: 200,
            content_type: "application/json".into(),
            headers: vec![("x-content-type-options".into(), "nosniff".into())],
            body: r#"{"status":"ok"}"#.into(),
        };
        let conf = config(&answer, 4321).unwrap();
        assert!(conf.contains("listen 127.0.0.1:4321;"));
        assert!(conf.contains("add_header x-content-type-options \"nosniff\" always;"));
        assert!(conf.contains(r#"return 200 '{"status":"ok"}';"#));
        assert!(conf.contains("default_type \"application/json\";"));
    }

    #[test]
    fn values_that_need_escaping_are_refused() {
        assert!(quoted("default-src 'none'; frame-ancestors https://*.x").is_ok());
        for bad in ["a\"b'c", "a\\b", "$host", "a\nb"] {
            assert!(quoted(bad).is_err(), "{bad:?}");
        }
    }
}
