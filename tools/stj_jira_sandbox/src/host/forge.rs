//! The Forge door of the host pages (`?door=forge`): the app's Custom UI build (`cargo xtask
//! forge-build`, handed over by whoever starts the sandbox) served from an origin of its own, as
//! Forge's CDN serves Custom UI resources, with the platform's script injected into each
//! `index.html` (`window.__bridge`, the global @forge/bridge calls; `host/forge-bridge.js`). The
//! page answers the frame over `postMessage` (`host/forge-host.js`) and sends its `invokeRemote`
//! calls to the sandbox's invoke proxy, which mints a fresh FIT per call as Forge does.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::html::escape;
use crate::{Sandbox, SandboxError};

/// The platform's script in every Custom UI frame (the stand-in for Forge's injected bridge),
/// after `frame-channel.js` as `all.js` has it, in one function scope.
const PLATFORM_JS: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("../../host/frame-channel.js"),
    include_str!("../../host/forge-bridge.js"),
    "})();\n"
);
/// Where it is served on the CDN origin, and what `index.html` files get to load it.
const PLATFORM_PATH: &str = "/forge-cdn/_platform/bridge.js";

/// One Custom UI module of the Forge manifest (`modules.json` of the build).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ForgeModule {
    /// Same key as the Connect module it stands for.
    pub key: String,
    /// `jira:issueContext`, `jira:personalSettingsPage`, …
    #[serde(rename = "type")]
    pub module_type: String,
    /// The manifest resource (a folder of the build).
    pub resource: String,
}

/// The Custom UI build and the origin it is served from.
#[derive(Debug, Default)]
pub(crate) struct ForgeCdn {
    origin: OnceLock<String>,
    files: RwLock<HashMap<String, Vec<u8>>>,
    modules: RwLock<Vec<ForgeModule>>,
}

impl ForgeCdn {
    pub fn set_origin(&self, origin: String) {
        let _ = self.origin.set(origin);
    }

    /// `http://127.0.0.1:{port}`: the CDN's own listener, another origin than the host pages'.
    pub fn origin(&self) -> Option<&str> {
        self.origin.get().map(String::as_str)
    }

    /// The Forge module standing for the Connect module `key`, when the build has one.
    pub fn module(&self, key: &str) -> Option<ForgeModule> {
        let modules = self.modules.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        modules.iter().find(|m| m.key == key).cloned()
    }

    fn file(&self, path: &str) -> Option<Vec<u8>> {
        let files = self.files.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        files.get(path).cloned()
    }
}

impl Sandbox {
    /// Serve this Custom UI build (`relative path → bytes`, as `cargo xtask forge-build` lays it
    /// out, `modules.json` included) to `?door=forge` host pages. Returns the number of modules.
    pub fn set_forge_custom_ui(
        &self,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<usize, SandboxError> {
        let index = files.iter().find(|(path, _)| path == "modules.json").map(|(_, b)| b);
        let modules: Vec<ForgeModule> =
            serde_json::from_slice(index.map_or(&[][..], Vec::as_slice)).map_err(|e| {
                SandboxError::Invalid(format!("the Custom UI build's modules.json: {e}"))
            })?;
        let count = modules.len();
        let cdn = &self.host.forge;
        *cdn.modules.write().unwrap_or_else(std::sync::PoisonError::into_inner) = modules;
        *cdn.files.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            files.into_iter().collect();
        Ok(count)
    }

    /// The origin the Custom UI frames are served from (for tests and `cargo xtask dev`).
    pub fn forge_cdn_url(&self) -> Option<&str> {
        self.host.forge.origin()
    }
}

/// The `<iframe>` of a Custom UI module, or why there is none.
pub(crate) fn frame(
    sandbox: &Sandbox,
    connect_key: &str,
    name: &str,
    id: &str,
    host_origin: &str,
) -> String {
    let cdn = &sandbox.host.forge;
    let (Some(origin), Some(module)) = (cdn.origin(), cdn.module(connect_key)) else {
        return "<p class=\"frame-error\" role=\"alert\">The app's Forge Custom UI is not built: run \
                <code>cargo xtask forge-build</code> and restart.</p>"
            .to_owned();
    };
    let host: String = url::form_urlencoded::byte_serialize(host_origin.as_bytes()).collect();
    // Forge's own iframe sandbox tokens for Custom UI.
    format!(
        "<iframe id=\"{id}\" class=\"app-frame app-frame-forge\" title=\"{title}\" \
         src=\"{origin}/forge-cdn/{resource}/index.html?host={host}\" data-door=\"forge\" \
         data-app-origin=\"{origin}\" data-module-key=\"{key}\" data-module-type=\"{kind}\" \
         sandbox=\"allow-downloads allow-forms allow-modals allow-popups \
         allow-popups-to-escape-sandbox allow-same-origin allow-scripts\"></iframe>",
        title = escape(name),
        resource = escape(&module.resource),
        key = escape(&module.key),
        kind = escape(&module.module_type),
    )
}

/// `GET /forge-cdn/{path}` on the CDN origin only: the build's files, `index.html` with the
/// platform's script injected, under a Custom UI content security policy like Forge's.
pub(crate) async fn cdn(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let cdn = &sandbox.host.forge;
    let on_cdn =
        cdn.origin().is_some_and(|o| o.ends_with(&format!("//{}", req.connection_info().host())));
    let path = req.path().strip_prefix("/forge-cdn/").unwrap_or_default();
    if !on_cdn || path.split('/').any(|part| part.is_empty() || part.starts_with('.')) {
        return not_found();
    }
    if req.path() == PLATFORM_PATH {
        return file_response("text/javascript; charset=utf-8", PLATFORM_JS.as_bytes().to_vec());
    }
    let Some(body) = cdn.file(path) else { return not_found() };
    let content_type = content_type(path);
    if path.ends_with("/index.html") {
        let html = String::from_utf8_lossy(&body).replacen(
            "<head>",
            &format!("<head><script src=\"{PLATFORM_PATH}\"></script>"),
            1,
        );
        return file_response(content_type, html.into_bytes());
    }
    file_response(content_type, body)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Forge's Custom UI policy: the resource's own files only, no inline code, no `eval`, no
/// network but its own origin (the backend is reached through the bridge).
fn file_response(content_type: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::build(StatusCode::OK)
        .content_type(content_type)
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; frame-ancestors http://127.0.0.1:* \
             http://localhost:*; base-uri 'none'; object-src 'none'; form-action 'none'",
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound().content_type("text/plain").body("Not Found")
}
