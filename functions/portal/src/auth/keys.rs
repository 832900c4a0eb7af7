//! One key per purpose, derived from the master secret with HKDF-SHA256 (RFC 5869) and a label, so
//! a token sealed for one purpose can never be opened as another and no purpose's key tells
//! anything about another's.

use aws_lc_rs::hkdf;

use crate::auth::seal::{LockKey, SealKey};

/// The keys a function derives at cold start.
pub struct PurposeKeys {
    /// Pagination cursors.
    pub cursors: [u8; 32],
    /// The challenge between the two steps of a sign-in.
    pub challenges: SealKey,
    /// Upload grants (what a presigned upload may be, confirmed later).
    pub uploads: SealKey,
    /// A provider sign-in between its start and the provider's return (encrypted: it holds the
    /// PKCE verifier).
    pub flows: LockKey,
    /// What TOTP secrets are derived from. Its derivation predates the others and stays as it was
    /// (HMAC-SHA256 of the master key and a label), or every enrolled authenticator would stop
    /// working.
    pub totp: Vec<u8>,
}

impl PurposeKeys {
    pub fn derive(master: &[u8]) -> Self {
        let totp = {
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, master);
            aws_lc_rs::hmac::sign(&key, b"portal totp secrets v1")
                .as_ref()
                .to_vec()
        };
        Self {
            cursors: derive(master, "portal cursors v1"),
            challenges: SealKey::new(&derive(master, "portal sign-in challenges v1")),
            uploads: SealKey::new(&derive(master, "portal upload grants v1")),
            flows: LockKey::new(&derive(master, "portal provider sign-ins v1")),
            totp,
        }
    }
}

/// 32 bytes for `label` from `master`.
pub fn derive(master: &[u8], label: &str) -> [u8; 32] {
    struct Len;
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            32
        }
    }
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"msp-portal").extract(master);
    let mut out = [0u8; 32];
    let info = [label.as_bytes()];
    prk.expand(&info, Len)
        .and_then(|okm| okm.fill(&mut out))
        .expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key_and_tokens_do_not_cross() {
        let master = [7u8; 32];
        let keys = PurposeKeys::derive(&master);
        let all = [
            keys.cursors.to_vec(),
            derive(&master, "portal sign-in challenges v1").to_vec(),
            derive(&master, "portal upload grants v1").to_vec(),
            derive(&master, "portal provider sign-ins v1").to_vec(),
            keys.totp.clone(),
            master.to_vec(),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // Sealed with the same purpose string, a challenge does not open as an upload grant.
        let token = keys.challenges.seal("x", &42).unwrap();
        assert_eq!(keys.challenges.open::<i32>("x", &token), Some(42));
        assert_eq!(keys.uploads.open::<i32>("x", &token), None);
        // Stable: the same master gives the same keys (cold starts agree).
        assert_eq!(PurposeKeys::derive(&master).cursors, keys.cursors);
    }
}
