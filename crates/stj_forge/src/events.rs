//! Forge lifecycle events sent to the remote (`avi:forge:installed:app`,
//! `avi:forge:uninstalled:app`): system invocations, a FIT without a user. The installation, its
//! site and API base URL come from the verified FIT only; the body says which event it is.

use std::sync::Arc;

use serde::Deserialize;

use stj_core::{AuthError, Clock, CloudId, ForgeRegistry, NewForgeInstallation};

use crate::links::InstallationLinks;
use crate::verifier::FitVerifier;

pub const INSTALLED: &str = "avi:forge:installed:app";
pub const UNINSTALLED: &str = "avi:forge:uninstalled:app";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventBody {
    event_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Unauthorized(#[from] AuthError),
    #[error("invalid Forge event: {0}")]
    BadPayload(String),
    #[error("installation registry unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl EventError {
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(e) => e.code(),
            Self::BadPayload(_) => "forge_event_invalid",
            Self::Unavailable(_) => "registry_unavailable",
        }
    }
}

#[derive(Debug)]
pub struct ForgeEvents {
    verifier: Arc<FitVerifier>,
    links: Arc<InstallationLinks>,
    clock: Arc<dyn Clock>,
}

impl ForgeEvents {
    pub fn new(
        verifier: Arc<FitVerifier>,
        links: Arc<InstallationLinks>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { verifier, links, clock }
    }

    /// Verifies, then records or forgets the installation. Returns the event type handled.
    pub async fn handle(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<&'static str, EventError> {
        let fit = self.verifier.verify(authorization).await?;
        let event: EventBody = serde_json::from_slice(body)
            .map_err(|_| EventError::BadPayload("body must be JSON with eventType".into()))?;
        let registry: &Arc<dyn ForgeRegistry> = self.links.registry();
        let unavailable = |e: stj_core::RegistryError| EventError::Unavailable(e.into());
        let handled = match event.event_type.as_str() {
            INSTALLED => {
                // Forge's API base URL ends in the cloud id; the context names it too.
                let cloud_id = fit
                    .cloud_id
                    .clone()
                    .or_else(|| {
                        let last = fit.api_base_url.as_str().rsplit('/').next()?;
                        CloudId::parse(last).ok()
                    })
                    .ok_or(EventError::Unauthorized(AuthError::Claims))?;
                let new = NewForgeInstallation {
                    installation_id: fit.installation_id.clone(),
                    cloud_id,
                    api_base_url: fit.api_base_url.clone(),
                };
                registry.upsert_forge(new, self.clock.now()).await.map_err(unavailable)?;
                INSTALLED
            }
            UNINSTALLED => {
                registry.delete_forge(&fit.installation_id).await.map_err(unavailable)?;
                UNINSTALLED
            }
            _ => {
                return Err(EventError::BadPayload(format!(
                    "eventType must be {INSTALLED} or {UNINSTALLED}"
                )));
            }
        };
        self.links.evict(&fit.installation_id);
        tracing::info!(
            forge.event = handled,
            forge.installation_id = fit.installation_id.as_str(),
            "forge event"
        );
        Ok(handled)
    }
}
