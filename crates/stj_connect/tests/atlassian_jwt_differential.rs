//! Differential test against Atlassian's own npm package `atlassian-jwt` (2.0.3, pinned in
//! `tests/node/package.json` and its lock file). A seeded generator makes a few thousand requests;
//! one Node process (`tests/node/harness.js`) computes their canonical requests and qsh, and the
//! test compares them with `stj_connect::qsh`. Tokens are then signed on one side and verified on
//! the other, both ways.
//!
//! Known, documented divergence (connect-protocol.md §3.4): atlassian-jwt sorts parameter *names*
//! before percent-encoding them, Java (Jira) and we sort after. Only requests whose names sort
//! differently raw and encoded (`.x` vs `:x`) are affected; for those the test asserts exactly
//! that difference: same parameters, ours in encoded-name order, node's in raw-name order.
//!
//! Values of a repeated parameter are sorted by UTF-16 code unit on both sides (as Java's
//! `Collections.sort` does), so U+1F600 sorts before U+FF01: the generator mixes both.
//!
//! Needs `node` and `npm` on PATH; installs the harness's `node_modules` with `npm ci` if missing.

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns: a failed expectation is a failed test"
)]

use std::cmp::Ordering;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use jwt_simple::prelude::*;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

use stj_connect::outgoing::{APP_TOKEN_TTL_SECS, app_authorization};
use stj_connect::qsh::{canonical_request, qsh};
use stj_core::{SharedSecret, TenantUrl};

const ATLASSIAN_JWT_VERSION: &str = "2.0.3";
const SEED: u64 = 0x5717_C0DE_0A75_1A55;
const CANONICAL_CASES: usize = 4000;
const CROSS_SIGN_CASES: usize = 300;

// ---------------------------------------------------------------------------------------------
// The Node harness
// ---------------------------------------------------------------------------------------------

fn harness_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

fn installed_version(dir: &Path) -> Option<String> {
    let raw = std::fs::read_to_string(dir.join("node_modules/atlassian-jwt/package.json")).ok()?;
    let manifest: Value = serde_json::from_str(&raw).ok()?;
    manifest.get("version")?.as_str().map(str::to_owned)
}

/// Runs `npm ci` once per test binary when `node_modules` is missing or holds another version.
#[expect(
    clippy::disallowed_methods,
    reason = "the differential test runs Atlassian's Node.js reference implementation"
)]
fn ensure_harness_installed() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = harness_dir();
            if installed_version(&dir).as_deref() != Some(ATLASSIAN_JWT_VERSION) {
                let out = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&dir)
                    .output()
                    .unwrap_or_else(|e| panic!("cannot run npm (is Node.js installed?): {e}"));
                assert!(
                    out.status.success(),
                    "npm ci in {} failed:\n{}\n{}",
                    dir.display(),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert_eq!(
                installed_version(&dir).as_deref(),
                Some(ATLASSIAN_JWT_VERSION),
                "tests/node/node_modules does not hold atlassian-jwt {ATLASSIAN_JWT_VERSION}"
            );
            dir
        })
        .clone()
}

/// Sends every request to one `node harness.js` process and returns its answers, in order.
#[expect(
    clippy::disallowed_methods,
    reason = "the differential test runs Atlassian's Node.js reference implementation"
)]
fn run_harness(requests: &[Value]) -> Vec<Value> {
    let dir = ensure_harness_installed();
    let mut child = Command::new("node")
        .arg("harness.js")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node (is Node.js installed?): {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    // Write from another thread so a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("node ran");
    writer.join().expect("writer thread").expect("wrote requests to node");
    assert!(out.status.success(), "harness.js failed: {}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .expect("harness output is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("harness writes JSON lines"))
        .collect();
    assert_eq!(answers.len(), requests.len(), "one answer per request");
    answers
}

fn text<'a>(answer: &'a Value, field: &str) -> &'a str {
    answer
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("answer has no string field {field:?}: {answer}"))
}

// ---------------------------------------------------------------------------------------------
// The request generator
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    /// Raw path as sent, including the base path if any.
    path: String,
    /// Raw query as sent, without `?`.
    query: String,
    /// Path prefix of the base URL (`""`, `/wiki`, ...), never with a trailing slash.
    base_path: &'static str,
}

impl Case {
    fn base_url(&self) -> String {
        format!("https://tenant.example{}", self.base_path)
    }

    fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    fn to_harness(&self) -> Value {
        json!({ "method": self.method, "path": self.path, "query": self.query, "baseUrl": self.base_url() })
    }
}

const METHODS: &[&str] = &["GET", "GET", "POST", "PUT", "DELETE", "PATCH", "get", "post", "Put"];
const BASE_PATHS: &[&str] = &["", "", "", "/wiki", "/ctx/sub"];
const SEGMENT_SAFE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
/// Path characters left alone by both sides (Node's legacy `url.parse` would escape `'` and the
/// RFC 1738 "unwise" set, so those stay out).
const SEGMENT_SPICE: &[&str] =
    &["!", "$", "&", "(", ")", "*", "+", ",", ";", "=", ":", "@", "%20", "%2F", "%26", "%E5%AE%AE"];
/// Names whose raw and encoded orders always agree (only unreserved characters).
const PLAIN_NAMES: &[&str] = &[
    "a",
    "b",
    "A",
    "B",
    "a1",
    "a10",
    "b1",
    "lic",
    "tz",
    "cp",
    "loc",
    "user_id",
    "xdm_e",
    "xdm_c",
    "projectId",
    "expand",
    "jql",
    "startAt",
    "maxResults",
    "issue.key",
    "x-y",
    "t~1",
];
/// Characters for generated names and values: unreserved, reserved, RFC 1738 unsafe, `+`, `%`,
/// space, and non-ASCII in and beyond the BMP (U+1F600 vs U+FF01 tells UTF-16 from code-point order).
const CHARS: &[&str] = &[
    "a", "b", "z", "A", "Z", "0", "1", "9", "-", ".", "_", "~", " ", " ", "+", "%", "&", "=", "#",
    "?", "/", ":", "@", "!", "$", "'", "(", ")", "*", ",", ";", "[", "]", "\"", "<", ">", "{", "}",
    "|", "\\", "^", "`", "é", "ß", "宮", "崎", "駿", "😀", "！", "\u{E000}", "\u{FFFD}", "𝄞",
];

/// Bad escapes and percent-encoded bytes that are not UTF-8 (both sides keep a bad escape as
/// text and decode invalid UTF-8 to U+FFFD per maximal subpart).
const MALFORMED: &[&str] =
    &["%zz", "%", "a%2", "%E5%AE", "%FF", "%C3%28", "%ED%A0%80", "%F0%9F%98", "%C0%AF"];

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    *items.choose(rng).expect("non-empty pool")
}

fn random_text(rng: &mut StdRng, max_len: usize) -> String {
    let len = rng.gen_range(0..=max_len);
    (0..len).map(|_| pick(rng, CHARS)).collect()
}

/// Percent-encodes one decoded string for the wire, choosing among the encodings a client may
/// send: raw where legal, `+` or `%20` for space, upper- or lower-case hex.
fn to_wire(rng: &mut StdRng, decoded: &str, is_name: bool) -> String {
    let mut wire = String::new();
    for c in decoded.chars() {
        let must_encode = matches!(c, '&' | '#' | '%' | '+') || (is_name && c == '=');
        if c == ' ' {
            wire.push_str(if rng.gen_bool(0.5) { "+" } else { "%20" });
        } else if must_encode || rng.gen_bool(0.35) {
            let mut buf = [0_u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                if rng.gen_bool(0.8) {
                    wire.push_str(&format!("%{byte:02X}"));
                } else {
                    wire.push_str(&format!("%{byte:02x}"));
                }
            }
        } else {
            wire.push(c);
        }
    }
    wire
}

fn random_wire_value(rng: &mut StdRng, max_len: usize) -> String {
    let decoded = random_text(rng, max_len);
    to_wire(rng, &decoded, false)
}

fn random_path(rng: &mut StdRng, base_path: &str) -> String {
    let mut path = String::from(base_path);
    if !base_path.is_empty() && rng.gen_bool(0.05) {
        // Not under the base path but sharing its prefix: both sides strip the prefix textually.
        path.push('x');
    }
    let segments = rng.gen_range(0..=4);
    for _ in 0..segments {
        path.push('/');
        for _ in 0..rng.gen_range(1..=8) {
            if rng.gen_bool(0.1) {
                path.push_str(pick(rng, SEGMENT_SPICE));
            } else {
                path.push(char::from(pick(rng, SEGMENT_SAFE)));
            }
        }
    }
    // Trailing slashes; with no segment, sometimes none at all (`""` or the bare base path).
    if rng.gen_bool(if segments == 0 { 0.8 } else { 0.3 }) {
        path.push('/');
    }
    path
}

fn random_query(rng: &mut StdRng) -> String {
    let distinct = rng.gen_range(1..=4);
    let names: Vec<String> = (0..distinct)
        .map(|_| {
            if rng.gen_bool(0.6) {
                pick(rng, PLAIN_NAMES).to_owned()
            } else {
                let mut name = random_text(rng, 5);
                if name.is_empty() || name == "jwt" || name == "__proto__" {
                    name.push('n');
                }
                name
            }
        })
        .collect();
    let mut pairs: Vec<String> = Vec::new();
    for _ in 0..rng.gen_range(0..=7) {
        let name = pick(rng, &names.iter().map(String::as_str).collect::<Vec<_>>()).to_owned();
        let name_wire = to_wire(rng, &name, true);
        let pair = match rng.gen_range(0..100) {
            0..=4 => name_wire,                    // no `=`: empty value
            5..=9 => format!("{name_wire}="),      // explicit empty value
            10..=12 => format!("{name_wire}=a=b"), // `=` inside a value, raw
            13..=15 => format!("{name_wire}={}", pick(rng, MALFORMED)),
            _ => format!("{name_wire}={}", random_wire_value(rng, 8)),
        };
        pairs.push(pair);
    }
    match rng.gen_range(0..100) {
        0..=11 => pairs.push(format!("jwt={}", random_wire_value(rng, 12))),
        12..=13 => pairs.push("%6Awt=dropped-too".to_owned()),
        14..=15 => pairs.push("=nameless".to_owned()),
        16..=17 => pairs.push(String::new()), // `&&`
        _ => {}
    }
    pairs.shuffle(rng);
    pairs.join("&")
}

fn random_case(rng: &mut StdRng) -> Case {
    let base_path = pick(rng, BASE_PATHS);
    let path = random_path(rng, base_path);
    let query = if rng.gen_bool(0.1) { String::new() } else { random_query(rng) };
    Case { method: pick(rng, METHODS), path, query, base_path }
}

// ---------------------------------------------------------------------------------------------
// The documented name-order divergence
// ---------------------------------------------------------------------------------------------

const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn utf16_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Whether sorting this query's distinct parameter names raw (atlassian-jwt) and sorting them
/// percent-encoded (Java, us) give the same order.
fn name_orders_agree(query: &str) -> bool {
    let mut names: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| name.into_owned())
        .filter(|name| name != "jwt")
        .collect();
    names.sort_by(|a, b| utf16_order(a, b));
    names.dedup();
    names.iter().map(|n| utf8_percent_encode(n, RFC3986).to_string()).is_sorted()
}

/// `METHOD&path&p1&p2…` → (`METHOD&path`, [`p1`, `p2`, …]). `&` inside the path, names and
/// values is percent-encoded, so every further `&` separates parameters.
fn split_canonical(canonical: &str) -> (String, Vec<&str>) {
    let mut parts = canonical.splitn(3, '&');
    let head = format!("{}&{}", parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let params =
        parts.next().filter(|q| !q.is_empty()).map(|q| q.split('&').collect()).unwrap_or_default();
    (head, params)
}

fn decoded_name(param: &str) -> String {
    let name = param.split_once('=').map_or(param, |(n, _)| n);
    percent_decode_str(name).decode_utf8_lossy().into_owned()
}

/// For a request in the documented divergence: same method, path and parameters; ours sorted by
/// encoded name, node's by raw name.
fn check_name_order_divergence(ours: &str, node: &str) -> Result<(), String> {
    let (our_head, our_params) = split_canonical(ours);
    let (node_head, node_params) = split_canonical(node);
    if our_head != node_head {
        return Err("method or path differ".to_owned());
    }
    let (mut a, mut b) = (our_params.clone(), node_params.clone());
    a.sort_unstable();
    b.sort_unstable();
    if a != b {
        return Err("parameter sets differ".to_owned());
    }
    let encoded_name = |p: &&str| p.split_once('=').map_or(*p, |(n, _)| n).to_owned();
    if !our_params.iter().map(encoded_name).is_sorted() {
        return Err("ours is not in encoded-name order".to_owned());
    }
    if !node_params
        .is_sorted_by(|x, y| utf16_order(&decoded_name(x), &decoded_name(y)) != Ordering::Greater)
    {
        return Err("node's is not in raw-name order".to_owned());
    }
    if our_params == node_params {
        return Err("expected a name-order divergence, found none".to_owned());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn canonical_requests_and_qsh_match_atlassian_jwt() {
    let mut rng = StdRng::seed_from_u64(SEED);
    let cases: Vec<Case> = (0..CANONICAL_CASES).map(|_| random_case(&mut rng)).collect();
    let answers = run_harness(&cases.iter().map(Case::to_harness).collect::<Vec<_>>());

    let (mut identical, mut divergent) = (0_usize, 0_usize);
    let mut failures = Vec::new();
    for (case, answer) in cases.iter().zip(&answers) {
        if let Some(error) = answer.get("error") {
            failures.push(format!("{case:?}: harness error {error}"));
            continue;
        }
        // Node must have seen the path we sent, untouched.
        let node_path = answer.get("pathname").and_then(Value::as_str).unwrap_or_default();
        if node_path != case.path {
            failures.push(format!("{case:?}: node parsed the path as {node_path:?}"));
            continue;
        }
        let ours = canonical_request(case.method, &case.path, &case.query, case.base_path);
        let our_qsh = qsh(case.method, &case.path, &case.query, case.base_path);
        let (node_canonical, node_qsh) = (text(answer, "canonical"), text(answer, "qsh"));
        if name_orders_agree(&case.query) {
            if ours == node_canonical && our_qsh == node_qsh {
                identical = identical.saturating_add(1);
            } else {
                failures.push(format!("{case:?}:\n  ours {ours:?}\n  node {node_canonical:?}"));
            }
        } else {
            match check_name_order_divergence(&ours, node_canonical) {
                Ok(()) => divergent = divergent.saturating_add(1),
                Err(why) => failures
                    .push(format!("{case:?}: {why}:\n  ours {ours:?}\n  node {node_canonical:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {CANONICAL_CASES} requests disagree with atlassian-jwt {ATLASSIAN_JWT_VERSION} (seed {SEED:#x}):\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(identical.saturating_add(divergent), CANONICAL_CASES);
    // The generator must exercise both branches, and mostly the identical one.
    assert!(identical > CANONICAL_CASES / 2, "only {identical} identical cases");
    assert!(divergent > 0, "the generator no longer produces name-order divergences");
}

const APP_KEY: &str = "com.example.subtask-templates";
const TENANTS: &[&str] = &["https://tenant.atlassian.net", "https://tenant.example/wiki"];

fn random_secret(rng: &mut StdRng) -> String {
    match rng.gen_range(0..10) {
        0 => "7512836e-9137-48ac-baaf-a1935b96e17a".to_owned(),
        1 => "sécret-ü-😀".to_owned(),
        _ => (0..rng.gen_range(16..=64)).map(|_| char::from(pick(rng, SEGMENT_SAFE))).collect(),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct QshClaim {
    qsh: String,
}

#[test]
fn tokens_cross_verify_between_stj_connect_and_atlassian_jwt() {
    let mut rng = StdRng::seed_from_u64(SEED ^ 0xC055);
    let mut cases = Vec::new();
    while cases.len() < CROSS_SIGN_CASES {
        let tenant = TenantUrl::parse(pick(&mut rng, TENANTS)).expect("valid tenant URL");
        let mut case = random_case(&mut rng);
        // Requests to Jira are relative to the tenant's base URL; keep the tenant's own base path.
        case.base_path = if tenant.path().is_empty() { "" } else { "/wiki" };
        case.path = random_path(&mut rng, case.base_path);
        if name_orders_agree(&case.query) {
            cases.push((tenant, random_secret(&mut rng), case));
        }
    }

    // Per case: node verifies our token, then node signs one for us.
    let mut requests = Vec::new();
    for (tenant, secret, case) in &cases {
        let shared = SharedSecret::new(secret.clone());
        let header =
            app_authorization(APP_KEY, tenant, &shared, case.method, &case.path_and_query())
                .expect("signs");
        let token = header.strip_prefix("JWT ").expect("Authorization value starts with `JWT `");
        let mut verify = case.to_harness();
        verify["baseUrl"] = json!(tenant.as_str());
        verify["secret"] = json!(secret);
        verify["verify"] = json!(token);
        let mut sign = verify.clone();
        sign["verify"] = Value::Null;
        sign["sign"] = json!(true);
        sign["iss"] = json!("jira:1234-5678-9000");
        requests.push(verify);
        requests.push(sign);
    }
    // Negative controls: a wrong secret fails on both sides.
    let (tenant, secret, case) = cases.first().expect("cases");
    let mut wrong = requests.first().expect("requests").clone();
    wrong["secret"] = json!(format!("{secret}-wrong"));
    requests.push(wrong);

    let answers = run_harness(&requests);
    let mut failures = Vec::new();
    for ((tenant, secret, case), pair) in cases.iter().zip(answers.chunks(2)) {
        let [verified, signed] = pair else { unreachable!("answers come in pairs") };
        let our_qsh = qsh(case.method, &case.path, &case.query, tenant.path());
        let node_qsh = text(verified, "qsh");
        if node_qsh != our_qsh {
            failures.push(format!("{case:?}: node qsh {node_qsh} != ours {our_qsh}"));
        }

        // stj_connect → atlassian-jwt
        match verified.get("claims") {
            Some(claims) => {
                let claim_qsh = claims.get("qsh").and_then(Value::as_str);
                let iss = claims.get("iss").and_then(Value::as_str);
                let ttl = claims
                    .get("exp")
                    .and_then(Value::as_u64)
                    .zip(claims.get("iat").and_then(Value::as_u64))
                    .map(|(exp, iat)| exp.saturating_sub(iat));
                if claim_qsh != Some(node_qsh)
                    || iss != Some(APP_KEY)
                    || ttl != Some(APP_TOKEN_TTL_SECS)
                {
                    failures.push(format!(
                        "{case:?}: our token's claims {claims} do not match node's qsh {node_qsh}"
                    ));
                }
            }
            None => {
                failures.push(format!("{case:?}: decodeSymmetric rejected our token: {verified}"))
            }
        }

        // atlassian-jwt → stj_connect
        let key = HS256Key::from_bytes(secret.as_bytes());
        let options = VerificationOptions {
            time_tolerance: Some(Duration::from_secs(30)),
            allowed_issuers: Some(HashSet::from_strings(&["jira:1234-5678-9000"])),
            ..Default::default()
        };
        match key.verify_token::<QshClaim>(text(signed, "token"), Some(options)) {
            Ok(claims) if claims.custom.qsh == our_qsh => {}
            Ok(claims) => failures.push(format!(
                "{case:?}: node's token qsh {} != ours {our_qsh}",
                claims.custom.qsh
            )),
            Err(e) => failures.push(format!("{case:?}: jwt-simple rejected node's token: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in {CROSS_SIGN_CASES} cross-signed requests:\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );

    let wrong_answer = answers.last().expect("negative control answer");
    assert!(wrong_answer.get("claims").is_none(), "node accepted a token under the wrong secret");
    assert!(wrong_answer.get("verifyError").is_some(), "{wrong_answer}");
    let node_token = text(answers.get(1).expect("first signed answer"), "token");
    let wrong_key = HS256Key::from_bytes(format!("{secret}-wrong").as_bytes());
    assert!(wrong_key.verify_token::<QshClaim>(node_token, None).is_err(), "{case:?} {tenant:?}");
}
