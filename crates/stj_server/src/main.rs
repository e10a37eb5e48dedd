//! `subtask-templates [serve|migrate]`. Configuration: `config/` (or `APP_CONFIG_DIR`), the layer
//! named by `APP_ENVIRONMENT` (local, test, production; default local), then `APP__…` variables.

use std::path::PathBuf;

use anyhow::Context;

#[cfg(not(feature = "sandbox"))]
use stj_server::Application;
use stj_server::{Environment, Settings, telemetry};

#[cfg(feature = "sandbox")]
mod sandbox;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let env = environment_variables();
    let lookup = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let environment =
        Environment::parse(&lookup("APP_ENVIRONMENT").unwrap_or_else(|| "local".into()))?;
    let config_dir = PathBuf::from(lookup("APP_CONFIG_DIR").unwrap_or_else(|| "config".into()));
    let settings = Settings::load(&config_dir, environment, env.clone())?;
    // Held to the end of `main`, after the server has stopped: dropping it flushes the log queue,
    // so the last requests' access lines are written before the process exits.
    let (log_writer, _log_flush) = telemetry::stdout_writer();
    telemetry::init(&settings.telemetry, log_writer);

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

async fn serve(settings: Settings, environment: Environment) -> anyhow::Result<()> {
    #[cfg(feature = "sandbox")]
    {
        sandbox::serve(settings, environment).await
    }
    #[cfg(not(feature = "sandbox"))]
    {
        anyhow::ensure!(
            !settings.sandbox.enabled,
            "sandbox.enabled is set, but this binary is built without the Jira sandbox \
             (cargo feature `sandbox`, which `cargo xtask dev` turns on)"
        );
        let app = Application::build(settings).await?;
        tracing::info!(http.port = app.port(), environment = environment.as_str(), "serving");
        app.run_until_stopped().await.context("server failed")
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "the binary is the one place that reads the environment"
)]
fn environment_variables() -> Vec<(String, String)> {
    std::env::vars().collect()
}
