//! The route table. The router is built from this table alone, so the auth matrix test that walks
//! it sees every route the app exposes.

use actix_web::body::BoxBody;
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Route, middleware, web};
use stj_core::QshPolicy;

use crate::auth;
use crate::doors::Doors;
use crate::handlers::lifecycle::{self, Event};
use crate::handlers::{api, assets, forge, health, pages, subtasks, templates, text};

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
    /// The doors a token may come through (meaningless for `Public`).
    pub doors: Doors,
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
        // The app's JSON API answers both doors; iframe pages and Connect lifecycle are Connect's.
        let doors = match access {
            Access::Api => Doors::Both,
            Access::Public | Access::Lifecycle | Access::Page => Doors::Connect,
        };
        Self { method, path, example, access, doors, handler }
    }

    const fn doors(mut self, doors: Doors) -> Self {
        self.doors = doors;
        self
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
        RouteSpec::new(Method::GET, "/static/{file}", "/static/icon.svg", Public, |r| {
            r.to(assets::icon)
        }),
        RouteSpec::new(
            Method::GET,
            "/static/{version}/{file}",
            "/static/0000000000000000/issue.js",
            Public,
            |r| r.to(assets::versioned),
        ),
        RouteSpec::new(Method::POST, "/installed", "/installed", Lifecycle, |r| {
            r.to(lifecycle::on(Event::Installed))
        }),
        RouteSpec::new(Method::POST, "/uninstalled", "/uninstalled", Lifecycle, |r| {
            r.to(lifecycle::on(Event::Uninstalled))
        }),
        RouteSpec::new(Method::POST, "/enabled", "/enabled", Lifecycle, |r| {
            r.to(lifecycle::on(Event::Enabled))
        }),
        RouteSpec::new(Method::POST, "/disabled", "/disabled", Lifecycle, |r| {
            r.to(lifecycle::on(Event::Disabled))
        }),
        RouteSpec::new(Method::POST, "/forge/events", "/forge/events", Lifecycle, |r| {
            r.to(forge::events)
        })
        .doors(Doors::Forge),
        RouteSpec::new(Method::GET, "/ui/issue-glance", "/ui/issue-glance", Page, |r| {
            r.to(pages::issue_glance)
        }),
        RouteSpec::new(Method::GET, "/ui/my-templates", "/ui/my-templates", Page, |r| {
            r.to(pages::my_templates)
        }),
        RouteSpec::new(Method::GET, "/ui/project-templates", "/ui/project-templates", Page, |r| {
            r.to(pages::project_templates)
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
            "/api/v1/templates",
            "/api/v1/templates?scope=personal",
            Api,
            |r| r.to(templates::list),
        ),
        RouteSpec::new(
            Method::PUT,
            "/api/v1/templates",
            "/api/v1/templates?scope=personal",
            Api,
            |r| r.to(templates::save),
        ),
        RouteSpec::new(
            Method::GET,
            "/api/v1/templates/{templateId}",
            "/api/v1/templates/release?scope=personal",
            Api,
            |r| r.to(templates::get),
        ),
        RouteSpec::new(
            Method::DELETE,
            "/api/v1/templates/{templateId}",
            "/api/v1/templates/release?scope=personal&revision=1",
            Api,
            |r| r.to(templates::delete),
        ),
        RouteSpec::new(
            Method::POST,
            "/api/v1/quick-entry/import",
            "/api/v1/quick-entry/import",
            Api,
            |r| r.to(text::import),
        ),
        RouteSpec::new(
            Method::POST,
            "/api/v1/quick-entry/check",
            "/api/v1/quick-entry/check",
            Api,
            |r| r.to(text::check),
        ),
        RouteSpec::new(
            Method::POST,
            "/api/v1/quick-entry/format",
            "/api/v1/quick-entry/format",
            Api,
            |r| r.to(text::format),
        ),
        RouteSpec::new(
            Method::GET,
            "/api/v1/issues/{issueKey}/subtasks/as-template",
            "/api/v1/issues/DEMO-1/subtasks/as-template",
            Api,
            |r| r.to(subtasks::as_template),
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

/// One resource per path: its methods from the table, and 405 with `Allow` for any other method
/// (RFC 9110), so an unsupported method is told apart from an unknown path (404).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let table = routes();
    let mut paths: Vec<&'static str> = Vec::new();
    for spec in &table {
        if !paths.contains(&spec.path) {
            paths.push(spec.path);
        }
    }
    // The router tries resources in order, and each pattern with a `{segment}` is a regex match:
    // literal paths first, so a page or API call is not run past the `/static/…` regexes. No
    // literal path is also matched by a pattern (`literal_paths_match_no_pattern`), so the order
    // changes no answer.
    paths.sort_by_key(|path| path.contains('{'));
    for path in paths {
        // Named by its pattern: the request span reads the name (`match_name`) without routing again.
        let mut resource = web::resource(path).name(path);
        let mut allow = Vec::new();
        for spec in table.iter().filter(|spec| spec.path == path) {
            let route = (spec.handler)(web::method(spec.method.clone()));
            // Authentication completes before any extractor reads the request (see `auth::gate`).
            let doors = spec.doors;
            let route = match spec.access {
                Access::Api => route.wrap(middleware::from_fn(move |req, next: Next<BoxBody>| {
                    auth::gate(req, next, QshPolicy::ComputedOrContext, doors)
                })),
                Access::Page => route.wrap(middleware::from_fn(move |req, next: Next<BoxBody>| {
                    auth::gate(req, next, QshPolicy::Computed, doors)
                })),
                Access::Public | Access::Lifecycle => route,
            };
            resource = resource.route(route);
            allow.push(spec.method.as_str());
        }
        let allow = allow.join(", ");
        cfg.service(resource.default_service(web::to(move || method_not_allowed(allow.clone()))));
    }
}

async fn method_not_allowed(allow: String) -> actix_web::HttpResponse {
    use actix_web::ResponseError as _;
    use actix_web::http::{StatusCode, header};

    let detail = format!("this path answers {allow}");
    let problem = crate::problem::Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        detail,
    );
    let mut response = problem.error_response();
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ResourceDef;

    use super::routes;

    /// `configure` registers literal paths before patterns; that is only safe while no literal
    /// path is also matched by a pattern (the pattern would otherwise have answered first).
    #[test]
    fn literal_paths_match_no_pattern() {
        let table = routes();
        let patterns: Vec<_> = table.iter().filter(|s| s.path.contains('{')).collect();
        assert!(!patterns.is_empty());
        for literal in table.iter().filter(|s| !s.path.contains('{')) {
            for pattern in &patterns {
                assert!(
                    !ResourceDef::new(pattern.path).is_match(literal.path),
                    "{} would also match {}",
                    pattern.path,
                    literal.path
                );
            }
        }
        assert!(
            ResourceDef::new("/static/{file}").is_match("/static/icon.svg"),
            "the check can fail"
        );
    }
}
