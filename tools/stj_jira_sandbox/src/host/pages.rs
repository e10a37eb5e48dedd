//! `GET /browse/{issueKey}`, `/plugins/servlet/ac/{appKey}/{moduleKey}` (general pages) and
//! `/projects/{projectKey}/apps/{moduleKey}` (project pages): Jira's frame around the app's modules.

use std::fmt::Write as _;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::descriptor::{Facts, Module, ModuleKind};
use super::frame::FrameContext;
use super::html::{Chrome, escape};
use super::setup::Setup;
use super::view::{issue_view, subtasks_html};
use crate::Sandbox;

/// `GET /browse/{issueKey}`: the issue, its subtasks, and the app's issue modules on the right.
pub(crate) async fn issue(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    key: web::Path<String>,
) -> HttpResponse {
    let setup = match Setup::of(&req, &sandbox).await {
        Ok(setup) => setup,
        Err(response) => return response,
    };
    let account_id = setup.prefs.persona.account_id();
    let view = sandbox.with_site(&setup.site.client_key, |s| issue_view(s, &key, account_id));
    let Ok(Some(view)) = view else {
        return setup.not_found(
            req.path(),
            "Issue does not exist",
            "The issue you are trying to view does not exist, or you do not have permission to see it.",
        );
    };
    let jira = json!({
        "issue": { "id": view.id, "key": view.key, "issuetype": { "id": view.type_id } },
        "project": { "id": view.project_id, "key": view.project_key },
    });
    let mut data = setup.open_page(&sandbox, jira, Some(&view.key));
    data.extend([
        ("issue-key", view.key.clone()),
        ("issue-id", view.id.clone()),
        ("project-key", view.project_key.clone()),
        ("project-id", view.project_id.clone()),
    ]);
    let ctx = FrameContext {
        issue_key: Some(view.key.clone()),
        issue_id: Some(view.id.clone()),
        issue_type_id: Some(view.type_id.clone()),
        project_key: Some(view.project_key.clone()),
        project_id: Some(view.project_id.clone()),
    };
    let facts = Facts {
        site_admin: sandbox
            .user(&setup.site.client_key, account_id)
            .is_ok_and(|u| u.is_site_admin()),
        is_sub_task: view.is_sub_task,
        sub_tasks_available: view.sub_tasks_available,
    };
    let mut panels = String::new();
    let mut issue_modules = setup.modules_of(ModuleKind::Issue);
    issue_modules.retain(|m| m.shows(facts));
    for (n, module) in issue_modules.iter().enumerate() {
        let id = if n == 0 {
            "app-frame".to_owned()
        } else {
            format!("app-frame-{}", n.saturating_add(1))
        };
        let icon = module.icon.as_ref().map_or_else(String::new, |icon| {
            let src = format!("{}{icon}", setup.site.app.base_url);
            format!("<img src=\"{}\" alt=\"\" width=\"16\" height=\"16\">", escape(&src))
        });
        let _ = write!(
            panels,
            "<section class=\"glance\" aria-labelledby=\"glance-{key}\">\
             <h2 id=\"glance-{key}\" class=\"glance-heading\">{icon}<span>{name}</span></h2>{frame}</section>",
            key = escape(&module.key),
            name = escape(&module.name),
            frame = setup.frame(&sandbox, module, &ctx, &id),
        );
    }
    if issue_modules.is_empty() {
        let why = match &setup.modules {
            Err(reason) => format!("The app's descriptor could not be read: {reason}"),
            Ok(_) => "The app shows nothing on this issue.".to_owned(),
        };
        let _ = write!(panels, "<p id=\"no-app-module\" class=\"subtle\">{}</p>", escape(&why));
    }
    let main = issue_main(&view, &panels);
    let chrome = Chrome {
        title: &format!("[{}] {}", view.key, view.summary),
        prefs: &setup.prefs,
        user_name: &setup.user_name,
        path: req.path(),
        top_links: setup.top_links(None),
        sidebar: Some(setup.sidebar(&view.project_key, &view.project_name, None)),
        main,
        data,
    };
    setup.respond(StatusCode::OK, &chrome)
}

fn issue_main(view: &super::view::IssueView, panels: &str) -> String {
    let or_none = |v: &Option<String>| v.as_deref().map_or_else(|| "None".to_owned(), escape);
    let description = if view.description.is_empty() {
        "<p class=\"subtle\">Add a description…</p>".to_owned()
    } else {
        view.description.iter().map(|p| format!("<p>{}</p>", escape(p))).collect()
    };
    let labels = if view.labels.is_empty() {
        "None".to_owned()
    } else {
        view.labels.iter().map(|l| format!("<span class=\"label\">{}</span>", escape(l))).collect()
    };
    format!(
        "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumbs\"><ol><li>Projects</li>\
         <li>{project}</li><li><a href=\"/browse/{key}\" aria-current=\"page\">{key}</a></li></ol></nav>\
         <div class=\"issue-layout\"><div class=\"issue-main\">\
         <p class=\"issue-id\"><span class=\"issue-type\">{issue_type}</span> <span id=\"issue-key\">{key}</span></p>\
         <h1 id=\"issue-summary\">{summary}</h1>\
         <section aria-labelledby=\"description-heading\"><h2 id=\"description-heading\">Description</h2>\
         <div id=\"issue-description\" class=\"description\">{description}</div></section>\
         <section aria-labelledby=\"subtasks-heading\"><h2 id=\"subtasks-heading\">Subtasks</h2>\
         <div id=\"subtasks\">{subtasks}</div></section></div>\
         <aside class=\"issue-side\" aria-label=\"Details and apps\">\
         <p><span id=\"issue-status\" class=\"lozenge lozenge-status\">To Do</span></p>\
         <section class=\"details\" aria-labelledby=\"details-heading\"><h2 id=\"details-heading\">Details</h2>\
         <dl><dt>Assignee</dt><dd id=\"issue-assignee\">{assignee}</dd><dt>Reporter</dt><dd>{reporter}</dd>\
         <dt>Priority</dt><dd>{priority}</dd><dt>Due date</dt><dd>{due}</dd><dt>Labels</dt><dd>{labels}</dd></dl>\
         </section>{panels}</aside></div>",
        project = escape(&view.project_name),
        key = escape(&view.key),
        issue_type = escape(&view.type_name),
        summary = escape(&view.summary),
        subtasks = subtasks_html(&view.subtasks),
        assignee = view.assignee.as_deref().map_or_else(|| "Unassigned".to_owned(), escape),
        reporter = or_none(&view.reporter),
        priority = or_none(&view.priority),
        due = or_none(&view.due),
    )
}

/// `GET /plugins/servlet/ac/{appKey}/{moduleKey}`: a general page, full width. With
/// `?project.key=` a project module is shown as its project page.
pub(crate) async fn general(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (app_key, module_key) = path.into_inner();
    let setup = match Setup::of(&req, &sandbox).await {
        Ok(setup) => setup,
        Err(response) => return response,
    };
    let module = setup.modules.iter().flatten().find(|m| m.key == module_key).cloned();
    let project_key = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "project.key")
        .map(|(_, v)| v.into_owned());
    match (module, project_key) {
        (Some(module), Some(project)) if module.kind == ModuleKind::Project => {
            project_page(&req, &sandbox, &setup, &project, &module)
        }
        (Some(module), _)
            if app_key == setup.site.app.key && module.kind == ModuleKind::General =>
        {
            let data = setup.open_page(&sandbox, json!({}), None);
            let frame = setup.frame(&sandbox, &module, &FrameContext::default(), "app-frame");
            let main = format!(
                "<h1 class=\"visually-hidden\">{}</h1><div class=\"page-frame\">{frame}</div>",
                escape(&module.name)
            );
            let chrome = Chrome {
                title: &module.name,
                prefs: &setup.prefs,
                user_name: &setup.user_name,
                path: req.path(),
                top_links: setup.top_links(Some(&module.key)),
                sidebar: None,
                main,
                data,
            };
            setup.respond(StatusCode::OK, &chrome)
        }
        _ => setup.not_found(req.path(), "Page not found", "No app page has this address."),
    }
}

/// `GET /projects/{projectKey}/apps/{moduleKey}`: a project page (or project settings tab).
pub(crate) async fn project(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (project_key, module_key) = path.into_inner();
    let setup = match Setup::of(&req, &sandbox).await {
        Ok(setup) => setup,
        Err(response) => return response,
    };
    let module =
        setup.modules_of(ModuleKind::Project).into_iter().find(|m| m.key == module_key).cloned();
    match module {
        Some(module) => project_page(&req, &sandbox, &setup, &project_key, &module),
        None => setup.not_found(req.path(), "Page not found", "No project page has this address."),
    }
}

fn project_page(
    req: &HttpRequest,
    sandbox: &Sandbox,
    setup: &Setup,
    project_key: &str,
    module: &Module,
) -> HttpResponse {
    let account_id = setup.prefs.persona.account_id();
    let project = sandbox.with_site(&setup.site.client_key, |site| {
        let project = site.project(project_key)?;
        site.permissions(account_id, project)
            .browse
            .then(|| (project.id.to_string(), project.key.clone(), project.name.clone()))
    });
    let Ok(Some((id, key, name))) = project else {
        return setup.not_found(
            req.path(),
            "Project not found",
            "The project does not exist, or you do not have permission to see it.",
        );
    };
    let data = setup.open_page(sandbox, json!({ "project": { "id": id, "key": key } }), None);
    let ctx = FrameContext {
        project_key: Some(key.clone()),
        project_id: Some(id),
        ..FrameContext::default()
    };
    let frame = setup.frame(sandbox, module, &ctx, "app-frame");
    let main = format!(
        "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumbs\"><ol><li>Projects</li><li>{project}</li>\
         <li aria-current=\"page\">{module}</li></ol></nav>\
         <h1 class=\"visually-hidden\">{module}</h1><div class=\"page-frame\">{frame}</div>",
        project = escape(&name),
        module = escape(&module.name),
    );
    let chrome = Chrome {
        title: &format!("{} - {name}", module.name),
        prefs: &setup.prefs,
        user_name: &setup.user_name,
        path: req.path(),
        top_links: setup.top_links(None),
        sidebar: Some(setup.sidebar(&key, &name, Some(&module.key))),
        main,
        data,
    };
    setup.respond(StatusCode::OK, &chrome)
}
