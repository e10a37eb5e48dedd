//! The sandbox as Forge's token side: the JWKS, the FIT claim set, overrides for negative tests,
//! and the control endpoint.

use jwt_simple::prelude::*;
use serde_json::{Map, Value, json};
use stj_jira_sandbox::{ForgeTokenRequest, SignWith, app_ari, decode_claims_unverified};

use crate::common::get;
use crate::jira::{ADA, Site};

fn published_key(site: &Site) -> RS256PublicKey {
    let (status, text) = get(&site.sandbox.forge_jwks_url(), None).unwrap();
    assert_eq!(status, 200, "{text}");
    let jwks: Value = serde_json::from_str(&text).unwrap();
    let keys = jwks.get("keys").and_then(Value::as_array).unwrap();
    assert_eq!(keys.len(), 1);
    let jwk = keys.first().unwrap();
    assert_eq!((jwk["kty"].as_str(), jwk["alg"].as_str()), (Some("RSA"), Some("RS256")));
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["kid"], site.sandbox.forge_kid());
    assert_eq!(jwk["e"], "AQAB");
    RS256PublicKey::from_jwk(&jwk.to_string()).unwrap()
}

fn verify(key: &RS256PublicKey, token: &str) -> Result<JWTClaims<Map<String, Value>>, String> {
    let options = VerificationOptions {
        allowed_issuers: Some(HashSet::from(["forge/invocation-token".to_owned()])),
        ..VerificationOptions::default()
    };
    key.verify_token::<Map<String, Value>>(token, Some(options)).map_err(|e| e.to_string())
}

#[test]
fn a_fit_carries_the_contract_claims_and_verifies_against_the_jwks() {
    let site = Site::populated();
    let sandbox = &site.sandbox;
    let mut request = ForgeTokenRequest::user(&site.tenant.client_key, ADA);
    request.extension = Some(json!({ "issue": { "key": "PROJ-1" } }));
    let tokens = sandbox.forge_tokens(&request).unwrap();
    let verified = verify(&published_key(&site), tokens.fit.expose()).unwrap();
    assert!(verified.expires_at.is_some() && verified.invalid_before.is_some());
    let claims = decode_claims_unverified(tokens.fit.expose()).unwrap();
    let app_id = sandbox.forge_app_id();
    assert_eq!(claims["aud"], app_ari(app_id));
    assert_eq!(claims["principal"], ADA);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    let forge = sandbox.forge_site(&site.tenant.client_key).unwrap();
    assert_eq!(forge, tokens.site);
    assert!(forge.installation_id.starts_with("ari:cloud:ecosystem::installation/"));
    assert_eq!(forge.api_base_url, format!("{}/ex/jira/{}", sandbox.base_url(), forge.cloud_id));
    let app = &claims["app"];
    assert_eq!(app["id"], app_ari(app_id));
    assert_eq!(app["installationId"], forge.installation_id);
    assert_eq!(app["apiBaseUrl"], forge.api_base_url);
    assert_eq!(app["environment"]["type"], "DEVELOPMENT");
    assert_eq!(app["license"], json!({ "isActive": true }));
    assert_eq!(claims["context"]["cloudId"], forge.cloud_id);
    assert_eq!(claims["context"]["siteUrl"], site.tenant.base_url.as_str());
    assert_eq!(claims["context"]["extension"]["issue"]["key"], "PROJ-1");
    // Stable per site: a second mint names the same installation, with a new jti.
    let again = sandbox.forge_tokens(&request).unwrap();
    let again_claims = decode_claims_unverified(again.fit.expose()).unwrap();
    assert_eq!(again_claims["app"], claims["app"]);
    assert_ne!(again_claims["jti"], claims["jti"]);
    assert_ne!(again.user_token.unwrap().expose(), tokens.user_token.unwrap().expose());
}

#[test]
fn overrides_and_the_unpublished_key_make_bad_tokens() {
    let site = Site::new();
    let key = published_key(&site);
    let mut request = ForgeTokenRequest::user(&site.tenant.client_key, ADA);
    request.claims = json!({ "iss": "someone/else", "app.license": null, "exp": 1 })
        .as_object()
        .unwrap()
        .clone();
    let tokens = site.sandbox.forge_tokens(&request).unwrap();
    let claims = decode_claims_unverified(tokens.fit.expose()).unwrap();
    assert_eq!(claims["iss"], "someone/else");
    assert_eq!(claims["exp"], 1);
    assert!(claims["app"].get("license").is_none());
    assert!(verify(&key, tokens.fit.expose()).is_err());
    // The unpublished key keeps the published kid: only the signature gives it away.
    let request = ForgeTokenRequest {
        sign_with: SignWith::Unpublished,
        ..ForgeTokenRequest::user(&site.tenant.client_key, ADA)
    };
    let forged = site.sandbox.forge_tokens(&request).unwrap();
    let header = Token::decode_metadata(forged.fit.expose()).unwrap();
    assert_eq!(header.key_id(), Some(site.sandbox.forge_kid()));
    assert!(verify(&key, forged.fit.expose()).is_err());
    let honest = site.sandbox.forge_tokens(&ForgeTokenRequest::user(&site.tenant.client_key, ADA));
    assert!(verify(&key, honest.unwrap().fit.expose()).is_ok());
}

#[test]
fn a_system_invocation_has_no_principal_and_no_user_token() {
    let site = Site::new();
    let request = ForgeTokenRequest {
        client_key: Some(site.tenant.client_key.as_str().to_owned()),
        ..ForgeTokenRequest::default()
    };
    let tokens = site.sandbox.forge_tokens(&request).unwrap();
    assert!(tokens.user_token.is_none());
    let claims = decode_claims_unverified(tokens.fit.expose()).unwrap();
    assert!(claims.get("principal").is_none());
    let system = decode_claims_unverified(tokens.system_token.expose()).unwrap();
    assert_eq!(system["sub"], site.sandbox.app_account_id(&site.tenant.client_key).unwrap());
    assert_eq!(system["cloudId"], tokens.site.cloud_id);
}

#[test]
fn the_control_endpoint_mints_by_cloud_id_and_refuses_bad_requests() {
    let site = Site::new();
    let forge = site.sandbox.forge_site(&site.tenant.client_key).unwrap();
    let url = format!("{}/__sandbox/forge/tokens", site.sandbox.base_url());
    let post = |body: Value| {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut response = agent.post(&url).send_json(&body).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    };
    let (status, body) =
        post(json!({ "cloudId": forge.cloud_id, "accountId": ADA, "signWith": "published" }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["installationId"], forge.installation_id);
    assert_eq!(body["apiBaseUrl"], forge.api_base_url);
    assert_eq!(body["siteUrl"], forge.site_url);
    assert_eq!(body["appId"], site.sandbox.forge_app_id());
    let fit = decode_claims_unverified(body["fit"].as_str().unwrap()).unwrap();
    assert_eq!(fit["principal"], ADA);
    assert!(body["userToken"].is_string() && body["systemToken"].is_string());
    assert_eq!(post(json!({ "cloudId": "nope" })).0, 404);
    assert_eq!(post(json!({})).0, 400);
    assert_eq!(post(json!({ "cloudId": forge.cloud_id, "signWith": "mine" })).0, 400);
    assert_eq!(post(json!({ "cloudId": forge.cloud_id, "claims": { ".": 1 } })).0, 400);
}
