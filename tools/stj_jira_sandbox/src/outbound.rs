//! The sandbox calling the app: lifecycle callbacks, Forge events and the Forge invoke proxy, all
//! through one blocking ureq agent (no redirects, statuses as values) on the blocking pool.

use serde_json::Value;

use crate::{Sandbox, SandboxError};

/// Largest answer read from the app (the invoke proxy hands it to the page).
const MAX_ANSWER_BYTES: u64 = 4 * 1024 * 1024;

/// The app's answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    /// Lower-case names, in the order received (a name may repeat).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Sandbox {
    /// `method` `url` with `headers` and, when given, `body` as JSON.
    pub(crate) async fn send_json(
        &self,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Result<Answer, SandboxError> {
        let agent = self.agent.clone();
        let (method, url) = (method.to_owned(), url.to_owned());
        tokio::task::spawn_blocking(move || {
            let mut request = ureq::http::Request::builder()
                .method(method.as_str())
                .uri(&url)
                .header("Accept", "application/json");
            for (name, value) in &headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let invalid = |e: ureq::http::Error| SandboxError::Invalid(e.to_string());
            let mut response = match body {
                Some(body) => agent.run(
                    request
                        .header("Content-Type", "application/json")
                        .body(body.to_string())
                        .map_err(invalid)?,
                )?,
                None => agent.run(request.body(()).map_err(invalid)?)?,
            };
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect();
            let body =
                response.body_mut().with_config().limit(MAX_ANSWER_BYTES).read_to_string()?;
            Ok(Answer { status: response.status().as_u16(), headers, body })
        })
        .await
        .map_err(|_| SandboxError::Stopped)?
    }
}
