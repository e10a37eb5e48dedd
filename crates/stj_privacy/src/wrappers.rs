use std::fmt;

use crate::REDACTED;

/// A credential. Never printed, never compared (compare MACs with ring instead).
#[derive(Clone)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The only way to the value. Call sites are the audit surface: keep them few.
    pub const fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Personal data or customer content: account ids, issue summaries, template text.
/// Redacted when printed; `pseudonym` gives a loggable correlation tag.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    pub const fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: AsRef<str>> Personal<T> {
    /// First 8 bytes of SHA-256 as hex: stable per value, not reversible for ids of this length
    /// without a dictionary of known ids, which an attacker reading logs does not have.
    pub fn pseudonym(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.0.as_ref().as_bytes());
        hex::encode(digest.as_ref().get(..8).unwrap_or_default())
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Secrets arrive from configuration files and environment variables.
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}
