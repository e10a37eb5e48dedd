//! Span fields as one JSON object that later fields extend in place. tracing-subscriber's
//! `JsonFields` parses the object and writes it anew each time a field is recorded; the request
//! span records five fields as the request goes (tenant and door once authenticated, route,
//! status and duration at the end), and that re-parse was the largest single cost of an
//! authenticated request's logging. Here a record appends.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, FormattedFields};

/// `FormatFields` for spans in the JSON log: `{"name":value,…}`, valid JSON for the JSON event
/// formatter, which parses it when it prints a span. A field recorded twice appears twice; the
/// last one wins when the object is read.
#[derive(Debug, Default, Clone, Copy)]
pub struct AppendingJsonFields;

impl<'writer> FormatFields<'writer> for AppendingJsonFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut object = String::from("{");
        let mut pairs = Pairs { out: &mut object, first: true };
        fields.record(&mut pairs);
        object.push('}');
        writer.write_str(&object)
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let object = &mut current.fields;
        // Reopen the object: `{…}` without its last brace, or `{` when it is empty or missing.
        let first = match object.strip_suffix('}') {
            Some(open) if open.len() > 1 => {
                object.truncate(open.len());
                false
            }
            _ => {
                object.clear();
                object.push('{');
                true
            }
        };
        let mut pairs = Pairs { out: object, first };
        fields.record(&mut pairs);
        object.push('}');
        Ok(())
    }
}

/// Writes `"name":value` pairs, comma-separated, values as JSON.
struct Pairs<'a> {
    out: &'a mut String,
    first: bool,
}

impl Pairs<'_> {
    fn key(&mut self, field: &Field) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, field.name());
        self.out.push(':');
    }

    fn number(&mut self, field: &Field, value: impl fmt::Display) {
        self.key(field);
        // Writing to a String cannot fail.
        write!(self.out, "{value}").unwrap_or(());
    }
}

impl Visit for Pairs<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.key(field);
        string(self.out, value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.key(field);
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.number(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.number(field, value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if value.is_finite() {
            self.number(field, value);
        } else {
            self.key(field);
            self.out.push_str("null");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.key(field);
        string(self.out, &format!("{value:?}"));
    }
}

/// `text` as a JSON string (serde_json's escaping).
fn string(out: &mut String, text: &str) {
    match serde_json::to_string(text) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("null"),
    }
}
