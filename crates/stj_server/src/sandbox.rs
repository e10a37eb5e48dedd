//! `serve` with the Jira sandbox in the same process (`--features sandbox`, `cargo xtask dev`).
//! Never in the production build: see the `sandbox` feature in Cargo.toml.

use anyhow::Context as _;

use stj_jira_sandbox::{JiraSandbox, SandboxConfig};
use stj_server::{Application, Environment, Settings};

pub(crate) async fn serve(mut settings: Settings, environment: Environment) -> anyhow::Result<()> {
    // Local runs only (production settings refuse it): Jira is the sandbox, on loopback.
    let sandbox = if settings.sandbox.enabled {
        let config = SandboxConfig { port: settings.sandbox.port, ..SandboxConfig::default() };
        let sandbox = JiraSandbox::start(config).context("failed to start the Jira sandbox")?;
        settings.jira.install_keys_url = sandbox.install_keys_url();
        settings.jira.oauth_server_url = sandbox.auth_server_url().to_owned();
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

async fn install_and_seed(sandbox: &JiraSandbox, settings: &Settings) {
    let installed = sandbox.install(&settings.connect.base_url, &settings.connect.app_key).await;
    match installed {
        Ok(done) => {
            tracing::info!(
                installation.client_key = %done.tenant.client_key,
                http.status = done.status,
                "app installed into the Jira sandbox through the signed-install handshake"
            );
            match sandbox.seed_demo(&done.tenant.client_key) {
                Ok(seed) => tracing::info!(
                    demo.project = %seed.project_key,
                    demo.issue = %seed.parent_issue_key,
                    demo.open = %format!("{}/browse/{}", sandbox.base_url(), seed.parent_issue_key),
                    "demo project seeded in the sandbox: open its issue page in a browser"
                ),
                Err(err) => tracing::error!(error = %err, "seeding the demo project failed"),
            }
        }
        Err(err) => tracing::error!(error = %err, "installing into the Jira sandbox failed"),
    }
}
