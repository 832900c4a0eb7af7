//! Sealed tokens: a value the server hands out and must get back unchanged (a sign-in challenge, an
//! upload grant, a pagination cursor), with its purpose, signed with HMAC-SHA256.

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
