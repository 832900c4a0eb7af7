//! Session tokens: short-lived EdDSA (Ed25519) JWTs naming a session item. The token proves who
//! the session belongs to; the session item (checked on every request) is what can be revoked.

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{CompanyId, SessionId, UserId};

/// How long one token lives. Requests refresh it while the session item lives.
pub const TOKEN_TTL: time::Duration = time::Duration::minutes(15);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user.
    pub sub: UserId,
    /// The user's company.
    pub cid: CompanyId,
    /// The session item.
    pub sid: SessionId,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    /// Only the function that signs sessions in (auth) holds the private key.
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    /// Issuer and audience: the portal's origin.
    origin: String,
}

impl TokenKeys {
    /// Keys that sign and verify, from an Ed25519 private key in PKCS#8 DER and its public key.
    pub fn signing(pkcs8_der: &[u8], public: &[u8], origin: &str) -> anyhow::Result<Self> {
        use aws_lc_rs::signature::KeyPair;
        let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(pkcs8_der)
            .or_else(|_| {
                aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der)
            })
            .map_err(|e| anyhow::anyhow!("jwt_signing_key is not an Ed25519 PKCS#8 key: {e}"))?;
        anyhow::ensure!(
            pair.public_key().as_ref() == public,
            "jwt_public_key is not the public key of jwt_signing_key"
        );
        Ok(Self {
            encoding: Some(EncodingKey::from_ed_der(pkcs8_der)),
            ..Self::verifying(public, origin)
        })
    }

    /// Keys that only verify (every function but auth), from the raw Ed25519 public key.
    pub fn verifying(public: &[u8], origin: &str) -> Self {
        Self {
            encoding: None,
            decoding: DecodingKey::from_ed_der(public),
            origin: origin.to_owned(),
        }
    }

    /// Whether this function can issue tokens.
    pub fn can_sign(&self) -> bool {
        self.encoding.is_some()
    }

    pub fn sign(
        &self,
        user: &UserId,
        company: &CompanyId,
        session: &SessionId,
        now: OffsetDateTime,
        session_expires: OffsetDateTime,
    ) -> anyhow::Result<String> {
        let exp = (now + TOKEN_TTL).min(session_expires);
        let claims = Claims {
            iss: self.origin.clone(),
            aud: self.origin.clone(),
            sub: user.clone(),
            cid: company.clone(),
            sid: session.clone(),
            iat: now.unix_timestamp(),
            exp: exp.unix_timestamp(),
        };
        let key = self
            .encoding
            .as_ref()
            .context("this function holds no signing key (only auth signs sessions)")?;
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, key)
            .context("signing session token")
    }

    /// The claims of a token whose signature, algorithm, issuer and audience are right. Expiry is
    /// the caller's to judge (with its injected clock): an expired token may be refreshed while its
    /// session lives.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.origin]);
        validation.set_audience(&[&self.origin]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}
