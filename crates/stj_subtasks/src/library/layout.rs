//! How a library lies in entity properties: an index `{app}.templates` =
//! `{"v":1,"revision":N,"generation":G,"shards":k}` naming the current generation, and that
//! generation's shards `{app}.templates.g{G}.{i}` (`i` in `0..k`), each a JSON string holding the
//! next slice of the encoded document. Everything read back is checked: users can rewrite any of
//! these properties through Jira's REST API.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stj_validation::{Violation, code, field, id_rules};

/// The index format this code writes and reads.
pub const INDEX_VERSION: u64 = 1;
/// At most this many shards per library.
pub const MAX_SHARDS: usize = 10;
/// The most one shard takes serialised (quotes and escapes included), well under Jira's 32,768.
pub const SHARD_MAX_BYTES: usize = 30_000;
/// The most a whole library takes stored: [`MAX_SHARDS`] × [`SHARD_MAX_BYTES`].
pub const MAX_LIBRARY_BYTES: usize = 300_000;

const _: () = assert!(SHARD_MAX_BYTES < stj_validation::property::PROPERTY_VALUE_MAX_BYTES);
const _: () = assert!(MAX_LIBRARY_BYTES == MAX_SHARDS * SHARD_MAX_BYTES);

/// The index property: which generation of shards is the library, and at which revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Index {
    v: u64,
    pub revision: u64,
    pub generation: u64,
    pub shards: usize,
}

impl Index {
    pub fn new(revision: u64, generation: u64, shards: usize) -> Self {
        Self { v: INDEX_VERSION, revision, generation, shards }
    }

    pub fn to_value(self) -> Value {
        json!({
            "v": self.v,
            "revision": self.revision,
            "generation": self.generation,
            "shards": self.shards,
        })
    }

    /// Reads a stored index, trusting nothing.
    pub fn parse(value: &Value) -> Result<Self, Violation> {
        match value.get("v").map(Value::as_u64) {
            Some(Some(INDEX_VERSION)) => {}
            Some(Some(version)) => {
                return Err(corrupt(
                    code::BAD_SYNTAX,
                    format!(
                        "The template index is in format version {version}; this app reads \
                         version {INDEX_VERSION}."
                    ),
                ));
            }
            _ => {
                return Err(corrupt(
                    code::BAD_SYNTAX,
                    "The template index is not this app's: it has no format version.".to_owned(),
                ));
            }
        }
        let index = Self::deserialize(value).map_err(|error| {
            corrupt(
                code::BAD_SYNTAX,
                format!("The template index is not in the expected shape: {error}."),
            )
        })?;
        if index.shards == 0 || index.shards > MAX_SHARDS {
            return Err(corrupt(
                code::TOO_MANY,
                format!(
                    "The template index names {} parts; a library has 1 to {MAX_SHARDS}.",
                    index.shards
                ),
            ));
        }
        Ok(index)
    }
}

/// The property keys of one app's libraries.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    index: String,
    shard_prefix: String,
}

impl Keys {
    /// Refuses an app key that would make any of the keys invalid for Jira.
    pub fn new(app_key: &str) -> Result<Self, Violation> {
        id_rules::property_key(app_key)?;
        let keys = Self {
            index: format!("{app_key}.templates"),
            shard_prefix: format!("{app_key}.templates."),
        };
        id_rules::property_key(&keys.index)?;
        id_rules::property_key(&keys.shard(u64::MAX, MAX_SHARDS.saturating_sub(1)))?;
        Ok(keys)
    }

    pub fn index(&self) -> &str {
        &self.index
    }

    pub fn shard(&self, generation: u64, part: usize) -> String {
        format!("{}g{generation}.{part}", self.shard_prefix)
    }

    /// The shard keys `index` points at, in order.
    pub fn shards_of(&self, index: &Index) -> Vec<String> {
        (0..index.shards).map(|part| self.shard(index.generation, part)).collect()
    }

    /// Whether `key` lies in the shards' namespace (a shard of any generation, or debris).
    pub fn in_shard_space(&self, key: &str) -> bool {
        key.starts_with(&self.shard_prefix)
    }
}

/// What one character of a JSON string costs serialised, as `serde_json` writes it.
pub(crate) fn escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if c < '\u{20}' => 6,
        c => c.len_utf8(),
    }
}

/// Cuts `document` into consecutive slices, each at most [`SHARD_MAX_BYTES`] as a JSON string;
/// refuses a document that needs more than [`MAX_SHARDS`].
pub(crate) fn split(document: &str) -> Result<Vec<String>, Violation> {
    const QUOTES: usize = 2;
    let mut parts = Vec::new();
    let (mut start, mut size, mut total) = (0, QUOTES, 0usize);
    for (at, c) in document.char_indices() {
        let cost = escaped_len(c);
        if size.saturating_add(cost) > SHARD_MAX_BYTES {
            parts.push(document.get(start..at).unwrap_or_default().to_owned());
            (start, size) = (at, QUOTES);
        }
        size = size.saturating_add(cost);
        total = total.saturating_add(cost);
    }
    parts.push(document.get(start..).unwrap_or_default().to_owned());
    if parts.len() > MAX_SHARDS {
        return Err(Violation::new(
            field::TEMPLATES,
            code::TOO_LONG,
            format!(
                "The templates would take {total} bytes in Jira; at most {MAX_LIBRARY_BYTES} \
                 fit ({MAX_SHARDS} properties of {SHARD_MAX_BYTES} bytes). Remove templates or \
                 shorten descriptions."
            ),
        ));
    }
    Ok(parts)
}

/// Puts the shards' values back together; each must be a string, the whole within bounds.
pub(crate) fn join(parts: &[Value]) -> Result<String, Violation> {
    let mut document = String::new();
    for (part, value) in parts.iter().enumerate() {
        let Some(text) = value.as_str() else {
            return Err(corrupt(
                code::BAD_SYNTAX,
                format!("Part {part} of the stored templates is not text."),
            ));
        };
        if document.len().saturating_add(text.len()) > MAX_LIBRARY_BYTES {
            return Err(corrupt(
                code::TOO_LONG,
                format!("The stored templates are larger than {MAX_LIBRARY_BYTES} bytes."),
            ));
        }
        document.push_str(text);
    }
    Ok(document)
}

/// A problem of what was read back from Jira.
pub(crate) fn corrupt(code: &'static str, message: String) -> Violation {
    Violation::new(field::DOCUMENT, code, message)
}

#[cfg(test)]
mod tests;
