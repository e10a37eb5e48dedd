//! Template libraries: personal (a user property) or shared in a project (a project property),
//! stored in Jira only. Templates travel as quick-entry text, so export is the text itself.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use stj_subtasks::{Caller, PropertyTarget};
use stj_templates::{
    Library, LineMap, Template, TemplateId, format_quick_entry_mapped, parse_quick_entry,
};
use stj_validation::ValidationReport;

use crate::auth::ApiCaller;
use crate::handlers::common::{
    caller, invalid, library_json, library_problem, save_problem, template_json,
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

fn target(caller: &Caller, query: &ScopeQuery) -> Result<PropertyTarget, Problem> {
    crate::handlers::common::target(caller, &query.scope, query.project.as_deref())
}

pub(crate) async fn list(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let target = target(&caller, &query)?;
    let stored = state.library.load(&caller, &target).await.map_err(library_problem)?;
    // Not knowing only hides the edit controls: Jira still decides on every save.
    let can_edit = state.library.can_edit(&caller, &target).await.unwrap_or_else(|error| {
        tracing::warn!(error = %error, "could not ask Jira whether the user may edit the library");
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
    let caller = caller(&principal)?;
    let stored =
        state.library.load(&caller, &target(&caller, &query)?).await.map_err(library_problem)?;
    let template = find(&stored.library, &id)?;
    Ok(HttpResponse::Ok()
        .json(json!({ "revision": stored.revision, "template": template_json(template) })))
}

pub(crate) async fn save(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    query: web::Query<ScopeQuery>,
    body: web::Json<LibraryBody>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let target = target(&caller, &query)?;
    let body = body.into_inner();
    let library = to_library(body.templates)?;
    let revision = state
        .library
        .save(&caller, &target, &library, body.revision)
        .await
        .map_err(|error| save_problem(&target, error))?;
    Ok(HttpResponse::Ok().json(json!({ "revision": revision })))
}

pub(crate) async fn delete(
    state: web::Data<EdgeState>,
    ApiCaller(principal): ApiCaller,
    id: web::Path<String>,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, Problem> {
    let caller = caller(&principal)?;
    let target = target(&caller, &query)?;
    let expected = query.revision.ok_or_else(|| {
        Problem::bad_request("revision_required", "send the revision you read as `revision`")
    })?;
    let stored = state.library.load(&caller, &target).await.map_err(library_problem)?;
    find(&stored.library, &id)?;
    let mut library = stored.library;
    library.templates.retain(|t| t.id.as_str() != id.as_str());
    let revision = state
        .library
        .save(&caller, &target, &library, expected)
        .await
        .map_err(|error| save_problem(&target, error))?;
    Ok(HttpResponse::Ok().json(json!({ "revision": revision })))
}

/// A stored template ready to apply.
#[derive(Debug)]
pub(crate) struct StoredTemplate {
    /// Lines without a subtask type carry the template's.
    pub(crate) specs: Vec<stj_templates::SubtaskSpec>,
    /// Each subtask's line in the template's quick entry as the API shows it (`quickEntry`), so
    /// render problems are reported where the user sees them (`LineMap::relabel`).
    pub(crate) lines: LineMap,
    /// `personal/ID` or `project/KEY/ID`.
    pub(crate) source: String,
}

pub(crate) async fn stored_template(
    state: &EdgeState,
    caller: &Caller,
    query: &ScopeQuery,
    id: &str,
) -> Result<StoredTemplate, Problem> {
    let target = target(caller, query)?;
    let stored = state.library.load(caller, &target).await.map_err(library_problem)?;
    let template = find(&stored.library, id)?;
    let source = match &query.project {
        Some(project) => format!("project/{project}/{id}"),
        None => format!("personal/{id}"),
    };
    let (_, lines) = format_quick_entry_mapped(&template.subtasks);
    Ok(StoredTemplate { specs: template.specs(), lines, source })
}

impl ScopeQuery {
    pub(crate) fn new(scope: String, project: Option<String>) -> Self {
        Self { scope, project, revision: None }
    }
}

fn find<'a>(library: &'a Library, id: &str) -> Result<&'a Template, Problem> {
    library.templates.iter().find(|t| t.id.as_str() == id).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "template_not_found",
            "Not found",
            "no template with this id in this library",
        )
    })
}

/// Each template's quick entry parsed; problems name the template and the line.
fn to_library(bodies: Vec<TemplateBody>) -> Result<Library, Problem> {
    let mut report = ValidationReport::new();
    let mut templates = Vec::with_capacity(bodies.len());
    for (position, body) in (1..).zip(bodies) {
        let id = TemplateId::new(body.id.clone());
        let specs = parse_quick_entry(&body.quick_entry);
        match (id, specs) {
            (Ok(id), Ok(subtasks)) => {
                templates.push(Template {
                    id,
                    name: body.name,
                    description: body.description,
                    // An emptied field in the editor means "no default", as in the items API.
                    subtask_type: body.subtask_type.filter(|name| !name.is_empty()),
                    subtasks,
                });
            }
            (id, specs) => {
                if let Err(problem) = id {
                    report.push(problem.at_line(position));
                }
                if let Err(problems) = specs {
                    for mut problem in problems.violations {
                        problem.message =
                            format!("template {position} ({}): {}", body.id, problem.message);
                        report.push(problem);
                    }
                }
            }
        }
    }
    report.into_result(Library { revision: 0, templates }).map_err(invalid)
}
