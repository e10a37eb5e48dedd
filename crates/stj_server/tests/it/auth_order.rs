//! A route's token, rate limit and licence checks finish before its other extractors read the
//! request. Found by `cargo xtask dast`: a malformed JSON body used to win the race (a 400 before
//! the token was judged), and the token check it cancelled was reading the registry, which the
//! SQLite adapter cannot survive (a panic; the client saw the connection close unanswered).

use crate::support::spawn_app;

const ACCOUNT: &str = "5b10ac8d82e05b22cc7d4ef5";
const PATH: &str = "/api/v1/quick-entry/check";
const MALFORMED: &str = "{not json";

#[test]
fn a_malformed_body_is_judged_only_after_the_token() {
    let app = spawn_app();
    let tenant = app.install();
    // The first call after the install reads the tenant from the registry (the cache was evicted).
    let res = app.request("POST", PATH, Some(&app.context_auth(&tenant, ACCOUNT)), Some(MALFORMED));
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.body.contains("body_malformed"), "{}", res.body);
    for bad in [None, Some("JWT not.a.token"), Some("Bearer abc.def.ghi")] {
        let res = app.request("POST", PATH, bad, Some(MALFORMED));
        assert_eq!(res.status, 401, "{bad:?}: {}", res.body);
    }
    assert!(!crate::support::captured_logs().contains("panicked"));
}
