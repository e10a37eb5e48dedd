//! `openapi/openapi.yaml` and the route table (`stj_http::routes()`, the only source of the router)
//! describe the same operations, both ways: every route is documented with its method and path, every
//! documented operation is served, and each operation's `security` and access tag match the route's
//! `Access`. A new route fails here until the spec documents it; `cargo xtask dast` then fuzzes it.
//! Each JSON request body's documented schema lists exactly the fields its handler type reads,
//! object by object and both ways (`stj_http::body_fields`), so a schema can neither forbid a
//! field the UI sends nor document one the handler refuses.
//! The checks sit in `#[cfg(test)]` modules so clippy's test allowances cover the helpers.

#[cfg(test)]
mod spec_matches_routes {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    use serde_json::Value;
    use stj_http::{Access, Doors, routes};

    const METHODS: [&str; 8] =
        ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
    const SECURITY_HEADERS: [&str; 7] = [
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cross-Origin-Resource-Policy",
        "X-Content-Type-Options",
        "Cache-Control",
    ];

    pub(crate) fn spec() -> Value {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `{id:\d+}` (an actix segment with a regex) is `{id}` in OpenAPI.
    fn openapi_path(actix: &str) -> String {
        let segment = |seg: &str| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(inner) => format!("{{{}}}", inner.split(':').next().unwrap_or(inner)),
            None => seg.to_owned(),
        };
        actix.split('/').map(segment).collect::<Vec<_>>().join("/")
    }

    /// `METHOD /path` → the operation object.
    pub(crate) fn operations(spec: &Value) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.insert(format!("{} {path}", method.to_uppercase()), op.clone());
                }
            }
        }
        out
    }

    /// What the route table says: `METHOD /path` → access.
    pub(crate) fn table() -> BTreeMap<String, Access> {
        routes()
            .iter()
            .map(|r| (format!("{} {}", r.method, openapi_path(r.path)), r.access))
            .collect()
    }

    /// What the route table says: `METHOD /path` → doors.
    fn doors() -> BTreeMap<String, Doors> {
        routes()
            .iter()
            .map(|r| (format!("{} {}", r.method, openapi_path(r.path)), r.doors))
            .collect()
    }

    fn tag(access: Access) -> &'static str {
        match access {
            Access::Public => "public",
            Access::Lifecycle => "lifecycle",
            Access::Page => "page",
            Access::Api => "api",
        }
    }

    /// The security requirement alternatives (each a single scheme) an operation may declare.
    fn allowed_security(access: Access, doors: Doors) -> &'static [&'static [&'static str]] {
        match (access, doors) {
            (Access::Public, _) => &[&[]],
            (_, Doors::Forge) => &[&["forgeInvocationToken"]],
            // Signed install for installed/uninstalled, the tenant JWT for enabled/disabled.
            (Access::Lifecycle, _) => &[&["signedInstall"], &["connectJwt"]],
            (Access::Page, Doors::Connect) => &[&["connectJwtQuery", "connectJwt"]],
            (Access::Api, Doors::Both) => &[&["contextJwt", "connectJwt", "forgeInvocationToken"]],
            (Access::Api, Doors::Connect) => &[&["contextJwt", "connectJwt"]],
            (Access::Page, _) => &[&["connectJwtQuery", "connectJwt", "forgeInvocationToken"]],
        }
    }

    fn security_of(op: &Value) -> Option<Vec<String>> {
        let requirements = op.get("security")?.as_array()?;
        let mut schemes = Vec::new();
        for requirement in requirements {
            let requirement = requirement.as_object()?;
            if requirement.len() != 1 {
                return None; // an AND of schemes is not how Connect authenticates
            }
            schemes.extend(requirement.keys().cloned());
        }
        Some(schemes)
    }

    /// Follows a local `$ref` (`#/components/...`).
    pub(crate) fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.strip_prefix('#').expect("local $ref");
                resolve(
                    spec,
                    spec.pointer(pointer).unwrap_or_else(|| panic!("dangling {reference}")),
                )
            }
            None => value,
        }
    }

    #[test]
    fn every_route_is_documented_and_every_documented_operation_is_served() {
        let spec = spec();
        let documented: BTreeSet<String> = operations(&spec).into_keys().collect();
        let served: BTreeSet<String> = table().into_keys().collect();
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(
            undocumented.is_empty() && unserved.is_empty(),
            "routes missing from openapi/openapi.yaml (document each with its security and access \
             tag): {undocumented:?}; documented operations no route serves: {unserved:?}"
        );
    }

    #[test]
    fn security_and_tags_match_each_routes_access() {
        let spec = spec();
        let ops = operations(&spec);
        let declared = spec["components"]["securitySchemes"].as_object().expect("securitySchemes");
        let doors = doors();
        for (key, access) in table() {
            let Some(op) = ops.get(&key) else { continue };
            let schemes = security_of(op).unwrap_or_else(|| {
                panic!(
                    "{key}: needs its own `security` (`[]` for public), one scheme per alternative"
                )
            });
            let allowed = allowed_security(access, doors[&key]);
            assert!(
                allowed.iter().any(|alt| *alt == schemes.as_slice()),
                "{key} is {access:?}: security {schemes:?} must be one of {allowed:?}"
            );
            for scheme in &schemes {
                assert!(
                    declared.contains_key(scheme),
                    "{key}: undeclared security scheme {scheme}"
                );
            }
            let tags: Vec<&str> =
                op["tags"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let access_tags: Vec<&str> = tags
                .iter()
                .copied()
                .filter(|t| ["public", "lifecycle", "page", "api"].contains(t))
                .collect();
            assert_eq!(access_tags, [tag(access)], "{key} is {access:?}: tag it `{}`", tag(access));
        }
    }

    #[test]
    fn every_response_documents_the_security_headers_and_errors_are_problems() {
        let spec = spec();
        for (key, access) in table() {
            let Some(op) = operations(&spec).remove(&key) else { continue };
            let responses = op["responses"].as_object().expect("responses");
            let mut statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
            statuses.sort_unstable();
            let required: &[&str] = match access {
                Access::Public => &["431"],
                Access::Lifecycle => &["400", "401", "413", "431", "503"],
                Access::Page | Access::Api => &["401", "403", "429", "431", "503"],
            };
            for status in required {
                assert!(statuses.contains(status), "{key} ({access:?}) must document {status}");
            }
            for (status, response) in responses {
                let response = resolve(&spec, response);
                let headers = response["headers"].as_object().map(|h| h.keys().collect::<Vec<_>>());
                for header in SECURITY_HEADERS {
                    assert!(
                        headers.as_ref().is_some_and(|h| h.iter().any(|name| *name == header)),
                        "{key} {status}: document the {header} header"
                    );
                }
                if status == "429" {
                    assert!(
                        response["headers"].get("Retry-After").is_some(),
                        "{key} 429: Retry-After"
                    );
                }
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().expect("error body");
                    // Iframe pages refuse with an HTML page Jira shows; everything else is problem+json.
                    let page = access == Access::Page && status != "431";
                    let want = if page { "text/html" } else { "application/problem+json" };
                    assert_eq!(content.keys().collect::<Vec<_>>(), [want], "{key} {status}");
                    if !page {
                        let schema = &content[want]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/Problem", "{key} {status}");
                    }
                }
            }
        }
    }

    #[test]
    fn problem_schema_is_the_shape_problem_rs_renders() {
        let spec = spec();
        let problem = &spec["components"]["schemas"]["Problem"];
        let mut required: Vec<&str> =
            problem["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        required.sort_unstable();
        assert_eq!(required, ["code", "detail", "status", "title", "type"]);
        for name in ["type", "title", "status", "detail", "code"] {
            assert!(problem["properties"].get(name).is_some(), "Problem.{name}");
        }
        assert_eq!(stj_http::problem::PROBLEM_JSON, "application/problem+json");
    }

    #[test]
    fn actix_patterns_map_to_openapi_paths() {
        assert_eq!(openapi_path("/static/{file}"), "/static/{file}");
        assert_eq!(openapi_path(r"/api/v1/templates/{id:\d+}/x"), "/api/v1/templates/{id}/x");
        assert_eq!(openapi_path("/healthz"), "/healthz");
    }
}

#[cfg(test)]
#[path = "openapi/bodies.rs"]
mod bodies;

/// The `x-forge` block lists the Forge app exactly as `forge/manifest.yml` declares it: its id and
/// Connect key (the descriptor's), the remote, each Custom UI resource with its modules, each
/// endpoint with its token and the operations it reaches, documented here.
#[cfg(test)]
mod forge_listing {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use serde_json::Value;

    use super::spec_matches_routes::{operations, spec};

    fn root_file(name: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn manifest() -> Value {
        serde_yaml_ng::from_str(&root_file("forge/manifest.yml")).expect("forge/manifest.yml")
    }

    fn list(value: &Value) -> &Vec<Value> {
        value.as_array().unwrap_or_else(|| panic!("not a list: {value}"))
    }

    #[test]
    fn app_identity_and_remote() {
        let (spec, manifest) = (spec(), manifest());
        let forge = &spec["x-forge"];
        assert_eq!(forge["appId"], manifest["app"]["id"]);
        assert_eq!(forge["connectKey"], manifest["app"]["connect"]["key"]);
        let key = forge["connectKey"].as_str().expect("connectKey");
        assert!(
            root_file("config/base.toml").contains(&format!("app_key = \"{key}\"")),
            "app.connect.key must be the Connect descriptor's app key (config/base.toml)"
        );
        let remotes = list(&manifest["remotes"]);
        assert_eq!(remotes.len(), 1);
        assert_eq!(forge["remote"]["key"], remotes[0]["key"]);
        assert_eq!(forge["remote"]["baseUrl"], remotes[0]["baseUrl"]);
    }

    #[test]
    fn custom_ui_resources_and_their_modules() {
        let (spec, manifest) = (spec(), manifest());
        let listed = list(&spec["x-forge"]["customUi"]["resources"]);
        let resources = list(&manifest["resources"]);
        assert_eq!(listed.len(), resources.len());
        for resource in resources {
            let key = &resource["key"];
            let entry = listed.iter().find(|r| r["key"] == *key).expect("resource listed");
            let path = resource["path"].as_str().expect("path");
            assert_eq!(Some(path), entry["path"].as_str().map(|p| format!("../{p}")).as_deref());
            let mut declared = BTreeSet::new();
            for (kind, modules) in manifest["modules"].as_object().expect("modules") {
                for module in list(modules).iter().filter(|m| m["resource"] == *key) {
                    declared.insert((module["key"].to_string(), kind.clone()));
                }
            }
            let documented: BTreeSet<(String, String)> = list(&entry["modules"])
                .iter()
                .map(|m| (m["key"].to_string(), m["type"].as_str().unwrap_or("").to_owned()))
                .collect();
            assert_eq!(documented, declared, "modules of resource {key}");
        }
    }

    #[test]
    fn endpoints_reach_documented_operations() {
        let (spec, manifest) = (spec(), manifest());
        let ops = operations(&spec);
        let listed = list(&spec["x-forge"]["endpoints"]);
        let endpoints = list(&manifest["modules"]["endpoint"]);
        assert_eq!(listed.len(), endpoints.len());
        for endpoint in endpoints {
            let entry = listed.iter().find(|e| e["key"] == endpoint["key"]).expect("listed");
            let auth = entry["auth"].as_str().expect("auth");
            assert_eq!(endpoint["auth"][auth]["enabled"], Value::Bool(true), "{endpoint}");
            assert_eq!(endpoint["auth"].as_object().map(|a| a.len()), Some(1), "one token kind");
            let reaches = entry["operations"].as_str().expect("operations");
            match endpoint["route"]["path"].as_str() {
                Some(path) => {
                    assert_eq!(reaches, format!("POST {path}"));
                    assert!(ops.contains_key(reaches), "{reaches} is not documented");
                }
                None => {
                    // The Custom UI's calls: every operation under the prefix accepts a FIT.
                    let prefix = reaches.strip_suffix('*').expect("a path prefix");
                    let under: Vec<_> = ops
                        .iter()
                        .filter(|(op, _)| {
                            op.split_once(' ').is_some_and(|(_, p)| p.starts_with(prefix))
                        })
                        .collect();
                    assert!(!under.is_empty(), "nothing documented under {prefix}");
                    for (op, operation) in under {
                        let fit = list(&operation["security"])
                            .iter()
                            .any(|req| req.get("forgeInvocationToken").is_some());
                        assert!(fit, "{op} does not accept the Forge invocation token");
                    }
                }
            }
        }
        // Every Custom UI module invokes the API endpoint; the lifecycle trigger the events one.
        for (_, modules) in manifest["modules"].as_object().expect("modules") {
            for module in list(modules).iter().filter(|m| m.get("resource").is_some()) {
                assert_eq!(module["resolver"]["endpoint"], "stj-api", "{module}");
            }
        }
        let triggers = list(&manifest["modules"]["trigger"]);
        let events = listed.iter().find(|e| e["key"] == "stj-events").expect("stj-events");
        assert_eq!(triggers.len(), 1);
        assert_eq!(triggers[0]["endpoint"], "stj-events");
        assert_eq!(triggers[0]["events"], events["events"]);
    }
}
