//! Shared test plumbing: paths, settings for tests.

use std::path::PathBuf;

use stj_server::{Environment, Settings};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn config_dir() -> PathBuf {
    workspace_root().join("config")
}

#[expect(clippy::disallowed_methods, reason = "tests find ../shared through STJ_SHARED_DIR")]
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var("STJ_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("../shared"));
    assert!(
        dir.is_dir(),
        "shared reference folder not found at {}; set STJ_SHARED_DIR",
        dir.display()
    );
    dir
}

pub fn settings(environment: Environment, overrides: &[(&str, &str)]) -> Settings {
    let env = overrides.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    Settings::load(&config_dir(), environment, env).expect("settings load")
}
