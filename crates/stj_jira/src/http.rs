//! The one way this crate calls out: blocking ureq on tokio's blocking pool, no redirects,
//! statuses returned as values, bodies capped.

use std::time::Duration;

use anyhow::Context as _;

/// Largest body read: a PEM key is under 1 KiB and the add-on record a few KiB.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// A finished exchange. The body is read only for 200.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub status: u16,
    pub body: String,
}

/// No redirects at all: a 3xx is an answer we refuse, so a key or licence can only come from the
/// configured host, and the `Authorization` header never travels anywhere else.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("stj-subtask-templates/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// GET `url` off the async runtime. Errors carry the URL's host and the cause, never headers.
pub(crate) async fn get(
    agent: &ureq::Agent,
    url: String,
    accept: &'static str,
    authorization: Option<String>,
) -> anyhow::Result<Fetched> {
    let agent = agent.clone();
    tokio::task::spawn_blocking(move || {
        let mut request = agent.get(&url).header("Accept", accept);
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let mut response = request.call().context("request failed")?;
        let status = response.status().as_u16();
        let body = if status == 200 {
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_string()
                .context("reading body failed")?
        } else {
            String::new()
        };
        Ok(Fetched { status, body })
    })
    .await
    .context("blocking HTTP task failed")?
}
