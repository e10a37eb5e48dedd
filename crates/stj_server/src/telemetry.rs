//! Logs as JSON lines on stdout (or pretty for local runs). What reaches a log line is decided by
//! types (`stj_privacy`) and by the access log's redaction, not by filtering output afterwards.
//!
//! Request threads do not write stdout themselves ([`stdout_writer`]): one writer thread owns it
//! and writes lines in batches, so workers never queue on stdout's lock (one access-log line per
//! request made that lock the busiest in the process under load).
//!
//! One more rule is enforced here: the HTTP-client, HTTP-server, TLS and Postgres-driver crates
//! log at most at `info`, whatever `telemetry.filter` says. Their debug and trace output
//! carries headers, bodies and handshake details (tokens, shared secrets, customer text).

use tracing::Subscriber;
use tracing::level_filters::LevelFilter;
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{FilterExt as _, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Layer as _, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::settings::TelemetryConfig;

mod json_lines;
mod span_fields;
use json_lines::JsonLines;
use span_fields::AppendingJsonFields;

/// Crates (log targets, prefixes included) held at `info` or below.
pub const CAPPED_AT_INFO: &[&str] = &[
    "ureq",
    "rustls",
    "tokio_rustls",
    "tokio_postgres",
    "postgres_protocol",
    "actix_http",
    "actix_server",
    "h2",
    "hyper",
    "diesel",
];

/// Lines that may wait for the writer thread (a few MB of JSON). When they are all taken a request
/// thread waits for room: no line is ever dropped, because security logs are kept.
pub const LOG_QUEUE_LINES: usize = 16_384;

/// Stdout behind a bounded queue and a writer thread that writes what has arrived in one go.
/// Keep the guard until the server has stopped: dropping it writes out every queued line.
pub fn stdout_writer() -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()))
}

/// Installs the global subscriber; later calls (tests) are no-ops.
pub fn init<W>(config: &TelemetryConfig, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    drop(subscriber(config, writer).try_init());
}

/// The subscriber `init` installs, for tests to use locally.
pub fn subscriber<W>(config: &TelemetryConfig, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let configured = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let caps = CAPPED_AT_INFO
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |caps, target| {
            caps.with_target(*target, LevelFilter::INFO)
        });
    // Both must pass: the configured filter cannot lift a capped crate past the cap.
    let filter = configured.and(caps);
    let layer = tracing_subscriber::fmt::layer().with_writer(writer);
    if config.format == "pretty" {
        Box::new(tracing_subscriber::registry().with(layer.with_filter(filter)))
    } else {
        let json = layer
            .event_format(JsonLines::new(tracing_subscriber::fmt::time::SystemTime))
            .fmt_fields(AppendingJsonFields);
        Box::new(tracing_subscriber::registry().with(json.with_filter(filter)))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Captured log output (also `json_lines`' tests).
    #[derive(Clone, Default)]
    pub(super) struct Sink(pub(super) Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn span_fields_recorded_later_extend_the_span_as_json() {
        let sink = Sink::default();
        let writer = sink.clone();
        let config = TelemetryConfig { filter: "info".into(), format: "json".into() };
        tracing::subscriber::with_default(subscriber(&config, move || writer.clone()), || {
            let span = tracing::info_span!(
                "request",
                http.method = "GET",
                http.status = tracing::field::Empty,
                tenant.host = tracing::field::Empty,
                ok = tracing::field::Empty,
            );
            span.in_scope(|| tracing::info!("before"));
            span.record("tenant.host", "a\"b.example");
            span.record("http.status", 200_u16);
            span.record("ok", true);
            span.in_scope(|| tracing::info!(inner = -1_i64, "after"));
            let empty = tracing::info_span!("bare", later = tracing::field::Empty);
            empty.record("later", 1.5_f64);
            empty.in_scope(|| tracing::info!("bare"));
        });
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> =
            text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(
            lines[0]["spans"],
            serde_json::json!([{ "name": "request", "http.method": "GET" }])
        );
        let want = serde_json::json!([{
            "name": "request", "http.method": "GET", "tenant.host": "a\"b.example",
            "http.status": 200, "ok": true
        }]);
        assert_eq!(lines[1]["spans"], want, "{text}");
        assert_eq!(lines[1]["inner"], -1);
        assert_eq!(lines[2]["spans"], serde_json::json!([{ "name": "bare", "later": 1.5 }]));
    }

    #[test]
    fn a_filter_cannot_raise_client_or_tls_crates_above_info() {
        let sink = Sink::default();
        let writer = sink.clone();
        let config = TelemetryConfig {
            filter: "trace,ureq=trace,rustls::client=trace,tokio_postgres::query=trace".into(),
            format: "json".into(),
        };
        tracing::subscriber::with_default(subscriber(&config, move || writer.clone()), || {
            tracing::debug!(target: "ureq::unit", "canary-ureq-debug");
            tracing::trace!(target: "rustls::client::hs", "canary-rustls-trace");
            tracing::debug!(target: "tokio_postgres::query", "canary-pg-debug");
            tracing::debug!(target: "actix_http::h1", "canary-actix-debug");
            tracing::info!(target: "ureq::unit", "ureq-info-kept");
            tracing::debug!(target: "stj_http", "app-debug-kept");
        });
        let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(!logs.contains("canary"), "{logs}");
        assert!(logs.contains("ureq-info-kept") && logs.contains("app-debug-kept"), "{logs}");
    }
}
