//! `PgEntityLocks` against a real Postgres: one holder per entity across pools (as across
//! instances), bounded waits, release on drop, cancellation and a dead holder's connection.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_query;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use stj_core::{ClientKey, EntityKind, EntityLocks, LockError, LockedEntity};
use stj_registry::{LocksConfig, PgEntityLocks};

use crate::pg::{config, server};

fn locks(wait_ms: u64) -> PgEntityLocks {
    let config = config(&server(), 2_000);
    PgEntityLocks::new(&config, &LocksConfig { wait_ms, max_connections: 4 }).unwrap()
}

/// An entity no other test (or run) locks.
fn entity(kind: EntityKind) -> LockedEntity {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tenant = ClientKey::parse(&format!("locks-{}-{n}", std::process::id())).unwrap();
    LockedEntity::new(&tenant, kind, "DEMO-1")
}

async fn eventually_lockable(
    locks: &PgEntityLocks,
    entity: &LockedEntity,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        match locks.lock(entity).await {
            Ok(held) => {
                drop(held);
                return started.elapsed();
            }
            Err(LockError::Busy) if started.elapsed() < within => {}
            Err(err) => panic!("not lockable within {within:?}: {err:?}"),
        }
    }
}

#[tokio::test]
async fn one_holder_across_pools_bounded_wait_then_handed_over() {
    let (a, b) = (locks(300), locks(300));
    let issue = entity(EntityKind::IssueLedger);
    let held = a.lock(&issue).await.unwrap();
    let started = Instant::now();
    assert!(matches!(b.lock(&issue).await, Err(LockError::Busy)), "the other instance waits");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(250) && waited < Duration::from_secs(2), "{waited:?}");
    assert!(matches!(a.lock(&issue).await, Err(LockError::Busy)), "not re-entrant in process");
    // Other entities of the same tenant and id are independent.
    let library = LockedEntity { kind: EntityKind::PersonalLibrary, ..issue.clone() };
    drop(b.lock(&library).await.unwrap());
    // A waiter is let in as soon as the holder lets go.
    let slow = locks(5_000);
    let waiter = tokio::spawn({
        let issue = issue.clone();
        async move {
            let started = Instant::now();
            let held = slow.lock(&issue).await.map(|_| ());
            (held, started.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(held);
    let (got, after) = waiter.await.unwrap();
    got.unwrap();
    assert!(after < Duration::from_millis(1_500), "handed over at once: {after:?}");
}

#[tokio::test]
async fn a_cancelled_wait_leaves_no_lock_behind() {
    let (a, b) = (locks(5_000), locks(5_000));
    let issue = entity(EntityKind::ProjectLibrary);
    let held = a.lock(&issue).await.unwrap();
    // The client goes away while waiting: the attempt is dropped mid-query.
    let gone = tokio::time::timeout(Duration::from_millis(100), b.lock(&issue)).await;
    assert!(gone.is_err(), "still waiting when cancelled");
    drop(held);
    let took = eventually_lockable(&a, &issue, Duration::from_secs(3)).await;
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(eventually_lockable(&b, &issue, Duration::from_secs(3)).await < Duration::from_secs(3));
}

#[tokio::test]
async fn a_dead_holders_lock_goes_with_its_connection() {
    let issue = entity(EntityKind::IssueLedger);
    let mut holder = AsyncPgConnection::establish(server().as_str()).await.unwrap();
    sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(issue.lock_key())
        .execute(&mut holder)
        .await
        .unwrap();
    let locks = locks(5_000);
    let waiter = tokio::spawn({
        let issue = issue.clone();
        async move {
            let started = Instant::now();
            let got = locks.lock(&issue).await.map(|_| ());
            (got, started.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(holder); // the holder's process dies: its session ends
    let (got, after) = waiter.await.unwrap();
    got.unwrap();
    assert!(after < Duration::from_secs(2), "proceeds once the session is gone: {after:?}");
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_not_a_hang() {
    let mut unreachable = config(&server(), 300);
    unreachable.url = stj_privacy::Secret::new("postgres://postgres@127.0.0.1:1/test".to_owned());
    let locks = PgEntityLocks::new(&unreachable, &LocksConfig { wait_ms: 300, max_connections: 1 })
        .unwrap();
    let started = Instant::now();
    let outcome = locks.lock(&entity(EntityKind::IssueLedger)).await;
    assert!(matches!(outcome, Err(LockError::Unavailable(_))), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}
