use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address to bind, e.g. `0.0.0.0` in a container, `127.0.0.1` locally.
    pub host: String,
    pub port: u16,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// Largest request body accepted (413 above).
    pub max_body_bytes: usize,
    /// Largest total size of request headers accepted (431 above).
    pub max_header_bytes: usize,
    /// Seconds in-flight requests get to finish after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Origins allowed to frame the app's pages (CSP `frame-ancestors`).
    pub frame_ancestors: Vec<String>,
    /// Connect's JS API (`AP`) the pages load: Atlassian's CDN in production; the Jira sandbox's
    /// bridge in local runs. Its origin is the only foreign one in the CSP's `script-src`.
    pub connect_js_url: String,
    pub rate_limit: RateLimitConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained requests per second for one tenant (all its users together).
    pub tenant_per_second: u32,
    pub tenant_burst: u32,
    /// Sustained requests per second for one user of one tenant.
    pub user_per_second: u32,
    pub user_burst: u32,
}
