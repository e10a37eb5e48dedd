//! The route table. The router is built from this table alone, so the auth matrix test that walks
//! it sees every route the app exposes.

use actix_web::http::Method;
use actix_web::{Route, web};

use crate::handlers::{api, health, lifecycle, pages, subtasks};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token: health, descriptor, static assets.
    Public,
    /// Signed by Atlassian (installed/uninstalled) or by the tenant secret (enabled/disabled).
    Lifecycle,
    /// Jira iframe page: tenant JWT with computed qsh.
    Page,
    /// The app's own frontend: tenant JWT, context qsh allowed.
    Api,
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    /// actix path pattern.
    pub path: &'static str,
    /// A concrete path matching `path`, for tests and tools.
    pub example: &'static str,
    pub access: Access,
    handler: fn(Route) -> Route,
}

impl RouteSpec {
    const fn new(
        method: Method,
        path: &'static str,
        example: &'static str,
        access: Access,
        handler: fn(Route) -> Route,
    ) -> Self {
        Self { method, path, example, access, handler }
    }
}

pub fn routes() -> Vec<RouteSpec> {
    use Access::{Api, Lifecycle, Page, Public};
    vec![
        RouteSpec::new(Method::GET, "/healthz", "/healthz", Public, |r| r.to(health::live)),
        RouteSpec::new(Method::GET, "/readyz", "/readyz", Public, |r| r.to(health::ready)),
        RouteSpec::new(
            Method::GET,
            "/atlassian-connect.json",
            "/atlassian-connect.json",
            Public,
            |r| r.to(pages::descriptor),
        ),
        RouteSpec::new(Method::GET, "/static/{file}", "/static/app.js", Public, |r| {
            r.to(pages::asset)
        }),
        RouteSpec::new(Method::POST, "/installed", "/installed", Lifecycle, |r| {
            r.to(lifecycle::installed)
        }),
        RouteSpec::new(Method::POST, "/uninstalled", "/uninstalled", Lifecycle, |r| {
            r.to(lifecycle::uninstalled)
        }),
        RouteSpec::new(Method::POST, "/enabled", "/enabled", Lifecycle, |r| {
            r.to(lifecycle::enabled)
        }),
        RouteSpec::new(Method::POST, "/disabled", "/disabled", Lifecycle, |r| {
            r.to(lifecycle::disabled)
        }),
        RouteSpec::new(Method::GET, "/ui/issue-glance", "/ui/issue-glance", Page, |r| {
            r.to(pages::issue_glance)
        }),
        RouteSpec::new(Method::GET, "/api/v1/context", "/api/v1/context", Api, |r| {
            r.to(api::context)
        }),
        RouteSpec::new(
            Method::POST,
            "/api/v1/issues/{issueKey}/subtasks/preview",
            "/api/v1/issues/DEMO-1/subtasks/preview",
            Api,
            |r| r.to(subtasks::preview),
        ),
        RouteSpec::new(
            Method::POST,
            "/api/v1/issues/{issueKey}/subtasks",
            "/api/v1/issues/DEMO-1/subtasks",
            Api,
            |r| r.to(subtasks::apply),
        ),
        RouteSpec::new(
            Method::GET,
            "/api/v1/issues/{issueKey}/applications/{applyId}",
            "/api/v1/issues/DEMO-1/applications/0123456789abcdef0123456789abcdef",
            Api,
            |r| r.to(subtasks::application),
        ),
    ]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    for spec in routes() {
        cfg.route(spec.path, (spec.handler)(web::method(spec.method)));
    }
}
