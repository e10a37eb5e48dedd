//! The JSON API the app's own frontend calls with context tokens.

use actix_web::HttpResponse;

use crate::auth::ApiCaller;

/// What the frontend needs to start: which site it talks to and that the licence is active. No
/// personal data: the account id stays on the server.
pub(crate) async fn context(ApiCaller(principal): ApiCaller) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "site": principal.base_url.host(),
        "licensed": true,
        "user": principal.account_id.is_some(),
    }))
}
