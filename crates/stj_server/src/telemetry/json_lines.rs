//! The JSON log line, written as tracing-subscriber's JSON format writes it (flattened event, span
//! list, no current span) but without its two costs per line: it parses every span's fields back
//! into a `serde_json::Value` and writes them anew, and it writes through an adaptor that checks
//! every fragment as UTF-8. Here the line is built in one string, and a span's fields, which
//! [`AppendingJsonFields`](super::span_fields::AppendingJsonFields) already wrote as JSON, are
//! copied in the order and form that re-writing gives (keys sorted, the last of a repeated key,
//! values as serde_json writes them). Whatever it cannot copy so (a value it did not write, a
//! `log` record) goes the stock way. `the_line_is_the_stock_formatters_line` compares the two.

use std::fmt;

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{Format, Json, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::span_fields::{Pairs, string};

/// Lines as `Format<Json, T>` with `flatten_event(true)` and `with_current_span(false)` writes them.
#[derive(Debug)]
pub struct JsonLines<T> {
    timer: T,
    stock: Format<Json, T>,
}

impl<T: FormatTime + Clone> JsonLines<T> {
    pub fn new(timer: T) -> Self {
        let stock = Format::default()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_timer(timer.clone());
        Self { timer, stock }
    }
}

impl<S, N, T> FormatEvent<S, N> for JsonLines<T>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
    T: FormatTime,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        // A `log` record's level and target are in its fields: the stock path reads them there.
        if meta.fields().field("log.target").is_some() {
            return self.stock.format_event(ctx, writer, event);
        }
        let mut line = String::with_capacity(256);
        let mut timestamp = String::new();
        self.timer.format_time(&mut Writer::new(&mut timestamp))?;
        line.push_str("{\"timestamp\":");
        string(&mut line, &timestamp);
        line.push_str(",\"level\":\"");
        line.push_str(meta.level().as_str());
        line.push('"');
        event.record(&mut Pairs::event_fields(&mut line));
        line.push_str(",\"target\":");
        string(&mut line, meta.target());
        let listed = event.parent().and_then(|id| ctx.span(id)).or_else(|| ctx.lookup_current());
        if listed.is_some() {
            line.push_str(",\"spans\":[");
            let leaf = ctx.lookup_current();
            for (i, span) in leaf.iter().flat_map(|leaf| leaf.scope().from_root()).enumerate() {
                if i > 0 {
                    line.push(',');
                }
                let extensions = span.extensions();
                let fields =
                    extensions.get::<FormattedFields<N>>().map_or("", |f| f.fields.as_str());
                span_object(&mut line, fields, span.name());
            }
            line.push(']');
        }
        line.push_str("}\n");
        writer.write_str(&line)
    }
}

/// One span of the list: its fields, then `"name"`. Copied when every value is one this app's
/// field formatter writes as serde_json would re-write it; else re-written through a `Value`.
fn span_object(out: &mut String, fields: &str, name: &str) {
    out.push('{');
    match copied_pairs(fields) {
        Some(mut pairs) => {
            // A `Value` object is a sorted map, and a repeated key keeps its last value.
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            for (i, (key, pair)) in pairs.iter().enumerate() {
                if pairs.get(i.saturating_add(1)).is_none_or(|next| next.0 != *key) {
                    out.push_str(pair);
                    out.push(',');
                }
            }
        }
        None => rewritten(out, fields),
    }
    out.push_str("\"name\":");
    string(out, name);
    out.push('}');
}

/// The stock formatter's reading of a span's fields, for what cannot be copied.
fn rewritten(out: &mut String, fields: &str) {
    let mut entries: Vec<(String, serde_json::Value)> = Vec::new();
    match serde_json::from_str::<serde_json::Value>(fields) {
        Ok(serde_json::Value::Object(map)) => entries.extend(map),
        Ok(value) => {
            entries.push(("field".into(), value));
            entries.push(("field_error".into(), "field was no a valid object".into()));
        }
        Err(e) => entries.push(("field_error".into(), e.to_string().into())),
    }
    for (key, value) in entries {
        string(out, &key);
        out.push(':');
        out.push_str(&serde_json::to_string(&value).unwrap_or_else(|_| "null".into()));
        out.push(',');
    }
}

/// `{"k":v,…}` split into (key, `"k":v`) pairs when every key is plain (no escapes) and every value
/// is one re-writing leaves as it is: a string, `true`, `false`, `null` or an integer that fits
/// 64 bits. Stable sorting then keeps a repeated key's pairs in recording order.
fn copied_pairs(fields: &str) -> Option<Vec<(&str, &str)>> {
    let inner = fields.strip_prefix('{')?.strip_suffix('}')?;
    let mut pairs = Vec::with_capacity(8);
    let mut rest = inner;
    while !rest.is_empty() {
        let start = rest;
        let body = rest.strip_prefix('"')?;
        let key_end = body.find('"')?;
        let key = body.get(..key_end)?;
        if key.contains('\\') {
            return None;
        }
        rest = body.get(key_end.saturating_add(1)..)?.strip_prefix(':')?;
        let value_len = json_scalar_len(rest)?;
        let (_, after) = rest.split_at_checked(value_len)?;
        let pair_len = start.len().saturating_sub(after.len());
        pairs.push((key, start.get(..pair_len)?));
        rest = match after.strip_prefix(',') {
            Some(next) if !next.is_empty() => next,
            Some(_) => return None,
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(pairs)
}

/// Length of the scalar `text` starts with, if it is one that re-writing leaves unchanged.
fn json_scalar_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.first()? {
        b'"' => {
            let mut i = 1;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'\\' => i = i.checked_add(2)?,
                    b'"' => return i.checked_add(1),
                    _ => i = i.checked_add(1)?,
                }
            }
            None
        }
        b't' if text.starts_with("true") => Some(4),
        b'f' if text.starts_with("false") => Some(5),
        b'n' if text.starts_with("null") => Some(4),
        _ => {
            let len = text.find([',', '}']).unwrap_or(text.len());
            let number = text.get(..len)?;
            let fits = number.parse::<u64>().is_ok() || number.parse::<i64>().is_ok();
            let canonical = !number.starts_with('+') && !number.starts_with("-0");
            let plain = !(number.len() > 1 && number.starts_with('0'));
            (fits && canonical && plain).then_some(len)
        }
    }
}

#[cfg(test)]
mod tests;
