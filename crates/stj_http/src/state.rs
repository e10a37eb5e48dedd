use std::sync::Arc;

use stj_connect::Lifecycle;
use stj_core::{Authenticator, InstallationRegistry, LicenceGate};
use stj_forge::ForgeEvents;
use stj_subtasks::{LibraryService, SubtaskService};

use crate::HttpConfig;
use crate::ratelimit::RateLimits;

/// What handlers and extractors reach through `web::Data`. Ports only, wired by the binary.
#[derive(Debug)]
pub struct EdgeState {
    /// The Connect door (tenant HS256 JWTs).
    pub authenticator: Arc<dyn Authenticator>,
    /// The Forge door (Forge Invocation Tokens); `None` turns it off (every Bearer is refused).
    pub forge: Option<Arc<dyn Authenticator>>,
    /// Forge lifecycle events (`POST /forge/events`), with the Forge door.
    pub forge_events: Option<Arc<ForgeEvents>>,
    pub licence: Arc<dyn LicenceGate>,
    pub lifecycle: Arc<Lifecycle>,
    pub registry: Arc<dyn InstallationRegistry>,
    pub subtasks: Arc<SubtaskService>,
    pub library: Arc<LibraryService>,
    /// Serialised once at start-up: the descriptor only changes with configuration.
    pub descriptor_json: String,
    pub limits: RateLimits,
    pub config: HttpConfig,
    /// The iframe pages, rendered on first use: they depend on configuration only.
    pub pages: PageCache,
}

/// One rendered page per iframe view (`handlers::pages`); a request clones a reference, not HTML.
#[derive(Debug, Default)]
pub struct PageCache(pub(crate) [std::sync::OnceLock<actix_web::web::Bytes>; 3]);
