//! Sealing shared secrets at rest: AES-256-GCM from ring, a fresh random nonce per seal, the client
//! key as associated data, and key ids so keys can rotate (old ids stay readable until re-sealed).

use std::collections::HashMap;
use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use stj_privacy::Secret;

use crate::{ClientKey, SealedSecret, SharedSecret};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("sealing key {0:?} must be 64 hex characters (32 bytes)")]
    BadKey(String),
    #[error("sealing key id {0:?} is not configured")]
    UnknownKeyId(String),
    #[error("no sealing key configured as active")]
    NoActiveKey,
    #[error("sealed secret failed authentication")]
    Tampered,
    #[error("system random generator failed")]
    Random,
}

/// One configured key: an id and 32 key bytes given as hex.
#[derive(Debug, Clone)]
pub struct SealingKey {
    pub id: String,
    pub hex: Secret<String>,
}

pub struct SecretSealer {
    active: String,
    keys: HashMap<String, LessSafeKey>,
    rng: SystemRandom,
}

impl fmt::Debug for SecretSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("SecretSealer").field("active", &self.active).field("key_ids", &ids).finish()
    }
}

impl SecretSealer {
    /// `active` seals; every key in `keys` (active included) can open.
    pub fn new(active: &str, keys: &[SealingKey]) -> Result<Self, SealError> {
        let mut map = HashMap::new();
        for key in keys {
            let bytes = hex::decode(key.hex.expose().trim())
                .ok()
                .filter(|b| b.len() == 32)
                .ok_or_else(|| SealError::BadKey(key.id.clone()))?;
            let unbound = UnboundKey::new(&AES_256_GCM, &bytes)
                .map_err(|_| SealError::BadKey(key.id.clone()))?;
            map.insert(key.id.clone(), LessSafeKey::new(unbound));
        }
        if !map.contains_key(active) {
            return Err(SealError::NoActiveKey);
        }
        Ok(Self { active: active.to_owned(), keys: map, rng: SystemRandom::new() })
    }

    pub fn seal(
        &self,
        client_key: &ClientKey,
        secret: &SharedSecret,
    ) -> Result<SealedSecret, SealError> {
        let key = self.keys.get(&self.active).ok_or(SealError::NoActiveKey)?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| SealError::Random)?;
        let mut in_out = secret.expose().as_bytes().to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(client_key.as_str().as_bytes()),
            &mut in_out,
        )
        .map_err(|_| SealError::Tampered)?;
        Ok(SealedSecret { key_id: self.active.clone(), nonce: nonce.to_vec(), ciphertext: in_out })
    }

    pub fn open(
        &self,
        client_key: &ClientKey,
        sealed: &SealedSecret,
    ) -> Result<SharedSecret, SealError> {
        let key = self
            .keys
            .get(&sealed.key_id)
            .ok_or_else(|| SealError::UnknownKeyId(sealed.key_id.clone()))?;
        let nonce =
            Nonce::try_assume_unique_for_key(&sealed.nonce).map_err(|_| SealError::Tampered)?;
        let mut in_out = sealed.ciphertext.clone();
        let plain = key
            .open_in_place(nonce, Aad::from(client_key.as_str().as_bytes()), &mut in_out)
            .map_err(|_| SealError::Tampered)?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| SealError::Tampered)?;
        Ok(Secret::new(text))
    }

    /// True when the secret was sealed under a key that is no longer the active one.
    pub fn needs_reseal(&self, sealed: &SealedSecret) -> bool {
        sealed.key_id != self.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> SealingKey {
        SealingKey { id: id.into(), hex: Secret::new(hex::encode([byte; 32])) }
    }

    fn ck(raw: &str) -> ClientKey {
        ClientKey::parse(raw).unwrap()
    }

    #[test]
    fn seal_then_open_round_trips_and_hides_the_secret() {
        let sealer = SecretSealer::new("k1", &[key("k1", 7)]).unwrap();
        let secret = Secret::new("canary-secret-value".to_owned());
        let sealed = sealer.seal(&ck("tenant-a"), &secret).unwrap();
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"canary"));
        assert_eq!(sealer.open(&ck("tenant-a"), &sealed).unwrap().expose(), "canary-secret-value");
        let again = sealer.seal(&ck("tenant-a"), &secret).unwrap();
        assert_ne!(sealed.nonce, again.nonce, "nonces are fresh per seal");
    }

    #[test]
    fn a_sealed_secret_is_bound_to_its_tenant_and_to_its_bytes() {
        let sealer = SecretSealer::new("k1", &[key("k1", 7)]).unwrap();
        let sealed = sealer.seal(&ck("tenant-a"), &Secret::new("s".repeat(40))).unwrap();
        assert_eq!(sealer.open(&ck("tenant-b"), &sealed).unwrap_err(), SealError::Tampered);
        let mut flipped = sealed.clone();
        flipped.ciphertext[0] ^= 1;
        assert_eq!(sealer.open(&ck("tenant-a"), &flipped).unwrap_err(), SealError::Tampered);
        let mut short_nonce = sealed;
        short_nonce.nonce.pop();
        assert_eq!(sealer.open(&ck("tenant-a"), &short_nonce).unwrap_err(), SealError::Tampered);
    }

    #[test]
    fn keys_rotate_old_ids_still_open() {
        let old = SecretSealer::new("k1", &[key("k1", 1)]).unwrap();
        let sealed = old.seal(&ck("t"), &Secret::new("abc".into())).unwrap();
        let rotated = SecretSealer::new("k2", &[key("k1", 1), key("k2", 2)]).unwrap();
        assert!(rotated.needs_reseal(&sealed));
        assert_eq!(rotated.open(&ck("t"), &sealed).unwrap().expose(), "abc");
        assert_eq!(rotated.seal(&ck("t"), &Secret::new("abc".into())).unwrap().key_id, "k2");
        let dropped = SecretSealer::new("k2", &[key("k2", 2)]).unwrap();
        assert_eq!(
            dropped.open(&ck("t"), &sealed).unwrap_err(),
            SealError::UnknownKeyId("k1".into())
        );
    }

    #[test]
    fn bad_configuration_is_refused() {
        let short = SealingKey { id: "k".into(), hex: Secret::new("abcd".into()) };
        assert!(matches!(SecretSealer::new("k", &[short]), Err(SealError::BadKey(_))));
        assert!(matches!(
            SecretSealer::new("missing", &[key("k1", 1)]),
            Err(SealError::NoActiveKey)
        ));
    }
}
