//! Escapes that keep literal marker characters in a summary, and the quoting of priorities
//! with spaces. Both directions live here so they cannot drift apart.

use crate::lines::is_space;

/// Characters that start a marker at the beginning of a word.
pub(crate) const MARKER_CHARS: [char; 4] = ['@', '#', '~', '!'];
/// The word prefix of a due-date marker.
pub(crate) const DUE_PREFIX: &str = "due:";
/// The word prefix of a subtask-type marker.
pub(crate) const TYPE_PREFIX: &str = "type:";
/// The markers whose value may be quoted (`!"Very high"`, `type:"Code review"`).
pub(crate) const QUOTABLE: [&str; 2] = ["!", TYPE_PREFIX];

/// What follows a backslash to make an escape: a marker character or a backslash (one
/// character each), or `due:` or `type:`. A backslash before anything else is an ordinary character,
/// so Windows paths and the like survive as typed.
fn escaped_at(rest: &str) -> Option<&'static str> {
    if let Some(prefix) = [DUE_PREFIX, TYPE_PREFIX].into_iter().find(|p| rest.starts_with(p)) {
        return Some(prefix);
    }
    ["@", "#", "~", "!", "\\"].into_iter().find(|escaped| rest.starts_with(escaped))
}

/// Whether a word (a run of non-space characters) is a marker.
pub(crate) fn is_marker(word: &str) -> bool {
    word.starts_with(MARKER_CHARS) || word.starts_with(DUE_PREFIX) || word.starts_with(TYPE_PREFIX)
}

/// The literal text of a summary word: escapes resolved.
pub(crate) fn unescape_into(out: &mut String, word: &str) {
    let mut rest = word;
    while let Some(at) = rest.find('\\') {
        let (before, from) = rest.split_at_checked(at).unwrap_or((rest, ""));
        out.push_str(before);
        let after = from.get(1..).unwrap_or("");
        match escaped_at(after) {
            Some(escaped) => {
                out.push_str(escaped);
                rest = after.get(escaped.len()..).unwrap_or("");
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// A summary written so that [`unescape_into`] word by word gives it back: a backslash is
/// doubled only where it would start an escape, and a word that would read as a marker gets a
/// backslash in front.
pub(crate) fn escape_summary(summary: &str) -> String {
    let mut out = String::with_capacity(summary.len());
    let mut word_start = true;
    for (at, c) in summary.char_indices() {
        let rest = summary.get(at..).unwrap_or("");
        let after = rest.get(c.len_utf8()..).unwrap_or("");
        if c == '\\' {
            out.push_str(if escaped_at(after).is_some() { "\\\\" } else { "\\" });
        } else {
            if word_start && is_marker(rest) {
                out.push('\\');
            }
            out.push(c);
        }
        word_start = is_space(c);
    }
    out
}

/// `!name`, or `!"name"` when the name has spaces or starts with a quote, with `"` and `\`
/// escaped inside the quotes.
pub(crate) fn priority_marker(name: &str) -> String {
    quotable_marker("!", name)
}

/// `type:name`, or `type:"name"` as for [`priority_marker`].
pub(crate) fn type_marker(name: &str) -> String {
    quotable_marker(TYPE_PREFIX, name)
}

/// `{prefix}name`, or `{prefix}"name"` when the name is empty, has spaces or starts with a
/// quote, with `"` and `\` escaped inside the quotes.
fn quotable_marker(prefix: &str, name: &str) -> String {
    if name.is_empty() || name.contains(is_space) || name.starts_with('"') {
        let mut out = format!("{prefix}\"");
        for c in name.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    } else {
        format!("{prefix}{name}")
    }
}

/// Reads a quoted value: `text` starts right after `!"` or `type:"`. Returns the name and the rest of
/// the line after the closing quote, or `None` when the quote is never closed. Inside the
/// quotes `\"` is a quote and `\\` a backslash; any other backslash is kept.
pub(crate) fn read_quoted(text: &str) -> Option<(String, &str)> {
    let mut name = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((name, text.get(at.saturating_add(1)..).unwrap_or(""))),
            '\\' => match chars.clone().next() {
                Some((_, next @ ('"' | '\\'))) => {
                    name.push(next);
                    chars.next();
                }
                _ => name.push('\\'),
            },
            _ => name.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests;
