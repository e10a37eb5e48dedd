//! `stj_jira_sandbox [--port N] [--bind 127.0.0.1] [--tenant-paths] [--seed-demo]`: the sandbox
//! for local runs. Drive it through `/__sandbox/*` (see the crate README). Stops on Ctrl-C.

use std::process::ExitCode;

use stj_jira_sandbox::{JiraSandbox, SandboxConfig};

const USAGE: &str =
    "usage: stj_jira_sandbox [--port N] [--bind LOOPBACK_IP] [--tenant-paths] [--seed-demo]";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig::default();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => {
                config.port =
                    args.next().and_then(|v| v.parse().ok()).ok_or("--port needs a port number")?;
            }
            "--bind" => {
                config.bind =
                    args.next().and_then(|v| v.parse().ok()).ok_or("--bind needs an IP address")?;
            }
            "--tenant-paths" => config.tenant_paths = true,
            // Every tenant (each install) starts with the demo projects, users and DEMO-1.
            "--seed-demo" => config.seed_demo = true,
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(config)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new("info")).init();
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match JiraSandbox::start(config) {
        Ok(sandbox) => sandbox,
        Err(e) => {
            tracing::error!("cannot start the sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(base_url = sandbox.base_url(), install_keys_url = %sandbox.install_keys_url(), "ready");
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!("cannot wait for Ctrl-C: {e}");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> {
        s.split_whitespace().map(str::to_owned).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn flags() {
        let config = parse_args(args("--port 8091 --tenant-paths --seed-demo")).unwrap();
        assert_eq!(config.port, 8091);
        assert!(config.tenant_paths);
        assert!(config.seed_demo);
        assert!(!parse_args(args("")).unwrap().seed_demo);
        assert!(parse_args(args("--port x")).is_err());
        assert!(parse_args(args("--verbose")).is_err());
        // parses, but start() refuses it: the guard lives in the library.
        assert!(parse_args(args("--bind 0.0.0.0")).unwrap().check().is_err());
    }
}
