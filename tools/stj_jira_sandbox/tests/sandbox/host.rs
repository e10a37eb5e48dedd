//! The host pages a browser opens: a stand-in app serves only its descriptor (under `/app`, so the
//! qsh must strip the base path), the sandbox frames its modules, signs them and mints context
//! tokens for the page's user.

#![expect(
    clippy::arithmetic_side_effects,
    reason = "test helpers slicing HTML they just found the bounds of"
)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use jwt_simple::prelude::{HS256Key, MACLike as _};
use serde_json::{Value, json};
use stj_connect::qsh::qsh;
use stj_jira_sandbox::{
    DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, JiraSandbox, LicenceState, NewIssue,
    SandboxConfig, TenantInfo,
};

use crate::common::serve;
use crate::jira::APP;

const GLANCE_URL: &str = "/ui/issue-glance?issueKey={issue.key}&projectKey={project.key}";

pub fn descriptor(base_url: &str) -> Value {
    json!({
        "key": APP,
        "baseUrl": base_url,
        "enableLicensing": true,
        "modules": {
            "jiraIssueGlances": [{ "key": "subtask-templates-glance",
                "name": { "value": "Subtask templates" }, "icon": { "url": "/static/icon.svg" },
                "target": { "type": "web_panel", "url": GLANCE_URL },
                "conditions": [{ "type": "and", "conditions": [
                    { "condition": "has_sub_tasks_available" },
                    { "condition": "is_sub_task", "invert": true }] }] }],
            "generalPages": [{ "key": "my-templates", "name": { "value": "My subtask templates" },
                "url": "/ui/my-templates" }],
            "jiraProjectAdminTabPanels": [{ "key": "project-templates",
                "name": { "value": "Subtask templates" },
                "url": "/ui/project-templates?projectKey={project.key}&projectId={project.id}" }],
        }
    })
}

/// An app that serves nothing but its descriptor, at `{base}/atlassian-connect.json`.
pub struct DescriptorApp {
    pub base_url: String,
    handle: actix_web::dev::ServerHandle,
}

impl DescriptorApp {
    pub fn start() -> Self {
        Self::start_with(descriptor)
    }

    pub fn start_with(descriptor: fn(&str) -> Value) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/app", listener.local_addr().unwrap());
        let body = descriptor(&base_url).to_string();
        let handle = serve(listener, move |app| {
            let body = body.clone();
            app.route(
                "/app/atlassian-connect.json",
                web::get().to(move || {
                    let body = body.clone();
                    async move { HttpResponse::Ok().content_type("application/json").body(body) }
                }),
            );
        });
        Self { base_url, handle }
    }
}

impl Drop for DescriptorApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

pub struct Host {
    pub sandbox: JiraSandbox,
    pub tenant: TenantInfo,
    pub app: DescriptorApp,
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: BTreeMap<String, Vec<String>>,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.first()).map_or("", String::as_str)
    }

    /// Attribute `name` of the element with `id="{id}"`, unescaped.
    pub fn attr(&self, id: &str, name: &str) -> Option<String> {
        let at = self.body.find(&format!(" id=\"{id}\""))?;
        attr_in(tag_at(&self.body, self.body[..at].rfind('<')?)?, name)
    }

    /// The query parameters of the `app-frame` iframe's `src`, and its path.
    pub fn frame(&self) -> (String, BTreeMap<String, String>) {
        let src = self.attr("app-frame", "src").unwrap();
        let url = url::Url::parse(&src).unwrap();
        let params = url.query_pairs().into_owned().collect();
        (src, params)
    }
}

impl Host {
    pub fn new() -> Self {
        Self::with_licence(LicenceState::Active)
    }

    pub fn with_licence(licence: LicenceState) -> Self {
        Self::with(DescriptorApp::start(), licence)
    }

    pub fn with(app: DescriptorApp, licence: LicenceState) -> Self {
        let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
        let tenant = sandbox.add_installed_tenant(&app.base_url, APP).unwrap();
        sandbox.seed_demo(&tenant.client_key).unwrap();
        sandbox.set_licence(&tenant.client_key, licence).unwrap();
        Self { sandbox, tenant, app }
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        self.request("GET", path, headers, None)
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Page {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.sandbox.base_url()));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = match body {
            Some(body) => agent
                .run(
                    request
                        .header("Content-Type", "application/json")
                        .body(body.to_owned())
                        .unwrap(),
                )
                .unwrap(),
            None => agent.run(request.body(()).unwrap()).unwrap(),
        };
        let mut headers = BTreeMap::<String, Vec<String>>::new();
        for (name, value) in response.headers() {
            headers
                .entry(name.as_str().to_owned())
                .or_default()
                .push(value.to_str().unwrap().to_owned());
        }
        let status = response.status().as_u16();
        Page { status, headers, body: response.body_mut().read_to_string().unwrap() }
    }

    /// A context token for the page, asked for as the page's own script does.
    pub fn mint(&self, page: &Page, origin: Option<&str>) -> Page {
        let page_id = page.attr_body("page").unwrap();
        let mut headers = vec![];
        if let Some(origin) = origin {
            headers.push(("Origin", origin));
        }
        let body = json!({ "page": page_id }).to_string();
        self.request("POST", "/sandbox/host/context-token", &headers, Some(&body))
    }

    /// Verified claims of a token the tenant signed.
    pub fn verify(&self, token: &str) -> Value {
        let key = HS256Key::from_bytes(self.tenant.shared_secret.expose().as_bytes());
        let claims = key.verify_token::<Value>(token, None).unwrap();
        let mut all = claims.custom;
        if let Some(obj) = all.as_object_mut() {
            obj.insert("sub".to_owned(), json!(claims.subject));
            obj.insert("iss".to_owned(), json!(claims.issuer));
        }
        all
    }

    pub fn add_subtask(&self, summary: &str, issue_type: &str) -> String {
        let issue = NewIssue {
            parent: Some("DEMO-1".to_owned()),
            assignee: Some(DEMO_MEMBER_ACCOUNT_ID.to_owned()),
            ..NewIssue::new("DEMO", issue_type, summary)
        };
        self.sandbox.add_issue(&self.tenant.client_key, &issue).unwrap().key
    }
}

impl Page {
    /// A `data-*` attribute of `<body>`.
    pub fn attr_body(&self, name: &str) -> Option<String> {
        attr_in(tag_at(&self.body, self.body.find("<body")?)?, &format!("data-{name}"))
    }
}

/// The start tag that begins at `start`.
fn tag_at(html: &str, start: usize) -> Option<&str> {
    let rest = &html[start..];
    Some(&rest[..rest.find('>')?])
}

/// An attribute's value in a start tag, unescaped.
fn attr_in(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let rest = &tag[tag.find(&marker)? + marker.len()..];
    let value = &rest[..rest.find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[test]
fn the_issue_page_frames_the_glance_signed_as_jira_signs_it() {
    let host = Host::new();
    let page = host.get("/browse/DEMO-1", &[]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.body.contains("Launch the new onboarding flow"));
    assert!(page.body.contains("id=\"subtask-list\"") && page.body.contains("id=\"flags\""));

    let (src, params) = page.frame();
    assert!(src.starts_with(&format!("{}/ui/issue-glance?", host.app.base_url)), "{src}");
    let names: Vec<&str> = params.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["cp", "cv", "issueKey", "jwt", "lic", "loc", "projectKey", "tz", "xdm_c", "xdm_e"]
    );
    assert_eq!(params["issueKey"], "DEMO-1");
    assert_eq!(params["projectKey"], "DEMO");
    assert_eq!(params["lic"], "active");
    assert_eq!(params["xdm_e"], host.sandbox.base_url());
    assert_eq!(params["xdm_c"], format!("channel-{APP}__subtask-templates-glance"));

    // qsh covers every parameter but jwt, over the path relative to the app's base URL.
    let url = url::Url::parse(&src).unwrap();
    let query = url.query().unwrap();
    let unsigned: Vec<&str> = query.split('&').filter(|p| !p.starts_with("jwt=")).collect();
    let unsigned = unsigned.join("&");
    let claims = host.verify(&params["jwt"]);
    assert_eq!(claims["qsh"], qsh("GET", url.path(), &unsigned, "/app"));
    assert_ne!(
        claims["qsh"],
        qsh("GET", url.path(), &unsigned.replace("lic=active", "lic=none"), "/app")
    );
    assert_eq!(claims["iss"], host.tenant.client_key.as_str());
    assert_eq!(claims["sub"], DEMO_ADMIN_ACCOUNT_ID);
}

#[test]
fn host_pages_carry_a_strict_csp_and_are_not_recorded() {
    let host = Host::new();
    let page = host.get("/browse/DEMO-1", &[]);
    let csp = page.header("content-security-policy");
    let app_origin = host.app.base_url.trim_end_matches("/app");
    assert!(csp.contains("script-src 'self';") && csp.contains("style-src 'self';"), "{csp}");
    assert!(csp.contains(&format!("frame-src {app_origin};")), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(!page.body.contains("<script>") && !page.body.contains(" style="));
    assert!(page.body.contains("<script src=\"/sandbox/static/host.js\"></script>"));
    assert!(host.sandbox.requests().is_empty(), "host pages are the browser's, not Jira REST");
}

#[test]
fn unknown_issues_and_modules_are_404_pages() {
    let host = Host::new();
    for path in [
        "/browse/DEMO-99",
        "/browse/NOPE-1",
        &format!("/plugins/servlet/ac/{APP}/nope"),
        "/projects/NOPE/apps/project-templates",
    ] {
        let page = host.get(path, &[]);
        assert_eq!(page.status, 404, "{path}");
        assert!(page.header("content-type").starts_with("text/html"));
        assert!(page.body.contains("id=\"not-found\""), "{path}");
        assert!(!page.header("content-security-policy").is_empty());
    }
}

#[test]
fn the_user_switcher_changes_sub_and_licence() {
    let host = Host::new();
    let member = host.get("/browse/DEMO-1?as=member", &[]);
    assert_eq!(host.verify(&member.frame().1["jwt"])["sub"], DEMO_MEMBER_ACCOUNT_ID);
    let cookies = member.headers.get("set-cookie").cloned().unwrap_or_default();
    assert!(cookies.iter().any(|c| c.starts_with("stj_host_as=member;")), "{cookies:?}");
    assert_eq!(member.attr("user-switcher-form", "method").as_deref(), Some("get"));

    let unlicensed = host.get("/browse/DEMO-1", &[("Cookie", "stj_host_as=unlicensed")]);
    let (_, params) = unlicensed.frame();
    assert_eq!(params["lic"], "none");
    assert_eq!(host.verify(&params["jwt"])["sub"], DEMO_ADMIN_ACCOUNT_ID);
    let minted = host.mint(&unlicensed, Some(host.sandbox.base_url()));
    let token: Value = serde_json::from_str(&minted.body).unwrap();
    let claims = host.verify(token["token"].as_str().unwrap());
    assert_eq!(claims["context"]["license"]["active"], false);

    // An inactive site licence shows on every persona.
    let inactive = Host::with_licence(LicenceState::Inactive);
    assert_eq!(inactive.get("/browse/DEMO-1", &[]).frame().1["lic"], "none");

    // A free app (no `enableLicensing`) gets no `lic` at all, as in Jira.
    let free = |base: &str| {
        let mut d = descriptor(base);
        d.as_object_mut().unwrap().remove("enableLicensing");
        d
    };
    let free = Host::with(DescriptorApp::start_with(free), LicenceState::Active);
    let (_, params) = free.get("/browse/DEMO-1", &[]).frame();
    assert!(!params.contains_key("lic") && params.contains_key("jwt"));
}

#[test]
fn context_tokens_are_minted_for_the_page_user_and_verify_with_the_tenant_secret() {
    let host = Host::new();
    let page = host.get("/browse/DEMO-1?as=member", &[]);
    let minted = host.mint(&page, Some(host.sandbox.base_url()));
    assert_eq!(minted.status, 200, "{}", minted.body);
    assert_eq!(minted.header("cache-control"), "no-store");
    let body: Value = serde_json::from_str(&minted.body).unwrap();
    let claims = host.verify(body["token"].as_str().unwrap());
    assert_eq!(claims["qsh"], "context-qsh");
    assert_eq!(claims["sub"], DEMO_MEMBER_ACCOUNT_ID);
    assert_eq!(claims["iss"], host.tenant.client_key.as_str());
    assert_eq!(claims["context"]["license"]["active"], true);
    assert_eq!(claims["context"]["jira"]["issue"]["key"], "DEMO-1");
    assert_eq!(claims["context"]["jira"]["project"]["key"], "DEMO");
    let seed_issue = host.sandbox.issue_fields(&host.tenant.client_key, "DEMO-1").unwrap();
    assert!(seed_issue.is_object());
    assert!(
        claims["context"]["jira"]["issue"]["id"]
            .as_str()
            .is_some_and(|id| id.parse::<u64>().is_ok())
    );
    assert!(!minted.body.contains(host.tenant.shared_secret.expose()));
    assert!(!page.body.contains(host.tenant.shared_secret.expose()));

    // Only the host page itself may ask: not another origin (the app's frame), not a stranger.
    let app_origin = host.app.base_url.trim_end_matches("/app").to_owned();
    assert_eq!(host.mint(&page, Some(&app_origin)).status, 403);
    assert_eq!(host.mint(&page, None).status, 403);
    let unknown = json!({ "page": "nope" }).to_string();
    let origin = [("Origin", host.sandbox.base_url())];
    assert_eq!(
        host.request("POST", "/sandbox/host/context-token", &origin, Some(&unknown)).status,
        404
    );
}
