//! A software passkey authenticator for the API tests (docs/passkeys.md): it answers the options
//! the portal hands out as a browser and a platform authenticator would — `clientDataJSON`, an
//! attestation object with format "none", authenticator data with its flags and signature
//! counter, an ES256 (P-256) signature — so every check the portal makes can be met, or failed
//! on purpose (another origin, another RP id, no user verification, a counter going back).

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use serde_json::{Value, json};

/// Authenticator-data flags.
pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// One passkey on a software authenticator.
pub struct SoftPasskey {
    key: EcdsaKeyPair,
    /// The credential id.
    pub id: Vec<u8>,
    /// The user handle the portal gave at registration.
    pub user_handle: Vec<u8>,
    /// The signature counter (0: the authenticator does not count).
    pub counter: u32,
    /// The origin the "browser" reports.
    pub origin: String,
    /// Flags it sets (user present and verified, unless a test says otherwise).
    pub flags: u8,
}

fn cbor_head(out: &mut Vec<u8>, major: u8, len: usize) {
    match len {
        0..=23 => out.push(major << 5 | len as u8),
        24..=255 => out.extend([major << 5 | 24, len as u8]),
        _ => {
            out.push(major << 5 | 25);
            out.extend((len as u16).to_be_bytes());
        }
    }
}

fn cbor_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    cbor_head(out, 2, bytes.len());
    out.extend(bytes);
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 3, text.len());
    out.extend(text.as_bytes());
}

impl SoftPasskey {
    /// A new passkey, answering from `origin`.
    pub fn new(origin: &str) -> Self {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("P-256 key");
        let mut id = vec![0u8; 16];
        aws_lc_rs::rand::fill(&mut id).expect("random id");
        Self {
            key,
            id,
            user_handle: Vec::new(),
            counter: 0,
            origin: origin.into(),
            flags: UP | UV,
        }
    }

    /// The credential id as the portal names it (base64url).
    pub fn id(&self) -> String {
        B64.encode(&self.id)
    }

    fn auth_data(&self, rp_id: &str, attested: bool) -> Vec<u8> {
        let mut data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        data.push(self.flags | if attested { AT } else { 0 });
        data.extend(self.counter.to_be_bytes());
        if attested {
            data.extend([0u8; 16]); // AAGUID: none
            data.extend((self.id.len() as u16).to_be_bytes());
            data.extend(&self.id);
            // The COSE EC2 key in CTAP2 canonical order: kty 2, alg −7 (ES256), crv 1, x, y.
            let point = self.key.public_key().as_ref();
            data.extend([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]);
            cbor_bytes(&mut data, &point[1..33]);
            data.push(0x22);
            cbor_bytes(&mut data, &point[33..65]);
        }
        data
    }

    fn client_data(&self, kind: &str, challenge: &Value) -> String {
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
    }

    /// Answer `navigator.credentials.create()` with `options` (the portal's `options`): the
    /// registration JSON a browser posts, with attestation "none". Keeps the user handle.
    pub fn create(&mut self, options: &Value) -> Value {
        self.user_handle = B64
            .decode(options["user"]["id"].as_str().expect("user id"))
            .expect("user id base64url");
        let rp_id = options["rp"]["id"].as_str().expect("rp id");
        let client_data = self.client_data("webauthn.create", &options["challenge"]);
        let mut attestation = vec![0xa3];
        cbor_text(&mut attestation, "fmt");
        cbor_text(&mut attestation, "none");
        cbor_text(&mut attestation, "attStmt");
        attestation.push(0xa0);
        cbor_text(&mut attestation, "authData");
        cbor_bytes(&mut attestation, &self.auth_data(rp_id, true));
        json!({
            "id": self.id(), "rawId": self.id(), "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "attestationObject": B64.encode(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        })
    }

    /// Answer `navigator.credentials.get()` with `options`: the assertion JSON a browser posts.
    /// The counter moves on first, if it counts.
    pub fn get(&mut self, options: &Value) -> Value {
        if self.counter > 0 {
            self.counter += 1;
        }
        let rp_id = options["rpId"].as_str().expect("rp id");
        let client_data = self.client_data("webauthn.get", &options["challenge"]);
        let auth_data = self.auth_data(rp_id, false);
        let mut signed = auth_data.clone();
        signed.extend(digest(&SHA256, client_data.as_bytes()).as_ref());
        let signature = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .expect("signing");
        json!({
            "id": self.id(), "rawId": self.id(), "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "authenticatorData": B64.encode(auth_data),
                "signature": B64.encode(signature.as_ref()),
                "userHandle": B64.encode(&self.user_handle),
            },
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        })
    }
}
