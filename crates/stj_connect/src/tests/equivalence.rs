//! The lean tenant-token path (`jwt`, `claims`) against the jwt-simple path it replaced, kept
//! here verbatim as the reference: thousands of seeded tokens, well-formed and broken in every
//! way the two could read differently (header fields and forms, claim types and duplicates,
//! numbers beyond `f64`, escapes, padding, signatures), must get the same answer: the same error
//! code, or the same issuer, subject, qsh and licence.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_simple::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};

use stj_core::{AuthError, ClientKey, Licence, TenantUrl};
use stj_privacy::Secret;

use crate::tenants::{Entry, Tenant};
use crate::token::{
    AtlassianClaims, UnverifiedIssuer, classify, require_times, verification_options,
};

#[derive(Debug, PartialEq)]
struct Out {
    issuer: String,
    subject: Option<String>,
    qsh: Option<String>,
    licence: Option<Licence>,
}

/// The verification this crate did before the lean path, step for step.
fn reference(token: &str, secret: &str) -> Result<Out, AuthError> {
    let metadata = Token::decode_metadata(token).map_err(|_| AuthError::Malformed)?;
    if metadata.algorithm() != "HS256" {
        return Err(AuthError::Algorithm);
    }
    let payload = token.split('.').nth(1).ok_or(AuthError::Malformed)?;
    let bytes =
        URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| AuthError::Malformed)?;
    let unverified: UnverifiedIssuer =
        serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)?;
    let issuer = unverified.iss.ok_or(AuthError::Malformed)?;
    ClientKey::parse(&issuer).map_err(|_| AuthError::UnknownIssuer)?;
    let key = HS256Key::from_bytes(secret.as_bytes());
    let claims = key
        .verify_token::<AtlassianClaims>(token, Some(verification_options()))
        .map_err(|e| classify(&e))?;
    require_times(&claims)?;
    let licence = claims
        .custom
        .context
        .as_ref()
        .and_then(|c| c.get("license")?.get("active")?.as_bool())
        .map(|active| if active { Licence::Active } else { Licence::Inactive });
    Ok(Out { issuer, subject: claims.subject, qsh: claims.custom.qsh, licence })
}

fn lean(token: &str, secret: &str) -> Result<Out, AuthError> {
    let decoded = crate::jwt::Token::decode(token)?;
    let (claims, issuer) = decoded.read()?;
    let client_key = ClientKey::parse(&issuer).map_err(|_| AuthError::UnknownIssuer)?;
    let entry = Entry::new(Some(Tenant {
        client_key,
        base_url: TenantUrl::parse("https://equivalence.atlassian.net").unwrap(),
        shared_secret: Secret::new(secret.to_owned()),
        enabled: true,
        oauth_client_id: None,
    }));
    decoded.check(&entry, &claims)?;
    let claims = claims.map_err(|()| AuthError::Malformed)?;
    Ok(Out {
        issuer: issuer.into_owned(),
        subject: claims.subject.map(Cow::into_owned),
        qsh: claims.qsh.map(Cow::into_owned),
        licence: claims.context_licence,
    })
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

const HEADERS: &[&str] = &[
    r#"{"alg":"HS256","typ":"JWT"}"#,
    r#"{"alg":"HS256","typ":"JWT"}"#,
    r#"{"alg":"HS256"}"#,
    r#"{"typ":"jwt","alg":"HS256"}"#,
    r#"{"alg":"HS256","typ":"at+jwt"}"#,
    r#"{"alg":"HS256","typ":"JWS"}"#,
    r#"{"alg":"HS256","typ":null}"#,
    r#"{"alg":"HS256","typ":5}"#,
    r#"{"alg":"HS256","typ":"ǰwt"}"#,
    r#"{"alg":"HS256","crit":[]}"#,
    r#"{"alg":"HS256","crit":["exp"]}"#,
    r#"{"alg":"HS256","crit":"exp"}"#,
    r#"{"alg":"HS256","crit":[1]}"#,
    r#"{"alg":"HS256","salt":"AAAA"}"#,
    r#"{"alg":"HS256","salt":"!!"}"#,
    r#"{"alg":"HS256","kid":"k1","cty":"JWT","x5t":"t","x5t#S256":"u","x5u":"v","jku":"w"}"#,
    r#"{"alg":"HS256","kid":7}"#,
    r#"{"alg":"HS256","x5c":["a","b"]}"#,
    r#"{"alg":"HS256","x5c":"a"}"#,
    r#"{"alg":"HS256","jwk":{"kty":"oct"}}"#,
    r#"{"alg":"HS256","extra":{"deep":[1,2,{"x":1e400}]}}"#,
    r#"{"alg":"HS256","alg":"HS256"}"#,
    r#"{"\u0061lg":"HS\u0032\u00356"}"#,
    r#" { "alg" : "HS256" } "#,
    r#"{"alg":"HS256"} x"#,
    r#"["HS256"]"#,
    r#"["HS256",null,null,"JWT"]"#,
    r#"["HS256",null,null,"JWT",null,null,null,null,null,null,null,null,null]"#,
    r#"[]"#,
    r#"{"alg":"RS256","typ":"JWT"}"#,
    r#"{"alg":"none"}"#,
    r#"{"alg":"hs256"}"#,
    r#"{"typ":"JWT"}"#,
    r#"{"alg":null}"#,
    r#"not json"#,
    "",
];

const CONTEXTS: &[&str] = &[
    r#"{"license":{"active":true}}"#,
    r#"{"license":{"active":false}}"#,
    r#"{"license":{"active":"true"}}"#,
    r#"{"license":{"active":null}}"#,
    r#"{"license":true}"#,
    r#"{"license":[{"active":true}]}"#,
    r#"{"license":{"active":true},"license":{"active":false}}"#,
    r#"{"license":{"active":false,"active":true}}"#,
    r#"{"license":{"active":true},"license":3}"#,
    r#"{"lic\u0065nse":{"\u0061ctive":true}}"#,
    r#"{"user":{"accountId":"x"},"license":{"active":true,"n":1e400}}"#,
    r#"{"license":{"active":true,"n":-0.0e-5}}"#,
    r#"[1,2,3]"#,
    r#""text""#,
    "null",
    "12",
    "{}",
];

fn time_value(rng: &mut StdRng, now: u64, offsets: std::ops::Range<i64>) -> String {
    let at = now.saturating_add_signed(rng.gen_range(offsets));
    match rng.gen_range(0..100) {
        0 => format!("{at}.75"),
        1 => format!("{at}e0"),
        2 => "-5".to_owned(),
        3 => format!("\"{at}\""),
        4 => "null".to_owned(),
        5 => "1e30".to_owned(),
        6 => "1e400".to_owned(),
        7 => "18446744073709551615".to_owned(),
        8 => "18446744073709551616".to_owned(),
        _ => at.to_string(),
    }
}

/// A claim, of an odd form one time in thirty; absent one time in ten.
fn member(rng: &mut StdRng, name: &str, now: u64) -> Option<String> {
    let odd = rng.gen_range(0..30) == 0;
    let value = match (name, odd) {
        ("iat", _) => time_value(rng, now, -400..120),
        ("exp", _) => time_value(rng, now, -60..400),
        ("nbf", _) => time_value(rng, now, -60..90),
        ("iss", false) => pick(rng, &["\"tenant-1\"", "\"t\\u0065nant-1\""]).to_owned(),
        ("iss", true) => pick(rng, &["\"bad key!\"", "null", "5", "\"\""]).to_owned(),
        ("sub", false) => pick(rng, &["\"557058:abc\"", "null", "\"\\u00e9\""]).to_owned(),
        ("sub", true) => pick(rng, &["7", "\"\"", "[]"]).to_owned(),
        ("aud", false) => pick(rng, &["\"app\"", "[\"a\",\"b\"]", "[]"]).to_owned(),
        ("aud", true) => pick(rng, &["[\"a\",1]", "null", "{}"]).to_owned(),
        ("jti" | "nonce", false) => pick(rng, &["\"n\"", "null"]).to_owned(),
        ("jti" | "nonce", true) => "1".to_owned(),
        ("qsh", false) => pick(rng, &["\"context-qsh\"", "\"abc123\"", "null"]).to_owned(),
        ("qsh", true) => pick(rng, &["1", "[\"x\"]", "{}"]).to_owned(),
        ("context", _) => pick(rng, CONTEXTS).to_owned(),
        (_, false) => pick(
            rng,
            &["1", "1.5", "-0", "\"\\u00e9\"", "[[[]]]", "{\"a\":{\"b\":null}}", "true", "\"x\""],
        )
        .to_owned(),
        (_, true) => pick(rng, &["1e400", "\"\\ud800\"", "[1e999]", "{\"k\":-1e309}"]).to_owned(),
    };
    (rng.gen_range(0..10) > 0).then(|| format!("\"{name}\":{value}"))
}

fn payload(rng: &mut StdRng, now: u64) -> String {
    match rng.gen_range(0..40) {
        0 => return "[\"tenant-1\"]".to_owned(),
        1 => return "not json".to_owned(),
        2 => return "{\"iss\":\"tenant-1\"} trailing".to_owned(),
        3 => {
            return format!(
                "{{\"iss\":\"tenant-1\",\"iat\":{now},\"exp\":{}{}}}",
                now.saturating_add(60),
                "[".repeat(140)
            );
        }
        _ => {}
    }
    let mut names = vec![
        "iss", "sub", "iat", "exp", "qsh", "context", "nbf", "aud", "jti", "nonce", "other",
        "weird",
    ];
    names.shuffle(rng);
    if rng.gen_range(0..10) == 0 {
        let twice = pick(rng, &["iss", "iat", "exp", "qsh", "context", "sub", "other", "aud"]);
        names.push(twice);
    }
    let members: Vec<String> = names.iter().filter_map(|name| member(rng, name, now)).collect();
    format!("{{{}}}", members.join(","))
}

fn encode(rng: &mut StdRng, text: &[u8]) -> String {
    let mut b64 = URL_SAFE_NO_PAD.encode(text);
    match rng.gen_range(0..60) {
        0 => b64.push('='),
        1 => b64.push_str("=="),
        2 => b64.push('*'),
        3 => b64.insert(0, '+'),
        4 if b64.len() % 4 == 2 => {
            b64.pop();
            b64.push('B');
        }
        5 => b64.push('A'),
        _ => {}
    }
    b64
}

fn token(rng: &mut StdRng, secret: &str, now: u64) -> String {
    let header = if rng.gen_range(0..3) == 0 {
        pick(rng, HEADERS)
    } else {
        r#"{"alg":"HS256","typ":"JWT"}"#
    };
    let payload = payload(rng, now);
    let signed = format!("{}.{}", encode(rng, header.as_bytes()), encode(rng, payload.as_bytes()));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, signed.as_bytes());
    let mut signature = URL_SAFE_NO_PAD.encode(tag.as_ref());
    match rng.gen_range(0..40) {
        0 => return signed,
        1 => return format!("{signed}.{signature}.x"),
        2 => return format!("{signed}.{signature}."),
        3 => signature = signature.replacen('A', "B", 1).replacen('Q', "R", 1),
        4 => signature.push('='),
        5 => signature.push_str("AAAA"),
        6 => signature.push('!'),
        7 => signature = URL_SAFE_NO_PAD.encode([7u8; 80]),
        8 => return header.to_owned(),
        9 => return URL_SAFE_NO_PAD.encode(header),
        _ => {}
    }
    format!("{signed}.{signature}")
}

#[test]
fn the_lean_path_answers_exactly_as_jwt_simple_did() {
    let mut rng = StdRng::seed_from_u64(0x00E0_6E10_A7A1_10C5);
    let now = Clock::now_since_epoch().as_secs();
    let mut verified = 0;
    let mut codes = std::collections::BTreeMap::new();
    for n in 0..20_000 {
        let secret =
            if n % 50 == 0 { "short" } else { "a-shared-secret-of-a-realistic-length-0123" };
        let token = token(&mut rng, secret, now);
        let expected = reference(&token, secret).map_err(|e| e.code());
        let actual = lean(&token, secret).map_err(|e| e.code());
        assert_eq!(actual, expected, "token {token:?}");
        *codes.entry(expected.as_ref().err().copied().unwrap_or("ok")).or_insert(0) += 1;
        verified += usize::from(expected.is_ok());
    }
    // The generator reaches every outcome, success included, often enough to mean something.
    for code in [
        "ok",
        "token_malformed",
        "token_algorithm",
        "token_unknown_issuer",
        "token_signature",
        "token_expired",
    ] {
        assert!(codes.get(code).copied().unwrap_or(0) >= 100, "{code} too rare: {codes:?}");
    }
    assert!(verified >= 1000, "{codes:?}");
}

/// jwt-simple decodes every part with `ct-codecs`; the lean path (and, for the unverified issuer,
/// the old path too) with the `base64` crate. They must refuse and accept the same texts.
#[test]
fn the_base64_crate_decodes_exactly_as_ct_codecs() {
    use ct_codecs::{Base64UrlSafeNoPadding, Decoder as _};
    let mut rng = StdRng::seed_from_u64(64);
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.* \u{e9}"
            .chars()
            .collect();
    for n in 0..100_000 {
        let len = rng.gen_range(0..14);
        let mut text: String = (0..len).map(|_| *alphabet.choose(&mut rng).unwrap()).collect();
        if n % 3 == 0 {
            // Mostly well-formed: real parts are.
            text = URL_SAFE_NO_PAD.encode(text.as_bytes());
            if n % 9 == 0 {
                text.push(*alphabet.choose(&mut rng).unwrap());
            }
        }
        for input in [text.as_str(), text.trim_end_matches('=')] {
            let theirs = Base64UrlSafeNoPadding::decode_to_vec(input, None).ok();
            let ours = URL_SAFE_NO_PAD.decode(input).ok();
            assert_eq!(ours, theirs, "{input:?}");
        }
    }
}
