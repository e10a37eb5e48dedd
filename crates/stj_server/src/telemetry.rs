//! Logs as JSON lines on stdout (or pretty for local runs). What reaches a log line is decided by
//! types (`stj_privacy`) and by the access log's redaction, not by filtering output afterwards.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::settings::TelemetryConfig;

/// Installs the global subscriber; later calls (tests) are no-ops.
pub fn init<W>(config: &TelemetryConfig, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    let result = if config.format == "pretty" {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).with_current_span(false).try_init()
    };
    drop(result);
}
