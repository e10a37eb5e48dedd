//! The iframe URL of a module, signed as Jira signs it: the descriptor URL with its context
//! parameters filled in, then Jira's own parameters (`xdm_e`, `xdm_c`, `cp`, `lic`, `cv`, `tz`,
//! `loc`), then `jwt` whose qsh covers every one of them.

use stj_core::ClientKey;
use url::form_urlencoded::byte_serialize;

use super::descriptor::Module;
use crate::{Sandbox, SandboxError};

/// The Connect version Jira Cloud reports in `cv`.
pub(crate) const CONNECT_VERSION: &str = "1001.0.0-SNAPSHOT";

/// Values for a module URL's context parameters; absent ones become empty, as in Jira.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameContext {
    pub issue_key: Option<String>,
    pub issue_id: Option<String>,
    pub issue_type_id: Option<String>,
    pub project_key: Option<String>,
    pub project_id: Option<String>,
}

impl FrameContext {
    fn value(&self, name: &str) -> Option<&str> {
        match name {
            "issue.key" => self.issue_key.as_deref(),
            "issue.id" => self.issue_id.as_deref(),
            "issuetype.id" => self.issue_type_id.as_deref(),
            "project.key" => self.project_key.as_deref(),
            "project.id" => self.project_id.as_deref(),
            _ => None,
        }
    }

    /// `{issue.key}`-style placeholders in `template` replaced by encoded values.
    pub fn substitute(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let (before, from_brace) = rest.split_at(open);
            out.push_str(before);
            let name = from_brace.get(1..).and_then(|s| s.find('}').and_then(|end| s.get(..end)));
            match name.filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')) {
                Some(name) => {
                    out.extend(byte_serialize(self.value(name).unwrap_or_default().as_bytes()));
                    rest = from_brace.get(name.len().saturating_add(2)..).unwrap_or_default();
                }
                None => {
                    out.push('{');
                    rest = from_brace.get(1..).unwrap_or_default();
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Who views the module, and where: what Jira puts in the URL besides the context parameters.
#[derive(Debug, Clone)]
pub(crate) struct Viewer<'a> {
    pub account_id: &'a str,
    /// `lic=active|none`; `None` leaves `lic` out (the site reports no licence state).
    pub licence: Option<bool>,
    /// The host page's origin, `xdm_e`: where the bridge in the iframe talks to.
    pub host_origin: &'a str,
}

impl Sandbox {
    /// The signed `src` of `module`'s iframe on this tenant.
    pub(crate) fn module_frame_url(
        &self,
        client_key: &ClientKey,
        module: &Module,
        context: &FrameContext,
        viewer: &Viewer<'_>,
    ) -> Result<String, SandboxError> {
        let app = self.app(client_key)?;
        let url = context.substitute(&module.url);
        let relative = url.strip_prefix(&app.base_url).unwrap_or(&url);
        if !relative.starts_with('/') {
            return Err(SandboxError::Invalid(format!(
                "module {} has a URL outside the app: {}",
                module.key, module.url
            )));
        }
        let (path, own_query) = relative.split_once('?').unwrap_or((relative, ""));
        let enc = |v: &str| byte_serialize(v.as_bytes()).collect::<String>();
        let mut params = vec![
            ("xdm_e", enc(viewer.host_origin)),
            ("xdm_c", enc(&format!("channel-{}__{}", app.key, module.key))),
            ("cp", String::new()),
            ("cv", enc(CONNECT_VERSION)),
            ("tz", enc("Etc/UTC")),
            ("loc", "en-US".to_owned()),
        ];
        if let Some(active) = viewer.licence {
            params.push(("lic", if active { "active" } else { "none" }.to_owned()));
        }
        let jira_query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let query = [own_query.to_owned(), jira_query.join("&")]
            .into_iter()
            .filter(|q| !q.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        let signed =
            self.iframe_jwt(client_key, "GET", path, &query, Some(viewer.account_id), None)?;
        Ok(signed.url_with_jwt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_parameters_are_substituted_and_encoded() {
        let context = FrameContext {
            issue_key: Some("DEMO-1".to_owned()),
            project_key: Some("A&B".to_owned()),
            ..FrameContext::default()
        };
        assert_eq!(
            context.substitute("/g?issueKey={issue.key}&p={project.key}&id={issue.id}&x={y"),
            "/g?issueKey=DEMO-1&p=A%26B&id=&x={y"
        );
        assert_eq!(context.substitute("/plain"), "/plain");
        assert_eq!(context.substitute("/a?{not valid}"), "/a?{not valid}");
    }
}
