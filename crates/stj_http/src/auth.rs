//! Extractors that make a handler authenticated: a handler that takes `ApiCaller` or `PageCaller`
//! cannot run before the token, rate limit and licence are checked.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;

use stj_core::{AuthError, Licence, Principal, QshPolicy, RequestFacts};

use crate::problem::Problem;
use crate::state::EdgeState;

/// A caller of the app's JSON API (its own frontend, with a context token).
#[derive(Debug)]
pub struct ApiCaller(pub Principal);

/// A Jira iframe page load (computed qsh; `lic` from the URL).
#[derive(Debug)]
pub struct PageCaller(pub Principal);

impl FromRequest for ApiCaller {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authorize(&req, QshPolicy::ComputedOrContext).await.map(ApiCaller) })
    }
}

impl FromRequest for PageCaller {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authorize(&req, QshPolicy::Computed).await.map(PageCaller).map_err(Problem::as_page)
        })
    }
}

pub fn facts(req: &HttpRequest) -> RequestFacts<'_> {
    RequestFacts {
        method: req.method().as_str(),
        raw_path: req.uri().path(),
        raw_query: req.query_string(),
        authorization: req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()),
    }
}

async fn authorize(req: &HttpRequest, policy: QshPolicy) -> Result<Principal, Problem> {
    let state = req.app_data::<web::Data<EdgeState>>().ok_or_else(|| {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "")
    })?;
    let principal =
        state.authenticator.authenticate(&facts(req), policy).await.map_err(auth_problem)?;
    if let Err(wait) = state.limits.check(&principal) {
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            "request budget for this site or user is spent; retry after the given delay",
        );
        problem.retry_after_secs = Some(wait.as_secs().saturating_add(1));
        return Err(problem);
    }
    match state.licence.licence(&principal).await {
        Ok(Licence::Active) => Ok(principal),
        Ok(Licence::Inactive) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "licence_inactive",
            "Licence required",
            "Subtask Templates needs an active licence on this Jira site. Ask a site admin to \
             start a trial or subscribe in Manage apps.",
        )),
        Err(e) => Err(Problem::unavailable("licence_unavailable", &e)),
    }
}

pub fn auth_problem(err: AuthError) -> Problem {
    match err {
        AuthError::Unavailable(_) => Problem::unavailable(err.code(), &err),
        AuthError::Disabled => {
            Problem::new(StatusCode::FORBIDDEN, err.code(), "App disabled", err.to_string())
        }
        _ => Problem::new(StatusCode::UNAUTHORIZED, err.code(), "Unauthorized", err.to_string()),
    }
}
