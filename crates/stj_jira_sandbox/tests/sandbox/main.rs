//! The sandbox's own behaviour: it must be a strict enough Jira that passing against it means
//! something, and its faults must fire as configured.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a failed unwrap is a failed test"
)]

mod common;
mod faults;
mod install_keys;
mod licence;
mod lifecycle;
