//! One HTTP exchange with Jira, and the retry policy around it. A call that cannot have been
//! applied (connection refused, 429) is retried; a write whose outcome is unknown (timeout,
//! dropped connection, 5xx after sending) is reported as uncertain, never retried blindly.

use std::time::Duration;

use rand::Rng;
use stj_privacy::Secret;
use stj_subtasks::GatewayError;

use crate::RetryConfig;

/// Largest body read from Jira: bulk-create answers for 50 issues stay far below this.
const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: &'static str,
    pub url: String,
    /// `Bearer …` for Jira; none for the token endpoint (the assertion is in the body).
    pub authorization: Option<Secret<String>>,
    pub content_type: Option<&'static str>,
    pub body: Option<String>,
    /// GET/PUT/DELETE: safe to repeat. Bulk create is not.
    pub idempotent: bool,
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: String,
}

enum Failure {
    /// The request never reached Jira.
    NotSent(anyhow::Error),
    /// It may have been processed.
    Unknown(anyhow::Error),
}

fn send_blocking(
    agent: &ureq::Agent,
    request: &Request,
) -> Result<(u16, Option<u64>, String), Failure> {
    let builder = ureq::http::Request::builder()
        .method(request.method)
        .uri(&request.url)
        .header("Accept", "application/json");
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
    let mut response = agent.run(http_request).map_err(|e| match e {
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
        .limit(MAX_BODY_BYTES)
        .read_to_string()
        .map_err(|e| Failure::Unknown(e.into()))?;
    Ok((status, retry_after, text))
}

/// Sends `request` under the retry policy. 401/403/404/400 are returned to the caller as replies.
pub(crate) async fn send(
    agent: &ureq::Agent,
    retry: &RetryConfig,
    request: Request,
) -> Result<Reply, GatewayError> {
    let mut backoff = Duration::from_millis(retry.initial_backoff_ms);
    let (mut rate_limited, mut transient) = (0u32, 0u32);
    loop {
        let (agent2, request2) = (agent.clone(), request.clone());
        let outcome = tokio::task::spawn_blocking(move || send_blocking(&agent2, &request2))
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        let wait = match outcome {
            Ok((429, retry_after, _)) if rate_limited < retry.rate_limit_retries => {
                rate_limited = rate_limited.saturating_add(1);
                match retry_after {
                    // Waiting longer than the cap would hold the user's request too long.
                    Some(secs) if secs.saturating_mul(1000) > retry.max_backoff_ms => {
                        return Err(GatewayError::Unavailable(anyhow::anyhow!(
                            "Jira asked to wait {secs} s"
                        )));
                    }
                    Some(secs) => Duration::from_secs(secs),
                    None => next_backoff(&mut backoff, retry),
                }
            }
            Ok((429, _, _)) => {
                return Err(GatewayError::Unavailable(anyhow::anyhow!("rate limited by Jira")));
            }
            Ok((status, _, _)) if status >= 500 && !request.idempotent => {
                return Err(GatewayError::Uncertain(anyhow::anyhow!(
                    "Jira answered {status} to a write"
                )));
            }
            Ok((status, _, _)) if status >= 500 && transient < retry.transient_retries => {
                transient = transient.saturating_add(1);
                next_backoff(&mut backoff, retry)
            }
            Ok((status, _, _)) if status >= 500 => {
                return Err(GatewayError::Unavailable(anyhow::anyhow!("Jira answered {status}")));
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
                tracing::debug!(error = %cause, "Jira unreachable; retrying");
                next_backoff(&mut backoff, retry)
            }
            Err(Failure::NotSent(cause)) => return Err(GatewayError::Unavailable(cause)),
            Err(Failure::Unknown(cause)) if request.idempotent => {
                return Err(GatewayError::Unavailable(cause));
            }
            Err(Failure::Unknown(cause)) => return Err(GatewayError::Uncertain(cause)),
        };
        tracing::debug!(
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "retrying Jira call"
        );
        tokio::time::sleep(wait).await;
    }
}

/// The current delay with ±30 % jitter; the next one doubles, capped.
fn next_backoff(current: &mut Duration, retry: &RetryConfig) -> Duration {
    let jitter = rand::thread_rng().gen_range(0.7..1.3);
    let wait = current.mul_f64(jitter);
    *current = current.saturating_mul(2).min(Duration::from_millis(retry.max_backoff_ms));
    wait
}
