//! The subtasks scenario (issue 3): one `POST /api/v1/issues/DEMO-1/subtasks` creating 200
//! subtasks while every Jira call the app makes (REST under `/rest/api/3/` and the OAuth token
//! grant) takes 50 ms longer. Wall time against the ideal, the Jira calls by route, and
//! `target/bench/subtasks.json`.
//!
//! The sandbox's control API cannot create issues, so every round applies to `DEMO-1` on a fresh
//! tenant (install, then `seed-demo`): each round starts cold, with no cached user token and no
//! ledger on the parent, which is also the worst case for a user's first application.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::bench::stack::Stack;
use crate::bench::write_json;
use crate::shell::note;

/// Subtasks created per application.
const SUBTASKS: u64 = 200;
/// Jira's bulk-create limit (`stj_subtasks::BULK_LIMIT`).
const BULK_LIMIT: u64 = 50;
/// Latency the sandbox adds to every Jira call the app makes.
const LATENCY_MS: u64 = 50;
/// Wall time may reach this multiple of the ideal.
const TARGET_RATIO: f64 = 1.15;
/// Every route the app calls during an application: Jira REST, and the OAuth authorization server
/// (`*` as the method matches any method; a trailing `*` matches the rest of the path).
const FAULT_ROUTES: [&str; 2] = ["* /rest/api/3/*", "POST /oauth2/token"];
/// Bound on the apply request (the app's own Jira timeouts are shorter).
const APPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// A step of an application that takes one round trip to Jira.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    name: &'static str,
    /// Counted in the strict ideal: no design that keeps the no-duplicates guarantee avoids it
    /// or can overlap it with another step.
    fixed: bool,
    why: &'static str,
}

/// The round trips the design needs besides the bulk creates, in the order they happen.
const STEPS: [Step; 6] = [
    Step {
        name: "OAuth user token",
        fixed: true,
        why: "every call acts as the user; a first call (no cached token) must get one first",
    },
    Step {
        name: "parent issue",
        fixed: true,
        why: "the template renders against it; everything below needs its project and key",
    },
    Step {
        name: "subtask types",
        fixed: false,
        why: "the project follows from the issue key, so its types can be read alongside the parent",
    },
    Step {
        name: "ledger read",
        fixed: false,
        why: "the ledger is a property of the parent: the parent look-up can return it (properties=)",
    },
    Step {
        name: "ledger pending write",
        fixed: true,
        why: "must be stored before the first bulk call, or a crash mid-way could create duplicates",
    },
    Step {
        name: "ledger final write",
        fixed: true,
        why: "records the keys created by the last bulk call, so it can only follow it",
    },
];

fn bulk_calls() -> u64 {
    SUBTASKS.div_ceil(BULK_LIMIT)
}

/// Round trips in an ideal run: the bulk creates plus the steps `counted` keeps.
fn ideal_round_trips(counted: impl Fn(&Step) -> bool) -> u64 {
    let steps = u64::try_from(STEPS.iter().filter(|s| counted(s)).count()).unwrap_or(u64::MAX);
    bulk_calls().saturating_add(steps)
}

fn ideal_ms(round_trips: u64) -> u64 {
    round_trips.saturating_mul(LATENCY_MS)
}

/// One application, timed.
#[derive(Debug, Clone, PartialEq)]
struct Round {
    wall: Duration,
    /// Jira calls by route during the application.
    calls: BTreeMap<String, u64>,
}

impl Round {
    fn total_calls(&self) -> u64 {
        self.calls.values().fold(0, |sum, n| sum.saturating_add(*n))
    }
}

pub(super) fn run(stack: &Stack, rounds: u64, out_dir: &Path) -> anyhow::Result<()> {
    note(format_args!(
        "\nbench subtasks: {SUBTASKS} subtasks in one POST per round, {LATENCY_MS} ms added to {}; \
         {rounds} rounds, each on a fresh tenant (install + seed-demo)",
        FAULT_ROUTES.join(" and ")
    ));
    stack.delete("/__sandbox/faults")?;
    for route in FAULT_ROUTES {
        let fault = json!({ "route": route, "fault": { "type": "latency", "ms": LATENCY_MS } });
        stack.post_expect("/__sandbox/faults", &fault, 201)?;
    }
    let body = json!({ "quickEntry": quick_entry(SUBTASKS) });
    let mut results = Vec::new();
    for n in 1..=rounds {
        let round = apply_round(stack, &body).with_context(|| format!("round {n}"))?;
        note(format_args!(
            "bench subtasks: round {n}: {:.1} ms, {} Jira calls",
            millis(round.wall),
            round.total_calls()
        ));
        results.push(round);
    }
    stack.delete("/__sandbox/faults")?;

    let report = Report::new(results)?;
    report.print();
    write_json(&out_dir.join("subtasks.json"), &report.json())
}

/// `n` one-line subtasks, each with a label and an estimate, as a user would type them.
fn quick_entry(n: u64) -> String {
    (1..=n).map(|i| format!("Step {i:03} for {{{{parent.key}}}} #bench ~1h\n")).collect()
}

fn apply_round(stack: &Stack, body: &Value) -> anyhow::Result<Round> {
    let client_key = stack.install()?;
    let seed = stack.post(&format!("/__sandbox/tenants/{client_key}/seed-demo"), &json!({}))?;
    let field = |name: &str| {
        seed.get(name).and_then(Value::as_str).with_context(|| format!("seed-demo without {name}"))
    };
    let (parent, member) = (field("parent_issue_key")?, field("member_account_id")?);
    let token = stack.context_token(&client_key, member)?;
    let url = format!("{}/api/v1/issues/{parent}/subtasks", stack.app_url);

    // One click: a fresh idempotency key per round (each round is on a fresh tenant anyway).
    let key = format!("{:032x}", started_key());
    let before = stack.request_counts()?;
    let started = Instant::now();
    let mut response = stack
        .control
        .post(&url)
        .header("Authorization", &token)
        .header("Idempotency-Key", &key)
        .config()
        .timeout_global(Some(APPLY_TIMEOUT))
        .build()
        .send_json(body)
        .with_context(|| format!("POST {url}"))?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().with_context(|| format!("POST {url}"))?;
    let wall = started.elapsed();
    let after = stack.request_counts()?;

    let excerpt: String = text.chars().take(300).collect();
    anyhow::ensure!(status == 200, "POST {url}: status {status}: {excerpt}");
    let answer: Value =
        serde_json::from_str(&text).with_context(|| format!("POST {url}: not JSON: {excerpt}"))?;
    let count = |name: &str| answer.get(name).and_then(Value::as_u64);
    anyhow::ensure!(
        count("created") == Some(SUBTASKS) && count("existing") == Some(0),
        "POST {url}: expected {SUBTASKS} created, 0 existing; got created {:?}, existing {:?}",
        count("created"),
        count("existing")
    );
    Ok(Round { wall, calls: difference(&before, &after) })
}

/// A number that differs between rounds and runs, for the round's idempotency key.
fn started_key() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// Requests per route made between two readings of the sandbox's counters.
fn difference(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(route, n)| {
            (route.clone(), n.saturating_sub(before.get(route).copied().unwrap_or(0)))
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The nearest-rank median (the lower one for an even count).
fn median(sorted: &[Duration]) -> Option<Duration> {
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Debug)]
struct Report {
    rounds: Vec<Round>,
    min: Duration,
    median: Duration,
    max: Duration,
}

impl Report {
    fn new(rounds: Vec<Round>) -> anyhow::Result<Self> {
        let mut walls: Vec<Duration> = rounds.iter().map(|r| r.wall).collect();
        walls.sort_unstable();
        let (Some(min), Some(median), Some(max)) =
            (walls.first().copied(), median(&walls), walls.last().copied())
        else {
            anyhow::bail!("no round completed");
        };
        Ok(Self { rounds, min, median, max })
    }

    /// The calls of the median round (every round should make the same ones).
    fn calls(&self) -> &BTreeMap<String, u64> {
        static EMPTY: BTreeMap<String, u64> = BTreeMap::new();
        let round = self.rounds.iter().find(|r| r.wall == self.median).or(self.rounds.first());
        round.map_or(&EMPTY, |r| &r.calls)
    }

    fn calls_vary(&self) -> bool {
        self.rounds.windows(2).any(|pair| match pair {
            [a, b] => a.calls != b.calls,
            _ => false,
        })
    }

    fn ratio(&self, round_trips: u64) -> f64 {
        millis(self.median) / ideal_ms(round_trips) as f64
    }

    fn print(&self) {
        let design = ideal_round_trips(|_| true);
        let strict = ideal_round_trips(|s| s.fixed);
        let floor = bulk_calls().saturating_add(2);
        let verdict = |ratio: f64| if ratio <= TARGET_RATIO { "met" } else { "NOT met" };
        let names = |fixed: Option<bool>| {
            STEPS
                .iter()
                .filter(|s| fixed.is_none_or(|f| s.fixed == f))
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let walls: Vec<String> =
            self.rounds.iter().map(|r| format!("{:.1}", millis(r.wall))).collect();
        let calls: Vec<String> = self
            .calls()
            .iter()
            .map(|(route, n)| format!("  {route:<62} {n:>3}"))
            .chain(std::iter::once(format!(
                "  {:<62} {:>3}",
                "total",
                self.calls().values().sum::<u64>()
            )))
            .collect();
        let not_counted: Vec<String> = STEPS
            .iter()
            .filter(|s| !s.fixed)
            .map(|s| format!("  - {}: {}", s.name, s.why))
            .collect();
        let counted: Vec<String> = STEPS
            .iter()
            .filter(|s| s.fixed)
            .map(|s| format!("  - {}: {}", s.name, s.why))
            .collect();
        let (design_ratio, strict_ratio) = (self.ratio(design), self.ratio(strict));
        note(format_args!(
            "\nsubtasks: {SUBTASKS} subtasks in one apply, {LATENCY_MS} ms added to every Jira call \
             ({} rounds)\n\
             wall time: min {:.1} ms, median {:.1} ms, max {:.1} ms (rounds: {})\n\
             = {:.1} round trips of {LATENCY_MS} ms deep (median)\n\
             Jira calls per apply, by route{}:\n{}\n\n\
             ideal, the design's round trips one after another: {design} x {LATENCY_MS} ms = {} ms \
             ({} bulk creates + {})\n\
             \x20 median / ideal: {design_ratio:.2}x (target <= {TARGET_RATIO:.2}x: {})\n\
             strict ideal (issue 3: {} bulk creates + the truly fixed look-ups): {strict} x \
             {LATENCY_MS} ms = {} ms\n\
             \x20 median / strict ideal: {strict_ratio:.2}x (target <= {TARGET_RATIO:.2}x: {})\n\
             \x20 counted as fixed:\n{}\n\
             \x20 not counted:\n{}\n\
             floor without the ledger writes (no idempotency; not a target): {floor} x {LATENCY_MS} \
             ms = {} ms",
            self.rounds.len(),
            millis(self.min),
            millis(self.median),
            millis(self.max),
            walls.join(", "),
            millis(self.median) / LATENCY_MS as f64,
            if self.calls_vary() { " (median round; rounds differ, see the JSON)" } else { "" },
            calls.join("\n"),
            ideal_ms(design),
            bulk_calls(),
            names(None),
            verdict(design_ratio),
            bulk_calls(),
            ideal_ms(strict),
            verdict(strict_ratio),
            counted.join("\n"),
            not_counted.join("\n"),
            ideal_ms(floor),
        ));
    }

    fn json(&self) -> Value {
        let design = ideal_round_trips(|_| true);
        let strict = ideal_round_trips(|s| s.fixed);
        let steps = |fixed: Option<bool>| -> Vec<Value> {
            STEPS
                .iter()
                .filter(|s| fixed.is_none_or(|f| s.fixed == f))
                .map(|s| json!({ "step": s.name, "why": s.why }))
                .collect()
        };
        json!({
            "subtasks": SUBTASKS,
            "bulk_limit": BULK_LIMIT,
            "bulk_calls": bulk_calls(),
            "latency_ms_per_jira_call": LATENCY_MS,
            "faulted_routes": FAULT_ROUTES,
            "rounds": self.rounds.iter().map(|r| json!({
                "wall_ms": millis(r.wall),
                "jira_calls": r.total_calls(),
                "jira_calls_by_route": r.calls,
            })).collect::<Vec<_>>(),
            "wall_ms": {
                "min": millis(self.min),
                "median": millis(self.median),
                "max": millis(self.max),
            },
            "jira_calls": self.calls().values().sum::<u64>(),
            "jira_calls_by_route": self.calls(),
            "ideal": {
                "round_trips": design,
                "ms": ideal_ms(design),
                "steps": steps(None),
                "ratio": self.ratio(design),
                "meets_target": self.ratio(design) <= TARGET_RATIO,
            },
            "strict_ideal": {
                "round_trips": strict,
                "ms": ideal_ms(strict),
                "counted": steps(Some(true)),
                "not_counted": steps(Some(false)),
                "ratio": self.ratio(strict),
                "meets_target": self.ratio(strict) <= TARGET_RATIO,
            },
            "target_ratio": TARGET_RATIO,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use crate::bench::subtasks::{
        Report, Round, bulk_calls, difference, ideal_ms, ideal_round_trips, median, quick_entry,
    };

    #[test]
    fn ideals_count_bulk_calls_and_steps() {
        assert_eq!(bulk_calls(), 4, "ceil(200 / 50)");
        assert_eq!(ideal_round_trips(|_| true), 10);
        assert_eq!(ideal_ms(ideal_round_trips(|_| true)), 500);
        assert_eq!(ideal_round_trips(|s| s.fixed), 8);
    }

    #[test]
    fn counts_are_differenced_per_route() {
        let map = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
        };
        let before = map(&[("GET /a", 3), ("POST /b", 1)]);
        let after = map(&[("GET /a", 5), ("POST /b", 1), ("PUT /c", 2)]);
        assert_eq!(difference(&before, &after), map(&[("GET /a", 2), ("PUT /c", 2)]));
    }

    #[test]
    fn median_and_report() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(1), ms(2), ms(3)]), Some(ms(2)));
        assert_eq!(median(&[ms(1), ms(2), ms(3), ms(4)]), Some(ms(2)));
        assert_eq!(median(&[]), None);
        let round = |wall: u64| Round { wall: ms(wall), calls: BTreeMap::new() };
        let report = Report::new(vec![round(600), round(500), round(550)]).unwrap();
        assert_eq!((report.min, report.median, report.max), (ms(500), ms(550), ms(600)));
        assert!((report.ratio(10) - 1.1).abs() < 1e-9);
        assert!(!report.calls_vary());
        assert!(Report::new(Vec::new()).is_err());
    }

    #[test]
    fn quick_entry_has_one_line_per_subtask() {
        let text = quick_entry(200);
        assert_eq!(text.lines().count(), 200);
        assert_eq!(text.lines().next(), Some("Step 001 for {{parent.key}} #bench ~1h"));
    }
}
