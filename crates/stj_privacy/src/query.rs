use crate::REDACTED;

/// Query parameters that carry credentials and must never be logged.
pub const CREDENTIAL_PARAMS: &[&str] =
    &["jwt", "access_token", "token", "assertion", "sharedSecret"];

/// A path-and-query with every credential parameter's value replaced by `[redacted]`.
/// Names are compared decoded, as the server reads them (`%6Awt` and `j%77t` are `jwt`); the
/// text is otherwise kept raw, so nothing else is decoded or re-encoded on the way.
pub fn redact_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    // One string, written as it goes: this runs for every request the access log records.
    let mut out = String::with_capacity(path_and_query.len());
    out.push_str(path);
    out.push('?');
    for (n, pair) in query.split('&').enumerate() {
        if n > 0 {
            out.push('&');
        }
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        if is_credential(name) {
            out.push_str(name);
            out.push('=');
            out.push_str(REDACTED);
        } else {
            out.push_str(pair);
        }
    }
    out
}

fn is_credential(name: &str) -> bool {
    let decoded = if name.contains(['+', '%']) {
        std::borrow::Cow::Owned(decoded_name(name))
    } else {
        std::borrow::Cow::Borrowed(name)
    };
    CREDENTIAL_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(decoded.trim()))
}

/// A query parameter name as `application/x-www-form-urlencoded` decodes it (`+` is a space).
fn decoded_name(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}
