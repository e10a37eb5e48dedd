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
mod sqlite;
#[cfg(test)]
mod suite;
#[cfg(test)]
mod tls;

/// Expands each named `suite` function into a `#[tokio::test]` against a fresh database from
/// `$fresh().await`, which returns a guard with a `registry()` method.
macro_rules! behaviour_tests {
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
