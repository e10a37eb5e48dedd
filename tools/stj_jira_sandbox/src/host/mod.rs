//! Jira's pages around the app, for local runs and browser tests: the issue view with the app's
//! issue module in its right-hand panel, the app's general pages and project pages, each module in
//! an iframe signed as Jira signs it, and the `AP` bridge (`/atlassian-connect/all.js` in the
//! iframe, `/sandbox/static/host.js` on the page) that answers the app over `postMessage`.
//! `?door=forge` shows the app's Forge Custom UI instead, from the sandbox's Forge CDN (`forge`).

pub(crate) mod bridge;
pub(crate) mod descriptor;
pub(crate) mod forge;
mod frame;
mod html;
mod pages;
mod session;
mod setup;
mod view;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use stj_core::ClientKey;

use crate::Sandbox;
use crate::server::lock;
use crate::tenants::{AppInstall, LicenceState};

/// What the host pages keep between requests.
#[derive(Debug, Default)]
pub(crate) struct HostState {
    pub descriptors: descriptor::Descriptors,
    pub pages: session::HostPages,
    /// The Forge door: the Custom UI build and the origin it is served from.
    pub forge: forge::ForgeCdn,
}

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/browse/{issueKey}", web::get().to(pages::issue))
        .route("/plugins/servlet/ac/{appKey}/{moduleKey}", web::get().to(pages::general))
        .route("/projects/{projectKey}/apps/{moduleKey}", web::get().to(pages::project))
        .route("/atlassian-connect/all.js", web::get().to(bridge::all_js))
        .route("/sandbox/static/{file}", web::get().to(bridge::asset))
        .route("/sandbox/host/context-token", web::post().to(bridge::context_token))
        .route("/sandbox/host/pages/{page}/subtasks", web::get().to(bridge::subtasks))
        .route("/forge-cdn/{path:.*}", web::get().to(forge::cdn));
}

/// Host pages and their assets are the browser's, not the app's: never faulted or recorded.
pub(crate) fn is_host_path(path: &str) -> bool {
    [
        "/browse/",
        "/plugins/servlet/ac/",
        "/projects/",
        "/atlassian-connect/",
        "/sandbox/",
        "/forge-cdn/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// The site a viewer looks at, with its app.
#[derive(Debug, Clone)]
pub(crate) struct HostSite {
    pub client_key: ClientKey,
    pub app: AppInstall,
    pub licence: Option<bool>,
}

impl Sandbox {
    /// `wanted` (a client key) if it has the app enabled; otherwise the newest such site.
    pub(crate) fn host_site(&self, wanted: Option<&str>) -> Option<HostSite> {
        let tenants = lock(&self.tenants);
        let with_app = tenants.iter().rev().filter_map(|t| {
            let app = t.app.as_ref().filter(|app| app.enabled)?;
            let licence = match t.licence {
                LicenceState::Active => Some(true),
                LicenceState::Inactive => Some(false),
                LicenceState::Absent => None,
            };
            Some(HostSite { client_key: t.client_key.clone(), app: app.clone(), licence })
        });
        let mut with_app = with_app.peekable();
        let newest = with_app.peek().cloned();
        match wanted {
            Some(wanted) => with_app.find(|s| s.client_key.as_str() == wanted).or(newest),
            None => newest,
        }
    }
}

/// `scheme://host[:port]` of an absolute URL.
pub(crate) fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(url.origin().ascii_serialization()).filter(|o| o != "null")
}

/// The origin the browser reached this page at (`xdm_e`, and what `Origin` must say).
pub(crate) fn host_origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    let host = info.host();
    let plain = host.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c));
    format!("http://{}", if plain { host } else { "127.0.0.1" })
}

/// The host pages' own policy: scripts and styles from the sandbox only, frames from the app (and,
/// through the Forge door, the sandbox's Forge CDN) only.
pub(crate) fn content_security_policy(app_origin: Option<&str>, cdn: Option<&str>) -> String {
    let frames: Vec<&str> = [app_origin, cdn].into_iter().flatten().collect();
    let app = if frames.is_empty() { "'none'".to_owned() } else { frames.join(" ") };
    let img_app = app_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{img_app}; \
         connect-src 'self'; frame-src {app}; form-action 'self'; base-uri 'none'; \
         object-src 'none'; frame-ancestors 'none'"
    )
}

/// An HTML response with the host pages' headers, and the cookies the viewer's choices set.
pub(crate) fn html_response(
    status: StatusCode,
    body: String,
    origins: (Option<&str>, Option<&str>),
    set_cookies: &[String],
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", content_security_policy(origins.0, origins.1)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .insert_header(("Cache-Control", "no-store"));
    for cookie in set_cookies {
        response.append_header(("Set-Cookie", cookie.as_str()));
    }
    response.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths_and_origins() {
        assert!(is_host_path("/browse/DEMO-1") && is_host_path("/atlassian-connect/all.js"));
        assert!(!is_host_path("/rest/api/3/issue/DEMO-1") && !is_host_path("/__sandbox/faults"));
        assert_eq!(
            origin_of("http://127.0.0.1:8080/app").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("not a url"), None);
        let csp = content_security_policy(Some("http://127.0.0.1:8080"), None);
        assert!(
            csp.contains("frame-src http://127.0.0.1:8080;") && csp.contains("script-src 'self';")
        );
        assert!(content_security_policy(None, None).contains("frame-src 'none'"));
        let forge = content_security_policy(Some("http://a:1"), Some("http://b:2"));
        assert!(forge.contains("frame-src http://a:1 http://b:2;"));
    }
}
