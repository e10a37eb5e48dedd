//! Template libraries: personal (a user property) or shared in a project (a project property),
//! stored in Jira only (`stj_subtasks::LibraryService`). Templates travel as quick-entry text,
//! so export is the text itself.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use stj_core::Principal;
use stj_subtasks::{Caller, LibraryError, PropertyTarget};
use stj_templates::{Library, WrittenTemplate, read_written};

use crate::auth::ApiCaller;
use crate::handlers::common::{
    caller, invalid, library_json, library_problem, save_problem, target, template_json,
};
use crate::problem::Problem;
use crate::state::EdgeState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScopeQuery {
    scope: String,
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    revision: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct TemplateBody {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
    /// The subtask issue type name for lines that name none.
    #[serde(default)]
    subtask_type: Option<String>,
    quick_entry: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LibraryBody {
    revision: u64,
    templates: Vec<TemplateBody>,
}

/// Who asks, and the library the query's scope names.
fn library_of(
    principal: &Principal,
    query: &ScopeQuery,
) -> Result<(Caller, PropertyTarget), Problem> {
    let caller = caller(principal)?;
    let target = target(&caller, &query.scope, query.project.as_deref())?;
    Ok((caller, target))
}

pub(crate) async fn list(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, Problem> {
    let (caller, target) = library_of(&principal, &query)?;
    let stored = state.library.load(&caller, &target).await.map_err(library_problem)?;
    // Not knowing only hides the edit controls: Jira still decides on every save.
    let can_edit = state.library.can_edit(&caller, &target).await.unwrap_or_else(|error| {
        tracing::warn!(error.cause = %error, "could not ask Jira whether the user may edit the library");
        false
    });
    let mut body = library_json(&stored);
    if let Some(object) = body.as_object_mut() {
        object.insert("canEdit".to_owned(), json!(can_edit));
    }
    Ok(HttpResponse::Ok().json(body))
}

pub(crate) async fn get(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    id: web::Path<String>,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, Problem> {
    let (caller, target) = library_of(&principal, &query)?;
    let (revision, template) =
        state.library.template(&caller, &target, &id).await.map_err(library_problem)?;
    Ok(HttpResponse::Ok()
        .json(json!({ "revision": revision, "template": template_json(&template) })))
}

pub(crate) async fn save(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    query: web::Query<ScopeQuery>,
    body: web::Json<LibraryBody>,
) -> Result<HttpResponse, Problem> {
    let (caller, target) = library_of(&principal, &query)?;
    let body = body.into_inner();
    let library = to_library(body.templates)?;
    let saved = state.library.save(&caller, &target, &library, body.revision).await;
    revision_json(&target, saved)
}

pub(crate) async fn delete(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    id: web::Path<String>,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, Problem> {
    let (caller, target) = library_of(&principal, &query)?;
    let expected = query.revision.ok_or_else(|| {
        Problem::bad_request("revision_required", "send the revision you read as `revision`")
    })?;
    let removed = state.library.remove(&caller, &target, &id, expected).await;
    revision_json(&target, removed)
}

/// The revision a change of `target`'s library made, or why it was refused.
fn revision_json(
    target: &PropertyTarget,
    changed: Result<u64, LibraryError>,
) -> Result<HttpResponse, Problem> {
    let revision = changed.map_err(|error| save_problem(target, error))?;
    Ok(HttpResponse::Ok().json(json!({ "revision": revision })))
}

/// The body's templates as written; violations name the template and the line.
fn to_library(bodies: Vec<TemplateBody>) -> Result<Library, Problem> {
    let written = bodies.into_iter().map(|body| WrittenTemplate {
        id: body.id,
        name: body.name,
        description: body.description,
        subtask_type: body.subtask_type,
        quick_entry: body.quick_entry,
    });
    read_written(written.collect()).map_err(invalid)
}
