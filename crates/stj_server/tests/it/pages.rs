//! The UI pages and their assets: a shell page per module with no inline script or style, the
//! configured Connect JS API, content-hashed assets cached for a year (gzip on request), the
//! descriptor's icon loadable cross-origin, and refusal pages without scripts.

use stj_jira_sandbox::LicenceState;

use crate::support::{Response, TestApp, spawn_app};

fn page(
    app: &TestApp,
    tenant: &stj_core::ClientKey,
    path: &str,
    query: &str,
    lic: bool,
) -> Response {
    let signed =
        app.sandbox.iframe_jwt(tenant, "GET", path, query, Some("acct"), Some(lic)).unwrap();
    app.request("GET", signed.url_with_jwt().trim_start_matches(&app.url), None, None)
}

#[test]
fn every_module_page_is_a_shell_loading_its_module() {
    let app = spawn_app();
    let tenant = app.install();
    for (path, query, module, view) in [
        ("/ui/issue-glance", "issueKey=DEMO-1&projectKey=DEMO", "issue.js", "issue"),
        ("/ui/my-templates", "", "manager.js", "my-templates"),
        ("/ui/project-templates", "projectKey=DEMO", "manager.js", "project-templates"),
    ] {
        let res = page(&app, &tenant, path, query, true);
        assert_eq!(res.status, 200, "{path}: {}", res.body);
        let body = &res.body;
        assert!(body.contains(&format!("src=\"{}\"", stj_http::asset_path(module))), "{path}");
        assert!(body.contains(&format!("data-view=\"{view}\"")), "{path}");
        assert!(
            body.contains("<script src=\"https://connect-cdn.atl-paas.net/all.js\">"),
            "{path}"
        );
        // The CSP forbids inline code: every script has a src, no element has a style or handler.
        assert_eq!(
            body.matches("<script").count(),
            body.matches("<script src=").count()
                + body.matches("<script type=\"module\" src=").count(),
            "{path}"
        );
        assert!(!body.contains("style=") && !body.contains(" onclick="), "{path}");
        assert!(!body.contains("DEMO-1"), "{path}: no request data in the page");
    }
}

#[test]
fn assets_are_immutable_under_the_release_hash_and_gzip_on_request() {
    let app = spawn_app();
    let path = stj_http::asset_path("issue.js");
    let res = app.request("GET", &path, None, None);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(res.header("content-type").unwrap().starts_with("text/javascript"));
    let gz = app.request_with("GET", &path, None, None, &[("accept-encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    for stale in ["/static/0000000000000000/issue.js", "/static/app.js"] {
        assert_eq!(app.request("GET", stale, None, None).status, 404, "{stale}");
    }
    let missing = stj_http::asset_path("nope.js");
    assert_eq!(app.request("GET", &missing, None, None).status, 404);
}

#[test]
fn the_icon_is_loadable_from_jiras_origin() {
    let app = spawn_app();
    let res = app.request("GET", "/static/icon.svg", None, None);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cross-origin-resource-policy"), Some("cross-origin"));
    assert_eq!(res.header("content-type"), Some("image/svg+xml"));
}

#[test]
fn a_refusal_page_has_styles_and_no_script() {
    let app = spawn_app();
    let tenant = app.install();
    app.sandbox.set_licence(&tenant, LicenceState::Inactive).unwrap();
    let res = page(&app, &tenant, "/ui/issue-glance", "issueKey=DEMO-1", false);
    assert_eq!(res.status, 403);
    assert!(res.body.contains("Licence required"));
    assert!(!res.body.contains("<script"), "{}", res.body);
    assert!(res.body.contains(&stj_http::asset_path("app.css")));
}
