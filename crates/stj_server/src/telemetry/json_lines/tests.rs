//! `JsonLines` against the stock JSON formatter it replaces, line for line, on the same events.

use tracing::field::Empty;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::layer::SubscriberExt as _;

use super::*;
use crate::telemetry::span_fields::AppendingJsonFields;
use crate::telemetry::tests::Sink;

#[derive(Clone, Copy)]
struct Fixed;

impl FormatTime for Fixed {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        w.write_str("2026-11-30T12:00:00.000001Z")
    }
}

#[derive(Debug)]
struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("it \"failed\"\n")
    }
}

impl std::error::Error for Failure {}

/// Events and spans of every kind the app's log can carry.
fn scenario() {
    tracing::info!("outside any span");
    tracing::warn!(
        text = "quote \" back \\ tab \t nl \n \u{1} é 😀 \u{2028}",
        big = u64::MAX,
        small = i64::MIN,
        yes = true,
        half = 1.5_f64,
        whole = 100.0_f64,
        huge = 1e21_f64,
        nan = f64::NAN,
        neg_zero = -0.0_f64,
        wide = u128::MAX,
        narrow = i128::MIN,
        listed = ?vec!["a", "b"],
        shown = %"display \"me\"",
        error = &Failure as &dyn std::error::Error,
        "a {} message", "formatted"
    );
    let request = tracing::info_span!(
        target: "access",
        "request",
        http.method = "GET",
        http.route = Empty,
        http.status = Empty,
        http.duration_us = Empty,
        tenant.host = Empty,
        auth.door = Empty,
    );
    request.in_scope(|| tracing::error!(target: "stj_jira", code = 503_u64, "before the gate"));
    tracing::record_all!(request, tenant.host = "acme.atlassian.net", auth.door = "connect");
    let inner = tracing::debug_span!("inner", id = 7_i64, note = "a,\"b\":c}", late = Empty);
    request.in_scope(|| {
        inner.in_scope(|| tracing::info!(nested = true, "inside two spans"));
    });
    inner.record("late", -3_i64);
    inner.record("id", 8_i64);
    request.in_scope(|| inner.in_scope(|| tracing::trace!("the id recorded twice")));
    let float = tracing::info_span!("float", ratio = 0.25_f64, count = 3_u64);
    float.in_scope(|| tracing::info!("a span the copy path leaves to the stock one"));
    let empty = tracing::info_span!("empty");
    empty.in_scope(|| tracing::info!("a span without fields"));
    tracing::info!(parent: &inner, "an explicit parent, nothing entered");
    tracing::record_all!(
        request,
        http.route = "/ui/{page}",
        http.status = 200_u16,
        http.duration_us = 412_u64
    );
    request.in_scope(|| tracing::info!(target: "access", "request"));
}

fn lines(subscriber: impl Subscriber + Send + Sync, sink: &Sink) -> Vec<String> {
    tracing::subscriber::with_default(subscriber, scenario);
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn the_line_is_the_stock_formatters_line() {
    let (stock_sink, ours_sink) = (Sink::default(), Sink::default());
    let writer = stock_sink.clone();
    let stock = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_timer(Fixed)
        .fmt_fields(AppendingJsonFields)
        .with_writer(move || writer.clone());
    let writer = ours_sink.clone();
    let ours = tracing_subscriber::fmt::layer()
        .event_format(JsonLines::new(Fixed))
        .fmt_fields(AppendingJsonFields)
        .with_writer(move || writer.clone());
    let want = lines(tracing_subscriber::registry().with(stock), &stock_sink);
    let got = lines(tracing_subscriber::registry().with(ours), &ours_sink);
    assert_eq!(want.len(), 9, "{want:#?}");
    for (want, got) in want.iter().zip(&got) {
        assert_eq!(got, want);
    }
    assert_eq!(got.len(), want.len());
}

#[test]
fn pairs_are_copied_only_when_rewriting_would_leave_them() {
    let copied = copied_pairs(r#"{"a":"x,\"y\"}","b":-12,"c":true,"d":null}"#).unwrap();
    let keys: Vec<&str> = copied.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["a", "b", "c", "d"]);
    assert_eq!(copied[0].1, r#""a":"x,\"y\"}""#);
    assert_eq!(copied_pairs("{}").unwrap().len(), 0);
    for refused in [
        r#"{"a":1.5}"#,
        r#"{"a":1e3}"#,
        r#"{"a":18446744073709551616}"#,
        r#"{"a":-0}"#,
        r#"{"a":01}"#,
        r#"{"a\"b":1}"#,
        r#"{"a":1,}"#,
        r#"{"a":"open}"#,
        r#"{"a":[1]}"#,
        r#"["a"]"#,
        "",
    ] {
        assert!(copied_pairs(refused).is_none(), "{refused}");
    }
}
