//! What every host page needs before its own content (the site, who is looking, the app's
//! modules from its descriptor), and the parts all pages share: the top bar and project
//! sidebar links, each module's iframe (or Forge frame), the response, the not-found page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::descriptor::{Module, ModuleKind, modules};
use super::frame::{FrameContext, Viewer};
use super::html::{Chrome, Link, escape};
use super::session::{Door, HostPage, Prefs};
use super::{HostSite, forge, host_origin, html_response, origin_of};
use crate::Sandbox;

/// Everything a page needs before its own content: who, where, and the app's modules.
pub(super) struct Setup {
    pub(super) prefs: Prefs,
    pub(super) site: HostSite,
    pub(super) user_name: String,
    pub(super) host_origin: String,
    pub(super) app_origin: Option<String>,
    /// The sandbox's Forge CDN, where `?door=forge` frames come from.
    pub(super) forge_origin: Option<String>,
    /// The descriptor's modules, or why they could not be read.
    pub(super) modules: Result<Vec<Module>, String>,
    /// The descriptor's `enableLicensing`: only then does Jira add `lic` to iframe URLs.
    pub(super) licensing: bool,
}

impl Setup {
    pub(super) async fn of(req: &HttpRequest, sandbox: &Sandbox) -> Result<Self, HttpResponse> {
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

    pub(super) fn modules_of(&self, kind: ModuleKind) -> Vec<&Module> {
        self.modules.iter().flatten().filter(|m| m.kind == kind).collect()
    }

    /// General pages in the top bar.
    pub(super) fn top_links(&self, current: Option<&str>) -> Vec<Link> {
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
    pub(super) fn sidebar(
        &self,
        project_key: &str,
        name: &str,
        current: Option<&str>,
    ) -> (String, Vec<Link>) {
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
    pub(super) fn open_page(
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
    pub(super) fn frame(
        &self,
        sandbox: &Sandbox,
        module: &Module,
        ctx: &FrameContext,
        id: &str,
    ) -> String {
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

    pub(super) fn respond(&self, status: StatusCode, chrome: &Chrome<'_>) -> HttpResponse {
        let cdn = self.forge_origin.as_deref().filter(|_| self.prefs.door == Door::Forge);
        let origins = (self.app_origin.as_deref(), cdn);
        html_response(status, chrome.render(), origins, &self.prefs.set_cookies)
    }

    pub(super) fn not_found(&self, path: &str, title: &str, detail: &str) -> HttpResponse {
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
