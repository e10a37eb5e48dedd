//! The edge scenario's table and `target/bench/edge.json`: per scenario the median of the rounds
//! (throughput, latency, CPU shares), every round's throughput, and the ratio to `/healthz`.

use serde_json::{Value, json};

use crate::bench::Options;
use crate::bench::edge::Kind;
use crate::bench::proc::Memory;
use crate::bench::stack::UNREACHABLE_RATE_LIMIT;
use crate::bench::wrk::Run;
use crate::shell::note;

/// Each authenticated scenario must reach this share of `/healthz`'s throughput...
const TARGET_RATIO: f64 = 0.8;
/// ...with a p99 latency no longer than this (ms) ...
const TARGET_P99_MS: f64 = 3.0;
/// ...and the app's peak RSS no more than this (MiB).
const TARGET_PEAK_MIB: f64 = 20.0;

#[derive(Debug)]
pub(crate) struct Scenario {
    kind: Kind,
    runs: Vec<Run>,
}

impl Scenario {
    pub(crate) fn new(kind: Kind, runs: Vec<Run>) -> Self {
        Self { kind, runs }
    }

    fn median(&self, value: impl Fn(&Run) -> Option<f64>) -> Option<f64> {
        let mut values: Vec<f64> = self.runs.iter().filter_map(value).collect();
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        match values.len() {
            0 => None,
            n if n % 2 == 1 => values.get(mid).copied(),
            _ => Some((values.get(mid.saturating_sub(1))? + values.get(mid)?) / 2.0),
        }
    }

    fn per_second(&self) -> f64 {
        self.median(|r| Some(r.per_second)).unwrap_or(0.0)
    }

    fn p99_ms(&self) -> f64 {
        self.median(|r| Some(r.p99_us)).unwrap_or(0.0) / 1000.0
    }
}

#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) options: Options,
    pub(crate) scenarios: Vec<Scenario>,
    pub(crate) memory: Option<Memory>,
    pub(crate) licence_calls: usize,
    /// Lines the app logged during the scenario: the access log's, one per request.
    pub(crate) log_lines: u64,
    /// `--profile`: the top user-space symbols during a page run.
    pub(crate) profile: Option<Vec<String>>,
    /// The `edge_cpu` example's nanoseconds per request (in process, one thread, no sockets).
    pub(crate) in_process: Value,
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "n/a".to_owned(), |s| format!("{:.0}%", s * 100.0))
}

impl Report {
    fn healthz(&self) -> f64 {
        self.scenario(Kind::Healthz).map_or(0.0, Scenario::per_second)
    }

    fn scenario(&self, kind: Kind) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.kind == kind)
    }

    /// What the floor (nginx, static) says of this machine; empty without a floor run.
    fn floor_line(&self) -> String {
        let Some(floor) = self.scenario(Kind::Floor) else { return String::new() };
        let reach = if floor.p99_ms() <= TARGET_P99_MS { "met" } else { "NOT met even" };
        format!(
            "\nmachine floor (nginx answering /healthz's bytes from a static rule, access log on, \
             same load): {:.0} req/s, p99 {:.2} ms; the app's /healthz makes {:.0}% of its \
             throughput; p99 <= {TARGET_P99_MS} ms is {reach} by this static server here",
            floor.per_second(),
            floor.p99_ms(),
            self.healthz() / floor.per_second().max(f64::EPSILON) * 100.0,
        )
    }

    fn ratio(&self, scenario: &Scenario) -> f64 {
        scenario.per_second() / self.healthz().max(f64::EPSILON)
    }

    fn peak_mib(&self) -> Option<f64> {
        self.memory.map(|m| m.peak_kib as f64 / 1024.0)
    }

    fn meets_targets(&self) -> bool {
        let judged: Vec<&Scenario> = self.scenarios.iter().filter(|s| s.kind.judged()).collect();
        let within = |s: &&Scenario| self.ratio(s) >= TARGET_RATIO && s.p99_ms() <= TARGET_P99_MS;
        !judged.is_empty()
            && judged.iter().all(within)
            && self.peak_mib().is_some_and(|mib| mib <= TARGET_PEAK_MIB)
    }

    pub(crate) fn print(&self) {
        let mut table = format!(
            "{:<36} {:>9} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8}  rounds (req/s)\n",
            "scenario (median of rounds)",
            "req/s",
            "ratio",
            "p50 ms",
            "p99 ms",
            "max ms",
            "srv CPU",
            "wrk CPU"
        );
        for s in &self.scenarios {
            let rounds: Vec<String> =
                s.runs.iter().map(|r| format!("{:.0}", r.per_second)).collect();
            table.push_str(&format!(
                "{:<36} {:>9.0} {:>6.1}% {:>7.2} {:>7.2} {:>7.2} {:>8} {:>8}  {}\n",
                s.kind.label(),
                s.per_second(),
                self.ratio(s) * 100.0,
                s.median(|r| Some(r.p50_us)).unwrap_or(0.0) / 1000.0,
                s.p99_ms(),
                s.median(|r| Some(r.max_us)).unwrap_or(0.0) / 1000.0,
                percent(s.median(|r| r.server_cpu)),
                percent(s.median(|r| r.client_cpu)),
                rounds.join(" ")
            ));
        }
        let verdict = if self.meets_targets() { "met" } else { "NOT met" };
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let memory = self.memory.map_or_else(
            || "n/a (no /proc)".to_owned(),
            |m| {
                format!(
                    "{:.1} MiB peak (VmHWM), {:.1} MiB at the end",
                    m.peak_kib as f64 / 1024.0,
                    m.current_kib as f64 / 1024.0
                )
            },
        );
        let profile = self.profile.as_ref().map_or_else(String::new, |top| {
            format!(
                "\nprofile of the app during a page run (self time, user space):\n  {}",
                top.join("\n  ")
            )
        });
        let ns = |name: &str| self.in_process.get(name).and_then(Value::as_f64).unwrap_or(0.0);
        let (healthz, page, api) = (ns("healthz_ns"), ns("page_ns"), ns("api_ns"));
        let in_process = format!(
            "app CPU per request in process (one thread, no sockets, access log formatted): \
             /healthz {healthz:.0} ns, page {page:.0} ns (+{:.0}), API {api:.0} ns (+{:.0})",
            page - healthz,
            api - healthz
        );
        note(format_args!(
            "\n{table}{in_process}{}\ntargets (the Connect page and API): >= {:.0}% of /healthz, p99 <= {TARGET_P99_MS} ms, peak RSS <= \
             {TARGET_PEAK_MIB} MiB: {verdict}\n\
             app memory: {memory}\n\
             CPU shares are of all {cores} cores (100% = every core busy): the server's (the app's; nginx's for the floor) \
             next to wrk's, so a saturated client would show (wrk runs on the same machine)\n\
             access-log lines written during the scenario: {}; licence calls to Jira: {}{profile}",
            self.floor_line(),
            TARGET_RATIO * 100.0,
            self.log_lines,
            self.licence_calls,
        ));
    }

    pub(crate) fn json(&self) -> Value {
        let scenarios: Vec<Value> = self
            .scenarios
            .iter()
            .map(|s| {
                json!({
                    "scenario": s.kind.label(),
                    "requests_per_second_median": s.per_second(),
                    "ratio_to_healthz": self.ratio(s),
                    "p50_ms_median": s.median(|r| Some(r.p50_us)).map(|us| us / 1000.0),
                    "p99_ms_median": s.p99_ms(),
                    "max_ms_median": s.median(|r| Some(r.max_us)).map(|us| us / 1000.0),
                    "server_cpu_share_median": s.median(|r| r.server_cpu),
                    "wrk_cpu_share_median": s.median(|r| r.client_cpu),
                    "rounds": s.runs.iter().map(|r| json!({
                        "requests": r.requests,
                        "requests_per_second": r.per_second,
                        "p99_ms": r.p99_us / 1000.0,
                        "server_cpu_share": r.server_cpu,
                        "wrk_cpu_share": r.client_cpu,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "load_generator": "wrk",
            "threads": self.options.threads,
            "connections": self.options.connections,
            "warmup_seconds": self.options.warmup,
            "seconds_per_run": self.options.seconds,
            "rounds": self.options.edge_rounds,
            "cores": std::thread::available_parallelism().map_or(0, usize::from),
            "access_log": "on (JSON lines, info)",
            "access_log_lines": self.log_lines,
            "rate_limits_per_second": UNREACHABLE_RATE_LIMIT,
            "scenarios": scenarios,
            "target_ratio": TARGET_RATIO,
            "target_p99_ms": TARGET_P99_MS,
            "target_peak_rss_mib": TARGET_PEAK_MIB,
            "meets_targets": self.meets_targets(),
            "app_peak_rss_kib": self.memory.map(|m| m.peak_kib),
            "app_rss_kib_at_end": self.memory.map(|m| m.current_kib),
            "licence_calls_to_jira": self.licence_calls,
            "profile_top_symbols": self.profile,
            "in_process_ns_per_request": self.in_process,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(per_second: f64, p99_ms: f64) -> Run {
        Run {
            requests: 1,
            per_second,
            p50_us: 100.0,
            p99_us: p99_ms * 1000.0,
            max_us: 9000.0,
            errors: 0,
            server_cpu: None,
            client_cpu: None,
        }
    }

    fn report(page: f64, api_p99_ms: f64) -> Report {
        let scenario = |kind, per_second, p99| Scenario::new(kind, vec![run(per_second, p99)]);
        Report {
            options: Options::default(),
            scenarios: vec![
                scenario(Kind::Healthz, 100.0, 1.0),
                scenario(Kind::HealthzCarrying, 70.0, 1.0),
                scenario(Kind::Page, page, 2.0),
                scenario(Kind::Api, 90.0, api_p99_ms),
                scenario(Kind::Forge, 30.0, 9.0),
                scenario(Kind::Floor, 150.0, 4.0),
            ],
            memory: Some(Memory { peak_kib: 18 * 1024, current_kib: 18 * 1024 }),
            licence_calls: 0,
            log_lines: 0,
            profile: None,
            in_process: Value::Null,
        }
    }

    #[test]
    fn the_targets_judge_the_connect_page_and_api_only() {
        assert!(
            report(80.0, 3.0).meets_targets(),
            "Forge, the carrying /healthz and the floor are not judged"
        );
        assert!(!report(79.0, 3.0).meets_targets(), "page below 80 %");
        assert!(!report(85.0, 3.1).meets_targets(), "API p99 above 3 ms");
        let mut no_memory = report(85.0, 1.0);
        no_memory.memory = None;
        assert!(!no_memory.meets_targets());
    }

    #[test]
    fn the_floor_line_says_whether_the_p99_target_is_in_reach() {
        let line = report(85.0, 1.0).floor_line();
        assert!(line.contains("150 req/s, p99 4.00 ms"), "{line}");
        assert!(line.contains("makes 67% of its throughput"), "{line}");
        assert!(line.contains("p99 <= 3 ms is NOT met even by this static server"), "{line}");
        let mut no_floor = report(85.0, 1.0);
        no_floor.scenarios.retain(|s| s.kind != Kind::Floor);
        assert!(no_floor.floor_line().is_empty());
    }
}
