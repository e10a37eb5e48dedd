//! The caller, projects, their issue types, and priorities.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Caller, Refusal, error, path_param, query_list, query_value};
use crate::Sandbox;
use crate::site::Site;
use crate::site::records::Project;
use crate::site::render::Render;

/// `GET /rest/api/3/myself`.
pub(crate) async fn myself(caller: Caller, state: web::Data<Sandbox>) -> HttpResponse {
    caller.on_site(&state, |site, base| match site.user(&caller.account_id) {
        Some(user) => HttpResponse::Ok().json(Render { site, base }.user(user)),
        None => super::auth::unauthorized(),
    })
}

/// `GET /rest/api/3/user/bulk?accountId=…` (repeatable; `startAt`, `maxResults` default 10):
/// the known users among those asked for, in the order asked, as a `PageBeanUser`. 400 without
/// any `accountId`; unknown accounts are left out, as Jira does.
pub(crate) async fn users(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let Some(ids) = query_list(&req, "accountId") else {
        return error(StatusCode::BAD_REQUEST, "The accountId parameter is required.");
    };
    let number = |name: &str, default: usize| {
        query_value(&req, name).map_or(Some(default), |v| v.parse::<usize>().ok())
    };
    let (Some(start_at), Some(max_results)) = (number("startAt", 0), number("maxResults", 10))
    else {
        return error(StatusCode::BAD_REQUEST, "startAt and maxResults must be numbers.");
    };
    caller.on_site(&state, |site, base| {
        let render = Render { site, base };
        let found: Vec<Value> = ids.iter().filter_map(|id| site.user(id)).map(|u| render.user(u)).collect();
        let total = found.len();
        let page: Vec<Value> = found.into_iter().skip(start_at).take(max_results).collect();
        let is_last = start_at.saturating_add(page.len()) >= total;
        HttpResponse::Ok().json(json!({
            "self": format!("{base}/rest/api/3/user/bulk?startAt={start_at}&maxResults={max_results}"),
            "maxResults": max_results,
            "startAt": start_at,
            "total": total,
            "isLast": is_last,
            "values": page,
        }))
    })
}

/// `GET /rest/api/3/project/{projectIdOrKey}`: needs *Browse projects*; otherwise it does not exist.
pub(crate) async fn project(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let id_or_key = path_param(&req, "projectIdOrKey");
    caller.on_site(&state, |site, base| match browsable(site, &caller, id_or_key) {
        Some(project) => HttpResponse::Ok().json(Render { site, base }.project(project)),
        None => project_not_found(id_or_key).respond(),
    })
}

/// `GET /rest/api/3/issuetype/project?projectId=&level=`: the project's types, optionally of one
/// hierarchy level. 400 for a missing or malformed parameter, 404 for a project the caller
/// cannot browse (unless *Administer Jira*).
pub(crate) async fn issue_types(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let Some(project_id) = query_value(&req, "projectId") else {
        return error(StatusCode::BAD_REQUEST, "The projectId parameter is required.");
    };
    if project_id.parse::<i64>().is_err() {
        return error(StatusCode::BAD_REQUEST, "The projectId parameter must be a number.");
    }
    let level = match query_value(&req, "level").map(|l| l.parse::<i32>()) {
        None => None,
        Some(Ok(level)) if (-1..=1).contains(&level) => Some(level),
        Some(_) => return error(StatusCode::BAD_REQUEST, "The level must be -1, 0 or 1."),
    };
    caller.on_site(&state, |site, base| {
        let project =
            site.project(&project_id).filter(|p| p.id.to_string() == project_id).filter(|p| {
                site.permissions(&caller.account_id, p).browse
                    || site.is_site_admin(&caller.account_id)
            });
        let Some(project) = project else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("No project could be found with id '{project_id}'."),
            );
        };
        let render = Render { site, base };
        let types: Vec<Value> = site
            .project_issue_types(project)
            .into_iter()
            .filter(|t| level.is_none_or(|l| t.hierarchy_level == l))
            .map(|t| render.issue_type(t))
            .collect();
        HttpResponse::Ok().json(types)
    })
}

/// `GET /rest/api/3/priority` (deprecated in the spec, still served).
pub(crate) async fn priorities(caller: Caller, state: web::Data<Sandbox>) -> HttpResponse {
    caller.on_site(&state, |site, base| {
        let render = Render { site, base };
        let all: Vec<Value> = site.priorities.iter().map(|p| render.priority(p)).collect();
        HttpResponse::Ok().json(all)
    })
}

/// `GET /rest/api/3/priority/search`: paged, filtered by `id`, `projectId` (every project here
/// uses every priority), `priorityName` and `onlyDefault`.
pub(crate) async fn search_priorities(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let number = |name: &str, default: usize| {
        query_value(&req, name).map_or(Some(default), |v| v.parse::<usize>().ok())
    };
    let (Some(start_at), Some(max_results)) = (number("startAt", 0), number("maxResults", 50))
    else {
        return error(StatusCode::BAD_REQUEST, "startAt and maxResults must be numbers.");
    };
    let ids = query_list(&req, "id");
    let name = query_value(&req, "priorityName").map(|n| n.to_lowercase());
    let only_default = query_value(&req, "onlyDefault").is_some_and(|v| v == "true");
    caller.on_site(&state, |site, base| {
        let render = Render { site, base };
        let default_id = site.default_priority().map(|p| p.id.clone());
        let matching: Vec<Value> = site
            .priorities
            .iter()
            .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.id)))
            .filter(|p| name.as_ref().is_none_or(|n| p.name.to_lowercase().contains(n)))
            .filter(|p| !only_default || Some(&p.id) == default_id.as_ref())
            .map(|p| {
                let mut value = render.priority(p);
                if let Some(obj) = value.as_object_mut() {
                    obj.insert("isDefault".to_owned(), json!(Some(&p.id) == default_id.as_ref()));
                }
                value
            })
            .collect();
        let total = matching.len();
        let page: Vec<Value> = matching.into_iter().skip(start_at).take(max_results).collect();
        let is_last = start_at.saturating_add(page.len()) >= total;
        HttpResponse::Ok().json(json!({
            "self": format!("{base}/rest/api/3/priority/search?startAt={start_at}&maxResults={max_results}"),
            "maxResults": max_results,
            "startAt": start_at,
            "total": total,
            "isLast": is_last,
            "values": page,
        }))
    })
}

/// The project if the caller may browse it; Jira hides the others entirely.
pub(crate) fn browsable<'s>(
    site: &'s Site,
    caller: &Caller,
    id_or_key: &str,
) -> Option<&'s Project> {
    site.project(id_or_key).filter(|p| site.permissions(&caller.account_id, p).browse)
}

pub(crate) fn project_not_found(id_or_key: &str) -> Refusal {
    let what = if id_or_key.parse::<u64>().is_ok() { "id" } else { "key" };
    Refusal::new(
        StatusCode::NOT_FOUND,
        format!("No project could be found with {what} '{id_or_key}'."),
    )
}
