//! Quick entry: the compact one-line-per-subtask syntax, both ways.

mod escape;
mod format;
mod markers;
mod parse;

pub use format::{format_quick_entry, format_quick_entry_mapped};
pub use parse::{parse_quick_entry, parse_quick_entry_mapped};

pub(crate) use format::due_marker;
pub(crate) use markers::parse_due;

#[cfg(test)]
mod tests;
