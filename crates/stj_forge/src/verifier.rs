//! Forge Invocation Token verification: `Authorization: Bearer <FIT>`, RS256 only, key by `kid`
//! from the JWKS, `iss` = `forge/invocation-token`, `aud` = this app's ARI, `exp`/`nbf`/`iat`
//! present and within the leeway. The order: header → key → signature and times → claims.

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use jwt_simple::prelude::Token;

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
        // Only the algorithm gate and the key choice; the signature is checked (jsonwebtoken's
        // `decode` below) before any claim is read.
        // nosemgrep: stj.unverified-token-metadata -- verified by jsonwebtoken::decode below
        let metadata = Token::decode_metadata(token).map_err(|_| AuthError::Malformed)?;
        if metadata.algorithm() != "RS256" {
            return Err(AuthError::Algorithm);
        }
        let kid = metadata.key_id().filter(|kid| !kid.is_empty() && kid.len() <= MAX_KID_LEN);
        let key = self.keys.key(kid.ok_or(AuthError::Malformed)?).await.map_err(|e| match e {
            KeyError::Unknown => AuthError::UnknownKey,
            KeyError::Unavailable(cause) => AuthError::Unavailable(cause),
        })?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_issuer(&[FIT_ISSUER]);
        validation.set_audience(&[self.app_ari.as_str()]);
        // Forge always sends all three times; a token without one is refused.
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud"]);
        let claims = jsonwebtoken::decode::<FitClaims>(token, &key, &validation)
            .map_err(|e| classify(e.kind()))?
            .claims;
        // jsonwebtoken checks that `iat` is present, not that it is in the past.
        let now = jsonwebtoken::get_current_timestamp();
        if claims.iat.is_none_or(|iat| iat > now.saturating_add(validation.leeway)) {
            return Err(AuthError::Expired);
        }
        claims.into_verified(&self.app_ari)
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

fn classify(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => AuthError::Expired,
        ErrorKind::MissingRequiredClaim(claim)
            if matches!(claim.as_str(), "exp" | "nbf" | "iat") =>
        {
            AuthError::Expired
        }
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => AuthError::Algorithm,
        ErrorKind::InvalidSignature => AuthError::Signature,
        ErrorKind::InvalidIssuer
        | ErrorKind::InvalidAudience
        | ErrorKind::MissingRequiredClaim(_) => AuthError::Claims,
        _ => AuthError::Malformed,
    }
}
