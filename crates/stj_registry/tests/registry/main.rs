//! One behaviour suite (`suite`), run against both adapters, plus Postgres outage and migration
//! tests. A single test binary: linking is the slow part.

// `cfg(test)` (always on here) lets clippy treat the helpers as test code, unwraps included.
#[cfg(test)]
mod locks;
#[cfg(test)]
mod pg;
#[cfg(test)]
mod proxy;
#[cfg(test)]
mod schema;
#[cfg(test)]
mod sqlite;
#[cfg(test)]
mod suite;
#[cfg(test)]
mod tls;

/// Both migration trees, in order (the same directory names).
#[cfg(test)]
const MIGRATIONS: [&str; 3] = [
    "2025-01-01-000000_create_installations",
    "2026-11-29-000000_add_oauth_client_id",
    "2026-11-30-000000_create_forge_installations",
];

/// Expands every `suite` function into a `#[tokio::test]` against a fresh database from
/// `$fresh().await`, which returns a guard with a `registry()` method: one list for both backends.
macro_rules! behaviour_tests {
    ($fresh:path) => {
        crate::behaviour_tests!($fresh;
            insert_and_find,
            upsert_overwrites_and_keeps_created_at,
            set_enabled_updates_only_existing,
            delete_removes_once,
            find_missing_is_none,
            tenants_are_isolated,
            ping_answers,
            forge_installations_upsert_find_delete,
            connect_links_make_one_tenant,
        );
    };
    ($fresh:path; $($test:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                let db = $fresh().await;
                crate::suite::$test(db.registry()).await;
            }
        )+
    };
}
pub(crate) use behaviour_tests;
