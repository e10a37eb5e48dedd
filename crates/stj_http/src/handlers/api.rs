//! The JSON API the app's own frontend calls with context tokens.

use actix_web::HttpResponse;

use crate::auth::ApiCaller;

/// What the frontend needs to start: which site it talks to and that the licence is active. No
/// personal data: the account id stays on the server.
pub(crate) async fn context(ApiCaller(principal): ApiCaller) -> HttpResponse {
    HttpResponse::Ok().json(Context {
        licensed: true,
        site: principal.base_url.host(),
        user: principal.account_id.is_some(),
    })
}

/// The answer's shape (OpenAPI `Context`), written straight from the principal.
#[derive(serde::Serialize)]
struct Context<'a> {
    licensed: bool,
    site: &'a str,
    user: bool,
}
