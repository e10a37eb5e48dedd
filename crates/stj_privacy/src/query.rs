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
    let redacted: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let decoded = decoded_name(name);
            if CREDENTIAL_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(decoded.trim())) {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", redacted.join("&"))
}

/// A query parameter name as `application/x-www-form-urlencoded` decodes it (`+` is a space).
fn decoded_name(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}
