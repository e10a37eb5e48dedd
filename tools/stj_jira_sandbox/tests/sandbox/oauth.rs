use std::time::Duration;

use serde_json::{Value, json};
use stj_jira_sandbox::tokens::now_secs;
use stj_jira_sandbox::{
    ACCESS_TOKEN_TTL_SECS, JiraUser, LifecycleEvent, SandboxConfig, sign_hs256,
};

use crate::jira::{ADA, As, MAX, Site, VIEWER};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// POST a form to the token endpoint: (status, body).
fn token_request(site: &Site, form: &[(&str, &str)]) -> (u16, Value) {
    let body: String =
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&format!("{}/oauth2/token", site.sandbox.auth_server_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body)
        .unwrap();
    (response.status().as_u16(), response.body_mut().read_json().unwrap_or(Value::Null))
}

fn assertion(site: &Site, account_id: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut claims =
        site.sandbox.user_assertion_claims(&site.tenant.client_key, account_id).unwrap();
    edit(&mut claims);
    sign_hs256(site.tenant.shared_secret.expose(), &claims).unwrap()
}

#[test]
fn the_bearer_grant_acts_as_the_user_with_the_users_permissions() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let claims = site.sandbox.user_assertion_claims(ck, MAX).unwrap();
    let client_id = site.sandbox.oauth_client_id(ck).unwrap();
    // The same oauthClientId the app got in its installed payload.
    let payload = site.sandbox.lifecycle_payload(ck, LifecycleEvent::Installed).unwrap();
    assert_eq!(payload["oauthClientId"], client_id.as_str());
    assert_eq!(claims["iss"], format!("urn:atlassian:connect:clientid:{client_id}"));
    assert_eq!(claims["sub"], format!("urn:atlassian:connect:useraccountid:{MAX}"));
    assert_eq!(claims["tnt"], site.tenant.base_url.as_str());
    assert_eq!(claims["aud"], site.sandbox.auth_server_url());

    let (status, body) = token_request(
        &site,
        &[("grant_type", GRANT), ("assertion", &assertion(&site, MAX, |_| {}))],
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_u64()),
        (Some("Bearer"), Some(ACCESS_TOKEN_TTL_SECS))
    );
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer(token)).body["accountId"], MAX);
    // Max may not write Ada's user properties, though the app could.
    let adas = format!("/rest/api/3/user/properties/k?accountId={ADA}");
    assert_eq!(site.put(&adas, &json!(1), As::Bearer(token)).status, 403);

    let (_, viewer) = token_request(
        &site,
        &[("grant_type", GRANT), ("assertion", &assertion(&site, VIEWER, |_| {}))],
    );
    let viewer = viewer["access_token"].as_str().unwrap();
    assert_ne!(viewer, token, "every grant gets a fresh random token");
    assert_eq!(
        site.put("/rest/api/3/project/PROJ/properties/k", &json!(1), As::Bearer(viewer)).status,
        403
    );
}

#[test]
fn scopes_limit_what_a_token_may_do() {
    let site = Site::populated();
    let assertion = assertion(&site, MAX, |_| {});
    let (status, body) = token_request(
        &site,
        &[("grant_type", GRANT), ("assertion", &assertion), ("scope", "READ")],
    );
    assert_eq!(status, 200);
    let read_only = body["access_token"].as_str().unwrap();
    let mine = format!("/rest/api/3/user/properties/k?accountId={MAX}");
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer(read_only)).status, 200);
    let refused = site.put(&mine, &json!(1), As::Bearer(read_only));
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["message"], "Unauthorized; scope does not match");

    let (_, body) = token_request(
        &site,
        &[("grant_type", GRANT), ("assertion", &assertion), ("scope", "READ WRITE")],
    );
    let writer = body["access_token"].as_str().unwrap();
    assert_eq!(site.put(&mine, &json!(1), As::Bearer(writer)).status, 201);
    assert_eq!(site.delete(&mine, As::Bearer(writer)).status, 401, "DELETE needs the DELETE scope");
    for scope in ["read", "READ BOGUS", ""] {
        let (status, body) = token_request(
            &site,
            &[("grant_type", GRANT), ("assertion", &assertion), ("scope", scope)],
        );
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")), "{scope:?}");
    }
}

#[test]
fn bad_assertions_get_no_token() {
    let site = Site::populated();
    let now = now_secs();
    let cases: Vec<(&str, String)> = vec![
        (
            "wrong secret",
            sign_hs256(
                "not-the-secret-at-all",
                &site.sandbox.user_assertion_claims(&site.tenant.client_key, MAX).unwrap(),
            )
            .unwrap(),
        ),
        (
            "wrong iss",
            assertion(&site, MAX, |c| c["iss"] = json!("urn:atlassian:connect:clientid:other")),
        ),
        (
            "iss is the client key",
            assertion(&site, MAX, |c| c["iss"] = json!(site.tenant.client_key.as_str())),
        ),
        (
            "userkey sub",
            assertion(&site, MAX, |c| {
                c["sub"] = json!(format!("urn:atlassian:connect:userkey:{MAX}"))
            }),
        ),
        ("unknown user", assertion(&site, "ghost", |_| {})),
        ("wrong tnt", assertion(&site, MAX, |c| c["tnt"] = json!("https://other.atlassian.net"))),
        (
            "wrong aud",
            assertion(&site, MAX, |c| {
                c["aud"] = json!("https://oauth-2-authorization-server.services.atlassian.com")
            }),
        ),
        ("no aud", assertion(&site, MAX, |c| drop(c.as_object_mut().unwrap().remove("aud")))),
        (
            "expired",
            assertion(&site, MAX, |c| {
                c["exp"] = json!(now.saturating_sub(120));
                c["iat"] = json!(now.saturating_sub(180))
            }),
        ),
        ("exp too far ahead", assertion(&site, MAX, |c| c["exp"] = json!(now.saturating_add(300)))),
        ("no iat", assertion(&site, MAX, |c| drop(c.as_object_mut().unwrap().remove("iat")))),
        (
            "alg none",
            stj_jira_sandbox::unsigned_token(
                &site.sandbox.user_assertion_claims(&site.tenant.client_key, MAX).unwrap(),
            ),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (why, assertion) in cases {
        let (status, body) =
            token_request(&site, &[("grant_type", GRANT), ("assertion", &assertion)]);
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{why}: {body}");
    }
    let good = assertion(&site, MAX, |c| c["exp"] = json!(now.saturating_add(120)));
    assert_eq!(token_request(&site, &[("grant_type", GRANT), ("assertion", &good)]).0, 200);
    let (status, body) =
        token_request(&site, &[("grant_type", "client_credentials"), ("assertion", &good)]);
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, body) = token_request(&site, &[("grant_type", GRANT)]);
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
}

#[test]
fn expired_unknown_and_foreign_tokens_are_401() {
    let site = Site::populated();
    let ck = &site.tenant.client_key;
    let token = site.token(MAX);
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer(&token)).status, 200);
    site.sandbox.expire_access_tokens(ck).unwrap();
    let expired = site.get("/rest/api/3/myself", As::Bearer(&token));
    assert_eq!((expired.status, expired.body["status-code"].as_u64()), (401, Some(401)));
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer("made-up")).status, 401);
    assert_eq!(site.get("/rest/api/3/myself", As::Header("Basic dXNlcjpwYXNz")).status, 401);
    assert_eq!(site.get("/rest/api/3/myself", As::Nobody).status, 401);

    // A deactivated user's token stops working.
    let fresh = site.token(MAX);
    site.sandbox.update_user(ck, MAX, |u| u.active = false).unwrap();
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer(&fresh)).status, 401);
}

#[test]
fn tokens_are_good_only_at_their_own_site() {
    let site = Site::with_config(SandboxConfig { tenant_paths: true, ..SandboxConfig::default() });
    let other =
        site.sandbox.add_installed_tenant("http://127.0.0.1:9/app", crate::jira::APP).unwrap();
    let ck = &site.tenant.client_key;
    site.sandbox.add_user(ck, JiraUser::new(MAX, "Max")).unwrap();
    site.sandbox.add_user(&other.client_key, JiraUser::new(MAX, "Max")).unwrap();
    let token = site.token(MAX);
    assert_eq!(site.get("/rest/api/3/myself", As::Bearer(&token)).status, 200);
    let elsewhere = Site { sandbox: site.sandbox, tenant: other };
    assert_eq!(elsewhere.get("/rest/api/3/myself", As::Bearer(&token)).status, 401);
    // An assertion signed for one site does not get a token for the other.
    let mut claims = elsewhere.sandbox.user_assertion_claims(ck, MAX).unwrap();
    claims["tnt"] = json!(elsewhere.tenant.base_url.as_str());
    let forged = sign_hs256(elsewhere.tenant.shared_secret.expose(), &claims).unwrap();
    let (status, _) = token_request(&elsewhere, &[("grant_type", GRANT), ("assertion", &forged)]);
    assert_eq!(status, 400);
}
