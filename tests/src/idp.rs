//! Microsoft's and Google's sign-in as the API tests' wiremock plays them (docs/sso.md): the
//! discovery document, the keys (JWKS), and a token endpoint that checks the client, the redirect
//! address and the PKCE verifier as the real ones do, then answers with the ID token a test
//! prepared for that code, signed RS256 with a key of the test's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::stripe::{field, form};

pub const CLIENT_ID: &str = "portal-test-client";
pub const CLIENT_SECRET: &str = "portal-test-secret";
/// The Entra tenant of the tests' Acme Dental, and one nobody linked.
pub const ACME_TENANT: &str = "6f1c2a7e-0b5d-4c3e-9a8f-1d2e3f4a5b6c";
pub const OTHER_TENANT: &str = "00000000-1111-2222-3333-444444444444";

/// An RSA key the mock provider signs with, and its JWK.
pub struct SigningKey {
    pub kid: String,
    pub pem: String,
    pub jwk: Value,
}

impl SigningKey {
    /// A new 2048-bit key named `kid`.
    pub fn generate(kid: &str) -> Self {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
        use aws_lc_rs::signature::KeyPair as _;
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key");
        let der = pair.as_der().expect("PKCS#8");
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        );
        let public = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        Self {
            kid: kid.into(),
            pem,
            jwk: json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": B64URL.encode(&public.n), "e": B64URL.encode(&public.e),
            }),
        }
    }

    /// `claims` signed RS256 with this key, naming it.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_rsa_pem(self.pem.as_bytes()).expect("key"),
        )
        .expect("signing")
    }
}

/// What the token endpoint answers for one code.
struct Grant {
    challenge: String,
    redirect: String,
    id_token: String,
}

#[derive(Default)]
struct Shared {
    grants: HashMap<String, Grant>,
    keys: Vec<Value>,
    key_fetches: usize,
}

/// One mock provider.
pub struct MockIdp {
    pub server: MockServer,
    pub provider: &'static str,
    shared: Arc<Mutex<Shared>>,
}

struct TokenEndpoint(Arc<Mutex<Shared>>);

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let fields = form(request);
        let refuse = |why: &str| {
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": why}))
        };
        if field(&fields, "client_id") != Some(CLIENT_ID)
            || field(&fields, "client_secret") != Some(CLIENT_SECRET)
        {
            return ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"}));
        }
        if field(&fields, "grant_type") != Some("authorization_code") {
            return refuse("grant_type");
        }
        let code = field(&fields, "code").unwrap_or_default();
        // A code is good once, as at the real providers.
        let Some(grant) = self.0.lock().unwrap().grants.remove(code) else {
            return refuse("unknown or used code");
        };
        if field(&fields, "redirect_uri") != Some(grant.redirect.as_str()) {
            return refuse("redirect_uri");
        }
        let verifier = field(&fields, "code_verifier").unwrap_or_default();
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
        if B64URL.encode(digest.as_ref()) != grant.challenge {
            return refuse("PKCE verifier");
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at", "token_type": "Bearer", "expires_in": 3600,
            "id_token": grant.id_token,
        }))
    }
}

struct Keys(Arc<Mutex<Shared>>);

impl Respond for Keys {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut shared = self.0.lock().unwrap();
        shared.key_fetches += 1;
        ResponseTemplate::new(200).set_body_json(json!({"keys": shared.keys}))
    }
}

impl MockIdp {
    /// Microsoft's multi-tenant endpoint (`…/organizations/v2.0`) or Google's, publishing `keys`.
    pub async fn start(provider: &'static str, keys: &[&SigningKey]) -> Self {
        let server = MockServer::start().await;
        let base = server.uri();
        let (discovery, issuer) = match provider {
            "microsoft" => (
                "/organizations/v2.0/.well-known/openid-configuration",
                format!("{base}/{{tenantid}}/v2.0"),
            ),
            _ => ("/.well-known/openid-configuration", base.clone()),
        };
        let shared = Arc::new(Mutex::new(Shared {
            keys: keys.iter().map(|k| k.jwk.clone()).collect(),
            ..Shared::default()
        }));
        Mock::given(method("GET"))
            .and(path(discovery))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "jwks_uri": format!("{base}/keys"),
                "response_types_supported": ["code", "id_token", "code id_token"],
                "subject_types_supported": ["pairwise", "public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "email", "name", "tid", "hd", "email_verified", "amr", "nonce"],
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/keys"))
            .respond_with(Keys(shared.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(TokenEndpoint(shared.clone()))
            .mount(&server)
            .await;
        Self {
            server,
            provider,
            shared,
        }
    }

    /// The issuer of a token for `tenant` (Microsoft) or the provider's (Google).
    pub fn issuer(&self, tenant: &str) -> String {
        match self.provider {
            "microsoft" => format!("{}/{tenant}/v2.0", self.server.uri()),
            _ => self.server.uri(),
        }
    }

    /// The token endpoint will answer `code` (once) with `id_token`, if the exchange carries the
    /// verifier of `challenge` and `redirect`.
    pub fn grant(&self, code: &str, challenge: &str, redirect: &str, id_token: String) {
        self.shared.lock().unwrap().grants.insert(
            code.into(),
            Grant {
                challenge: challenge.into(),
                redirect: redirect.into(),
                id_token,
            },
        );
    }

    /// Publish these keys from now on (a rotation).
    pub fn publish(&self, keys: &[&SigningKey]) {
        self.shared.lock().unwrap().keys = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    /// How many times the keys were fetched.
    pub fn key_fetches(&self) -> usize {
        self.shared.lock().unwrap().key_fetches
    }
}

/// A token whose header says `alg: none`, with no signature.
pub fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        B64URL.encode(br#"{"alg":"none","typ":"JWT"}"#),
        B64URL.encode(claims.to_string())
    )
}

/// A token "signed" HS256 with the provider's public key as the shared secret (the classic
/// algorithm-confusion forgery).
pub fn hs256_with_public_key(key: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(key.jwk.to_string().as_bytes()),
    )
    .expect("signing")
}

/// A provider sign-in the portal started: what its 303 to the provider carried.
pub struct Started {
    pub state: String,
    pub nonce: String,
    pub challenge: String,
    pub redirect: String,
    /// `name=value` of the sign-in's cookie.
    pub cookie: String,
    /// The whole address the person was sent to.
    pub location: String,
}

impl crate::TestApp {
    /// `GET /api/auth/sso/{provider}`, checked to be a 303 to the provider with a state, a
    /// nonce, an S256 PKCE challenge and our redirect address.
    pub async fn sso_start(&self, provider: &str) -> Started {
        self.sso_start_with(provider, "").await
    }

    /// `sso_start` with a query (`?remember=true&next=…`).
    pub async fn sso_start_with(&self, provider: &str, query: &str) -> Started {
        let answer = self
            .call("GET", &format!("/api/auth/sso/{provider}{query}"))
            .send()
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        let location = answer.header("location").expect("location").to_owned();
        let query: HashMap<String, String> = location
            .split_once('?')
            .map(|(_, q)| crate::stripe::form_pairs(q).into_iter().collect())
            .unwrap_or_default();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], CLIENT_ID);
        assert_eq!(query["code_challenge_method"], "S256");
        assert!(
            query["scope"].split(' ').any(|s| s == "openid"),
            "{location}"
        );
        let cookie = answer
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("__Host-portal_sso="))
            .expect("the sign-in's cookie");
        assert!(
            cookie.contains("SameSite=Lax") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        Started {
            state: query["state"].clone(),
            nonce: query["nonce"].clone(),
            challenge: query["code_challenge"].clone(),
            redirect: query["redirect_uri"].clone(),
            cookie: cookie.split(';').next().unwrap_or_default().to_owned(),
            location,
        }
    }

    /// The provider's return to `GET /api/auth/sso/{provider}/callback` with `code` and the
    /// started sign-in's state and cookie.
    pub async fn sso_return(&self, provider: &str, started: &Started, code: &str) -> crate::Answer {
        self.call(
            "GET",
            &format!(
                "/api/auth/sso/{provider}/callback?code={code}&state={}",
                started.state
            ),
        )
        .cookie(&started.cookie)
        .send()
        .await
    }
}
