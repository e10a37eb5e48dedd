//! `?door=forge`: the host pages frame the Forge app's Custom UI from the sandbox's Forge CDN (its
//! own origin), which serves the build with the platform's bridge injected, and only there.

use std::time::Duration;

use serde_json::json;

use crate::host::Host;

fn build() -> Vec<(String, Vec<u8>)> {
    let modules = json!([{ "key": "subtask-templates-glance", "type": "jira:issueContext", "resource": "issue" }]);
    vec![
        ("modules.json".to_owned(), modules.to_string().into_bytes()),
        (
            "issue/index.html".to_owned(),
            b"<!doctype html><html><head><script type=\"module\" src=\"./issue.js\"></script></head></html>".to_vec(),
        ),
        ("issue/issue.js".to_owned(), b"export {};".to_vec()),
    ]
}

fn get(url: &str) -> (u16, String, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().unwrap();
    let header = |name: &str| {
        response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    };
    let (csp, kind) = (header("content-security-policy"), header("content-type"));
    (response.status().as_u16(), csp, kind, response.body_mut().read_to_string().unwrap())
}

#[test]
fn the_forge_door_frames_custom_ui_from_a_cdn_origin_with_the_bridge_injected() {
    let host = Host::new();
    assert_eq!(host.sandbox.set_forge_custom_ui(build()).unwrap(), 1);
    let cdn = host.sandbox.forge_cdn_url().unwrap().to_owned();
    assert_ne!(cdn, host.sandbox.base_url(), "another origin than the host pages");

    let page = host.get("/browse/DEMO-1?door=forge", &[]);
    assert_eq!(page.status, 200);
    let (src, params) = page.frame();
    assert!(src.starts_with(&format!("{cdn}/forge-cdn/issue/index.html?")), "{src}");
    assert_eq!(params.get("host").map(String::as_str), Some(host.sandbox.base_url()));
    assert_eq!(page.attr("app-frame", "data-door").as_deref(), Some("forge"));
    assert_eq!(page.attr("app-frame", "data-module-type").as_deref(), Some("jira:issueContext"));
    let frames = |csp: &str| {
        csp.split(';').find(|d| d.trim().starts_with("frame-src")).unwrap_or("").to_owned()
    };
    assert!(frames(page.header("content-security-policy")).contains(&cdn));
    assert_eq!(page.attr_body("door").as_deref(), Some("forge"));
    assert!(page.attr_body("cloud-id").is_some_and(|id| !id.is_empty()));
    assert!(page.header("set-cookie").contains("stj_host_door=forge"));

    let (status, csp, kind, html) = get(&src);
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(html.starts_with(
        "<!doctype html><html><head><script src=\"/forge-cdn/_platform/bridge.js\"></script>"
    ));
    assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe"), "{csp}");
    let (status, _, _, bridge) = get(&format!("{cdn}/forge-cdn/_platform/bridge.js"));
    assert!(status == 200 && bridge.contains("window, \"__bridge\""));
    assert!(bridge.starts_with("(function () {") && bridge.contains("function frameChannel("));
    assert_eq!(get(&format!("{cdn}/forge-cdn/issue/issue.js")).0, 200);

    // Only on the CDN origin, only the build's files.
    let main = host.sandbox.base_url();
    assert_eq!(get(&format!("{main}/forge-cdn/issue/index.html")).0, 404);
    assert_eq!(get(&format!("{cdn}/forge-cdn/issue/missing.js")).0, 404);
    assert_eq!(get(&format!("{cdn}/forge-cdn/issue/.hidden")).0, 404);
    assert_eq!(get(&format!("{cdn}/forge-cdn/issue//issue.js")).0, 404);

    // Back through the Connect door: the app's own signed iframe again.
    let page = host.get("/browse/DEMO-1?door=connect", &[]);
    let (src, params) = page.frame();
    assert!(src.starts_with(&host.app.base_url) && params.contains_key("jwt"), "{src}");
    assert!(!frames(page.header("content-security-policy")).contains(&cdn));
}

#[test]
fn without_a_build_the_forge_door_says_how_to_make_one() {
    let host = Host::new();
    let page = host.get("/browse/DEMO-1?door=forge", &[]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("cargo xtask forge-build"));
    assert!(page.attr("app-frame", "src").is_none());
    assert!(
        host.sandbox.set_forge_custom_ui(vec![("modules.json".to_owned(), b"{".to_vec())]).is_err()
    );
}
