//! The app's other modules (general and project pages), the bridge's scripts, the subtask list
//! the bridge re-renders, and a host page whose app is down.

use stj_jira_sandbox::{JiraSandbox, QA_CHECK_TYPE, SandboxConfig};

use crate::host::Host;
use crate::jira::APP;

#[test]
fn general_and_project_pages_are_framed_with_their_context() {
    let host = Host::new();
    let general = host.get(&format!("/plugins/servlet/ac/{APP}/my-templates"), &[]);
    assert_eq!(general.status, 200, "{}", general.body);
    let (src, params) = general.frame();
    assert!(src.starts_with(&format!("{}/ui/my-templates?", host.app.base_url)), "{src}");
    assert!(!params.contains_key("issueKey") && params.contains_key("jwt"));
    assert_eq!(general.attr("nav-my-templates", "aria-current").as_deref(), Some("page"));

    let project = host.get("/projects/DEMO/apps/project-templates", &[]);
    assert_eq!(project.status, 200, "{}", project.body);
    let (_, params) = project.frame();
    assert_eq!(params["projectKey"], "DEMO");
    let demo = host.sandbox.project(&host.tenant.client_key, "DEMO").unwrap();
    assert_eq!(params["projectId"], demo.id);
    assert_eq!(
        project.attr("nav-project-project-templates", "aria-current").as_deref(),
        Some("page")
    );

    // Jira's own address for a project module, as AP.navigator.go builds it.
    let same =
        host.get(&format!("/plugins/servlet/ac/{APP}/project-templates?project.key=DEMO"), &[]);
    assert_eq!(same.frame().1["projectKey"], "DEMO");

    // The issue page links to both.
    let issue = host.get("/browse/DEMO-1", &[]);
    assert_eq!(
        issue.attr("nav-my-templates", "href"),
        Some(format!("/plugins/servlet/ac/{APP}/my-templates"))
    );
    assert_eq!(
        issue.attr("nav-project-project-templates", "href").as_deref(),
        Some("/projects/DEMO/apps/project-templates")
    );
}

#[test]
fn the_bridge_scripts_are_served_cacheable_and_cross_origin() {
    let host = Host::new();
    let all = host.get("/atlassian-connect/all.js", &[]);
    assert_eq!(all.status, 200);
    assert_eq!(all.header("content-type"), "text/javascript; charset=utf-8");
    assert!(all.header("cache-control").starts_with("public, max-age="));
    assert_eq!(all.header("cross-origin-resource-policy"), "cross-origin");
    assert!(all.body.contains("window.AP = AP") && all.body.contains("xdm_e"));
    // The channel it shares with the Forge bridge, in the same function scope (no globals).
    assert!(all.body.starts_with("(function () {") && all.body.contains("function frameChannel("));
    assert!(!all.body.contains("eval("));
    let etag = all.header("etag").to_owned();
    assert_eq!(host.get("/atlassian-connect/all.js", &[("If-None-Match", &etag)]).status, 304);

    let js = host.get("/sandbox/static/host.js", &[]);
    assert_eq!((js.status, js.header("content-type")), (200, "text/javascript; charset=utf-8"));
    assert!(js.body.contains("event.origin !== frame.dataset.appOrigin"));
    let css = host.get("/sandbox/static/host.css", &[]);
    assert_eq!((css.status, css.header("content-type")), (200, "text/css; charset=utf-8"));
    assert_eq!(host.get("/sandbox/static/nope.js", &[]).status, 404);
}

#[test]
fn the_subtask_list_is_live_and_refreshes_as_a_fragment() {
    let host = Host::new();
    let page = host.get("/browse/DEMO-1", &[]);
    assert!(page.body.contains("No subtasks yet"));
    let first = host.add_subtask("Write the <release> notes", "Sub-task");
    let second = host.add_subtask("Check the flow on mobile", QA_CHECK_TYPE);

    let page_id = page.attr_body("page").unwrap();
    let path = format!("/sandbox/host/pages/{page_id}/subtasks");
    let fragment = host.get(&path, &[("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(fragment.status, 200, "{}", fragment.body);
    assert!(fragment.body.contains("2 subtasks"));
    assert!(fragment.body.contains(&format!("href=\"/browse/{first}\"")));
    assert!(fragment.body.contains("Write the &lt;release&gt; notes"));
    assert!(fragment.body.contains(QA_CHECK_TYPE) && fragment.body.contains("Max Member"));
    assert!(fragment.body.contains(&format!("data-issue-key=\"{second}\"")));
    assert_eq!(host.get(&path, &[("Sec-Fetch-Site", "cross-site")]).status, 403);

    let again = host.get("/browse/DEMO-1", &[]);
    assert!(again.body.contains(&format!("href=\"/browse/{second}\"")));
    let subtask = host.get(&format!("/browse/{first}"), &[]);
    assert_eq!(subtask.status, 200, "subtasks have pages too");
    assert!(subtask.attr("app-frame", "src").is_none(), "the glance's is_sub_task condition");
    assert!(subtask.body.contains("id=\"no-app-module\""));
}

#[test]
fn an_unreachable_app_still_shows_the_issue() {
    let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let tenant = sandbox.add_installed_tenant("http://127.0.0.1:9/app", APP).unwrap();
    sandbox.seed_demo(&tenant.client_key).unwrap();
    let url = format!("{}/browse/DEMO-1", sandbox.base_url());
    let (status, body) = crate::common::get(&url, None).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("id=\"no-app-module\"") && body.contains("descriptor could not be read"));

    let empty = JiraSandbox::start(SandboxConfig::default()).unwrap();
    let (status, body) =
        crate::common::get(&format!("{}/browse/DEMO-1", empty.base_url()), None).unwrap();
    assert_eq!(status, 404);
    assert!(body.contains("No Jira site has the app yet"));
}
