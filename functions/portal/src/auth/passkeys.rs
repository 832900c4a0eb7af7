//! WebAuthn ceremonies for passkeys (docs/passkeys.md), over `webauthn_rp`: the options a browser
//! hands to `navigator.credentials.create()` / `.get()`, and the checks of what it answers —
//! the challenge, the origin and RP id, user presence and verification, the signature and the
//! signature counter. Registration asks for no attestation ("none"): the portal trusts whatever
//! authenticator the user chose, as password managers and phones are what people have.
//!
//! The ceremony's server state travels to the browser and back sealed (`SealKey`) with the
//! options — no table write to start one — and the answered challenge is marked spent in the
//! transaction that uses it, so one answer is never accepted twice.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use webauthn_rp::bin::{Decode, Encode};
use webauthn_rp::request::auth::{AllowedCredentials, AuthenticationVerificationOptions};
use webauthn_rp::request::register::{
    CredProtect, Nickname, PublicKeyCredentialUserEntity, RegistrationVerificationOptions,
    UserHandle, Username,
};
use webauthn_rp::request::{AsciiDomain, Credentials, PublicKeyCredentialDescriptor, RpId};
use webauthn_rp::response::auth::ser_relaxed::AuthenticationRelaxed;
use webauthn_rp::response::register::ser_relaxed::RegistrationRelaxed;
use webauthn_rp::response::register::{CompressedPubKey, DynamicState, StaticState};
use webauthn_rp::response::{AuthTransports, Backup, CredentialId};
use webauthn_rp::{
    AuthenticatedCredential, DiscoverableAuthenticationServerState,
    DiscoverableCredentialRequestOptions, NonDiscoverableAuthenticationServerState,
    NonDiscoverableCredentialRequestOptions, PublicKeyCredentialCreationOptions,
    RegistrationServerState,
};

use crate::auth::seal::SealKey;
use crate::domain::account::User;
use crate::domain::passkeys::Passkey;
use crate::domain::{CompanyId, UserId};

/// User handles are 16 bytes, derived from the company and user ids (no personal data).
const HANDLE_LEN: usize = 16;
type Handle = UserHandle<HANDLE_LEN>;
/// A stored public key, as the library decodes it.
type StoredKey = CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>;

/// The relying party: the RP id (the portal's host) and the one origin answers may come from.
pub struct RelyingParty {
    id: RpId,
    origin: String,
}

impl RelyingParty {
    /// The relying party of a portal served at `origin`: the RP id is its host. Browsers refuse
    /// IP addresses as RP ids, so a local portal uses passkeys at its `localhost` alias
    /// (`Config::origin_alias`).
    pub fn for_origin(origin: &str) -> anyhow::Result<Self> {
        let host_port = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .ok_or_else(|| anyhow::anyhow!("origin {origin:?} has no scheme"))?;
        let host = match host_port.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host_port,
        };
        let domain = AsciiDomain::try_from(host.to_owned())
            .map_err(|e| anyhow::anyhow!("{host:?} cannot be a WebAuthn RP id: {e}"))?;
        Ok(Self {
            id: RpId::Domain(domain),
            origin: origin.to_owned(),
        })
    }
}

/// Why a ceremony's answer was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The answer is not a credential at all (for the `credential` field).
    #[error("malformed credential: {0}")]
    Malformed(String),
    /// The ceremony is unknown, for someone else, or too old: start again.
    #[error("ceremony expired")]
    Expired,
    /// The answer failed a check (signature, origin, RP id, user verification, counter…).
    #[error("refused: {0}")]
    Refused(String),
}

/// What starting a ceremony answers: the options for the browser and the sealed state to send
/// back with its answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Started {
    /// Pass back with the browser's answer; valid for five minutes.
    pub ceremony: String,
    /// `publicKey` options for `navigator.credentials.create()` or `.get()`, in WebAuthn's JSON
    /// form (binary fields base64url).
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// A ceremony's server state, sealed.
#[derive(Serialize, Deserialize)]
struct Ceremony {
    /// The library's encoding of the server state (base64url).
    state: String,
    /// Registration and second-factor ceremonies are for one user.
    #[serde(default)]
    user: Option<(CompanyId, UserId)>,
}

const REGISTER: &str = "passkey-register";
const SIGN_IN: &str = "passkey-sign-in";
const SECOND_FACTOR: &str = "passkey-second-factor";

/// The user handle of a user: 16 bytes of a hash of their ids (authenticators keep one passkey
/// per handle and site).
fn handle(company: &CompanyId, user: &UserId) -> Handle {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("portal-passkey-user\0{company}\0{user}").as_bytes(),
    );
    let mut bytes = [0u8; HANDLE_LEN];
    bytes.copy_from_slice(&digest.as_ref()[..HANDLE_LEN]);
    Handle::from(bytes)
}

/// A started ceremony, handed out: the library's encoding of its server state (`encoded`), for
/// `user` if it is one user's, sealed for `purpose`, with the browser's `options`.
fn hand_out<E: std::fmt::Debug>(
    key: &SealKey,
    purpose: &str,
    encoded: Result<Vec<u8>, E>,
    user: Option<(CompanyId, UserId)>,
    options: &impl Serialize,
) -> anyhow::Result<Started> {
    let state = encoded.map_err(|e| anyhow::anyhow!("encoding {purpose} state: {e:?}"))?;
    let ceremony = Ceremony {
        state: B64.encode(state),
        user,
    };
    Ok(Started {
        ceremony: key
            .seal(purpose, &ceremony)
            .ok_or_else(|| anyhow::anyhow!("sealing {purpose} ceremony"))?,
        options: serde_json::to_value(options)?,
    })
}

fn open(seal: &SealKey, purpose: &str, token: &str) -> Result<(Vec<u8>, Ceremony), PasskeyError> {
    let ceremony: Ceremony = seal.open(purpose, token).ok_or(PasskeyError::Expired)?;
    let state = B64
        .decode(&ceremony.state)
        .map_err(|_| PasskeyError::Expired)?;
    Ok((state, ceremony))
}

fn descriptor(passkey: &Passkey) -> Option<PublicKeyCredentialDescriptor<Vec<u8>>> {
    let id = CredentialId::try_from(B64.decode(&passkey.id).ok()?).ok()?;
    Some(PublicKeyCredentialDescriptor {
        id,
        transports: AuthTransports::NONE,
    })
}

/// Start registering a passkey for `user` (who has `existing` ones, which the authenticator is
/// told not to register again).
pub fn start_registration(
    rp: &RelyingParty,
    key: &SealKey,
    user: &User,
    existing: &[Passkey],
) -> anyhow::Result<Started> {
    let handle = handle(&user.company_id, &user.id);
    let name = Username::try_from(user.email.as_str())
        .map_err(|e| anyhow::anyhow!("user name for passkey: {e}"))?;
    let entity = PublicKeyCredentialUserEntity {
        name,
        id: &handle,
        display_name: Nickname::try_from(user.name.as_str()).ok(),
    };
    let exclude = existing.iter().filter_map(descriptor).collect();
    let mut options = PublicKeyCredentialCreationOptions::passkey(&rp.id, entity, exclude);
    // Verification is required at every use anyway; asking authenticators to enforce a
    // credential protection policy would turn away some that cannot.
    options.extensions.cred_protect = CredProtect::None;
    let (server, client) = options
        .start_ceremony()
        .map_err(|e| anyhow::anyhow!("passkey registration options: {e}"))?;
    let user = Some((user.company_id.clone(), user.id.clone()));
    hand_out(key, REGISTER, server.encode(), user, &client)
}

/// Check a browser's answer to a registration ceremony of `user`: the passkey to keep (named
/// `name`), created at `now`.
pub fn finish_registration(
    rp: &RelyingParty,
    key: &SealKey,
    user: &User,
    token: &str,
    credential: &serde_json::Value,
    name: String,
    now: OffsetDateTime,
) -> Result<Passkey, PasskeyError> {
    let (state, ceremony) = open(key, REGISTER, token)?;
    if ceremony.user != Some((user.company_id.clone(), user.id.clone())) {
        return Err(PasskeyError::Expired);
    }
    let server = RegistrationServerState::<HANDLE_LEN>::decode(state.as_slice())
        .map_err(|_| PasskeyError::Expired)?;
    let registration = RegistrationRelaxed::deserialize(credential)
        .map_err(|e| PasskeyError::Malformed(e.to_string()))?
        .0;
    let origins = [rp.origin.as_str()];
    let options = RegistrationVerificationOptions::<&str, &str> {
        allowed_origins: &origins,
        error_on_unsolicited_extensions: false,
        ..Default::default()
    };
    let registered = server
        .verify(&rp.id, &registration, &options)
        .map_err(|e| PasskeyError::Refused(e.to_string()))?;
    let (id, _, _, public_key, state, _) = registered.into_parts();
    let public_key = public_key
        .encode()
        .map_err(|e| PasskeyError::Refused(format!("{e:?}")))?;
    Ok(Passkey {
        id: B64.encode(id.as_ref()),
        company_id: user.company_id.clone(),
        user_id: user.id.clone(),
        name,
        created_at: now,
        last_used_at: None,
        public_key: B64.encode(public_key),
        state: encode_state(state)?,
        synced: !matches!(state.backup, Backup::NotEligible),
    })
}

fn encode_state(state: DynamicState) -> Result<String, PasskeyError> {
    let bytes = state
        .encode()
        .map_err(|e| PasskeyError::Refused(format!("{e:?}")))?;
    Ok(B64.encode(bytes))
}

/// Start a sign-in with a passkey, for whoever's it is (a discoverable credential: the browser
/// offers the passkeys it has for this site).
pub fn start_sign_in(rp: &RelyingParty, key: &SealKey) -> anyhow::Result<Started> {
    let (server, client) = DiscoverableCredentialRequestOptions::passkey(&rp.id)
        .start_ceremony()
        .map_err(|e| anyhow::anyhow!("passkey sign-in options: {e}"))?;
    hand_out(key, SIGN_IN, server.encode(), None, &client)
}

/// Start the second step of a sign-in with one of `passkeys` (those of the user who gave the
/// right password). `None` if they have none.
pub fn start_second_factor(
    rp: &RelyingParty,
    key: &SealKey,
    company: &CompanyId,
    user: &UserId,
    passkeys: &[Passkey],
) -> anyhow::Result<Option<Started>> {
    let mut allowed = AllowedCredentials::new();
    for d in passkeys.iter().filter_map(descriptor) {
        allowed.push(d.into());
    }
    let Ok(mut options) = NonDiscoverableCredentialRequestOptions::second_factor(&rp.id, allowed)
    else {
        return Ok(None);
    };
    // A second factor after a password still asks the authenticator to verify its user.
    options.options().user_verification =
        webauthn_rp::request::UserVerificationRequirement::Required;
    let (server, client) = options
        .start_ceremony()
        .map_err(|e| anyhow::anyhow!("passkey second-factor options: {e}"))?;
    let user = Some((company.clone(), user.clone()));
    hand_out(key, SECOND_FACTOR, server.encode(), user, &client).map(Some)
}

/// A browser's answer to a sign-in ceremony, read but not yet checked: whose passkey it names.
pub struct Assertion {
    state: Vec<u8>,
    ceremony: Ceremony,
    discoverable: bool,
    response: serde_json::Value,
    /// The credential id (base64url) the answer names.
    pub credential: String,
}

/// Read the answer to a sign-in (`second_factor`: the second step after a password) ceremony.
pub fn read_assertion(
    key: &SealKey,
    token: &str,
    second_factor: bool,
    response: serde_json::Value,
) -> Result<Assertion, PasskeyError> {
    let purpose = if second_factor {
        SECOND_FACTOR
    } else {
        SIGN_IN
    };
    let (state, ceremony) = open(key, purpose, token)?;
    let credential = response
        .get("rawId")
        .or_else(|| response.get("id"))
        .and_then(serde_json::Value::as_str)
        .filter(|id| crate::domain::passkeys::is_credential_id(id))
        .ok_or_else(|| PasskeyError::Malformed("no credential id".into()))?
        .to_owned();
    Ok(Assertion {
        state,
        ceremony,
        discoverable: !second_factor,
        response,
        credential,
    })
}

impl Assertion {
    /// The user a second-factor ceremony was started for.
    pub fn for_user(&self) -> Option<&(CompanyId, UserId)> {
        self.ceremony.user.as_ref()
    }

    /// A tag of the ceremony, to mark it answered.
    pub fn challenge_hash(&self) -> String {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.state);
        B64.encode(digest.as_ref())
    }

    /// Check the answer against the stored `passkey`: the passkey's new state (base64url).
    pub fn verify(&self, rp: &RelyingParty, passkey: &Passkey) -> Result<String, PasskeyError> {
        let refused = |e: &dyn std::fmt::Display| PasskeyError::Refused(e.to_string());
        let user = handle(&passkey.company_id, &passkey.user_id);
        let id_bytes = B64.decode(&passkey.id).map_err(|e| refused(&e))?;
        let id = CredentialId::try_from(id_bytes.as_slice()).map_err(|e| refused(&e))?;
        let public_key = B64.decode(&passkey.public_key).map_err(|e| refused(&e))?;
        let public_key =
            StaticState::<StoredKey>::decode(public_key.as_slice()).map_err(|e| refused(&e))?;
        let state = B64.decode(&passkey.state).map_err(|e| refused(&e))?;
        let state: [u8; 7] = state
            .try_into()
            .map_err(|_| PasskeyError::Refused("stored state".into()))?;
        let state = DynamicState::decode(state).map_err(|e| refused(&e))?;
        let mut credential =
            AuthenticatedCredential::new(id, &user, public_key, state).map_err(|e| refused(&e))?;
        let origins = [rp.origin.as_str()];
        let options = AuthenticationVerificationOptions::<&str, &str> {
            allowed_origins: &origins,
            error_on_unsolicited_extensions: false,
            update_uv: true,
            ..Default::default()
        };
        let malformed = |e: serde_json::Error| PasskeyError::Malformed(e.to_string());
        if self.discoverable {
            let server = DiscoverableAuthenticationServerState::decode(self.state.as_slice())
                .map_err(|_| PasskeyError::Expired)?;
            let answer = AuthenticationRelaxed::<HANDLE_LEN, true>::deserialize(&self.response)
                .map_err(malformed)?;
            server
                .verify(&rp.id, &answer.0, &mut credential, &options)
                .map_err(|e| refused(&e))?;
        } else {
            let server = NonDiscoverableAuthenticationServerState::decode(self.state.as_slice())
                .map_err(|_| PasskeyError::Expired)?;
            let answer = AuthenticationRelaxed::<HANDLE_LEN, false>::deserialize(&self.response)
                .map_err(malformed)?;
            server
                .verify(&rp.id, &answer.0, &mut credential, &options)
                .map_err(|e| refused(&e))?;
        }
        encode_state(credential.dynamic_state())
    }
}
