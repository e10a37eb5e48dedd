//! Licence through either door. A verified claim wins (Connect's `lic`/context licence, or the
//! FIT's `app.license`); otherwise a Connect principal — or a Forge installation linked to a
//! Connect install — asks Jira through the Connect gate (cached per tenant, at most five minutes).
//! An unlinked Forge installation whose production FIT states no licence is refused: Forge sends
//! `app.license` with every invocation of a paid app in production, so its absence is not a
//! licence.

use std::sync::Arc;

use async_trait::async_trait;

use stj_core::{Door, Licence, LicenceCheckError, LicenceGate, Principal};

#[derive(Debug)]
pub struct DoorLicenceGate {
    connect: Arc<dyn LicenceGate>,
}

impl DoorLicenceGate {
    pub fn new(connect: Arc<dyn LicenceGate>) -> Self {
        Self { connect }
    }
}

#[async_trait]
impl LicenceGate for DoorLicenceGate {
    async fn licence(&self, principal: &Principal) -> Result<Licence, LicenceCheckError> {
        if let Some(claim) = principal.licence_claim {
            return Ok(claim);
        }
        let unlinked = principal.client_key.as_str().starts_with(stj_core::UNLINKED_FORGE_PREFIX);
        if principal.door == Door::Forge && unlinked {
            return Ok(Licence::Inactive);
        }
        self.connect.licence(principal).await
    }
}
