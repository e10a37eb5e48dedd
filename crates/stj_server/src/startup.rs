//! The composition root: adapters are built here and handed inward as ports.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpServer, dev::Server, web};
use anyhow::Context;

use stj_connect::{
    ConnectJwtAuthenticator, ConnectLicenceGate, InstallKeys, Lifecycle, TenantDirectory,
    descriptor,
};
use stj_core::{
    Authenticator, EntityLocks, ForgeRegistry, InstallationRegistry, SecretSealer, SystemClock,
};
use stj_forge::{
    DoorLicenceGate, FitVerifier, ForgeAuthenticator, ForgeEvents, ForgeKeys, InstallationLinks,
};
use stj_http::EdgeState;
use stj_http::ratelimit::RateLimits;
use stj_jira::{HttpInstallKeySource, HttpJwksSource, JiraIssueGateway, JiraLicenceSource};
use stj_registry::Registry;
use stj_subtasks::{LibraryService, LocalLocks, SubtaskService};

use crate::Settings;

pub struct Application {
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

impl Application {
    /// Binds `http.host:http.port` and builds the app.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let address = format!("{}:{}", settings.http.host, settings.http.port);
        let listener =
            TcpListener::bind(&address).with_context(|| format!("failed to bind {address}"))?;
        Self::build_with_listener(settings, listener).await
    }

    /// Builds the app on a listener the caller bound (tests bind port 0 first to learn the URL).
    pub async fn build_with_listener(
        settings: Settings,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr().context("listener has no address")?.port();
        let state = web::Data::new(Self::state(&settings).await?);
        let https = settings.https.clone();
        let http = settings.http.clone();
        let mut server = HttpServer::new(move || stj_http::app(state.clone()))
            .shutdown_timeout(http.shutdown_timeout_secs)
            .max_connection_rate(512);
        if http.workers > 0 {
            server = server.workers(http.workers);
        }
        let server = match crate::https::server_config(&https)? {
            Some(tls) => server.listen_rustls_0_23(listener, tls),
            None => server.listen(listener),
        }
        .context("failed to listen")?
        .run();
        Ok(Self { port, server })
    }

    /// What the server hands every worker: the registry opened and every adapter wired. Also for
    /// tests that drive `stj_http::app` in process (the allocation budget).
    pub async fn state(settings: &Settings) -> anyhow::Result<EdgeState> {
        let registry = stj_registry::open(&settings.registry)
            .await
            .context("failed to open the installation registry")?;
        edge_state(settings, registry)
    }

    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then lets in-flight requests finish (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// A handle to stop the server (tests, and the local runner).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

fn edge_state(settings: &Settings, both: Arc<dyn Registry>) -> anyhow::Result<EdgeState> {
    let registry: Arc<dyn InstallationRegistry> = both.clone();
    let forge_registry: Arc<dyn ForgeRegistry> = both;
    let connect = &settings.connect;
    let sealer = SecretSealer::new(&settings.sealing.active_key_id, &settings.sealing.keys())
        .context("invalid sealing keys")?;
    let tenants = Arc::new(TenantDirectory::new(
        Arc::clone(&registry),
        Arc::new(sealer),
        Duration::from_secs(connect.tenant_cache_secs),
    ));
    let base_path = url::Url::parse(&connect.base_url)
        .context("connect.base_url is not a URL")?
        .path()
        .to_owned();
    let authenticator = Arc::new(ConnectJwtAuthenticator::new(Arc::clone(&tenants), &base_path));
    let keys = InstallKeys::new(Arc::new(HttpInstallKeySource::new(&settings.jira)?));
    let lifecycle = Lifecycle::new(
        &connect.app_key,
        &connect.base_url,
        keys,
        Arc::clone(&tenants),
        Arc::clone(&authenticator),
        Arc::new(SystemClock),
    )
    .with_forge_links(Arc::clone(&forge_registry));
    let licence_source = Arc::new(JiraLicenceSource::new(&connect.app_key, &settings.jira)?);
    let gateway = Arc::new(JiraIssueGateway::new(
        &connect.app_key,
        &settings.jira,
        Arc::clone(&tenants) as _,
    )?);
    let library =
        LibraryService::new(Arc::clone(&gateway) as _, &connect.app_key).map_err(|p| {
            anyhow::anyhow!("connect.app_key cannot prefix property keys: {}", p.message)
        })?;
    // What changes a Jira entity property by read-modify-write (an issue's ledger, a library)
    // takes turns per entity: across every instance on Postgres, within the process on SQLite.
    let shared = stj_registry::entity_locks(&settings.registry, &settings.locks)
        .context("invalid locks configuration")?;
    let locks: Arc<dyn EntityLocks> =
        shared.clone().unwrap_or_else(|| Arc::new(LocalLocks::new(settings.locks.wait())));
    let library = Arc::new(match shared {
        Some(shared) => library.with_locks(shared),
        None => library,
    });
    let subtasks = SubtaskService::new(gateway, Arc::clone(&library), &connect.app_key);
    let subtasks = Arc::new(subtasks.with_locks(locks));
    let licence = ConnectLicenceGate::new(
        licence_source,
        tenants,
        Duration::from_secs(connect.licence_cache_secs),
    );
    let licence = DoorLicenceGate::new(Arc::new(licence));
    let forge = forge_door(settings, forge_registry)?;
    let limits = RateLimits::new(&settings.http.rate_limit)
        .map_err(|e| anyhow::anyhow!("http.rate_limit: {} limits must be positive", e.0))?;
    Ok(EdgeState {
        authenticator,
        forge: forge.as_ref().map(|(door, _)| Arc::clone(door)),
        forge_events: forge.map(|(_, events)| events),
        licence: Arc::new(licence),
        lifecycle: Arc::new(lifecycle),
        registry,
        subtasks,
        library,
        descriptor_json: descriptor::descriptor(connect).to_string(),
        limits,
        config: settings.http.clone(),
        pages: stj_http::state::PageCache::default(),
    })
}

/// The Forge door's authenticator and its lifecycle events.
type ForgeDoor = (Arc<dyn Authenticator>, Arc<ForgeEvents>);

/// The Forge door, or `None` when `forge.app_id` is empty.
/// The JWKS is fetched on the first FIT, not at start, so start-up needs no network.
fn forge_door(
    settings: &Settings,
    registry: Arc<dyn ForgeRegistry>,
) -> anyhow::Result<Option<ForgeDoor>> {
    let forge = &settings.forge;
    if !forge.enabled() {
        tracing::warn!("forge.app_id is empty: the Forge door is off");
        return Ok(None);
    }
    let source = HttpJwksSource::new(&forge.jwks_url, &settings.jira)?;
    let keys = Arc::new(ForgeKeys::new(Arc::new(source), forge.ttl(), forge.min_refetch()));
    let verifier = Arc::new(FitVerifier::new(keys, &forge.app_id, forge.leeway()));
    // The same bound as Connect's tenant cache for a link made through another instance.
    let ttl = Duration::from_secs(settings.connect.tenant_cache_secs);
    let links = Arc::new(InstallationLinks::new(registry, ttl));
    let door = ForgeAuthenticator::new(Arc::clone(&verifier), Arc::clone(&links));
    let events = ForgeEvents::new(verifier, links, Arc::new(SystemClock));
    Ok(Some((Arc::new(door), Arc::new(events))))
}
