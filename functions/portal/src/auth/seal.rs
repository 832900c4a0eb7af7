//! Sealed tokens: a value the server hands out and must get back unchanged (a sign-in challenge, an
//! upload grant, a pagination cursor), with its purpose, signed with HMAC-SHA256 (`SealKey`); and
//! locked ones, which the holder must not read either (a provider sign-in's PKCE verifier and
//! nonce), encrypted with AES-256-GCM (`LockKey`).

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub struct SealKey(hmac::Key);

#[derive(Serialize, Deserialize)]
struct Sealed<T> {
    /// What the token is for; for a cursor, its list (e.g. `gsi3#TK#acme-dental#U#…#open`).
    purpose: String,
    value: T,
}

impl SealKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// `value` with its `purpose`, signed: `base64(json).base64(tag)`. Used for cursors (purpose:
    /// the list) and for other tokens the server hands out and must get back unchanged.
    pub fn seal<T: Serialize>(&self, purpose: &str, value: &T) -> Option<String> {
        let body = serde_json::to_vec(&Sealed {
            purpose: purpose.to_owned(),
            value,
        })
        .ok()?;
        let tag = hmac::sign(&self.0, &body);
        Some(format!(
            "{}.{}",
            B64.encode(&body),
            B64.encode(tag.as_ref())
        ))
    }

    /// The value sealed for `purpose`; `None` for anything else (forged, altered, other purpose).
    pub fn open<T: DeserializeOwned>(&self, purpose: &str, token: &str) -> Option<T> {
        let (body, tag) = token.split_once('.')?;
        let body = B64.decode(body).ok()?;
        let tag = B64.decode(tag).ok()?;
        hmac::verify(&self.0, &body, &tag).ok()?;
        let sealed: Sealed<T> = serde_json::from_slice(&body).ok()?;
        (sealed.purpose == purpose).then_some(sealed.value)
    }
}

/// Encrypts what the browser carries but must not read: `base64(nonce ‖ ciphertext ‖ tag)`, with
/// the purpose as associated data.
pub struct LockKey(LessSafeKey);

impl LockKey {
    pub fn new(secret: &[u8; 32]) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, secret)
            .unwrap_or_else(|_| unreachable!("a 32-byte key is an AES-256 key"));
        Self(LessSafeKey::new(key))
    }

    /// `value` encrypted for `purpose`.
    pub fn lock<T: Serialize>(&self, purpose: &str, value: &T) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).ok()?;
        let mut data = serde_json::to_vec(value).ok()?;
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut data,
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend(data);
        Some(B64.encode(out))
    }

    /// The value locked for `purpose`; `None` for anything else (forged, altered, other purpose).
    pub fn unlock<T: DeserializeOwned>(&self, purpose: &str, token: &str) -> Option<T> {
        let raw = B64.decode(token).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let mut sealed = sealed.to_vec();
        let plain = self
            .0
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).ok()?,
                Aad::from(purpose.as_bytes()),
                &mut sealed,
            )
            .ok()?;
        serde_json::from_slice(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_values_are_unreadable_and_open_only_for_their_purpose() {
        let key = LockKey::new(&[9u8; 32]);
        let token = key.lock("sso-flow", &"verifier-secret").unwrap();
        let raw = B64.decode(&token).unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains("verifier-secret"));
        assert_eq!(
            key.unlock::<String>("sso-flow", &token).as_deref(),
            Some("verifier-secret")
        );
        assert_eq!(key.unlock::<String>("other", &token), None);
        let mut altered = raw.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(key.unlock::<String>("sso-flow", &B64.encode(altered)), None);
        assert_eq!(
            LockKey::new(&[8u8; 32]).unlock::<String>("sso-flow", &token),
            None
        );
    }
}
