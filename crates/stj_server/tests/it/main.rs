//! End-to-end tests: the real binary's `Application` on loopback, a real registry (SQLite or
//! Postgres), and the Jira sandbox playing Jira, spoken to over HTTP.
//! Modules are `#[cfg(test)]` so clippy's test allowances (unwrap, panic, indexing) cover helpers too.

#[cfg(test)]
mod auth_matrix;
#[cfg(test)]
mod auth_order;
#[cfg(test)]
mod concurrency;
#[cfg(test)]
mod config_files;
#[cfg(test)]
mod context_tokens;
#[cfg(test)]
mod descriptor_schema;
#[cfg(test)]
mod doors;
#[cfg(test)]
mod forge_door;
#[cfg(test)]
mod forge_matrix;
#[cfg(test)]
mod headers;
#[cfg(test)]
mod https;
#[cfg(test)]
mod instance;
#[cfg(test)]
mod licence;
#[cfg(test)]
mod lifecycle;
#[cfg(test)]
mod no_sandbox;
#[cfg(test)]
mod outage;
#[cfg(test)]
mod pages;
#[cfg(test)]
mod privacy_logs;
#[cfg(test)]
mod rate_limit;
#[cfg(test)]
mod shutdown_log;
#[cfg(test)]
mod subtasks;
#[cfg(test)]
mod support;
#[cfg(test)]
mod text_api;
#[cfg(test)]
mod two_instances;
