//! The one way this crate calls out to Atlassian: blocking ureq on tokio's blocking pool, no
//! redirects, statuses returned as values, bodies capped, and a retry policy around each call.
//!
//! Every adapter holds a [`Transport`]; they differ only in its [`Policy`]: the install-key
//! service, Forge's JWKS and the licence endpoint fetch once with a small body cap
//! ([`Policy::fetch`]), Jira REST and the token endpoint retry under `[jira.retry]` and take
//! larger answers ([`Policy::rest`]).
//!
//! A call that cannot have been applied (connection refused, 429) is retried; a write whose
//! outcome is unknown (timeout, dropped connection, 5xx after sending) is reported as
//! [`Failed::Uncertain`], never retried blindly.

use std::time::Duration;

use rand::Rng;
use stj_privacy::Secret;
use stj_subtasks::GatewayError;

use crate::RetryConfig;

/// A PEM key is under 1 KiB, the add-on record and a JWKS a few KiB.
const FETCH_MAX_BODY_BYTES: u64 = 64 * 1024;
/// Bulk-create answers for 50 issues stay far below this.
const REST_MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// How a [`Transport`] treats one call: how often it tries again, and how much it reads.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    retry: RetryConfig,
    max_body_bytes: u64,
}

impl Policy {
    /// One attempt, answers up to 64 KiB: the install-key service, Forge's JWKS, the licence
    /// endpoint. Their callers (key caches, the licence gate) decide when to ask again.
    pub(crate) fn fetch() -> Self {
        let retry =
            RetryConfig { rate_limit_retries: 0, transient_retries: 0, ..RetryConfig::default() };
        Self { retry, max_body_bytes: FETCH_MAX_BODY_BYTES }
    }

    /// Jira REST and the token endpoint: `retry` (Atlassian's backoff for 429, bounded retries
    /// for transient failures), answers up to 4 MiB.
    pub(crate) fn rest(retry: RetryConfig) -> Self {
        Self { retry, max_body_bytes: REST_MAX_BODY_BYTES }
    }
}

/// One agent (connection pool, timeout) and the policy its calls run under.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    policy: Policy,
}

#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: &'static str,
    pub url: String,
    pub accept: &'static str,
    /// `Bearer …` or `JWT …`; none for the token endpoint (the assertion is in the body) and
    /// for the public key services.
    pub authorization: Option<Secret<String>>,
    pub content_type: Option<&'static str>,
    pub body: Option<String>,
    /// GET/PUT/DELETE: safe to repeat. Bulk create is not.
    pub idempotent: bool,
}

impl Request {
    /// A GET (idempotent, no body).
    pub(crate) fn get(
        url: String,
        accept: &'static str,
        authorization: Option<Secret<String>>,
    ) -> Self {
        Self {
            method: "GET",
            url,
            accept,
            authorization,
            content_type: None,
            body: None,
            idempotent: true,
        }
    }
}

/// A finished exchange: any status the policy does not retry or turn into [`Failed`] (so 2xx,
/// 3xx, and 4xx but 429), with its body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: String,
}

/// Why a call gave no [`Reply`]. Causes carry the host and status, never headers or bodies.
#[derive(Debug)]
pub(crate) enum Failed {
    /// Nothing was applied, or the call was safe to repeat: try again later.
    Unavailable(anyhow::Error),
    /// A write that may have been applied.
    Uncertain(anyhow::Error),
}

impl Failed {
    /// The cause, for callers that only read (a read whose outcome is unknown is just unavailable).
    pub(crate) fn into_cause(self) -> anyhow::Error {
        match self {
            Self::Unavailable(cause) | Self::Uncertain(cause) => cause,
        }
    }
}

impl From<Failed> for GatewayError {
    fn from(failed: Failed) -> Self {
        match failed {
            Failed::Unavailable(cause) => Self::Unavailable(cause),
            Failed::Uncertain(cause) => Self::Uncertain(cause),
        }
    }
}

enum Failure {
    /// The request never reached the server.
    NotSent(anyhow::Error),
    /// It may have been processed.
    Unknown(anyhow::Error),
}

/// The host a request goes to, for messages (a tenant's host may be logged; its path may not).
fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the server".to_owned())
}

impl Transport {
    /// No redirects at all: a 3xx is an answer we refuse, so a key, licence or token can only come
    /// from the configured host, and the `Authorization` header never travels anywhere else.
    pub(crate) fn new(timeout: Duration, policy: Policy) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("stj-subtask-templates/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { agent, policy }
    }

    fn send_blocking(&self, request: &Request) -> Result<(u16, Option<u64>, String), Failure> {
        let builder = ureq::http::Request::builder()
            .method(request.method)
            .uri(&request.url)
            .header("Accept", request.accept);
        let builder = match &request.authorization {
            Some(value) => builder.header("Authorization", value.expose()),
            None => builder,
        };
        let builder = match request.content_type {
            Some(ct) => builder.header("Content-Type", ct),
            None => builder,
        };
        let body = request.body.clone().unwrap_or_default();
        let http_request = builder.body(body).map_err(|e| Failure::NotSent(e.into()))?;
        let mut response = self.agent.run(http_request).map_err(|e| match e {
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => Failure::NotSent(e.into()),
            other => Failure::Unknown(other.into()),
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = response
            .body_mut()
            .with_config()
            .limit(self.policy.max_body_bytes)
            .read_to_string()
            .map_err(|e| Failure::Unknown(e.into()))?;
        Ok((status, retry_after, text))
    }

    /// Sends `request` under the policy. 429 and 5xx are retried or become [`Failed`]; every
    /// other status is returned to the caller as a [`Reply`].
    pub(crate) async fn send(&self, request: Request) -> Result<Reply, Failed> {
        let retry = &self.policy.retry;
        let mut backoff = Duration::from_millis(retry.initial_backoff_ms);
        let (mut rate_limited, mut transient) = (0u32, 0u32);
        let host = host(&request.url);
        loop {
            let (transport, request2) = (self.clone(), request.clone());
            // The blocking thread enters the caller's span (the request's, this call's), so
            // whatever the HTTP client logs there carries them.
            let span = tracing::Span::current();
            let outcome = tokio::task::spawn_blocking(move || {
                span.in_scope(|| transport.send_blocking(&request2))
            })
            .await
            .map_err(|e| Failed::Unavailable(e.into()))?;
            let wait = match outcome {
                Ok((429, retry_after, _)) if rate_limited < retry.rate_limit_retries => {
                    rate_limited = rate_limited.saturating_add(1);
                    match retry_after {
                        // Waiting longer than the cap would hold the user's request too long.
                        Some(secs) if secs.saturating_mul(1000) > retry.max_backoff_ms => {
                            return Err(Failed::Unavailable(anyhow::anyhow!(
                                "{host} asked to wait {secs} s"
                            )));
                        }
                        Some(secs) => Duration::from_secs(secs),
                        None => next_backoff(&mut backoff, retry),
                    }
                }
                Ok((429, _, _)) => {
                    return Err(Failed::Unavailable(anyhow::anyhow!("rate limited by {host}")));
                }
                Ok((status, _, _)) if status >= 500 && !request.idempotent => {
                    return Err(Failed::Uncertain(anyhow::anyhow!(
                        "{host} answered {status} to a write"
                    )));
                }
                Ok((status, _, _)) if status >= 500 && transient < retry.transient_retries => {
                    transient = transient.saturating_add(1);
                    next_backoff(&mut backoff, retry)
                }
                Ok((status, _, _)) if status >= 500 => {
                    return Err(Failed::Unavailable(anyhow::anyhow!("{host} answered {status}")));
                }
                Ok((status, _, body)) => return Ok(Reply { status, body }),
                Err(Failure::NotSent(_) | Failure::Unknown(_))
                    if request.idempotent && transient < retry.transient_retries =>
                {
                    transient = transient.saturating_add(1);
                    next_backoff(&mut backoff, retry)
                }
                Err(Failure::NotSent(cause)) if transient < retry.transient_retries => {
                    transient = transient.saturating_add(1);
                    tracing::debug!(error.cause = %cause, "{host} unreachable; retrying");
                    next_backoff(&mut backoff, retry)
                }
                Err(Failure::NotSent(cause)) => return Err(Failed::Unavailable(cause)),
                Err(Failure::Unknown(cause)) if request.idempotent => {
                    return Err(Failed::Unavailable(cause));
                }
                Err(Failure::Unknown(cause)) => return Err(Failed::Uncertain(cause)),
            };
            tracing::debug!(
                retry.wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying a call to {host}"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// The current delay with ±30 % jitter; the next one doubles, capped.
fn next_backoff(current: &mut Duration, retry: &RetryConfig) -> Duration {
    let jitter = rand::thread_rng().gen_range(0.7..1.3);
    let wait = current.mul_f64(jitter);
    *current = current.saturating_mul(2).min(Duration::from_millis(retry.max_backoff_ms));
    wait
}
