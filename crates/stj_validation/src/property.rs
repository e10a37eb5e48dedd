//! Entity property values: Jira stores at most 32,768 bytes of serialised UTF-8 per property.
//! (Its API docs say "characters", its entity-properties page says "bytes"; bytes is the
//! stricter reading, so that is what is enforced.)

use crate::report::{Violation, code, field};

/// Jira's limit for one property value, in bytes of serialised JSON.
pub const PROPERTY_VALUE_MAX_BYTES: usize = 32_768;

/// Serialises `value` as Jira will store it and checks its size; returns the JSON to send.
pub fn property_value(value: &serde_json::Value) -> Result<String, Violation> {
    let json = serde_json::to_string(value).map_err(|error| {
        Violation::new(
            field::PROPERTY_VALUE,
            code::BAD_SYNTAX,
            format!("Not serialisable: {error}."),
        )
    })?;
    property_value_json(&json)?;
    Ok(json)
}

/// Checks already-serialised JSON against [`PROPERTY_VALUE_MAX_BYTES`].
pub fn property_value_json(json: &str) -> Result<(), Violation> {
    let bytes = json.len();
    if bytes > PROPERTY_VALUE_MAX_BYTES {
        return Err(Violation::new(
            field::PROPERTY_VALUE,
            code::TOO_LONG,
            format!(
                "The stored document would take {bytes} bytes; Jira keeps at most \
                 {PROPERTY_VALUE_MAX_BYTES} bytes in one property."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
