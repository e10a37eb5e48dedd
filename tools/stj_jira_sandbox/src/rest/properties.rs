//! Entity properties of issues, users and projects, with Jira's rules: any non-empty JSON value of
//! at most 32 768 bytes, keys of at most 255 characters, 201 on create and 200 on update, last
//! write wins. Reading needs sight of the entity; writing needs *Edit issues* (issues), being the
//! user or *Administer Jira* (users), *Administer projects* or *Administer Jira* (projects).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::issues::{issue_not_found, visible};
use super::projects::{browsable, project_not_found};
use super::validate::{KEY_TOO_LONG, VALUE_TOO_LONG};
use super::{
    Caller, MAX_PROPERTY_BYTES, MAX_PROPERTY_KEY_CHARS, Refusal, error, is_json, path_param,
};
use super::{query_value, unsupported_media_type};
use crate::Sandbox;
use crate::site::Site;
use crate::site::admin::properties_of;
use crate::site::model::Entity;

/// The longest `accountId` Jira accepts.
const MAX_ACCOUNT_ID_CHARS: usize = 128;

/// An entity resolved for this caller: how to find its properties, and where its `self` is.
struct Target {
    kind: Kind,
    id: String,
    self_base: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Issue,
    User,
    Project,
}

impl Target {
    fn entity(&self) -> Entity<'_> {
        match self.kind {
            Kind::Issue => Entity::Issue(&self.id),
            Kind::User => Entity::User(&self.id),
            Kind::Project => Entity::Project(&self.id),
        }
    }

    fn self_url(&self, key: &str) -> String {
        match self.kind {
            Kind::User => format!("{}/{key}?accountId={}", self.self_base, self.id),
            Kind::Issue | Kind::Project => format!("{}/{key}", self.self_base),
        }
    }
}

/// `GET …/properties`: `{"keys": [{"key", "self"}]}`.
pub(crate) async fn keys(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    on_target(&caller, &state, &req, false, |site, target| {
        let keys: Vec<Value> = properties_of(site, target.entity())
            .map(|props| {
                props.keys().map(|k| json!({ "self": target.self_url(k), "key": k })).collect()
            })
            .unwrap_or_default();
        HttpResponse::Ok().json(json!({ "keys": keys }))
    })
}

/// `GET …/properties/{propertyKey}`: `{"key", "value"}`.
pub(crate) async fn get(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let key = path_param(&req, "propertyKey").to_owned();
    on_target(&caller, &state, &req, false, |site, target| {
        match properties_of(site, target.entity()).and_then(|props| props.get(&key)) {
            Some(value) => HttpResponse::Ok().json(json!({ "key": key, "value": value })),
            None => missing(&key),
        }
    })
}

/// `PUT …/properties/{propertyKey}` with the value as the JSON body.
pub(crate) async fn put(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    if !is_json(&req) {
        return unsupported_media_type();
    }
    let key = path_param(&req, "propertyKey").to_owned();
    on_target(&caller, &state, &req, true, |site, target| {
        if key.chars().count() > MAX_PROPERTY_KEY_CHARS {
            return error(StatusCode::BAD_REQUEST, KEY_TOO_LONG);
        }
        if body.len() > MAX_PROPERTY_BYTES {
            return error(StatusCode::BAD_REQUEST, VALUE_TOO_LONG);
        }
        let Ok(value) = serde_json::from_slice::<Value>(&body) else {
            return error(
                StatusCode::BAD_REQUEST,
                "The property value must be a valid, non-empty JSON value.",
            );
        };
        match properties_of(site, target.entity()).map(|props| props.insert(key.clone(), value)) {
            Some(Some(_)) => HttpResponse::Ok().finish(),
            Some(None) => HttpResponse::Created().finish(),
            None => missing(&key),
        }
    })
}

/// `DELETE …/properties/{propertyKey}`: 204, or 404 when there is no such property.
pub(crate) async fn delete(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let key = path_param(&req, "propertyKey").to_owned();
    on_target(&caller, &state, &req, true, |site, target| {
        match properties_of(site, target.entity()).and_then(|props| props.remove(&key)) {
            Some(_) => HttpResponse::NoContent().finish(),
            None => missing(&key),
        }
    })
}

/// `answer` on the site with the entity the request names, if `caller` may see it (and change it
/// when `write`); otherwise the status and body Jira answers.
fn on_target(
    caller: &Caller,
    state: &Sandbox,
    req: &HttpRequest,
    write: bool,
    answer: impl FnOnce(&mut Site, Target) -> HttpResponse,
) -> HttpResponse {
    caller.on_site(state, |site, base| match resolve(site, caller, req, base, write) {
        Ok(target) => answer(site, target),
        Err(refusal) => refusal.respond(),
    })
}

/// The entity in the path (or `accountId`), if the caller may see it, and may change it when
/// `write`; otherwise the status and body Jira answers.
fn resolve(
    site: &Site,
    caller: &Caller,
    req: &HttpRequest,
    base: &str,
    write: bool,
) -> Result<Target, Refusal> {
    let forbidden = |message: &str| Err(Refusal::new(StatusCode::FORBIDDEN, message));
    if let Some(id_or_key) = req.match_info().get("issueIdOrKey") {
        let issue = visible(site, caller, id_or_key).ok_or_else(issue_not_found)?;
        let project = site.project_by_id(issue.fields.project_id).ok_or_else(issue_not_found)?;
        if write && !site.permissions(&caller.account_id, project).edit_issues {
            return forbidden("You do not have permission to edit this issue.");
        }
        let self_base = format!("{base}/rest/api/3/issue/{}/properties", issue.id);
        return Ok(Target { kind: Kind::Issue, id: issue.id.to_string(), self_base });
    }
    if let Some(id_or_key) = req.match_info().get("projectIdOrKey") {
        let project =
            browsable(site, caller, id_or_key).ok_or_else(|| project_not_found(id_or_key))?;
        let may_administer = site.permissions(&caller.account_id, project).administer_project
            || site.is_site_admin(&caller.account_id);
        if write && !may_administer {
            return forbidden("You do not have permission to administer this project.");
        }
        let self_base = format!("{base}/rest/api/3/project/{}/properties", project.id);
        return Ok(Target { kind: Kind::Project, id: project.id.to_string(), self_base });
    }
    let account_id = query_value(req, "accountId").filter(|a| !a.is_empty());
    let Some(account_id) = account_id else {
        let message = "The accountId query parameter needs to be provided.";
        return Err(Refusal::new(StatusCode::BAD_REQUEST, message));
    };
    if account_id.chars().count() > MAX_ACCOUNT_ID_CHARS {
        let message = "The accountId is longer than 128 characters.";
        return Err(Refusal::new(StatusCode::BAD_REQUEST, message));
    }
    if site.user(&account_id).is_none() {
        let message = "Specified user does not exist or you do not have required permissions";
        return Err(Refusal::new(StatusCode::NOT_FOUND, message));
    }
    if account_id != caller.account_id && !site.is_site_admin(&caller.account_id) {
        return forbidden(
            "The user does not have the necessary permission or is not accessing their user record.",
        );
    }
    let self_base = format!("{base}/rest/api/3/user/properties");
    Ok(Target { kind: Kind::User, id: account_id, self_base })
}

fn missing(key: &str) -> HttpResponse {
    error(StatusCode::NOT_FOUND, &format!("The property with key '{key}' does not exist."))
}
