//! Signing building blocks. Claims go in as JSON so tests can forge bad tokens (expired, wrong
//! `iss`, missing `qsh`) by editing a good claim set before signing it.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_simple::prelude::*;
use serde_json::{Map, Value, json};

use crate::SandboxError;

/// Lifetime Jira gives the tokens it signs (signed install, iframe and context tokens).
pub const TOKEN_TTL_SECS: u64 = 180;

/// Seconds since the epoch, for hand-built claims.
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `iat` = now, `exp` = now + [`TOKEN_TTL_SECS`], plus `extra` (which may override both).
pub fn fresh_claims(extra: Value) -> Value {
    let now = now_secs();
    let mut claims = json!({ "iat": now, "exp": now.saturating_add(TOKEN_TTL_SECS) });
    if let (Some(base), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        base.extend(extra);
    }
    claims
}

/// HS256 over `claims` (a JSON object) with `secret`, as Jira signs tokens for the app and as the
/// app signs its calls to Jira.
pub fn sign_hs256(secret: &str, claims: &Value) -> Result<String, SandboxError> {
    sign_hs256_key(&HS256Key::from_bytes(secret.as_bytes()), claims)
}

pub(crate) fn sign_hs256_key(key: &HS256Key, claims: &Value) -> Result<String, SandboxError> {
    key.authenticate(jwt_claims(claims)?).map_err(sign_error)
}

/// RS256 over `claims` with `key` (its key id, if any, goes in the `kid` header).
pub fn sign_rs256(key: &RS256KeyPair, claims: &Value) -> Result<String, SandboxError> {
    key.sign(jwt_claims(claims)?).map_err(sign_error)
}

/// An `alg: none` token: what an attacker sends hoping the verifier skips the signature.
pub fn unsigned_token(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.")
}

/// The claims of a token, without checking its signature (tests inspect what the app sent).
pub fn decode_claims_unverified(token: &str) -> Result<Value, SandboxError> {
    let body = token.split('.').nth(1).ok_or_else(|| claims_error("not a compact JWT"))?;
    let bytes =
        URL_SAFE_NO_PAD.decode(body).map_err(|_| claims_error("claims are not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| claims_error("claims are not JSON"))
}

/// The RS256 key pair behind every sandbox in this process. Generating 2048-bit RSA in pure Rust
/// takes seconds in debug builds, so it happens once; each sandbox gets its own `kid` for it.
pub(crate) fn install_key_pair() -> Result<&'static RS256KeyPair, SandboxError> {
    static PAIR: OnceLock<Result<RS256KeyPair, String>> = OnceLock::new();
    PAIR.get_or_init(|| RS256KeyPair::generate(2048).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| SandboxError::Sign(e.clone()))
}

fn jwt_claims(claims: &Value) -> Result<JWTClaims<Map<String, Value>>, SandboxError> {
    let mut custom =
        claims.as_object().cloned().ok_or_else(|| claims_error("not a JSON object"))?;
    Ok(JWTClaims {
        issued_at: take_time(&mut custom, "iat")?,
        expires_at: take_time(&mut custom, "exp")?,
        invalid_before: take_time(&mut custom, "nbf")?,
        issuer: take_string(&mut custom, "iss")?,
        subject: take_string(&mut custom, "sub")?,
        audiences: take_audiences(&mut custom)?,
        jwt_id: take_string(&mut custom, "jti")?,
        nonce: take_string(&mut custom, "nonce")?,
        custom,
    })
}

fn take_time(
    map: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<UnixTimeStamp>, SandboxError> {
    match map.remove(name) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(|secs| Some(UnixTimeStamp::from_secs(secs)))
            .ok_or_else(|| claims_error("time claims must be whole seconds")),
    }
}

fn take_string(map: &mut Map<String, Value>, name: &str) -> Result<Option<String>, SandboxError> {
    match map.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(claims_error("iss, sub, jti and nonce must be strings")),
    }
}

fn take_audiences(map: &mut Map<String, Value>) -> Result<Option<Audiences>, SandboxError> {
    match map.remove("aud") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(Audiences::AsString(s))),
        Some(Value::Array(items)) => {
            let set: Option<HashSet<String>> =
                items.into_iter().map(|v| v.as_str().map(str::to_owned)).collect();
            set.map(|s| Some(Audiences::AsSet(s)))
                .ok_or_else(|| claims_error("aud must hold strings"))
        }
        Some(_) => Err(claims_error("aud must be a string or an array")),
    }
}

fn claims_error(why: &str) -> SandboxError {
    SandboxError::Claims(why.to_owned())
}

fn sign_error(e: jwt_simple::Error) -> SandboxError {
    SandboxError::Sign(e.to_string())
}
