//! Span fields as one JSON object that later fields extend in place. tracing-subscriber's
//! `JsonFields` parses the object and writes it anew each time a field is recorded; the request
//! span records five fields as the request goes (tenant and door once authenticated, route,
//! status and duration at the end), and that re-parse was the largest single cost of an
//! authenticated request's logging. Here a record appends.

use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, FormattedFields};

/// Bytes reserved for a span's fields: the request span's seven come to about 150.
const SPAN_FIELDS_CAPACITY: usize = 192;

/// `FormatFields` for spans in the JSON log: `{"name":value,…}`, valid JSON that the line formatter
/// (`json_lines`) copies into each line, sorted. A field recorded twice appears twice here; the
/// line keeps the last, as a parsed object would.
#[derive(Debug, Default, Clone, Copy)]
pub struct AppendingJsonFields;

impl<'writer> FormatFields<'writer> for AppendingJsonFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        writer.write_char('{')?;
        let mut pairs = Pairs::span_fields(&mut writer, true);
        fields.record(&mut pairs);
        writer.write_char('}')
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let object = &mut current.fields;
        // Room for the request span's fields once all are recorded: one allocation, not one per
        // record.
        object.reserve(SPAN_FIELDS_CAPACITY.saturating_sub(object.len()));
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
        let mut pairs = Pairs::span_fields(object, first);
        fields.record(&mut pairs);
        object.push('}');
        Ok(())
    }
}

/// Writes `"name":value` pairs, comma-separated, values as JSON. Writing to a `String` or to the
/// formatter's buffer cannot fail, so write results are not checked.
pub(super) struct Pairs<'a> {
    out: &'a mut dyn Write,
    first: bool,
    /// Floats as serde_json writes them (`100.0`, `1e+21`): an event's fields, as tracing-serde
    /// writes them. A span's keep `Display`'s form, which the stock path's re-reading gave them.
    serde_floats: bool,
}

impl<'a> Pairs<'a> {
    /// An event's fields after the line's first members: each pair led by a comma.
    pub(super) fn event_fields(out: &'a mut dyn Write) -> Self {
        Self { out, first: false, serde_floats: true }
    }

    fn span_fields(out: &'a mut dyn Write, first: bool) -> Self {
        Self { out, first, serde_floats: false }
    }

    fn key(&mut self, field: &Field) {
        if !self.first {
            self.out.write_char(',').unwrap_or(());
        }
        self.first = false;
        string(self.out, field.name());
        self.out.write_char(':').unwrap_or(());
    }

    fn number(&mut self, field: &Field, value: impl fmt::Display) {
        self.key(field);
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
        self.out.write_str(if value { "true" } else { "false" }).unwrap_or(());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.number(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.number(field, value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if self.serde_floats {
            self.key(field);
            let text = serde_json::to_string(&value);
            self.out.write_str(text.as_deref().unwrap_or("null")).unwrap_or(());
        } else if value.is_finite() {
            self.number(field, value);
        } else {
            self.key(field);
            self.out.write_str("null").unwrap_or(());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.key(field);
        string(self.out, &format!("{value:?}"));
    }
}

/// `text` as a JSON string (serde_json's escaping). serde_json escapes only `"`, `\\` and control
/// characters below U+0020; text without them (route patterns, hosts, methods) is copied as it is.
pub(super) fn string(out: &mut dyn Write, text: &str) {
    if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.write_char('"').unwrap_or(());
        out.write_str(text).unwrap_or(());
        out.write_char('"').unwrap_or(());
        return;
    }
    let quoted = serde_json::to_string(text);
    out.write_str(quoted.as_deref().unwrap_or("null")).unwrap_or(());
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for text in [
            "",
            "GET",
            "/ui/{page}",
            "acme.atlassian.net",
            "a\"b",
            "back\\slash",
            "tab\there",
            "nl\n",
            "\u{1}",
            "\u{1f}",
            " ",
            "\u{7f}",
            "é ü 😀",
            "</script>",
            "\u{2028}",
        ] {
            let mut out = String::new();
            super::string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }
}
