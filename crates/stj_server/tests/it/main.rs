//! End-to-end tests: the real binary's `Application` on loopback, a real registry (SQLite or
//! Postgres), and the Jira sandbox playing Jira, spoken to over HTTP.

mod config_files;
mod descriptor_schema;
mod support;
