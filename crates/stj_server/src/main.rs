//! `subtask-templates [serve|migrate]`. Configuration: `config/` (or `APP_CONFIG_DIR`), the layer
//! named by `APP_ENVIRONMENT` (local, test, production; default local), then `APP__…` variables.

use std::path::PathBuf;

use anyhow::Context;

use stj_jira_sandbox::{JiraSandbox, SandboxConfig};
use stj_server::{Application, Environment, Settings, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let env = environment_variables();
    let lookup = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let environment =
        Environment::parse(&lookup("APP_ENVIRONMENT").unwrap_or_else(|| "local".into()))?;
    let config_dir = PathBuf::from(lookup("APP_CONFIG_DIR").unwrap_or_else(|| "config".into()));
    let settings = Settings::load(&config_dir, environment, env.clone())?;
    telemetry::init(&settings.telemetry, std::io::stdout);

    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    match command.as_str() {
        "migrate" => {
            let applied =
                stj_registry::migrate(&settings.registry).await.context("migration failed")?;
            tracing::info!(migrations.applied = applied.len(), migrations.names = ?applied, "migrations applied");
            Ok(())
        }
        "serve" => serve(settings, environment).await,
        other => anyhow::bail!("unknown command {other:?}: use `serve` or `migrate`"),
    }
}

async fn serve(mut settings: Settings, environment: Environment) -> anyhow::Result<()> {
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
        let installed =
            sandbox.install(&settings.connect.base_url, &settings.connect.app_key).await;
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
                        "demo project seeded in the sandbox"
                    ),
                    Err(err) => tracing::error!(error = %err, "seeding the demo project failed"),
                }
            }
            Err(err) => tracing::error!(error = %err, "installing into the Jira sandbox failed"),
        }
    }
    server.await.context("server task failed")?.context("server failed")
}

#[expect(
    clippy::disallowed_methods,
    reason = "the binary is the one place that reads the environment"
)]
fn environment_variables() -> Vec<(String, String)> {
    std::env::vars().collect()
}
