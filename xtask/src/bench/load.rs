//! The load generator: a fixed number of client threads, each with its own keep-alive connection
//! (a ureq agent), sending `GET`s back to back through a warm-up and then a measured window.
//!
//! Every loop is bounded twice: by the window's end and by a request cap per thread. Only
//! requests started inside the measured window count; any answer other than 200 is an error.

use std::thread;
use std::time::{Duration, Instant};

/// No thread sends more than this many requests, whatever the clock says.
const MAX_REQUESTS_PER_THREAD: u64 = 5_000_000;
/// A thread gives up after this many failed requests (the app is down or refusing).
const MAX_ERRORS_PER_THREAD: u64 = 100;
/// Bound on one request, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How hard and how long to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Load {
    pub(crate) threads: usize,
    pub(crate) warmup: Duration,
    pub(crate) measure: Duration,
}

/// What one endpoint did under `Load`. Latencies are in microseconds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    /// Successful requests in the measured window.
    pub(crate) requests: u64,
    /// Failed requests (non-200 or no answer), warm-up included.
    pub(crate) errors: u64,
    pub(crate) first_error: Option<String>,
    pub(crate) per_second: f64,
    pub(crate) p50_us: u32,
    pub(crate) p99_us: u32,
    pub(crate) max_us: u32,
    /// What `probe` counted over the measured window (the app's CPU time), if it could.
    pub(crate) probed: Option<u64>,
}

/// What one thread brings back.
#[derive(Debug, Default)]
struct Worker {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
    hit_cap: bool,
}

/// Sends `GET url` from `load.threads` threads; thread `i` sends `authorization[i]` (if any) as
/// its `Authorization` header. `probe` is read when the measured window opens and when it closes.
pub(crate) fn drive(
    load: Load,
    url: &str,
    authorization: &[Option<String>],
    probe: &(dyn Fn() -> Option<u64> + Sync),
) -> anyhow::Result<Summary> {
    anyhow::ensure!(load.threads > 0 && !load.measure.is_zero(), "nothing to measure: {load:?}");
    let started = Instant::now();
    let measure_from = started.checked_add(load.warmup).unwrap_or(started);
    let until = measure_from.checked_add(load.measure).unwrap_or(measure_from);
    let (workers, probed): (Vec<Worker>, Option<u64>) = thread::scope(|scope| {
        let monitor = scope.spawn(move || {
            thread::sleep(measure_from.saturating_duration_since(Instant::now()));
            let first = probe();
            thread::sleep(until.saturating_duration_since(Instant::now()));
            probe()?.checked_sub(first?)
        });
        let handles: Vec<_> = (0..load.threads)
            .map(|n| {
                let authorization = authorization.get(n).cloned().flatten();
                scope.spawn(move || worker(url, authorization.as_deref(), measure_from, until))
            })
            .collect();
        let workers = handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| Worker {
                    errors: 1,
                    first_error: Some("a load thread panicked".to_owned()),
                    ..Worker::default()
                })
            })
            .collect();
        (workers, monitor.join().ok().flatten())
    });
    anyhow::ensure!(
        !workers.iter().any(|w| w.hit_cap),
        "a thread reached the cap of {MAX_REQUESTS_PER_THREAD} requests: measure fewer seconds"
    );
    Ok(Summary { probed, ..summarise(workers, load.measure) })
}

fn worker(url: &str, authorization: Option<&str>, measure_from: Instant, until: Instant) -> Worker {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(REQUEST_TIMEOUT))
        .max_redirects(0)
        .build()
        .into();
    let mut out = Worker::default();
    let mut requests: u64 = 0;
    loop {
        let start = Instant::now();
        if start >= until || out.errors >= MAX_ERRORS_PER_THREAD {
            break;
        }
        if requests >= MAX_REQUESTS_PER_THREAD {
            out.hit_cap = true;
            break;
        }
        requests = requests.saturating_add(1);
        match get(&agent, url, authorization) {
            Ok(()) if start >= measure_from => out.latencies_us.push(micros(start.elapsed())),
            Ok(()) => {}
            Err(message) => {
                out.errors = out.errors.saturating_add(1);
                out.first_error.get_or_insert(message);
            }
        }
    }
    out
}

/// One request; the body is read to the end so the connection goes back to the pool.
fn get(agent: &ureq::Agent, url: &str, authorization: Option<&str>) -> Result<(), String> {
    let mut request = agent.get(url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let mut response = request.call().map_err(|e| format!("GET {url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_vec().map_err(|e| format!("GET {url}: {e}"))?;
    if status == 200 {
        return Ok(());
    }
    let body = String::from_utf8_lossy(&body);
    let excerpt: String = body.chars().take(300).collect();
    Err(format!("GET {url}: status {status}: {excerpt}"))
}

fn micros(elapsed: Duration) -> u32 {
    u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX)
}

fn summarise(workers: Vec<Worker>, measure: Duration) -> Summary {
    let mut errors: u64 = 0;
    let mut first_error = None;
    let mut latencies = Vec::new();
    for worker in workers {
        errors = errors.saturating_add(worker.errors);
        if first_error.is_none() {
            first_error = worker.first_error;
        }
        latencies.extend(worker.latencies_us);
    }
    latencies.sort_unstable();
    let requests = u64::try_from(latencies.len()).unwrap_or(u64::MAX);
    Summary {
        requests,
        errors,
        first_error,
        per_second: requests as f64 / measure.as_secs_f64(),
        p50_us: percentile(&latencies, 500).unwrap_or(0),
        p99_us: percentile(&latencies, 990).unwrap_or(0),
        max_us: latencies.last().copied().unwrap_or(0),
        probed: None,
    }
}

/// The nearest-rank percentile of `sorted` (ascending), `per_mille` out of 1000.
pub(crate) fn percentile(sorted: &[u32], per_mille: usize) -> Option<u32> {
    let rank = sorted.len().saturating_mul(per_mille.min(1000)).div_ceil(1000);
    sorted.get(rank.saturating_sub(1)).copied()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::bench::load::{Worker, percentile, summarise};

    #[test]
    fn percentile_is_nearest_rank() {
        let sorted: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 500), Some(50));
        assert_eq!(percentile(&sorted, 990), Some(99));
        assert_eq!(percentile(&sorted, 1000), Some(100));
        assert_eq!(percentile(&sorted, 0), Some(1));
        assert_eq!(percentile(&[7], 990), Some(7));
        assert_eq!(percentile(&[], 500), None);
    }

    #[test]
    fn summary_merges_threads() {
        let workers = vec![
            Worker { latencies_us: vec![300, 100], ..Worker::default() },
            Worker {
                latencies_us: vec![200, 400],
                errors: 2,
                first_error: Some("status 429".to_owned()),
                hit_cap: false,
            },
        ];
        let summary = summarise(workers, Duration::from_secs(2));
        assert_eq!(summary.requests, 4);
        assert_eq!(summary.errors, 2);
        assert_eq!(summary.first_error.as_deref(), Some("status 429"));
        assert!((summary.per_second - 2.0).abs() < f64::EPSILON);
        assert_eq!((summary.p50_us, summary.p99_us, summary.max_us), (200, 400, 400));
    }
}
