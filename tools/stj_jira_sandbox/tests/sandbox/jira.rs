//! A tenant with the app installed, and a small client that calls its REST API as the app (JWT),
//! as a user (bearer token) or with any Authorization header at all.

use std::time::Duration;

use serde_json::{Value, json};
use stj_connect::outgoing::app_authorization;
use stj_jira_sandbox::{
    JiraSandbox, JiraUser, NewIssue, NewProject, Permissions, SandboxConfig, TenantInfo,
};

pub const APP: &str = "stj-subtask-templates";
pub const ADA: &str = "5b10ac8d82e05b22cc7d4ef1";
pub const MAX: &str = "5b10ac8d82e05b22cc7d4ef2";
pub const VIEWER: &str = "5b10ac8d82e05b22cc7d4ef3";

/// Who calls.
#[derive(Debug, Clone, Copy)]
pub enum As<'a> {
    /// The app's JWT, signed for this exact request.
    App,
    /// `Authorization: Bearer <token>`.
    Bearer(&'a str),
    /// This Authorization header verbatim.
    Header(&'a str),
    Nobody,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub body: Value,
}

pub struct Site {
    pub sandbox: JiraSandbox,
    pub tenant: TenantInfo,
}

impl Site {
    /// A fresh sandbox with one installed tenant (no app process needed).
    pub fn new() -> Self {
        Self::with_config(SandboxConfig::default())
    }

    pub fn with_config(config: SandboxConfig) -> Self {
        let sandbox = JiraSandbox::start(config).unwrap();
        let tenant = sandbox.add_installed_tenant("http://127.0.0.1:9/app", APP).unwrap();
        Self { sandbox, tenant }
    }

    /// [`Self::new`] plus projects `PROJ` (company-managed) and `TEAM` (team-managed), admin
    /// `ADA`, member `MAX`, and `VIEWER` who may only browse.
    pub fn populated() -> Self {
        let site = Self::new();
        let ck = &site.tenant.client_key;
        let sandbox = &site.sandbox;
        sandbox.add_project(ck, &NewProject::company_managed("PROJ", "Project")).unwrap();
        sandbox.add_project(ck, &NewProject::team_managed("TEAM", "Team")).unwrap();
        sandbox.add_user(ck, JiraUser::new(ADA, "Ada Admin").admin()).unwrap();
        sandbox.add_user(ck, JiraUser::new(MAX, "Max Member")).unwrap();
        let viewer = JiraUser::new(VIEWER, "Vic Viewer").with_permissions(Permissions::READ_ONLY);
        sandbox.add_user(ck, viewer).unwrap();
        site
    }

    pub fn token(&self, account_id: &str) -> String {
        self.sandbox.user_access_token(&self.tenant.client_key, account_id, None).unwrap()
    }

    pub fn get(&self, path_and_query: &str, who: As<'_>) -> Reply {
        self.call("GET", path_and_query, None, who)
    }

    pub fn delete(&self, path_and_query: &str, who: As<'_>) -> Reply {
        self.call("DELETE", path_and_query, None, who)
    }

    pub fn post(&self, path_and_query: &str, body: &Value, who: As<'_>) -> Reply {
        self.call("POST", path_and_query, Some(&body.to_string()), who)
    }

    pub fn put(&self, path_and_query: &str, body: &Value, who: As<'_>) -> Reply {
        self.call("PUT", path_and_query, Some(&body.to_string()), who)
    }

    /// Any method, a raw body (sent as `application/json`), any caller.
    pub fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&str>,
        who: As<'_>,
    ) -> Reply {
        self.send(method, path_and_query, body.map(|b| (b, "application/json")), who).unwrap()
    }

    pub fn send(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<(&str, &str)>,
        who: As<'_>,
    ) -> Result<Reply, ureq::Error> {
        // An absolute URL goes as is (the Forge door's `apiBaseUrl` is elsewhere).
        let url = if path_and_query.starts_with("http") {
            path_and_query.to_owned()
        } else {
            format!("{}{path_and_query}", self.tenant.base_url)
        };
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        let authorization = match who {
            As::App => Some(
                app_authorization(
                    APP,
                    &self.tenant.base_url,
                    &self.tenant.shared_secret,
                    method,
                    path_and_query,
                )
                .unwrap(),
            ),
            As::Bearer(token) => Some(format!("Bearer {token}")),
            As::Header(value) => Some(value.to_owned()),
            As::Nobody => None,
        };
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        if let Some((_, content_type)) = body {
            request = request.header("Content-Type", content_type);
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = match body {
            Some((text, _)) => agent.run(request.body(text.to_owned()).unwrap())?,
            None => agent.run(request.body(()).unwrap())?,
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply { status, text, body })
    }
}

/// [`Site::populated`] with parent `PROJ-1`, and the id of PROJ's subtask type.
pub fn with_parent() -> (Site, String) {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    site.sandbox.add_issue(ck, &NewIssue::new("PROJ", "Task", "Parent")).unwrap();
    let project = site.sandbox.project(ck, "PROJ").unwrap();
    (site, project.subtask_type_id().unwrap().to_owned())
}

/// A subtask element for create calls.
pub fn subtask(project: &str, parent: &str, type_id: &str, summary: &str) -> Value {
    json!({ "fields": {
        "project": { "key": project },
        "parent": { "key": parent },
        "issuetype": { "id": type_id },
        "summary": summary,
    }})
}

/// A one-paragraph ADF document.
pub fn adf(text: &str) -> Value {
    json!({ "type": "doc", "version": 1, "content": [
        { "type": "paragraph", "content": [{ "type": "text", "text": text }] }
    ]})
}
