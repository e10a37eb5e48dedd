//! Where the sandbox listens. Loopback only: it signs tokens with throwaway keys and hands out
//! tenant secrets over plain HTTP, so it must never be reachable from another machine.

use std::net::{IpAddr, Ipv4Addr};

use serde::Deserialize;

use crate::SandboxError;

/// How a [`crate::JiraSandbox`] listens and lays out its tenants.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxConfig {
    /// Address to bind. Must be a loopback address (`127.0.0.1`, `::1`); anything else is refused.
    pub bind: IpAddr,
    /// Port to bind; `0` picks a free one (what tests want).
    pub port: u16,
    /// Give each tenant its own base URL `{sandbox}/site/{n}` (like Confluence's `/wiki`, so the
    /// app must strip the path before computing qsh). Off: every tenant's base URL is the sandbox
    /// root, as for Jira Cloud, and the licence endpoint finds the tenant by whose secret signed.
    pub tenant_paths: bool,
    /// Give every new tenant the demo content of [`crate::Sandbox::seed_demo`] (local runs).
    pub seed_demo: bool,
    /// The Forge app id (uuid) in the FITs' `aud`; the app's dev and test config use the default.
    pub forge_app_id: String,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tenant_paths: false,
            seed_demo: false,
            forge_app_id: crate::FORGE_APP_ID.to_owned(),
        }
    }
}

impl SandboxConfig {
    /// The production guard: refuse anything but loopback before a socket is opened.
    pub fn check(&self) -> Result<(), SandboxError> {
        if self.bind.is_loopback() { Ok(()) } else { Err(SandboxError::NonLoopbackBind(self.bind)) }
    }
}
