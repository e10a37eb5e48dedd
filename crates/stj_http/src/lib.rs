#![doc = include_str!("../README.md")]

mod assets;
pub mod auth;
#[doc(hidden)]
pub mod body_fields;
pub mod config;
pub mod doors;
mod handlers;
pub mod headers;
mod html;
pub mod problem;
pub mod ratelimit;
mod request_span;
pub mod routes;
pub mod state;

pub use config::{HttpConfig, RateLimitConfig};
pub use doors::Doors;
pub use routes::{Access, RouteSpec, routes};
pub use state::EdgeState;

/// The URL path of a front-end file in this release (`/static/<hash>/<file>`), for tests and tools.
pub fn asset_path(file: &str) -> String {
    format!("/static/{}/{file}", assets::version())
}

use actix_web::web;

/// Everything the app serves, wrapped in the cross-cutting middleware. Used by the binary and tests.
pub fn app(
    state: web::Data<EdgeState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let config = state.config.clone();
    actix_web::App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::new(config.max_body_bytes))
        .app_data(problem::json_config(config.max_body_bytes))
        .configure(routes::configure)
        .default_service(web::to(problem::not_found))
        // Innermost first: the header cap's 431 still gets problem+json and security headers.
        .wrap(actix_web::middleware::from_fn(headers::limit_headers))
        .wrap(problem::problem_errors())
        .wrap(headers::security_headers(&config))
        .wrap(actix_web::middleware::from_fn(request_span::request_span))
}
