#![doc = include_str!("../README.md")]

mod browser;
mod config;
pub mod conformance;
mod control;
mod faults;
mod forge;
mod host;
mod lifecycle;
mod outbound;
mod record;
mod rest;
mod server;
mod site;
mod tenants;
pub mod tokens;
mod verify;

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, TcpListener};
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::web;
use stj_core::{ClientKey, TenantUrl};

pub use browser::SignedRequest;
pub use config::SandboxConfig;
pub use faults::{Fault, FaultKind};
pub use forge::{
    FIT_ISSUER, FORGE_APP_ID, FORGE_EVENTS_PATH, FORGE_TOKEN_TTL_SECS, ForgeEvent, ForgeSite,
    ForgeTokenRequest, ForgeTokens, SignWith, app_ari,
};
pub use lifecycle::{Installed, LifecycleEvent};
pub use record::RecordedRequest;
pub use rest::{ACCESS_TOKEN_TTL_SECS, MAX_ASSERTION_LIFETIME_SECS, MAX_BULK_CREATE};
pub use server::Sandbox;
pub use site::model::{
    Entity, IssueRef, IssueTypeInfo, JiraUser, NewIssue, NewProject, Permissions, ProjectInfo,
};
pub use site::seed::{DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, DemoSeed, QA_CHECK_TYPE};
pub use tenants::{LicenceState, TenantInfo};
pub use tokens::{decode_claims_unverified, sign_hs256, sign_rs256, unsigned_token};

use server::lock;
use tenants::Tenant;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox binds to loopback only; refusing {0}")]
    NonLoopbackBind(IpAddr),
    #[error("sandbox I/O failed")]
    Io(#[from] std::io::Error),
    #[error("no tenant {0}")]
    UnknownTenant(String),
    #[error("no app is installed on tenant {0}")]
    NotInstalled(String),
    #[error("invalid claims: {0}")]
    Claims(String),
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("{0:?} is not an absolute http(s) URL without query or fragment")]
    AppUrl(String),
    #[error("request to the app failed")]
    Http(#[from] ureq::Error),
    #[error("the sandbox thread stopped")]
    Stopped,
    #[error("invalid sandbox content: {0}")]
    Invalid(String),
}

/// A running simulator of the Jira Cloud side of Connect, on loopback. Derefs to [`Sandbox`] for
/// tenants, lifecycle calls, tokens and faults. Stops when dropped.
#[derive(Debug)]
pub struct JiraSandbox {
    sandbox: web::Data<Sandbox>,
    server: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl JiraSandbox {
    /// Bind (loopback only) and serve on a thread of its own, so the handle works from sync tests,
    /// `#[tokio::test]` and actix tests alike.
    pub fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        config.check()?;
        let listener = TcpListener::bind((config.bind, config.port))?;
        let root_url = format!("http://{}", listener.local_addr()?);
        // Forge's CDN for Custom UI frames: another origin than the host pages, as in Forge.
        let cdn_listener = TcpListener::bind((config.bind, 0))?;
        let cdn_url = format!("http://{}", cdn_listener.local_addr()?);
        let kid = format!("stj-sandbox/{}", tenants::random_alnum(16).to_ascii_lowercase());
        let key_pair = tokens::install_key_pair()?.clone().with_key_id(&kid);
        let public_pem =
            key_pair.public_key().to_pem().map_err(|e| SandboxError::Sign(e.to_string()))?;
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .max_redirects(0)
            .http_status_as_error(false)
            // No pooled connections: one the app closed while idle would fail the next call
            // (a lost invoke or lifecycle event), and the sandbox's calls are few.
            .max_idle_connections(0)
            .build()
            .into();
        let sandbox = web::Data::from(Arc::new(Sandbox {
            root_url,
            tenant_paths: config.tenant_paths,
            kid,
            key_pair,
            public_pem,
            tenants: Mutex::new(Vec::new()),
            fault_table: faults::FaultTable::default(),
            request_log: Mutex::new(Vec::new()),
            route_counts: Mutex::new(BTreeMap::new()),
            sites: Mutex::new(HashMap::new()),
            seed_new_tenants: config.seed_demo,
            agent,
            host: host::HostState::default(),
            forge: forge::Forge::new(&config.forge_app_id),
        }));
        sandbox.host.forge.set_origin(cdn_url);
        let (tx, rx) = std::sync::mpsc::channel();
        let served = sandbox.clone();
        let thread =
            std::thread::Builder::new().name("jira-sandbox".to_owned()).spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    match server::build(served, [listener, cdn_listener]) {
                        Ok(server) => {
                            let _ = tx.send(Ok(server.handle()));
                            if let Err(e) = server.await {
                                tracing::error!(error = %e, "sandbox server failed");
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                });
            })?;
        let server = rx.recv().map_err(|_| SandboxError::Stopped)??;
        tracing::info!(url = %sandbox.root_url, "jira sandbox listening");
        Ok(Self { sandbox, server, thread: Some(thread) })
    }
}

impl Deref for JiraSandbox {
    type Target = Sandbox;

    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for JiraSandbox {
    fn drop(&mut self) {
        // `stop` sends the command before returning its future; nothing needs to await it.
        drop(self.server.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Sandbox {
    /// `http://127.0.0.1:{port}`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.root_url
    }

    /// Base URL of the install-key service (`GET {this}/{kid}`), for the app's config.
    pub fn install_keys_url(&self) -> String {
        format!("{}/install-keys", self.root_url)
    }

    /// The `kid` this sandbox puts in signed-install tokens.
    pub fn install_kid(&self) -> &str {
        &self.kid
    }

    /// The PEM public key served for [`Self::install_kid`].
    pub fn install_public_key_pem(&self) -> &str {
        &self.public_pem
    }

    /// Sign `claims` with the install key, `kid` in the header, as Atlassian signs lifecycle calls.
    pub fn sign_install_token(&self, claims: &serde_json::Value) -> Result<String, SandboxError> {
        sign_rs256(&self.key_pair, claims)
    }

    /// A new Jira site, without the app (and with the demo content when the sandbox seeds it).
    /// [`Self::install`] creates one itself.
    pub fn add_tenant(&self) -> Result<TenantInfo, SandboxError> {
        let info = self.new_tenant()?;
        lock(&self.sites).insert(info.client_key.as_str().to_owned(), site::Site::new());
        if self.seed_new_tenants {
            self.seed_demo(&info.client_key)?;
        }
        Ok(info)
    }

    fn new_tenant(&self) -> Result<TenantInfo, SandboxError> {
        let mut tenants = lock(&self.tenants);
        let client_key = ClientKey::parse(&tenants::random_client_key())
            .map_err(|e| SandboxError::Claims(e.to_string()))?;
        let site = self.tenant_paths.then(|| tenants.len().saturating_add(1).to_string());
        let raw_url = match &site {
            Some(site) => format!("{}/site/{site}", self.root_url),
            None => self.root_url.clone(),
        };
        let base_url =
            TenantUrl::parse(&raw_url).map_err(|e| SandboxError::Claims(e.to_string()))?;
        let tenant = Tenant::new(client_key, base_url, site);
        let info = tenant.info();
        tenants.push(tenant);
        Ok(info)
    }

    /// The tenant as the app would know it from its last `installed` payload.
    pub fn tenant(&self, client_key: &ClientKey) -> Result<TenantInfo, SandboxError> {
        self.with_tenant(client_key, |t| t.info())
    }

    /// What the app-licence endpoint reports for this tenant from now on.
    pub fn set_licence(
        &self,
        client_key: &ClientKey,
        licence: LicenceState,
    ) -> Result<(), SandboxError> {
        self.with_tenant(client_key, |t| t.licence = licence)
    }

    pub fn add_fault(&self, fault: Fault) {
        self.fault_table.add(fault);
    }

    pub fn clear_faults(&self) {
        self.fault_table.clear();
    }

    /// Faults still armed (a fault limited to `times` disappears once used up).
    pub fn faults(&self) -> Vec<Fault> {
        self.fault_table.list()
    }

    /// Every non-control request served so far, oldest first (to check caching and retries).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.request_log).clone()
    }

    /// Forget the request log and the per-route counts.
    pub fn clear_requests(&self) {
        lock(&self.request_log).clear();
        lock(&self.route_counts).clear();
    }

    pub(crate) fn with_tenant<T>(
        &self,
        client_key: &ClientKey,
        f: impl FnOnce(&mut Tenant) -> T,
    ) -> Result<T, SandboxError> {
        let mut tenants = lock(&self.tenants);
        let tenant = tenants
            .iter_mut()
            .find(|t| &t.client_key == client_key)
            .ok_or_else(|| SandboxError::UnknownTenant(client_key.to_string()))?;
        Ok(f(tenant))
    }
}
