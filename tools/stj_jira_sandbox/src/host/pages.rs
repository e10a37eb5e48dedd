//! `GET /browse/{issueKey}`, `/plugins/servlet/ac/{appKey}/{moduleKey}` (general pages) and
//! `/projects/{projectKey}/apps/{moduleKey}` (project pages): Jira's frame around the app's modules.

use std::fmt::Write as _;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::descriptor::{Facts, Module, ModuleKind, modules};
use super::frame::{FrameContext, Viewer};
use super::html::{Chrome, Link, escape};
use super::session::{Door, HostPage, Prefs};
use super::view::{issue_view, subtasks_html};
use super::{HostSite, forge, host_origin, html_response, origin_of};
use crate::Sandbox;

/// Everything a page needs before its own content: who, where, and the app's modules.
struct Setup {
    prefs: Prefs,
    site: HostSite,
    user_name: String,
    host_origin: String,
    app_origin: Option<String>,
    /// The sandbox's Forge CDN, where `?door=forge` frames come from.
    forge_origin: Option<String>,
    /// The descriptor's modules, or why they could not be read.
    modules: Result<Vec<Module>, String>,
    /// The descriptor's `enableLicensing`: only then does Jira add `lic` to iframe URLs.
    licensing: bool,
}

impl Setup {
    async fn of(req: &HttpRequest, sandbox: &Sandbox) -> Result<Self, HttpResponse> {
        let prefs = Prefs::of(req);
        let Some(site) = sandbox.host_site(prefs.site.as_deref()) else {
            let main = "<h1>No Jira site has the app yet</h1><p>Install the app into the \
                        sandbox first (<code>cargo xtask dev</code> does).</p>";
            return Err(plain_page(&prefs, req.path(), "No site", main));
        };
        let account_id = prefs.persona.account_id();
        let user_name = sandbox
            .user(&site.client_key, account_id)
            .map_or_else(|_| account_id.to_owned(), |u| u.display_name);
        let descriptor = sandbox.app_descriptor(&site.app.base_url).await;
        let licensing = descriptor
            .as_ref()
            .is_ok_and(|d| d.get("enableLicensing").and_then(|v| v.as_bool()) == Some(true));
        let modules = descriptor.map(|d| modules(&d));
        Ok(Self {
            licensing,
            host_origin: host_origin(req),
            app_origin: origin_of(&site.app.base_url),
            forge_origin: sandbox.forge_cdn_url().map(str::to_owned),
            prefs,
            site,
            user_name,
            modules,
        })
    }

    fn modules_of(&self, kind: ModuleKind) -> Vec<&Module> {
        self.modules.iter().flatten().filter(|m| m.kind == kind).collect()
    }

    /// General pages in the top bar.
    fn top_links(&self, current: Option<&str>) -> Vec<Link> {
        let app_key = &self.site.app.key;
        self.modules_of(ModuleKind::General)
            .into_iter()
            .map(|m| Link {
                id: format!("nav-{}", m.key),
                href: format!("/plugins/servlet/ac/{app_key}/{}", m.key),
                text: m.name.clone(),
                current: current == Some(m.key.as_str()),
            })
            .collect()
    }

    /// The project sidebar: the project's app pages.
    fn sidebar(&self, project_key: &str, name: &str, current: Option<&str>) -> (String, Vec<Link>) {
        let links = self
            .modules_of(ModuleKind::Project)
            .into_iter()
            .map(|m| Link {
                id: format!("nav-project-{}", m.key),
                href: format!("/projects/{project_key}/apps/{}", m.key),
                text: m.name.clone(),
                current: current == Some(m.key.as_str()),
            })
            .collect();
        (name.to_owned(), links)
    }

    /// Remember the page for its bridge; the `data-*` attributes its script reads.
    fn open_page(
        &self,
        sandbox: &Sandbox,
        jira: serde_json::Value,
        issue_key: Option<&str>,
    ) -> Vec<(&'static str, String)> {
        let licence = self.prefs.persona.licence(self.site.licence);
        let page = sandbox.host.pages.open(HostPage {
            client_key: self.site.client_key.clone(),
            account_id: self.prefs.persona.account_id().to_owned(),
            licence,
            jira: jira.clone(),
            issue_key: issue_key.map(str::to_owned),
        });
        let lic = licence.map_or("", |active| if active { "active" } else { "none" });
        // What Forge's view.getContext() reports about the site.
        let forge = sandbox.forge_site(&self.site.client_key).ok();
        let (cloud_id, site_url) = forge.map(|f| (f.cloud_id, f.site_url)).unwrap_or_default();
        vec![
            ("door", self.prefs.door.as_str().to_owned()),
            ("cloud-id", cloud_id),
            ("site-url", site_url),
            ("page", page),
            ("account-id", self.prefs.persona.account_id().to_owned()),
            ("persona", self.prefs.persona.as_str().to_owned()),
            ("license", lic.to_owned()),
            ("app-key", self.site.app.key.clone()),
            ("app-origin", self.app_origin.clone().unwrap_or_default()),
            ("context", json!({ "jira": jira }).to_string()),
        ]
    }

    /// The module's iframe (the first one on a page gets `id="app-frame"`), or why not.
    fn frame(&self, sandbox: &Sandbox, module: &Module, ctx: &FrameContext, id: &str) -> String {
        if self.prefs.door == Door::Forge {
            return forge::frame(sandbox, &module.key, &module.name, id, &self.host_origin);
        }
        let viewer = Viewer {
            account_id: self.prefs.persona.account_id(),
            licence: self.prefs.persona.licence(self.site.licence).filter(|_| self.licensing),
            host_origin: &self.host_origin,
        };
        match sandbox.module_frame_url(&self.site.client_key, module, ctx, &viewer) {
            Ok(src) => format!(
                "<iframe id=\"{id}\" class=\"app-frame app-frame-{kind}\" title=\"{title}\" \
                 src=\"{src}\" data-app-origin=\"{origin}\" data-module-key=\"{key}\" \
                 sandbox=\"allow-downloads allow-forms allow-modals allow-popups \
                 allow-popups-to-escape-sandbox allow-same-origin allow-scripts \
                 allow-top-navigation-by-user-activation\"></iframe>",
                kind = kind_name(module.kind),
                title = escape(&module.name),
                src = escape(&src),
                origin = escape(self.app_origin.as_deref().unwrap_or_default()),
                key = escape(&module.key),
            ),
            Err(e) => {
                format!("<p class=\"frame-error\" role=\"alert\">{}</p>", escape(&e.to_string()))
            }
        }
    }

    fn respond(&self, status: StatusCode, chrome: &Chrome<'_>) -> HttpResponse {
        let cdn = self.forge_origin.as_deref().filter(|_| self.prefs.door == Door::Forge);
        let origins = (self.app_origin.as_deref(), cdn);
        html_response(status, chrome.render(), origins, &self.prefs.set_cookies)
    }

    fn not_found(&self, path: &str, title: &str, detail: &str) -> HttpResponse {
        let main = format!("<h1 id=\"not-found\">{}</h1><p>{}</p>", escape(title), escape(detail));
        let chrome = Chrome {
            title,
            prefs: &self.prefs,
            user_name: &self.user_name,
            path,
            top_links: self.top_links(None),
            sidebar: None,
            main,
            data: Vec::new(),
        };
        self.respond(StatusCode::NOT_FOUND, &chrome)
    }
}

fn kind_name(kind: ModuleKind) -> &'static str {
    match kind {
        ModuleKind::Issue => "issue",
        ModuleKind::General => "general",
        ModuleKind::Project => "project",
    }
}

/// A page without a site (nothing to sign frames for).
fn plain_page(prefs: &Prefs, path: &str, title: &str, main: &str) -> HttpResponse {
    let chrome = Chrome {
        title,
        prefs,
        user_name: "",
        path,
        top_links: Vec::new(),
        sidebar: None,
        main: main.to_owned(),
        data: Vec::new(),
    };
    html_response(StatusCode::NOT_FOUND, chrome.render(), (None, None), &prefs.set_cookies)
}

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
