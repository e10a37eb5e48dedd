//! `GET /rest/api/3/mypermissions`: which of the asked permissions the caller has, globally or in
//! one project, as Jira answers it (the app asks whether the user may edit shared templates).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::projects::{browsable, project_not_found};
use super::{Caller, error, query_value};
use crate::Sandbox;
use crate::site::Site;
use crate::site::model::Permissions;

/// The permission keys the sandbox knows: Jira's id, name, type and description for each.
const KNOWN: [(&str, &str, &str, &str, &str); 5] = [
    (
        "ADMINISTER",
        "0",
        "Administer Jira",
        "GLOBAL",
        "Create and administer projects, issue types, fields, workflows, and schemes for all projects.",
    ),
    (
        "BROWSE_PROJECTS",
        "10",
        "Browse Projects",
        "PROJECT",
        "Ability to browse projects and the issues within them.",
    ),
    ("CREATE_ISSUES", "11", "Create Issues", "PROJECT", "Ability to create issues."),
    ("EDIT_ISSUES", "12", "Edit Issues", "PROJECT", "Ability to edit issues."),
    (
        "ADMINISTER_PROJECTS",
        "23",
        "Administer Projects",
        "PROJECT",
        "Ability to administer a project in Jira.",
    ),
];

fn holds(key: &str, permissions: Permissions, site_admin: bool) -> bool {
    match key {
        "ADMINISTER" => site_admin,
        "BROWSE_PROJECTS" => permissions.browse,
        "CREATE_ISSUES" => permissions.create_issues,
        "EDIT_ISSUES" => permissions.edit_issues,
        "ADMINISTER_PROJECTS" => permissions.administer_project,
        _ => false,
    }
}

/// `?permissions=A,B` (required), `projectKey` or `projectId` (optional; `projectId` wins). 400
/// for no or unknown keys, 404 for a project the caller cannot see. Without a project a project
/// permission counts if the caller has it in any project.
pub(crate) async fn my_permissions(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    let asked: Vec<String> = query_value(&req, "permissions")
        .map(|list| {
            list.split(',').map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect()
        })
        .unwrap_or_default();
    if asked.is_empty() {
        return error(StatusCode::BAD_REQUEST, "The permissions query parameter is required.");
    }
    if let Some(unknown) = asked.iter().find(|k| !KNOWN.iter().any(|(known, ..)| known == k)) {
        return error(StatusCode::BAD_REQUEST, &format!("Unrecognized permission: {unknown}"));
    }
    let project = query_value(&req, "projectId").or_else(|| query_value(&req, "projectKey"));
    caller.on_site(&state, |site, _| {
        let site_admin = site.is_site_admin(&caller.account_id);
        let granted = match &project {
            Some(id_or_key) => match browsable(site, &caller, id_or_key) {
                Some(project) => site.permissions(&caller.account_id, project),
                None => return project_not_found(id_or_key).respond(),
            },
            None => anywhere(site, &caller.account_id),
        };
        let mut answer = Map::new();
        for (key, id, name, kind, description) in KNOWN {
            if asked.iter().any(|k| k == key) {
                let have = holds(key, granted, site_admin);
                answer.insert(
                    key.to_owned(),
                    json!({ "id": id, "key": key, "name": name, "type": kind,
                        "description": description, "havePermission": have }),
                );
            }
        }
        HttpResponse::Ok().json(json!({ "permissions": Value::Object(answer) }))
    })
}

/// The project permissions the user has in at least one project.
fn anywhere(site: &Site, account_id: &str) -> Permissions {
    site.projects.iter().map(|p| site.permissions(account_id, p)).fold(
        Permissions::NONE,
        |all, one| Permissions {
            browse: all.browse || one.browse,
            create_issues: all.create_issues || one.create_issues,
            edit_issues: all.edit_issues || one.edit_issues,
            administer_project: all.administer_project || one.administer_project,
        },
    )
}
