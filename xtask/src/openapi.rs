//! The `openapi` ci step: `openapi/openapi.yaml` must be a valid OpenAPI document, by
//! `openapi-spec-validator` from the tools' virtual environment. That the spec and the router
//! agree is a test (`crates/stj_http/tests/openapi.rs`); that the app behaves as it says is DAST.

use std::process::Command;

use crate::shell::{self, project_root};
use crate::tools::python_tool;

pub(crate) fn validate() -> anyhow::Result<()> {
    let validator = python_tool("openapi-spec-validator");
    anyhow::ensure!(
        validator.is_file(),
        "{} is missing: run `cargo xtask tools`",
        validator.display()
    );
    shell::run(Command::new(validator).arg(project_root().join("openapi/openapi.yaml")))
}
