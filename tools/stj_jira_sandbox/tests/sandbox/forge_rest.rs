//! Jira's REST API through the Forge door: `/ex/jira/{cloudId}/rest/api/3/...` with a Forge user
//! or system token for that site, the same handlers, faults and spec as the Connect paths.

use serde_json::{Value, json};
use stj_jira_sandbox::conformance::check_recorded;
use stj_jira_sandbox::{Fault, FaultKind, ForgeTokenRequest, ForgeTokens};

use crate::jira::{ADA, APP, As, MAX, Site};

fn tokens(site: &Site, account: &str, token_claims: Value) -> ForgeTokens {
    let request = ForgeTokenRequest {
        token_claims: token_claims.as_object().unwrap().clone(),
        ..ForgeTokenRequest::user(&site.tenant.client_key, account)
    };
    site.sandbox.forge_tokens(&request).unwrap()
}

fn user_token(tokens: &ForgeTokens) -> String {
    tokens.user_token.as_ref().unwrap().expose().clone()
}

#[test]
fn a_user_token_acts_as_its_user_on_the_same_site_content() {
    let site = Site::populated();
    let forge = tokens(&site, MAX, json!({}));
    let api = &forge.site.api_base_url;
    let token = user_token(&forge);
    let myself = site.get(&format!("{api}/rest/api/3/myself"), As::Bearer(&token));
    assert_eq!(myself.status, 200, "{}", myself.text);
    assert_eq!(myself.body["accountId"], MAX);
    // A property written through the Forge door is the one the Connect door reads.
    let path = format!("/rest/api/3/user/properties/stj.templates?accountId={MAX}");
    let put = site.put(&format!("{api}{path}"), &json!({ "v": 1 }), As::Bearer(&token));
    assert_eq!(put.status, 201, "{}", put.text);
    let read = site.get(&path, As::Bearer(&site.token(MAX)));
    assert_eq!(read.body["value"], json!({ "v": 1 }));
    // The system token is the app's own user.
    let system = forge.system_token.expose();
    let app = site.get(&format!("{api}/rest/api/3/myself"), As::Bearer(system));
    assert_eq!(app.body["displayName"], APP);
    let requests = site.sandbox.requests();
    let forge_calls: Vec<_> = requests.iter().filter(|r| r.forge).collect();
    assert_eq!(forge_calls.len(), 3);
    assert_eq!(forge_calls[0].route.as_deref(), Some("GET /rest/api/3/myself"));
    assert_eq!(forge_calls[0].path, "/rest/api/3/myself");
    for request in forge_calls {
        assert!(check_recorded(request).is_ok(), "{request:?}");
    }
}

#[test]
fn only_fresh_forge_tokens_for_this_site_are_accepted() {
    let site = Site::populated();
    let api = tokens(&site, ADA, json!({})).site.api_base_url;
    let myself = format!("{api}/rest/api/3/myself");
    let status = |token: &str| site.get(&myself, As::Bearer(token)).status;
    let expired = tokens(&site, ADA, json!({ "exp": 1_000_000 }));
    assert_eq!(status(&user_token(&expired)), 401);
    let other = site.sandbox.add_installed_tenant("http://127.0.0.1:9/app", APP).unwrap();
    let elsewhere =
        site.sandbox.forge_tokens(&ForgeTokenRequest::user(&other.client_key, ADA)).unwrap();
    assert_eq!(status(elsewhere.system_token.expose()), 401, "token for another cloudId");
    let claimed = tokens(&site, ADA, json!({ "cloudId": "someone-else" }));
    assert_eq!(status(&user_token(&claimed)), 401);
    let ghost = tokens(&site, "5b10ac8d82e05b22cc7d4eff", json!({}));
    assert_eq!(status(&user_token(&ghost)), 401, "no such user on the site");
    // Neither door takes the other's credentials, nor the FIT itself.
    let fresh = tokens(&site, ADA, json!({}));
    assert_eq!(status(fresh.fit.expose()), 401);
    assert_eq!(site.get(&myself, As::App).status, 401);
    assert_eq!(status(&site.token(ADA)), 401);
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer(&user_token(&fresh))).status, 401);
    let body = site.get(&myself, As::Nobody);
    assert_eq!((body.status, body.body["status-code"].as_u64()), (401, Some(401)));
    assert_eq!(status(&user_token(&fresh)), 200);
}

#[test]
fn faults_apply_to_the_forge_paths() {
    let site = Site::populated();
    let forge = tokens(&site, ADA, json!({}));
    let token = user_token(&forge);
    let myself = format!("{}/rest/api/3/myself", forge.site.api_base_url);
    let fault = FaultKind::RateLimited { retry_after_secs: 3 };
    site.sandbox.add_fault(Fault::new("GET /rest/api/3/myself", fault).times(1));
    assert_eq!(site.get(&myself, As::Bearer(&token)).status, 429);
    assert_eq!(site.get(&myself, As::Bearer(&token)).status, 200);
    assert_eq!(site.sandbox.request_count("GET /rest/api/3/myself"), 2);
}

#[test]
fn the_apps_scopes_must_cover_each_operation() {
    let site = Site::populated();
    let unrestricted = user_token(&tokens(&site, MAX, json!({})));
    let scopes = ["read:jira-user", "read:user.property:jira", "write:user.property:jira"];
    site.sandbox.set_forge_scopes(Some(scopes.iter().map(|s| (*s).to_owned()).collect()));
    let forge = tokens(&site, MAX, json!({}));
    let (api, token) = (forge.site.api_base_url.clone(), user_token(&forge));
    let claims = stj_jira_sandbox::decode_claims_unverified(&token).unwrap();
    assert_eq!(claims["scope"], scopes.join(" "));
    let call = |method: &str, path: &str, token: &str| {
        let body = (method == "PUT").then(|| json!(1).to_string());
        site.call(method, &format!("{api}{path}"), body.as_deref(), As::Bearer(token))
    };
    // The classic set of one operation, the granular set of another.
    assert_eq!(call("GET", "/rest/api/3/myself", &token).status, 200);
    let property = format!("/rest/api/3/user/properties/k?accountId={MAX}");
    assert_eq!(call("PUT", &property, &token).status, 201);
    let denied = call("GET", "/rest/api/3/project/PROJ", &token);
    assert_eq!(denied.status, 401);
    assert_eq!(denied.body["message"], "Unauthorized; scope does not match");
    assert_eq!(call("DELETE", &property, &token).status, 401, "delete:user.property:jira");
    // A token minted before the app had scopes carries none and stays unrestricted.
    assert_eq!(call("GET", "/rest/api/3/project/PROJ", &unrestricted).status, 200);
    site.sandbox.set_forge_scopes(None);
    assert_eq!(
        call("GET", "/rest/api/3/project/PROJ", &user_token(&tokens(&site, MAX, json!({})))).status,
        200
    );
}
