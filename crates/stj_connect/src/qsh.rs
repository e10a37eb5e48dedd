//! The query string hash: `hex(SHA-256(METHOD & canonical path & canonical query))`, as Jira's
//! Java host computes it. One function serves incoming and outgoing requests alike.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is percent-encoded, with upper-case hex.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The literal qsh of context tokens issued by `AP.context.getToken()`.
pub const CONTEXT_QSH: &str = "context-qsh";

/// `raw_path` is the path as the client sent it (not decoded); `base_path` is the path prefix of the
/// base URL the request is relative to (`""` for Jira Cloud and for an app served at the root).
pub fn canonical_request(method: &str, raw_path: &str, raw_query: &str, base_path: &str) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        canonical_path(raw_path, base_path),
        canonical_query(raw_query)
    )
}

pub fn qsh(method: &str, raw_path: &str, raw_query: &str, base_path: &str) -> String {
    let canonical = canonical_request(method, raw_path, raw_query, base_path);
    hex::encode(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()))
}

fn canonical_path(raw_path: &str, base_path: &str) -> String {
    let base = base_path.trim_end_matches('/');
    let path = if !base.is_empty() && raw_path.starts_with(base) {
        raw_path.get(base.len()..).unwrap_or_default()
    } else {
        raw_path
    };
    let mut path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    if path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    path.replace('&', "%26")
}

fn canonical_query(raw_query: &str) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        if name == "jwt" {
            continue;
        }
        let encoded_name = encode(&name);
        match groups.iter_mut().find(|(n, _)| *n == encoded_name) {
            Some((_, values)) => values.push(value.into_owned()),
            None => groups.push((encoded_name, vec![value.into_owned()])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
        .into_iter()
        .map(|(name, mut values)| {
            // Java's `Collections.sort` (and JS's `Array.sort`) order strings by UTF-16 code unit,
            // not by code point: U+1F600 sorts before U+FF01.
            values.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            let joined: Vec<String> = values.iter().map(|v| encode(v)).collect();
            format!("{name}={}", joined.join(","))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(raw: &str) -> String {
    utf8_percent_encode(raw, RFC3986).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_from_the_protocol_notes() {
        let cases = [
            ("GET", "/test", "param=value", "", "GET&/test&param=value"),
            ("get", "/endsWithDelimiter/", "a=b", "", "GET&/endsWithDelimiter&a=b"),
            ("GET", "/path!$&'()*+,;=", "a=b", "", "GET&/path!$%26'()*+,;=&a=b"),
            ("GET", "/test", "", "", "GET&/test&"),
            ("GET", "", "", "", "GET&/&"),
            ("GET", "/test", "c=&c=+&c=%2520&c=%2B", "", "GET&/test&c=,%20,%2520,%2B"),
            ("GET", "/test", "A=A&a=a&b=b&B=B", "", "GET&/test&A=A&B=B&a=a&b=b"),
            ("GET", "/t", "v=%EF%BC%81&v=%F0%9F%98%80", "", "GET&/t&v=%F0%9F%98%80,%EF%BC%81"),
            (
                "GET",
                "/base/path/to/service",
                "zee_last=param&repeated=parameter+1&first=param&repeated=parameter+2&repeated=Parameter+2",
                "/base",
                "GET&/path/to/service&first=param&repeated=Parameter%202,parameter%201,parameter%202&zee_last=param",
            ),
        ];
        for (method, path, query, base, want) in cases {
            assert_eq!(canonical_request(method, path, query, base), want);
        }
        assert_eq!(
            qsh("POST", "/installed", "", ""),
            "4a2e1de8ca74e6cafe8862d332fa3ac7a8e51e692bc6d798ea4dfedc14948bf4"
        );
        assert_eq!(
            qsh("GET", "/rest/api/3/issuetype/project", "projectId=10000&level=-1", ""),
            "5fdc17f736c3903cb4ca5d0aa13fb701e836f0b4a7e8e542f795cfe3f3dd6c9f"
        );
    }
}
