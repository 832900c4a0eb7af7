//! The portal's secrets, and which function holds which. In AWS they are SSM SecureString parameters
//! named from `SecretsParameterName` (N):
//!
//! | parameter     | holds                                   | read by                    |
//! |---------------|-----------------------------------------|----------------------------|
//! | `N`           | `master_key`, `jwt_public_key`          | every function             |
//! | `N-signing`   | `jwt_signing_key` (signs session JWTs)   | auth only                  |
//! | `N-stripe`    | `stripe_secret_key`, `stripe_webhook_secret` | billing only           |
//! | `N-sso`       | `microsoft_client_id`, `microsoft_client_secret`, `google_client_id`, `google_client_secret` | auth only |
//!
//! A function reads `N` and the parts named in `PORTAL_SECRETS_PARTS` (the template gives auth
//! `signing,sso` and billing `stripe`; IAM lets each read only its own). Locally one file holds them all.
//! Every key a function uses is derived from `master_key` for one purpose (`auth::keys`).

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde::{Deserialize, Serialize};

use crate::aws::config::SecretsSource;

/// The secrets a function holds: the shared part and whichever others it was given.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// 32 random bytes, base64: every purpose's key is derived from it. (Secrets documents written
    /// before the keys were split called it `cursor_key`; they keep working.)
    #[serde(alias = "cursor_key")]
    pub master_key: String,
    /// Ed25519 public key (32 bytes, base64): verifies session JWTs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_public_key: Option<String>,
    /// Ed25519 private key, PKCS#8 DER, base64: signs session JWTs (auth only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_signing_key: Option<String>,
    /// Stripe secret (or restricted) API key, `sk_…`/`rk_…`. Without it, online payment is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_secret_key: Option<String>,
    /// The signing secret of the Stripe webhook endpoint, `whsec_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_webhook_secret: Option<String>,
    /// The MSP's app registration with Microsoft (Entra ID): its application (client) id and a
    /// client secret. Without both, "Sign in with Microsoft" is off (docs/sso.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_client_secret: Option<String>,
    /// The MSP's OAuth client with Google. Without both, "Sign in with Google" is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_client_secret: Option<String>,
}

/// One identity provider's client id and secret (auth only); present only when both are set.
#[derive(Clone)]
pub struct SsoClient {
    pub provider: crate::domain::sign_in::Provider,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for SsoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SsoClient({}, {}, ..)",
            self.provider.as_str(),
            self.client_id
        )
    }
}

/// What the billing function needs to talk to Stripe; present only when both keys are set.
#[derive(Clone)]
pub struct StripeKeys {
    pub secret_key: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for StripeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeKeys(..)")
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// The parameters a secrets document is stored as: (suffix of `N`, the document's fields there).
pub const PARTS: [(&str, &[&str]); 4] = [
    ("", &["master_key", "jwt_public_key"]),
    ("-signing", &["jwt_signing_key"]),
    ("-stripe", &["stripe_secret_key", "stripe_webhook_secret"]),
    (
        "-sso",
        &[
            "microsoft_client_id",
            "microsoft_client_secret",
            "google_client_id",
            "google_client_secret",
        ],
    ),
];

impl Secrets {
    /// A new document: master key and JWT key pair (no Stripe keys).
    pub fn generate() -> anyhow::Result<Self> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| anyhow::anyhow!("generating an Ed25519 key failed"))?;
        let mut master = [0u8; 32];
        aws_lc_rs::rand::fill(&mut master)
            .map_err(|_| anyhow::anyhow!("random generator failed"))?;
        let mut secrets = Self {
            master_key: B64.encode(master),
            jwt_public_key: None,
            jwt_signing_key: Some(B64.encode(pkcs8.as_ref())),
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            microsoft_client_id: None,
            microsoft_client_secret: None,
            google_client_id: None,
            google_client_secret: None,
        };
        secrets.jwt_public_key = Some(B64.encode(secrets.public_key_from_private()?));
        Ok(secrets)
    }

    pub fn parse(json: &str) -> anyhow::Result<Self> {
        serde_json::from_str(json).context("secrets are not the expected JSON document")
    }

    /// The document split into its parameters (`PARTS`), each a JSON object of its fields present;
    /// a document without a public key gets it from the private one.
    pub fn split(&self) -> anyhow::Result<Vec<(&'static str, serde_json::Value)>> {
        let mut whole = self.clone();
        if whole.jwt_public_key.is_none() && whole.jwt_signing_key.is_some() {
            whole.jwt_public_key = Some(B64.encode(whole.public_key_from_private()?));
        }
        let serde_json::Value::Object(fields) = serde_json::to_value(&whole)? else {
            bail!("secrets are not an object");
        };
        Ok(PARTS
            .iter()
            .map(|(suffix, names)| {
                let part: serde_json::Map<_, _> = fields
                    .iter()
                    .filter(|(k, _)| names.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (*suffix, serde_json::Value::Object(part))
            })
            .collect())
    }

    /// A function's secrets: the whole file locally; in AWS the shared parameter and the parts it
    /// was given (`parts`: `signing`, `stripe`).
    pub async fn load(
        source: &SecretsSource,
        parts: &[String],
        aws: &aws_config::SdkConfig,
    ) -> anyhow::Result<Self> {
        match source {
            SecretsSource::File(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading secrets file {path}"))?;
                Self::parse(&text)
            }
            SecretsSource::SsmParameter(name) => {
                let ssm = aws_sdk_ssm::Client::new(aws);
                let mut merged = serde_json::Map::new();
                let names = std::iter::once((name.clone(), true))
                    .chain(parts.iter().map(|p| (format!("{name}-{p}"), false)));
                for (name, required) in names {
                    // A part not stored yet (no Stripe keys, no sign-in providers) is that feature
                    // off, not a failed cold start.
                    let Some(value) = read_parameter(&ssm, &name).await? else {
                        if required {
                            bail!(
                                "SSM parameter {name} does not exist: run infra/aws_ops.py put-secrets"
                            );
                        }
                        tracing::info!(parameter = %name, "secrets part not stored: its feature is off");
                        continue;
                    };
                    let serde_json::Value::Object(fields) = serde_json::from_str(&value)
                        .with_context(|| format!("SSM parameter {name} is not a JSON object"))?
                    else {
                        bail!("SSM parameter {name} is not a JSON object");
                    };
                    merged.extend(fields);
                }
                Self::parse(&serde_json::Value::Object(merged).to_string())
            }
        }
    }

    /// The Stripe keys, when both are configured (non-empty).
    pub fn stripe(&self) -> Option<StripeKeys> {
        Some(StripeKeys {
            secret_key: nonempty(&self.stripe_secret_key)?,
            webhook_secret: nonempty(&self.stripe_webhook_secret)?,
        })
    }

    /// The identity providers whose client id and secret are both configured.
    pub fn sso(&self) -> Vec<SsoClient> {
        use crate::domain::sign_in::Provider;
        let client = |provider, id: &Option<String>, secret: &Option<String>| {
            Some(SsoClient {
                provider,
                client_id: nonempty(id)?,
                client_secret: nonempty(secret)?,
            })
        };
        [
            client(
                Provider::Microsoft,
                &self.microsoft_client_id,
                &self.microsoft_client_secret,
            ),
            client(
                Provider::Google,
                &self.google_client_id,
                &self.google_client_secret,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The JWT private key (PKCS#8 DER), if this function holds it.
    pub fn jwt_signing_der(&self) -> anyhow::Result<Option<Vec<u8>>> {
        self.jwt_signing_key
            .as_deref()
            .map(|k| B64.decode(k).context("jwt_signing_key is not base64"))
            .transpose()
    }

    /// The JWT public key (32 bytes): given, or from the private key.
    pub fn jwt_public_raw(&self) -> anyhow::Result<Vec<u8>> {
        match &self.jwt_public_key {
            Some(k) => B64.decode(k).context("jwt_public_key is not base64"),
            None => self.public_key_from_private(),
        }
    }

    fn public_key_from_private(&self) -> anyhow::Result<Vec<u8>> {
        use aws_lc_rs::signature::KeyPair;
        let der = self
            .jwt_signing_der()?
            .context("the secrets hold neither jwt_public_key nor jwt_signing_key")?;
        let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(&der)
            .or_else(|_| aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der))
            .map_err(|e| anyhow::anyhow!("jwt_signing_key is not an Ed25519 PKCS#8 key: {e}"))?;
        Ok(pair.public_key().as_ref().to_vec())
    }

    pub fn master_key_bytes(&self) -> anyhow::Result<Vec<u8>> {
        let key = B64
            .decode(&self.master_key)
            .context("master_key is not base64")?;
        if key.len() < 32 {
            bail!("master_key must be at least 32 bytes");
        }
        Ok(key)
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
}

async fn read_parameter(ssm: &aws_sdk_ssm::Client, name: &str) -> anyhow::Result<Option<String>> {
    let out = match ssm
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
    {
        Ok(out) => out,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_parameter_not_found()) =>
        {
            return Ok(None);
        }
        Err(err) => return Err(err).with_context(|| format!("reading SSM parameter {name}")),
    };
    out.parameter()
        .and_then(|p| p.value())
        .map(|v| Some(v.to_owned()))
        .with_context(|| format!("SSM parameter {name} is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_from_before_the_split_still_load() {
        let old = Secrets::generate().unwrap();
        let json = serde_json::json!({
            "jwt_signing_key": old.jwt_signing_key,
            "cursor_key": old.master_key,
            "stripe_secret_key": "sk_test_x",
            "stripe_webhook_secret": "whsec_x",
        });
        let loaded = Secrets::parse(&json.to_string()).unwrap();
        assert_eq!(loaded.master_key, old.master_key);
        assert_eq!(
            loaded.jwt_public_raw().unwrap(),
            old.jwt_public_raw().unwrap()
        );
        assert!(loaded.stripe().is_some());
    }

    #[test]
    fn split_puts_each_secret_in_its_own_parameter() {
        let mut secrets = Secrets::generate().unwrap();
        secrets.stripe_secret_key = Some("sk_test_x".into());
        secrets.stripe_webhook_secret = Some("whsec_x".into());
        let parts: std::collections::HashMap<_, _> = secrets.split().unwrap().into_iter().collect();
        let keys = |suffix: &str| {
            let mut k: Vec<String> = parts[suffix].as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(""), ["jwt_public_key", "master_key"]);
        assert_eq!(keys("-signing"), ["jwt_signing_key"]);
        assert_eq!(
            keys("-stripe"),
            ["stripe_secret_key", "stripe_webhook_secret"]
        );
        // The shared part alone is a whole document for a function that only verifies.
        let shared = Secrets::parse(&parts[""].to_string()).unwrap();
        assert!(shared.jwt_signing_der().unwrap().is_none());
        assert_eq!(
            shared.jwt_public_raw().unwrap(),
            secrets.jwt_public_raw().unwrap()
        );
        assert!(shared.stripe().is_none());
    }
}
