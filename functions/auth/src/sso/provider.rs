//! The OpenID Connect side of signing in with Microsoft or Google (docs/sso.md), over the
//! `openidconnect` crate and our own HTTPS client (rustls with aws-lc-rs, Mozilla's roots, no
//! redirects followed). Each provider's discovery document and keys are fetched once per
//! instance, and the keys again when a token names a key we do not have (the provider rotated
//! them). An ID token counts only if it passes every check: an RS256 signature by one of the
//! provider's keys, the issuer (for Microsoft, the one of the tenant the token names), our client
//! id as audience, the times with a minute's leeway, the nonce of this sign-in, and a verified
//! address (Google's `email_verified`; Microsoft's tenant is checked against the company's
//! links by the sign-in itself).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdTokenVerifier, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError,
};
use portal::aws::config::SsoEndpoints;
use portal::aws::secrets::SsoClient;
use portal::domain::Email;
use portal::domain::sign_in::{Identity, Provider, tenant_id};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How far a token's times may be off our clock.
pub const LEEWAY: time::Duration = time::Duration::seconds(60);
/// A token issued longer ago than this is refused, whatever its expiry.
pub const MAX_AGE: time::Duration = time::Duration::minutes(10);

/// The claims beyond the standard ones that we read.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct ProviderClaims {
    /// Microsoft: the tenant the person signed in from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tid: Option<String>,
    /// Google: the Workspace domain of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hd: Option<String>,
}
impl AdditionalClaims for ProviderClaims {}

type IdToken = openidconnect::IdToken<
    ProviderClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Why a sign-in with a provider did not give an identity.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider could not be reached or answered what it should not (logged; the person can
    /// try again).
    #[error("identity provider unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// The provider's answer failed a check: the sign-in is refused.
    #[error("identity provider answer refused: {0}")]
    Refused(String),
}

/// What a sign-in keeps between sending the person to the provider and their return.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub provider: Provider,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub remember: bool,
    /// Unix seconds.
    pub expires: i64,
    /// Where to go once signed in (a path of this origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One provider: our client there, where it is, and what was fetched from it.
struct Endpoint {
    client: SsoClient,
    /// The discovery document's address.
    discovery: String,
    /// The issuer the discovery document must name (Microsoft's carries `{tenantid}`).
    issuer: String,
    fetched: Mutex<Option<Arc<Discovered>>>,
}

struct Discovered {
    metadata: CoreProviderMetadata,
    keys: CoreJsonWebKeySet,
}

/// The providers this instance signs in with, and the HTTPS client it reaches them by.
pub struct Providers {
    http: reqwest::Client,
    endpoints: Vec<Endpoint>,
}

impl Providers {
    pub fn new(clients: &[SsoClient], at: &SsoEndpoints) -> anyhow::Result<Self> {
        let endpoints = clients
            .iter()
            .map(|client| {
                let (discovery, issuer) = match client.provider {
                    Provider::Microsoft => (
                        format!(
                            "{}/organizations/v2.0/.well-known/openid-configuration",
                            at.microsoft_authority
                        ),
                        format!("{}/{{tenantid}}/v2.0", at.microsoft_authority),
                    ),
                    Provider::Google => (
                        format!("{}/.well-known/openid-configuration", at.google_issuer),
                        at.google_issuer.clone(),
                    ),
                };
                Endpoint {
                    client: client.clone(),
                    discovery,
                    issuer,
                    fetched: Mutex::new(None),
                }
            })
            .collect();
        Ok(Self {
            http: https_client()?,
            endpoints,
        })
    }

    /// The providers set up, in the order the sign-in page shows them.
    pub fn configured(&self) -> Vec<Provider> {
        Provider::ALL
            .into_iter()
            .filter(|p| self.endpoint(*p).is_some())
            .collect()
    }

    fn endpoint(&self, provider: Provider) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|e| e.client.provider == provider)
    }

    /// Where to send the person, and what to keep until they return (`Pending`): a fresh state,
    /// nonce and PKCE verifier (S256).
    pub async fn start(
        &self,
        provider: Provider,
        redirect: &str,
        remember: bool,
        now: OffsetDateTime,
        ttl: time::Duration,
    ) -> Result<(String, Pending), SsoError> {
        let endpoint = self.endpoint(provider).ok_or_else(not_configured)?;
        let found = self.discovered(endpoint, false).await?;
        let client = client(endpoint, &found.metadata, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        if provider == Provider::Microsoft {
            request = request.add_extra_param("prompt", "select_account");
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            Pending {
                provider,
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                remember,
                expires: (now + ttl).unix_timestamp(),
                next: None,
            },
        ))
    }

    /// Exchange the code the provider sent back (with this sign-in's PKCE verifier) and check the
    /// ID token that comes with it.
    pub async fn finish(
        &self,
        pending: &Pending,
        redirect: &str,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<Identity, SsoError> {
        let endpoint = self.endpoint(pending.provider).ok_or_else(not_configured)?;
        let found = self.discovered(endpoint, false).await?;
        let answer = client(endpoint, &found.metadata, redirect)?
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Unavailable(e.into()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Refused(format!("the code exchange failed: {e}")))?;
        use openidconnect::TokenResponse;
        let raw = answer
            .id_token()
            .ok_or_else(|| SsoError::Refused("no ID token".into()))?
            .to_string();
        let token = IdToken::from_str(&raw)
            .map_err(|e| SsoError::Refused(format!("the ID token is malformed: {e}")))?;
        match self.check(endpoint, &found.keys, &token, pending, now) {
            Err(SsoError::Refused(why)) if why == NO_MATCHING_KEY => {
                // The provider may have rotated its keys since we fetched them.
                let fresh = self.discovered(endpoint, true).await?;
                self.check(endpoint, &fresh.keys, &token, pending, now)
            }
            other => other,
        }
    }

    /// Every check of the module's comment on `token`, against `keys`.
    fn check(
        &self,
        endpoint: &Endpoint,
        keys: &CoreJsonWebKeySet,
        token: &IdToken,
        pending: &Pending,
        now: OffsetDateTime,
    ) -> Result<Identity, SsoError> {
        let clock = chrono_time(now - LEEWAY);
        let latest = chrono_time(now + LEEWAY);
        let earliest = chrono_time(now - MAX_AGE);
        // The issuer is checked below: Microsoft's depends on the tenant the token names.
        let verifier = CoreIdTokenVerifier::new_public_client(
            ClientId::new(endpoint.client.client_id.clone()),
            openidconnect::IssuerUrl::new(endpoint.issuer.clone())
                .map_err(|e| SsoError::Unavailable(e.into()))?,
            keys.clone(),
        )
        .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
        .require_issuer_match(false)
        .set_time_fn(move || clock)
        .set_issue_time_verifier_fn(move |iat| {
            if iat > latest {
                Err(format!("issued in the future ({iat})"))
            } else if iat < earliest {
                Err(format!("issued too long ago ({iat})"))
            } else {
                Ok(())
            }
        });
        let claims = token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| match e {
                ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                ) => SsoError::Refused(NO_MATCHING_KEY.into()),
                other => SsoError::Refused(other.to_string()),
            })?;
        let extra = claims.additional_claims();
        let issuer = claims.issuer().as_str();
        let provider = endpoint.client.provider;
        let (tenant, domain) = match provider {
            Provider::Microsoft => {
                let tid = extra
                    .tid
                    .as_deref()
                    .and_then(tenant_id)
                    .ok_or_else(|| SsoError::Refused("no tenant id (tid)".into()))?;
                let expected = endpoint.issuer.replace("{tenantid}", &tid);
                if issuer != expected {
                    return Err(SsoError::Refused(format!(
                        "issuer {issuer} is not {expected}"
                    )));
                }
                (Some(tid), None)
            }
            Provider::Google => {
                let bare = endpoint.issuer.trim_start_matches("https://");
                if issuer != endpoint.issuer && issuer != bare {
                    return Err(SsoError::Refused(format!(
                        "issuer {issuer} is not {}",
                        endpoint.issuer
                    )));
                }
                if claims.email_verified() != Some(true) {
                    return Err(SsoError::Refused("the email is not verified".into()));
                }
                (None, extra.hd.as_deref().map(str::to_ascii_lowercase))
            }
        };
        let address = claims
            .email()
            .map(|e| e.as_str().to_owned())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
            .ok_or_else(|| SsoError::Refused("no email address".into()))?;
        let email = Email::parse(&address)
            .map_err(|_| SsoError::Refused(format!("{address:?} is not an email address")))?;
        let name: String = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        let mfa = claims
            .auth_method_refs()
            .is_some_and(|amr| amr.iter().any(|m| m.as_str() == "mfa"));
        Ok(Identity {
            provider,
            subject: claims.subject().as_str().to_owned(),
            email,
            name: name.trim().to_owned(),
            tenant,
            domain,
            mfa,
        })
    }

    /// The provider's discovery document and keys: fetched once, or again when `refresh`.
    async fn discovered(
        &self,
        endpoint: &Endpoint,
        refresh: bool,
    ) -> Result<Arc<Discovered>, SsoError> {
        if !refresh {
            let cached = endpoint
                .fetched
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(found) = cached {
                return Ok(found);
            }
        }
        let fetched = self.fetch(endpoint).await.map_err(SsoError::Unavailable)?;
        let fetched = Arc::new(fetched);
        *endpoint.fetched.lock().unwrap_or_else(|e| e.into_inner()) = Some(fetched.clone());
        Ok(fetched)
    }

    async fn fetch(&self, endpoint: &Endpoint) -> anyhow::Result<Discovered> {
        let answer = self
            .http
            .get(&endpoint.discovery)
            .send()
            .await
            .with_context(|| format!("fetching {}", endpoint.discovery))?;
        anyhow::ensure!(
            answer.status().is_success(),
            "{} answered {}",
            endpoint.discovery,
            answer.status()
        );
        let bytes = answer.bytes().await?;
        // Not `discover_async`: it wants the document's issuer to be the address it was fetched
        // from, which Microsoft's multi-tenant document (`{tenantid}`) is not.
        let metadata: CoreProviderMetadata = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a discovery document", endpoint.discovery))?;
        let named = metadata
            .issuer()
            .as_str()
            .replace("%7B", "{")
            .replace("%7D", "}");
        anyhow::ensure!(
            named == endpoint.issuer,
            "the discovery document names issuer {named}, not {}",
            endpoint.issuer
        );
        let keys = CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .with_context(|| format!("fetching the keys at {}", metadata.jwks_uri().as_str()))?;
        Ok(Discovered { metadata, keys })
    }
}

const NO_MATCHING_KEY: &str = "no key of the provider's matches the token's";

fn not_configured() -> SsoError {
    SsoError::Refused("this provider is not set up".into())
}

fn client(
    endpoint: &Endpoint,
    metadata: &CoreProviderMetadata,
    redirect: &str,
) -> Result<
    openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    SsoError,
> {
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(endpoint.client.client_id.clone()),
        Some(ClientSecret::new(endpoint.client.client_secret.clone())),
    )
    .set_auth_type(AuthType::RequestBody)
    .set_redirect_uri(
        RedirectUrl::new(redirect.to_owned()).map_err(|e| SsoError::Unavailable(e.into()))?,
    ))
}

/// HTTPS through rustls with aws-lc-rs (the dependency policy's one TLS stack) and Mozilla's
/// roots; redirects are not followed (OAuth 2.0 endpoints must not redirect a token request).
fn https_client() -> anyhow::Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5))
        .build()?)
}

fn chrono_time(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}
