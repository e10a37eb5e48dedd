//! Two instances of the binary on one Postgres, as ECS runs them behind the ALB: lifecycle
//! callbacks reach one of them, and the other must agree. A re-install (new shared secret) is
//! honoured by the other at once; a disable or an uninstall is refused by the other within
//! `connect.tenant_cache_secs` (3 s in `config/base.toml`; start-up refuses more than 5 s).

use std::time::{Duration, Instant};

use stj_core::ClientKey;
use stj_jira_sandbox::JiraSandbox;

use crate::instance::{Instance, Pair, pair};
use crate::support::block_on;

const API: &str = "/api/v1/context";
/// The bound this test proves (the cache lifetime is 3 s; 5 s is the promise).
const BOUND: Duration = Duration::from_secs(5);

fn auth(sandbox: &JiraSandbox, tenant: &ClientKey) -> String {
    format!("JWT {}", sandbox.context_jwt(tenant, "acct-1", true).unwrap())
}

/// Polls `instance` until it answers `want`; returns how long that took.
fn until(
    instance: &Instance,
    sandbox: &JiraSandbox,
    tenant: &ClientKey,
    want: (u16, &str),
) -> Duration {
    let started = Instant::now();
    loop {
        let got = instance.get(API, &auth(sandbox, tenant));
        if (got.0, got.1.as_str()) == want {
            return started.elapsed();
        }
        assert!(started.elapsed() < BOUND.saturating_mul(2), "still {got:?} instead of {want:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_instances_agree_on_reinstall_disable_and_uninstall() {
    let Pair { sandbox, a, b } = pair();
    let app_key = "io.subtask-templates.jira";

    let installed = block_on(sandbox.install(&a.url, app_key)).unwrap();
    assert_eq!((installed.status, installed.enabled_status), (204, Some(204)));
    let tenant = installed.tenant.client_key;
    // B has now cached the first secret.
    assert_eq!(b.get(API, &auth(&sandbox, &tenant)), (200, String::new()));
    let old_token = auth(&sandbox, &tenant);

    assert_eq!(block_on(sandbox.reinstall(&tenant)).unwrap().status, 204);
    assert_eq!(b.get(API, &auth(&sandbox, &tenant)), (200, String::new()), "new secret at once");
    assert_eq!(b.get(API, &old_token), (401, "token_signature".to_owned()));

    assert_eq!(b.get(API, &auth(&sandbox, &tenant)).0, 200);
    assert_eq!(block_on(sandbox.disable(&tenant)).unwrap(), 204);
    let took = until(&b, &sandbox, &tenant, (403, "app_disabled"));
    assert!(took <= BOUND, "disable took {took:?} to reach the other instance");

    assert_eq!(block_on(sandbox.enable(&tenant)).unwrap(), 204);
    assert!(until(&b, &sandbox, &tenant, (200, "")) <= BOUND);

    assert_eq!(block_on(sandbox.uninstall(&tenant)).unwrap(), 204);
    let took = until(&b, &sandbox, &tenant, (401, "token_unknown_issuer"));
    assert!(took <= BOUND, "uninstall took {took:?} to reach the other instance");
    assert!(!a.logs().is_empty() && !b.logs().is_empty());
}
