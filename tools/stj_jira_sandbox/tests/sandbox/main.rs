//! The sandbox's own behaviour: it must be a strict enough Jira that passing against it means
//! something, and its faults must fire as configured.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a failed unwrap is a failed test"
)]

mod common;
mod conformance;
mod faults;
mod forge_lifecycle;
mod forge_rest;
mod forge_tokens;
mod host;
mod host_forge;
mod host_pages;
mod install_keys;
mod jira;
mod licence;
mod lifecycle;
mod oauth;
mod rest_bulk;
mod rest_create;
mod rest_faults;
mod rest_issues;
mod rest_projects;
mod rest_properties;
mod seed;
