//! `cargo xtask dev-db [start|stop]`: a PostgreSQL for local development.
//!
//! `start` (the default) prints a `DATABASE_URL` on stdout, so
//! `export DATABASE_URL=$(cargo xtask dev-db)` works: the URL of `DATABASE_URL` or the machine's
//! server when one answers, else of a cluster started under `target/xtask/dev-db` and left
//! running for the next time. `stop` stops that cluster; its data stays.

use crate::db::{self, Cluster, Lifetime};
use crate::shell::{emit, note};

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["start"] => {
            let postgres = db::discover_with(Lifetime::Persistent)?;
            emit(postgres.url());
            note("use it with: export DATABASE_URL=$(cargo xtask dev-db)");
            Ok(())
        }
        ["stop"] => {
            if Cluster::stop_persistent()? {
                note("postgres: dev cluster stopped");
            } else {
                note("postgres: no dev cluster is running");
            }
            Ok(())
        }
        other => anyhow::bail!("usage: cargo xtask dev-db [start|stop], got {other:?}"),
    }
}
