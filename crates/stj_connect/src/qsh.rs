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
    let mut out = String::new();
    write_canonical(&mut out, method, raw_path, raw_query, base_path);
    out
}

pub fn qsh(method: &str, raw_path: &str, raw_query: &str, base_path: &str) -> String {
    hex::encode(digest(method, raw_path, raw_query, base_path))
}

/// Whether `claimed` is this request's qsh. Hashes the canonical request as it is produced and
/// compares hex in place: nothing is allocated when the query is already canonical.
pub fn qsh_matches(
    claimed: &str,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    base_path: &str,
) -> bool {
    let mut expected = [0u8; 64];
    // A claim that is not 64 characters (`context-qsh`, say) can never equal the hex digest: the
    // API's context tokens skip hashing the request.
    if claimed.len() != expected.len() {
        return false;
    }
    let digest = digest(method, raw_path, raw_query, base_path);
    hex::encode_to_slice(digest, &mut expected).is_ok() && claimed.as_bytes() == expected
}

fn digest(method: &str, raw_path: &str, raw_query: &str, base_path: &str) -> ring::digest::Digest {
    let mut sink = Buffered {
        context: ring::digest::Context::new(&ring::digest::SHA256),
        buf: [0; 256],
        len: 0,
    };
    write_canonical(&mut sink, method, raw_path, raw_query, base_path);
    sink.flush();
    sink.context.finish()
}

/// SHA-256 fed through a small buffer: a canonical request is a dozen short pieces, and each call
/// into ring's `update` costs more than the bytes it hashes.
struct Buffered {
    context: ring::digest::Context,
    buf: [u8; 256],
    len: usize,
}

impl Buffered {
    fn flush(&mut self) {
        self.context.update(self.buf.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

impl Sink for Buffered {
    fn put(&mut self, piece: &str) {
        let bytes = piece.as_bytes();
        if self.len.saturating_add(bytes.len()) > self.buf.len() {
            self.flush();
        }
        let end = self.len.saturating_add(bytes.len());
        match self.buf.get_mut(self.len..end) {
            Some(slot) => {
                slot.copy_from_slice(bytes);
                self.len = end;
            }
            // Longer than the whole buffer: straight in.
            None => self.context.update(bytes),
        }
    }
}

/// Where the canonical request goes: a string, or straight into SHA-256.
trait Sink {
    fn put(&mut self, piece: &str);
}

impl Sink for String {
    fn put(&mut self, piece: &str) {
        self.push_str(piece);
    }
}

fn write_canonical(
    sink: &mut impl Sink,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    base_path: &str,
) {
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        sink.put(&method.to_ascii_uppercase());
    } else {
        sink.put(method);
    }
    sink.put("&");
    write_path(sink, raw_path, base_path);
    sink.put("&");
    if !write_simple_query(sink, raw_query) {
        sink.put(&canonical_query(raw_query));
    }
}

/// The path without the base path, with a leading and without a trailing `/`, `&` as `%26`.
fn write_path(sink: &mut impl Sink, raw_path: &str, base_path: &str) {
    let base = base_path.trim_end_matches('/');
    let path = if !base.is_empty() && raw_path.starts_with(base) {
        raw_path.get(base.len()..).unwrap_or_default()
    } else {
        raw_path
    };
    let add_slash = !path.starts_with('/');
    let len = path.len().saturating_add(usize::from(add_slash));
    let path = if len > 1 { path.strip_suffix('/').unwrap_or(path) } else { path };
    if add_slash {
        sink.put("/");
    }
    let mut pieces = path.split('&');
    if let Some(first) = pieces.next() {
        sink.put(first);
    }
    for piece in pieces {
        sink.put("%26");
        sink.put(piece);
    }
}

/// RFC 3986 unreserved characters only: percent-encoding leaves them as they are.
fn unreserved(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Most parameters a query may have for the in-place path.
const MAX_SIMPLE: usize = 32;

/// Writes the canonical query without allocating when every name and value is unreserved (so
/// decoding and encoding change nothing, and byte order is UTF-16 order) and there are at most
/// [`MAX_SIMPLE`] parameters: the pairs are sorted in place and grouped. Jira's iframe URLs and
/// the app's own API calls are like this. Writes nothing and answers `false` otherwise.
fn write_simple_query(sink: &mut impl Sink, raw_query: &str) -> bool {
    let mut pairs = [("", ""); MAX_SIMPLE];
    let mut count = 0;
    for pair in raw_query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !unreserved(name) {
            return false;
        }
        if name == "jwt" {
            continue;
        }
        match pairs.get_mut(count) {
            Some(slot) if unreserved(value) => *slot = (name, value),
            _ => return false,
        }
        count = count.saturating_add(1);
    }
    let pairs = pairs.get_mut(..count).unwrap_or_default();
    pairs.sort_unstable();
    let mut previous: Option<&str> = None;
    for &(name, value) in pairs.iter() {
        if previous == Some(name) {
            sink.put(",");
        } else {
            if previous.is_some() {
                sink.put("&");
            }
            sink.put(name);
            sink.put("=");
        }
        sink.put(value);
        previous = Some(name);
    }
    true
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
    fn the_buffered_hash_is_the_hash_of_the_canonical_request() {
        let long = "v".repeat(300);
        let many: String = (0..90).map(|i| format!("p{i}=x{i}&")).collect();
        let queries =
            ["", "a=b", &format!("long={long}"), &format!("a={long}&b={long}"), &many, "x=%20&y=+"];
        for query in queries {
            for path in ["/", "/ui/issue-glance", &format!("/{long}"), "/a&b"] {
                let canonical = canonical_request("GET", path, query, "");
                let want = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
                assert_eq!(qsh("GET", path, query, ""), hex::encode(want), "{path} {query}");
            }
        }
    }

    #[test]
    fn only_the_exact_hex_digest_matches() {
        let (method, path, query) = ("GET", "/ui/issue-glance", "issueKey=A-1&lic=active");
        let hex = qsh(method, path, query, "");
        assert!(qsh_matches(&hex, method, path, query, ""));
        let upper = hex.to_ascii_uppercase();
        let claims = [CONTEXT_QSH, "", &hex[..63], &format!("{hex}0"), &format!(" {hex}"), &upper];
        for claimed in claims {
            assert!(!qsh_matches(claimed, method, path, query, ""), "{claimed:?}");
        }
    }

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
            let hex = qsh(method, path, query, base);
            assert!(qsh_matches(&hex, method, path, query, base));
            assert!(!qsh_matches(&hex.to_uppercase(), method, path, query, base));
            assert!(!qsh_matches(&hex[..63], method, path, query, base));
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

    /// The in-place path must agree with the general one whenever it is taken.
    #[test]
    fn a_query_written_in_place_is_what_the_general_path_makes_of_it() {
        use rand::{Rng as _, SeedableRng as _};
        let mut rng = rand::rngs::StdRng::seed_from_u64(3986);
        let pieces = [
            "a", "b", "B", "c1", "jwt", "x.y", "~", "", "=", "=", "&", "&", "%41", "+", "-", "é",
            "&",
        ];
        let mut taken = 0;
        for _ in 0..20_000 {
            let len = rng.gen_range(0..8);
            let raw: String = (0..len)
                .map(|_| pieces[rng.gen_range(0..pieces.len())])
                .collect::<Vec<_>>()
                .concat();
            let mut out = String::new();
            if write_simple_query(&mut out, &raw) {
                taken += 1;
                assert_eq!(out, canonical_query(&raw), "{raw:?}");
            } else {
                assert!(out.is_empty());
            }
        }
        assert!(taken > 5000, "only {taken} queries took the in-place path");
    }
}
