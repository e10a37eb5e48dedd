//! The fields each JSON request body type of the handlers reads, for `tests/openapi.rs` to compare
//! with the documented request schemas both ways (a schema that forbids a field the UI sends, or
//! documents one the handler refuses, fails there). Not part of the API: `#[doc(hidden)]`.
//!
//! Field lists come from serde itself: a derived `Deserialize` hands its (renamed) field names to
//! `Deserializer::deserialize_struct`, which [`FieldCapture`] records instead of reading anything.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::handlers::items::{AssigneeBody, ItemBody};
use crate::handlers::subtasks::{SubtasksBody, TemplateRef};
use crate::handlers::templates::{LibraryBody, TemplateBody};
use crate::handlers::text::{ItemsBody, TextBody};

/// One object inside one operation's JSON request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBody {
    /// `METHOD /path` as `openapi/openapi.yaml` spells it.
    pub operation: &'static str,
    /// Property names from the body's root to this object; arrays are stepped into.
    pub at: &'static [&'static str],
    /// The JSON names the handler type reads.
    pub fields: &'static [&'static str],
    /// Fields the type has but this operation refuses (so its schema leaves them out).
    pub refused: &'static [&'static str],
}

/// Every JSON request body the handlers read, object by object.
pub fn request_bodies() -> Vec<RequestBody> {
    const PREVIEW: &str = "POST /api/v1/issues/{issueKey}/subtasks/preview";
    const APPLY: &str = "POST /api/v1/issues/{issueKey}/subtasks";
    const FORMAT: &str = "POST /api/v1/quick-entry/format";
    const SAVE: &str = "PUT /api/v1/templates";
    let body = |operation, at, fields| RequestBody { operation, at, fields, refused: &[] };
    vec![
        // Preview takes the apply body but refuses `recreateDeleted` (an apply-only choice).
        RequestBody {
            refused: &["recreateDeleted"],
            ..body(PREVIEW, &[], fields::<SubtasksBody>())
        },
        body(PREVIEW, &["template"], fields::<TemplateRef>()),
        body(APPLY, &[], fields::<SubtasksBody>()),
        body(APPLY, &["template"], fields::<TemplateRef>()),
        body("POST /api/v1/quick-entry/import", &[], fields::<TextBody>()),
        body("POST /api/v1/quick-entry/check", &[], fields::<TextBody>()),
        body(FORMAT, &[], fields::<ItemsBody>()),
        body(FORMAT, &["items"], fields::<ItemBody>()),
        body(FORMAT, &["items", "assignee"], fields::<AssigneeBody>()),
        body(SAVE, &[], fields::<LibraryBody>()),
        body(SAVE, &["templates"], fields::<TemplateBody>()),
    ]
}

/// The JSON field names of a struct with a derived `Deserialize`; empty for anything else.
pub fn fields<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    let mut seen = None;
    // Always an error: the capture reads nothing, it only records what was asked for.
    let _refused = T::deserialize(FieldCapture(&mut seen));
    seen.unwrap_or(&[])
}

struct FieldCapture<'a>(&'a mut Option<&'static [&'static str]>);

#[derive(Debug)]
struct Captured;

impl fmt::Display for Captured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field names captured; nothing is deserialised")
    }
}

impl std::error::Error for Captured {}

impl de::Error for Captured {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

impl<'de> Deserializer<'de> for FieldCapture<'_> {
    type Error = Captured;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Captured> {
        Err(Captured)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Captured> {
        *self.0 = Some(fields);
        Err(Captured)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[expect(dead_code, reason = "only its field names are read")]
    struct Sample {
        quick_entry: String,
        #[serde(rename = "type")]
        kind: Option<u8>,
    }

    #[test]
    fn the_capture_reads_serde_names_and_nothing_else() {
        assert_eq!(fields::<Sample>(), ["quickEntry", "type"]);
        assert!(fields::<String>().is_empty());
        assert!(fields::<Vec<Sample>>().is_empty());
    }
}
