//! The real binary as a separate process (as ECS runs it): configuration from `config/` plus
//! `APP__…` variables, stdout kept for the test to read, killed on drop.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stj_jira_sandbox::{JiraSandbox, SandboxConfig};

use crate::support::{config_dir, migrate_once, postgres_url};

pub struct Instance {
    pub url: String,
    pub client: ureq::Agent,
    child: Child,
    stdout: Arc<Mutex<String>>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Instance {
    /// `subtask-templates serve` in the `test` environment on `port`, with `env` on top; waits
    /// until `/healthz` answers.
    #[expect(clippy::disallowed_methods, reason = "runs the built binary as an operator would")]
    pub fn serve(port: u16, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_subtask-templates"));
        cmd.arg("serve")
            .env_clear()
            .env("APP_ENVIRONMENT", "test")
            .env("APP_CONFIG_DIR", config_dir())
            .env("APP__HTTP__HOST", "127.0.0.1")
            .env("APP__HTTP__PORT", port.to_string())
            .env("APP__HTTP__WORKERS", "2")
            .env("APP__TELEMETRY__FILTER", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let pipe = child.stdout.take().unwrap();
        let sink = Arc::clone(&stdout);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let client = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        let instance = Self { url: format!("http://127.0.0.1:{port}"), client, child, stdout };
        instance.wait_healthy();
        instance
    }

    fn wait_healthy(&self) {
        let started = Instant::now();
        loop {
            if let Ok(res) = self.client.get(format!("{}/healthz", self.url)).call()
                && res.status() == 200
            {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "instance at {} never became healthy; its log:\n{}",
                self.url,
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL, as a crashed task: no graceful shutdown; the kernel closes its sockets.
    pub fn kill(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
    }

    pub fn logs(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// `GET path` with `Authorization`; the status and the problem code (empty on 2xx).
    pub fn get(&self, path: &str, authorization: &str) -> (u16, String) {
        let mut res = self
            .client
            .get(format!("{}{path}", self.url))
            .header("Authorization", authorization)
            .call()
            .unwrap();
        let status = res.status().as_u16();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        let code = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json["code"].as_str().map(str::to_owned))
            .filter(|_| status >= 300)
            .unwrap_or_default();
        (status, code)
    }
}

/// Two instances of the binary on one Postgres, with the sandbox as their Jira. One public URL
/// for both (A's), as behind the ALB: only A receives lifecycle callbacks.
pub struct Pair {
    pub sandbox: JiraSandbox,
    pub a: Instance,
    pub b: Instance,
}

pub fn pair() -> Pair {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let database = postgres_url();
    migrate_once(&database);
    let (port_a, port_b) = (free_port(), free_port());
    let public = format!("http://127.0.0.1:{port_a}");
    let keys_url = sandbox.install_keys_url();
    let jwks_url = sandbox.forge_jwks_url();
    let env = [
        ("APP__REGISTRY__URL", database.as_str()),
        ("APP__CONNECT__BASE_URL", public.as_str()),
        ("APP__JIRA__INSTALL_KEYS_URL", keys_url.as_str()),
        ("APP__JIRA__OAUTH_SERVER_URL", sandbox.auth_server_url()),
        ("APP__FORGE__JWKS_URL", jwks_url.as_str()),
    ];
    let a = Instance::serve(port_a, &env);
    let b = Instance::serve(port_b, &env);
    Pair { sandbox, a, b }
}
