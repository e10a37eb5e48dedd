//! `serve` with the Jira sandbox in the same process (`--features sandbox`, `cargo xtask dev`).
//! Never in the production build: see the `sandbox` feature in Cargo.toml.

use std::path::Path;

use anyhow::Context as _;

use stj_jira_sandbox::{JiraSandbox, SandboxConfig};
use stj_server::{Application, Environment, Settings};

pub(crate) async fn serve(mut settings: Settings, environment: Environment) -> anyhow::Result<()> {
    // Local runs only (production settings refuse it): Jira is the sandbox, on loopback.
    let sandbox = if settings.sandbox.enabled {
        let config = SandboxConfig { port: settings.sandbox.port, ..SandboxConfig::default() };
        let sandbox = JiraSandbox::start(config).context("failed to start the Jira sandbox")?;
        if !settings.sandbox.forge_custom_ui.is_empty() {
            load_custom_ui(&sandbox, Path::new(&settings.sandbox.forge_custom_ui));
        }
        settings.jira.install_keys_url = sandbox.install_keys_url();
        settings.jira.oauth_server_url = sandbox.auth_server_url().to_owned();
        settings.forge.jwks_url = sandbox.forge_jwks_url();
        tracing::info!(sandbox.url = sandbox.base_url(), "Jira sandbox running");
        Some(sandbox)
    } else {
        None
    };
    let app = Application::build(settings.clone()).await?;
    tracing::info!(http.port = app.port(), environment = environment.as_str(), "serving");
    // The server must be running before the sandbox calls `/installed` on it.
    let server = actix_web::rt::spawn(app.run_until_stopped());
    if let Some(sandbox) = &sandbox {
        install_and_seed(sandbox, &settings).await;
    }
    server.await.context("server task failed")?.context("server failed")
}

/// The Forge Custom UI build, read once at start-up (this crate is the one that reads files).
fn load_custom_ui(sandbox: &JiraSandbox, dir: &Path) {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else { continue };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                pending.push(path);
            } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(dir), std::fs::read(&path)) {
                files.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
    }
    match sandbox.set_forge_custom_ui(files) {
        Ok(modules) => tracing::info!(
            forge.modules = modules,
            forge.cdn = sandbox.forge_cdn_url().unwrap_or_default(),
            "Forge Custom UI served to the sandbox's ?door=forge pages"
        ),
        Err(err) => tracing::warn!(
            error.cause = %err,
            forge.ui_dir = %dir.display(),
            "no Forge Custom UI for ?door=forge (run `cargo xtask forge-build`)"
        ),
    }
}

async fn install_and_seed(sandbox: &JiraSandbox, settings: &Settings) {
    let installed = sandbox.install(&settings.connect.base_url, &settings.connect.app_key).await;
    match installed {
        Ok(done) => {
            tracing::info!(
                installation.client_key = %done.tenant.client_key,
                http.status = done.status,
                "app installed into the Jira sandbox through the signed-install handshake"
            );
            // The same site installs the Forge app too (a Connect app on Forge: the `installed`
            // payload named its installation), so the host pages can open it through either door.
            let forge = sandbox.forge_install(&done.tenant.client_key, &settings.connect.base_url);
            match forge.await {
                Ok(status) => tracing::info!(
                    http.status = status,
                    "Forge app installed into the sandbox site (avi:forge:installed:app)"
                ),
                Err(err) => tracing::error!(error.cause = %err, "installing the Forge app failed"),
            }
            match sandbox.seed_demo(&done.tenant.client_key) {
                Ok(seed) => tracing::info!(
                    demo.project = %seed.project_key,
                    demo.issue = %seed.parent_issue_key,
                    demo.open = %format!("{}/browse/{}", sandbox.base_url(), seed.parent_issue_key),
                    "demo project seeded in the sandbox: open its issue page in a browser"
                ),
                Err(err) => tracing::error!(error.cause = %err, "seeding the demo project failed"),
            }
        }
        Err(err) => tracing::error!(error.cause = %err, "installing into the Jira sandbox failed"),
    }
}
