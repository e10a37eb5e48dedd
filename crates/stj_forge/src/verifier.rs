//! Forge Invocation Token verification: `Authorization: Bearer <FIT>`, RS256 only, key by `kid`
//! from the JWKS, `iss` = `forge/invocation-token`, `aud` = this app's ARI, `exp`/`nbf`/`iat`
//! present and within the leeway. The order: header → key → signature and times → claims.

use std::collections::HashSet;
use std::sync::Arc;

use jwt_simple::JWTError;
use jwt_simple::prelude::*;
use std::time::Duration;

use stj_core::AuthError;

use crate::claims::{FitClaims, VerifiedFit};
use crate::keys::{ForgeKeys, KeyError, MAX_KID_LEN};

pub const FIT_ISSUER: &str = "forge/invocation-token";
const APP_ARI_PREFIX: &str = "ari:cloud:ecosystem::app/";
/// Longest FIT accepted: they carry the module context, so they run larger than Connect tokens.
pub const MAX_FIT_LEN: usize = 16 * 1024;
/// Most leeway allowed on `exp`/`nbf`/`iat` (`forge.leeway_secs`).
pub const MAX_LEEWAY: Duration = Duration::from_secs(120);

#[derive(Debug)]
pub struct FitVerifier {
    keys: Arc<ForgeKeys>,
    app_ari: String,
    leeway: Duration,
}

impl FitVerifier {
    /// `app_id` is the Forge app's uuid or its ARI (`ari:cloud:ecosystem::app/{uuid}`).
    pub fn new(keys: Arc<ForgeKeys>, app_id: &str, leeway: Duration) -> Self {
        let app_ari = if app_id.starts_with(APP_ARI_PREFIX) {
            app_id.to_owned()
        } else {
            format!("{APP_ARI_PREFIX}{app_id}")
        };
        Self { keys, app_ari, leeway: leeway.min(MAX_LEEWAY) }
    }

    pub fn keys(&self) -> &Arc<ForgeKeys> {
        &self.keys
    }

    /// The `aud` this app's tokens carry.
    pub fn app_ari(&self) -> &str {
        &self.app_ari
    }

    pub async fn verify(&self, authorization: Option<&str>) -> Result<VerifiedFit, AuthError> {
        let token = bearer(authorization)?;
        // Only the algorithm gate and the key choice; the signature is checked before any claim
        // is read. nosemgrep: stj.unverified-token-metadata -- verified by verify_token below
        let metadata = Token::decode_metadata(token).map_err(|_| AuthError::Malformed)?;
        if metadata.algorithm() != "RS256" {
            return Err(AuthError::Algorithm);
        }
        let kid = metadata.key_id().filter(|kid| !kid.is_empty() && kid.len() <= MAX_KID_LEN);
        let key = self.keys.key(kid.ok_or(AuthError::Malformed)?).await.map_err(|e| match e {
            KeyError::Unknown => AuthError::UnknownKey,
            KeyError::Unavailable(cause) => AuthError::Unavailable(cause),
        })?;
        let options = VerificationOptions {
            time_tolerance: Some(Duration::from_secs(self.leeway.as_secs()).into()),
            max_token_length: Some(MAX_FIT_LEN),
            allowed_issuers: Some(HashSet::from([FIT_ISSUER.to_owned()])),
            allowed_audiences: Some(HashSet::from([self.app_ari.clone()])),
            ..VerificationOptions::default()
        };
        let claims =
            key.verify_token::<FitClaims>(token, Some(options)).map_err(|e| classify(&e))?;
        // jwt-simple checks each time claim only when present; Forge always sends all three.
        if claims.expires_at.is_none()
            || claims.issued_at.is_none()
            || claims.invalid_before.is_none()
        {
            return Err(AuthError::Expired);
        }
        claims.custom.into_verified(&self.app_ari)
    }
}

/// The token from `Authorization: Bearer …` (the scheme is case-insensitive, RFC 9110).
pub fn bearer(authorization: Option<&str>) -> Result<&str, AuthError> {
    let value = authorization.ok_or(AuthError::Missing)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::Malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > MAX_FIT_LEN {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

fn classify(err: &jwt_simple::Error) -> AuthError {
    match err.downcast_ref::<JWTError>() {
        Some(
            JWTError::TokenHasExpired
            | JWTError::ClockDrift
            | JWTError::TokenNotValidYet
            | JWTError::TokenIsTooOld,
        ) => AuthError::Expired,
        Some(JWTError::AlgorithmMismatch) => AuthError::Algorithm,
        Some(JWTError::InvalidSignature) => AuthError::Signature,
        Some(
            JWTError::RequiredIssuerMismatch
            | JWTError::RequiredIssuerMissing
            | JWTError::RequiredAudienceMismatch
            | JWTError::RequiredAudienceMissing,
        ) => AuthError::Claims,
        _ => AuthError::Malformed,
    }
}
