//! The parts of an HS256 tenant token, decoded once and read in place. Acceptance is exactly
//! jwt-simple 0.15's (`HS256Key::verify_token`), which this replaces on the hot path: base64url
//! without padding as its `ct-codecs` decoder reads it (the `base64` crate's `URL_SAFE_NO_PAD`,
//! several times faster, refuses and accepts the same texts: padding, stray bits, bad lengths and
//! characters; `equivalence.rs` checks), the same header fields and types, the claims' types and
//! duplicate rules (`claims.rs`), the same time checks; only HMAC-SHA-256 is ring's
//! (`ring::hmac::verify`, constant time) with a key prepared once per tenant. `equivalence.rs`
//! keeps the jwt-simple path and compares the two on generated tokens.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_simple::prelude::{Clock, Duration as Coarse};
use serde::Deserialize;

use stj_core::AuthError;

use crate::claims::Claims;
use crate::tenants::Entry;
use crate::token::{LEEWAY_SECS, UnverifiedIssuer};

/// Decoded bytes, inline up to `N` (the request's future holds them), on the heap beyond.
#[derive(Debug)]
pub(crate) enum Decoded<const N: usize> {
    Inline([u8; N], usize),
    Heap(Vec<u8>),
}

impl<const N: usize> Decoded<N> {
    /// Base64url without padding, as jwt-simple decodes every part.
    pub(crate) fn decode(b64: &str) -> Result<Self, AuthError> {
        let most = (b64.len() / 4).saturating_mul(3).saturating_add(3);
        if most > N {
            return URL_SAFE_NO_PAD.decode(b64).map(Self::Heap).map_err(|_| AuthError::Malformed);
        }
        let mut buf = [0u8; N];
        let len = URL_SAFE_NO_PAD.decode_slice(b64, &mut buf).map_err(|_| AuthError::Malformed)?;
        Ok(Self::Inline(buf, len))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Self::Inline(buf, len) => buf.get(..*len).unwrap_or_default(),
            Self::Heap(bytes) => bytes,
        }
    }
}

/// jwt-simple's `JWTHeader`: the same fields, types, order and defaults (a JSON array in field
/// order is accepted too, as serde accepts it for any struct), borrowed where it can be.
#[derive(Debug, Deserialize)]
pub(crate) struct Header<'a> {
    #[serde(rename = "alg", borrow)]
    pub(crate) algorithm: Cow<'a, str>,
    #[serde(rename = "cty", default, borrow)]
    _content_type: Option<Cow<'a, str>>,
    #[serde(rename = "kid", default, borrow)]
    _key_id: Option<Cow<'a, str>>,
    #[serde(rename = "typ", default, borrow)]
    signature_type: Option<Cow<'a, str>>,
    #[serde(rename = "crit", default)]
    critical: Option<Vec<crate::claims::Text>>,
    #[serde(rename = "x5c", default)]
    _certificate_chain: Option<Vec<crate::claims::Text>>,
    #[serde(rename = "jku", default, borrow)]
    _key_set_url: Option<Cow<'a, str>>,
    #[serde(rename = "jwk", default, borrow)]
    _public_key: Option<Cow<'a, str>>,
    #[serde(rename = "x5u", default, borrow)]
    _certificate_url: Option<Cow<'a, str>>,
    #[serde(rename = "x5t", default, borrow)]
    _certificate_sha1_thumbprint: Option<Cow<'a, str>>,
    #[serde(rename = "x5t#S256", default, borrow)]
    _certificate_sha256_thumbprint: Option<Cow<'a, str>>,
    #[serde(rename = "salt", default, borrow)]
    salt: Option<Cow<'a, str>>,
}

impl Header<'_> {
    /// What jwt-simple refuses in a header once the key is known: a critical extension, a `typ`
    /// that is not JWT, a salt (a plain HS256 key has none).
    pub(crate) fn check(&self) -> Result<(), AuthError> {
        if self.critical.as_ref().is_some_and(|crit| !crit.is_empty()) || self.salt.is_some() {
            return Err(AuthError::Malformed);
        }
        match self.signature_type.as_deref() {
            Some(typ) if !is_jwt_type(typ) => Err(AuthError::Malformed),
            _ => Ok(()),
        }
    }
}

/// `typ.to_uppercase()` is `JWT` or ends in `+JWT`; without allocating when `typ` is ASCII.
fn is_jwt_type(typ: &str) -> bool {
    let upper: Cow<'_, str> =
        if typ.is_ascii() { Cow::Borrowed(typ) } else { Cow::Owned(typ.to_uppercase()) };
    let ends_in_jwt = |s: &str| {
        s.len() >= 3
            && s.get(s.len().saturating_sub(3)..).is_some_and(|t| t.eq_ignore_ascii_case("JWT"))
    };
    let len = upper.len();
    ends_in_jwt(&upper)
        && (len == 3 || upper.get(..len.saturating_sub(3)).is_some_and(|p| p.ends_with('+')))
}

/// The headers Atlassian's libraries write, byte for byte: `{"alg":"HS256","typ":"JWT"}`
/// (atlassian-jwt for Node, and this app's outgoing tokens) and `{"typ":"JWT","alg":"HS256"}`
/// (Jira's Java host, the interop vectors). Both decode to HS256 with a header that passes
/// `Header::check`, so a token that starts with one skips decoding and parsing it
/// (`known_headers_read_as_the_slow_path_reads_them`).
const KNOWN_HEADERS: [&str; 2] =
    ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"];

/// A tenant token as far as it can be read without a key: the header checked, the payload
/// decoded, the signed part and the signature located (jwt-simple's split: exactly three parts).
#[derive(Debug)]
pub(crate) struct Token<'t> {
    /// `header.payload`, what the signature covers.
    signed: &'t str,
    /// The third part, if the token has exactly three.
    signature: Option<&'t str>,
    /// The header passes the checks jwt-simple makes once the key is known.
    header_ok: bool,
    /// The payload's base64 had `=` padding: tolerated when reading `iss`, refused once verified.
    padded: bool,
    payload: Decoded<1024>,
}

impl<'t> Token<'t> {
    /// Decodes the header (`Err(Algorithm)` for anything but HS256, before any question about the
    /// payload, as before) and the payload.
    pub(crate) fn decode(token: &'t str) -> Result<Self, AuthError> {
        let (header_b64, rest) = match token.split_once('.') {
            Some((header, rest)) => (header, Some(rest)),
            None => (token, None),
        };
        let header_ok = if KNOWN_HEADERS.contains(&header_b64) {
            true
        } else {
            let header = Decoded::<256>::decode(header_b64)?;
            let header: Header<'_> =
                serde_json::from_slice(header.bytes()).map_err(|_| AuthError::Malformed)?;
            if header.algorithm != "HS256" {
                return Err(AuthError::Algorithm);
            }
            header.check().is_ok()
        };
        let rest = rest.ok_or(AuthError::Malformed)?;
        let (payload_b64, signature) = match rest.split_once('.') {
            Some((payload, signature)) => {
                (payload, (!signature.contains('.')).then_some(signature))
            }
            None => (rest, None),
        };
        let signed_len = header_b64.len().saturating_add(1).saturating_add(payload_b64.len());
        let trimmed = payload_b64.trim_end_matches('=');
        Ok(Self {
            signed: token.get(..signed_len).ok_or(AuthError::Malformed)?,
            signature,
            header_ok,
            padded: trimmed.len() != payload_b64.len(),
            payload: Decoded::decode(trimmed)?,
        })
    }

    /// The claims (or why jwt-simple would refuse them once the signature verified) and the
    /// issuer, read unverified only to pick the key. One JSON pass when the claims parse.
    pub(crate) fn read(&self) -> Result<(Result<Claims<'_>, ()>, Cow<'_, str>), AuthError> {
        let claims: Result<Claims<'_>, ()> =
            serde_json::from_slice(self.payload.bytes()).map_err(drop);
        // Claims that parse are an object with `iss` a string or null, which `UnverifiedIssuer`
        // reads alike; anything else takes the lenient reading the issuer always had.
        let issuer = match &claims {
            Ok(claims) => claims.issuer.clone(),
            Err(()) => serde_json::from_slice::<UnverifiedIssuer>(self.payload.bytes())
                .map_err(|_| AuthError::Malformed)?
                .iss
                .map(Cow::Owned),
        };
        let claims = if self.padded { Err(()) } else { claims };
        Ok((claims, issuer.ok_or(AuthError::Malformed)?))
    }

    /// jwt-simple's `verify_token` from the key on: weak key, structure, header, signature,
    /// claims, times; then `exp` and `iat` required.
    pub(crate) fn check(
        &self,
        entry: &Entry,
        claims: &Result<Claims<'_>, ()>,
    ) -> Result<(), AuthError> {
        let (Some(tenant), Some(key)) = (&entry.tenant, &entry.hmac) else {
            return Err(AuthError::UnknownIssuer);
        };
        if tenant.shared_secret.expose().len() < 12 || !self.header_ok {
            return Err(AuthError::Malformed);
        }
        let signature = self.signature.ok_or(AuthError::Malformed)?;
        let tag = Decoded::<64>::decode(signature)?;
        ring::hmac::verify(key, self.signed.as_bytes(), tag.bytes())
            .map_err(|_| AuthError::Signature)?;
        check_times(&claims.as_ref().map_err(|()| AuthError::Malformed)?.times())
    }
}

/// A token's time claims, in coarse-clock ticks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Times {
    pub(crate) issued_at: Option<u64>,
    pub(crate) expires_at: Option<u64>,
    pub(crate) invalid_before: Option<u64>,
}

impl Claims<'_> {
    pub(crate) fn times(&self) -> Times {
        Times {
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            invalid_before: self.invalid_before,
        }
    }
}

/// jwt-simple's time rules with our leeway: `iat` not in the future, `nbf` passed, `exp` not
/// passed (each only if present), on the same coarse clock; then `exp` and `iat` required.
pub(crate) fn check_times(claims: &Times) -> Result<(), AuthError> {
    let now = Clock::now_since_epoch().as_ticks();
    let tolerance = Coarse::from_secs(LEEWAY_SECS).as_ticks();
    let late = now.saturating_add(tolerance);
    let early_enough = claims.issued_at.is_none_or(|iat| iat <= late);
    let valid_yet = claims.invalid_before.is_none_or(|nbf| late >= nbf);
    let not_expired = claims
        .expires_at
        .is_none_or(|exp| now >= tolerance && now.saturating_sub(tolerance) <= exp);
    if !(early_enough && valid_yet && not_expired) {
        return Err(AuthError::Expired);
    }
    if claims.expires_at.is_none() || claims.issued_at.is_none() {
        return Err(AuthError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typ_is_jwt_as_jwt_simple_reads_it() {
        let reference = |t: &str| {
            let upper = t.to_uppercase();
            upper == "JWT" || upper.ends_with("+JWT")
        };
        for typ in [
            "JWT", "jwt", "JwT", "at+jwt", "x+JWT", "+jwt", "JWTX", "JW", "", "ǰwt", "Xjwt",
            "ß+jwt", "ﬀ+jwt", "jwt ", "+", "ıwt",
        ] {
            assert_eq!(is_jwt_type(typ), reference(typ), "{typ:?}");
        }
    }

    #[test]
    fn known_headers_read_as_the_slow_path_reads_them() {
        for b64 in KNOWN_HEADERS {
            let bytes = Decoded::<256>::decode(b64).unwrap();
            let header: Header<'_> = serde_json::from_slice(bytes.bytes()).unwrap();
            assert_eq!(header.algorithm, "HS256", "{b64}");
            assert!(header.check().is_ok(), "{b64}");
        }
        // A near miss (`typ` "JWS") takes the slow path and is refused there, as before.
        let near = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWS"}"#);
        assert!(!KNOWN_HEADERS.contains(&near.as_str()));
        let token = format!("{near}.e30.c2ln");
        assert!(!Token::decode(&token).unwrap().header_ok);
    }

    #[test]
    fn inline_and_heap_decoding_agree_with_ct_codecs() {
        use ct_codecs::{Base64UrlSafeNoPadding, Decoder as _};
        for b64 in [
            "",
            "QQ",
            "QUI",
            "QUJD",
            "QUJDRA",
            "Q",
            "QR",
            "QUJD=",
            "a-_b",
            "a+/b",
            "QUJDRA==",
            &"QUJD".repeat(200),
        ] {
            let reference = Base64UrlSafeNoPadding::decode_to_vec(b64, None).ok();
            let small = Decoded::<8>::decode(b64).ok().map(|d| d.bytes().to_vec());
            let large = Decoded::<1024>::decode(b64).ok().map(|d| d.bytes().to_vec());
            assert_eq!(small, reference, "{b64:?}");
            assert_eq!(large, reference, "{b64:?}");
        }
    }
}
