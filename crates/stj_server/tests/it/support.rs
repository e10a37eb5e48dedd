//! Shared test plumbing: spawning the app beside a Jira sandbox, an HTTP client, captured logs.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Mutex, Once, OnceLock};

use actix_web::dev::ServerHandle;
use stj_core::ClientKey;
use stj_jira_sandbox::{ForgeTokenRequest, JiraSandbox, SandboxConfig};
use stj_server::settings::TelemetryConfig;
use stj_server::{Application, Environment, Settings, telemetry};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn config_dir() -> PathBuf {
    workspace_root().join("config")
}

#[expect(clippy::disallowed_methods, reason = "tests find ../shared through STJ_SHARED_DIR")]
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var("STJ_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("../shared"));
    assert!(
        dir.is_dir(),
        "shared reference folder not found at {}; set STJ_SHARED_DIR",
        dir.display()
    );
    dir
}

#[expect(clippy::disallowed_methods, reason = "tests find Postgres through DATABASE_URL")]
pub fn postgres_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn settings(environment: Environment, overrides: &[(&str, &str)]) -> Settings {
    let env = overrides.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    Settings::load(&config_dir(), environment, env).expect("settings load")
}

pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// Every log line of this test binary, captured as JSON at debug level.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().expect("logs")).into_owned()
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

#[derive(Clone, Copy)]
struct LogSink;

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().expect("logs").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let config = TelemetryConfig { filter: "debug".into(), format: "json".into() };
        telemetry::init(&config, || LogSink);
    });
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
    /// Postgres at a given URL (e.g. through a proxy the test controls).
    PostgresAt(String),
}

/// Which front door a test goes through: the same API either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Connect: the tenant's context JWT; the app reaches Jira through the JWT bearer grant.
    Connect,
    /// Forge Remote: a FIT and the user's `x-forge-oauth-user` token, fresh per request.
    Forge,
}

impl Door {
    pub const ALL: [Self; 2] = [Self::Connect, Self::Forge];
}

/// What one request carries to authenticate through a door.
pub struct Credentials {
    pub authorization: String,
    pub headers: Vec<(String, String)>,
}

/// The app, on a loopback port, with its own registry and its own Jira sandbox.
pub struct TestApp {
    pub url: String,
    pub app_key: String,
    pub sandbox: JiraSandbox,
    pub client: ureq::Agent,
    server: ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Db::Sqlite, &[])
}

pub fn spawn_app_with(db: Db, overrides: &[(&str, &str)]) -> TestApp {
    init_logs();
    let sandbox = JiraSandbox::start(SandboxConfig::default()).expect("sandbox");
    // Forge tokens carry the manifest's scopes, so every Jira call through the Forge door proves
    // the manifest asks for enough.
    sandbox.set_forge_scopes(Some(manifest_scopes()));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let registry_url = match db {
        Db::Sqlite => format!("sqlite://{}", temp_path("registry.sqlite").display()),
        Db::Postgres => postgres_url(),
        Db::PostgresAt(url) => url,
    };
    migrate_once(&registry_url);
    let keys_url = sandbox.install_keys_url();
    let oauth_url = sandbox.auth_server_url().to_owned();
    let jwks_url = sandbox.forge_jwks_url();
    let mut all: Vec<(&str, &str)> = vec![
        ("APP__CONNECT__BASE_URL", &url),
        ("APP__REGISTRY__URL", &registry_url),
        ("APP__JIRA__INSTALL_KEYS_URL", &keys_url),
        ("APP__JIRA__OAUTH_SERVER_URL", &oauth_url),
        ("APP__FORGE__JWKS_URL", &jwks_url),
        // Backoff without Retry-After starts small so fault tests stay quick.
        ("APP__JIRA__RETRY__INITIAL_BACKOFF_MS", "20"),
        ("APP__JIRA__RETRY__MAX_BACKOFF_MS", "3000"),
    ];
    all.extend_from_slice(overrides);
    let settings = settings(Environment::Test, &all);
    let app_key = settings.connect.app_key.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app =
                Application::build_with_listener(settings, listener).await.expect("app builds");
            tx.send(app.handle()).expect("send handle");
            app.run_until_stopped().await.expect("server runs");
        });
    });
    let server = rx.recv().expect("app started");
    let client = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    TestApp { url, app_key, sandbox, client, server }
}

/// `permissions.scopes` of `forge/manifest.yml`.
pub fn manifest_scopes() -> Vec<String> {
    let text =
        std::fs::read_to_string(workspace_root().join("forge/manifest.yml")).expect("manifest");
    let manifest: serde_json::Value = serde_yaml_ng::from_str(&text).expect("manifest is YAML");
    let scopes = manifest.pointer("/permissions/scopes").and_then(|s| s.as_array());
    let scopes: Vec<String> =
        scopes.into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect();
    assert!(!scopes.is_empty(), "the manifest names its scopes");
    scopes
}

/// Migrations run once per database URL per test binary (concurrent runs would race).
pub fn migrate_once(url: &str) {
    static DONE: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let done = DONE.get_or_init(|| Mutex::new(Vec::new()));
    let mut done = done.lock().expect("migrations lock");
    if !done.iter().any(|u| u == url) {
        block_on(stj_registry::run_migrations(&stj_privacy::Secret::new(url.to_owned())))
            .unwrap_or_else(|e| {
                panic!("migrations failed (is Postgres running? see README): {e:#}")
            });
        done.push(url.to_owned());
    }
}

pub fn temp_path(name: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("stj-it-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// Authentication passed: whatever the handler answered next (404 for an issue the sandbox
    /// lacks, 400 for a missing body) is not an auth refusal and not a server error.
    #[track_caller]
    pub fn assert_authenticated(&self, what: &str) {
        assert!(
            !matches!(self.status, 401 | 403) && self.status < 500,
            "{what}: {} {}",
            self.status,
            self.body
        );
    }
}

impl TestApp {
    /// Installs the app into a new sandbox tenant through the real signed-install handshake.
    pub fn install(&self) -> ClientKey {
        let installed = block_on(self.sandbox.install(&self.url, &self.app_key)).expect("install");
        assert_eq!(installed.status, 204, "installed callback");
        assert_eq!(installed.enabled_status, Some(204), "enabled callback");
        installed.tenant.client_key
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: Option<&str>,
    ) -> Response {
        self.request_with(method, path, authorization, body, &[])
    }

    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: Option<&str>,
        extra_headers: &[(&str, &str)],
    ) -> Response {
        let url = format!("{}{path}", self.url);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(value) = authorization {
            builder = builder.header("Authorization", value);
        }
        for (name, value) in extra_headers {
            builder = builder.header(*name, *value);
        }
        let result = match body {
            Some(text) => {
                let request = builder
                    .header("Content-Type", "application/json")
                    .body(text.to_owned())
                    .expect("request");
                self.client.run(request)
            }
            None => self.client.run(builder.body(()).expect("request")),
        };
        let mut res = result.unwrap_or_else(|e| panic!("{method} {path} failed: {e}"));
        let status = res.status().as_u16();
        let headers = res
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        Response { status, headers, body }
    }

    /// A new site with the app installed through `door`: Connect's signed install, or Forge's
    /// `avi:forge:installed:app` on a site that never had the Connect app.
    pub fn install_through(&self, door: Door) -> ClientKey {
        match door {
            Door::Connect => self.install(),
            Door::Forge => {
                let (site, status) =
                    block_on(self.sandbox.install_forge(&self.url)).expect("forge install");
                assert!((200..300).contains(&status), "avi:forge:installed:app answered {status}");
                site.client_key
            }
        }
    }

    /// Credentials for `account_id` on `client_key` through `door`, minted for one request.
    pub fn credentials(&self, door: Door, client_key: &ClientKey, account_id: &str) -> Credentials {
        match door {
            Door::Connect => Credentials {
                authorization: self.context_auth(client_key, account_id),
                headers: Vec::new(),
            },
            Door::Forge => {
                let request = ForgeTokenRequest::user(client_key, account_id);
                let tokens = self.sandbox.forge_tokens(&request).expect("forge tokens");
                let user = tokens.user_token.expect("a user invocation has a user token");
                Credentials {
                    authorization: format!("Bearer {}", tokens.fit.expose()),
                    headers: vec![("x-forge-oauth-user".to_owned(), user.expose().clone())],
                }
            }
        }
    }

    /// [`Self::request_with`] carrying `who`'s credentials.
    pub fn request_as(
        &self,
        who: &Credentials,
        method: &str,
        path: &str,
        body: Option<&str>,
        extra_headers: &[(&str, &str)],
    ) -> Response {
        let mut headers: Vec<(&str, &str)> =
            who.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        headers.extend_from_slice(extra_headers);
        self.request_with(method, path, Some(&who.authorization), body, &headers)
    }

    /// A context token for `account_id` on `client_key` (licence active).
    pub fn context_auth(&self, client_key: &ClientKey, account_id: &str) -> String {
        format!(
            "JWT {}",
            self.sandbox.context_jwt(client_key, account_id, true).expect("context jwt")
        )
    }
}
