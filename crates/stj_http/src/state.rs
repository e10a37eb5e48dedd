use std::sync::Arc;

use stj_connect::Lifecycle;
use stj_core::{Authenticator, InstallationRegistry, LicenceGate};
use stj_subtasks::{LibraryService, SubtaskService};

use crate::HttpConfig;
use crate::ratelimit::RateLimits;

/// What handlers and extractors reach through `web::Data`. Ports only, wired by the binary.
#[derive(Debug)]
pub struct EdgeState {
    pub authenticator: Arc<dyn Authenticator>,
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
