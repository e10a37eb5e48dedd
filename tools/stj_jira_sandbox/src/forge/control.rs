//! `POST /__sandbox/forge/tokens`: [`Sandbox::forge_tokens`] over HTTP, for tests in any language.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::fit::ForgeTokenRequest;
use crate::Sandbox;
use crate::control::respond;

pub(crate) async fn tokens(
    sandbox: web::Data<Sandbox>,
    body: web::Json<ForgeTokenRequest>,
) -> HttpResponse {
    respond(sandbox.forge_tokens(&body).map(|t| {
        json!({
            "fit": t.fit.expose(),
            "userToken": t.user_token.as_ref().map(|s| s.expose()),
            "systemToken": t.system_token.expose(),
            "installationId": t.site.installation_id,
            "cloudId": t.site.cloud_id,
            "apiBaseUrl": t.site.api_base_url,
            "siteUrl": t.site.site_url,
            "appId": sandbox.forge_app_id(),
        })
    }))
}
