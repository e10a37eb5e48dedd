//! The server binary as built without the `sandbox` feature (every build but `cargo xtask dev`'s)
//! contains no Jira sandbox, and refuses a configuration that asks for one.
//! `cargo xtask image` runs `binary_has_sandbox` on the binary inside the image as well.

use std::process::Command;

use crate::support::config_dir;

/// Every linked crate leaves its name in the binary (module paths of its log events and panic
/// locations), stripped or not; the sandbox's is its crate name.
pub fn binary_has_sandbox(bytes: &[u8]) -> bool {
    let needle = b"stj_jira_sandbox";
    bytes.windows(needle.len()).any(|window| window == needle)
}

#[test]
fn the_binary_links_the_sandbox_only_with_the_feature() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_subtask-templates")).unwrap();
    assert_eq!(binary_has_sandbox(&binary), cfg!(feature = "sandbox"));
    // The check can see the sandbox where it is: in this test binary, which links it.
    let this = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert!(binary_has_sandbox(&this));
}

#[test]
#[expect(clippy::disallowed_methods, reason = "runs the built binary as an operator would")]
fn without_the_feature_a_sandbox_configuration_is_refused() {
    if cfg!(feature = "sandbox") {
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_subtask-templates"))
        .arg("serve")
        .env("APP_ENVIRONMENT", "local")
        .env("APP_CONFIG_DIR", config_dir())
        .env("APP__HTTP__PORT", "0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("built without the Jira sandbox"), "{stderr}");
}
