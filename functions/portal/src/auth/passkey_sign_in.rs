//! Signing in with a passkey (docs/passkeys.md): on its own — the browser offers the passkeys it
//! has for the portal, no email typed — or as the second step after a password (or a provider).
//! Either way the answered challenge is marked spent and the passkey's new state kept in the
//! session's own transaction: an answer replayed, or two at once, start one session at most.

use serde::Deserialize;
use time::Duration;
use utoipa::ToSchema;

use crate::auth::passkeys::{self, Assertion, PasskeyError, RelyingParty, Started};
use crate::auth::signin::{AuthError, SignIn, Way, open_pending, start_session};
use crate::domain::SignInMethod;
use crate::domain::account::Session;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::passkeys::Passkey;
use crate::store::PasskeyOwner;

/// How long an answered challenge is remembered: longer than any ceremony lives (five minutes).
const SPENT_FOR: Duration = Duration::minutes(10);

/// What `POST /api/auth/passkey` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeySignInBody {
    /// From `POST /api/auth/passkey/options`.
    pub ceremony: String,
    /// What `navigator.credentials.get()` answered, in WebAuthn's JSON form
    /// (`PublicKeyCredential.toJSON()`; binary fields base64url).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    #[serde(default)]
    pub remember: bool,
}

/// What `POST /api/auth/login/mfa/passkey` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyFactorBody {
    /// The sign-in's challenge, from the first step.
    pub challenge: String,
    /// From `POST /api/auth/login/mfa/passkey/options`.
    pub ceremony: String,
    /// What `navigator.credentials.get()` answered, in WebAuthn's JSON form.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// What `POST /api/auth/login/mfa/passkey/options` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingChallenge {
    pub challenge: String,
}

fn refused(err: PasskeyError) -> AuthError {
    match err {
        PasskeyError::Malformed(why) => {
            AuthError::Validation(vec![crate::domain::FieldError::new(
                "credential",
                format!("This is not a passkey's answer: {why}"),
            )])
        }
        PasskeyError::Expired => AuthError::ChallengeExpired,
        PasskeyError::Refused(why) => {
            tracing::info!(%why, "passkey refused");
            AuthError::PasskeyRefused
        }
    }
}

/// Sign in with a passkey alone (three DynamoDB calls: the credential's owner; the company, user
/// and passkey; the session's transaction). Where the company turned passwords off, a passkey
/// is not a way in on its own either: the provider stays the gate.
pub async fn sign_in(
    s: &SignIn<'_>,
    rp: &RelyingParty,
    body: PasskeySignInBody,
) -> Result<Session, AuthError> {
    let assertion = passkeys::read_assertion(s.seal, &body.ceremony, false, body.credential)
        .map_err(refused)?;
    let owner = s
        .store
        .passkey_owner(&assertion.credential)
        .await?
        .ok_or(AuthError::PasskeyRefused)?;
    let way = Way {
        method: SignInMethod::Password,
        phishing_resistant: true,
        summary: "Signed in with a passkey",
    };
    finish(s, rp, &assertion, &owner, body.remember, way).await
}

/// The passkeys a user may answer the second step with (one Query), as a ceremony.
pub async fn start_second_factor(
    s: &SignIn<'_>,
    rp: &RelyingParty,
    body: PendingChallenge,
) -> Result<Started, AuthError> {
    let pending = open_pending(s, &body.challenge)?;
    let (company, user) = (&pending.company_id, &pending.user_id);
    let passkeys = s.store.list_passkeys(company, user).await?;
    passkeys::start_second_factor(rp, s.seal, company, user, &passkeys)?.ok_or_else(|| {
        AuthError::Validation(vec![crate::domain::FieldError::new(
            "challenge",
            "You have no passkey: use your authenticator app",
        )])
    })
}

/// The second step of a sign-in answered with a passkey (two DynamoDB calls: the company, user
/// and passkey; the session's transaction).
pub async fn second_factor(
    s: &SignIn<'_>,
    rp: &RelyingParty,
    body: PasskeyFactorBody,
) -> Result<Session, AuthError> {
    let pending = open_pending(s, &body.challenge)?;
    let assertion =
        passkeys::read_assertion(s.seal, &body.ceremony, true, body.credential).map_err(refused)?;
    let owner = (pending.company_id, pending.user_id);
    if assertion.for_user() != Some(&owner) {
        return Err(AuthError::ChallengeExpired);
    }
    let owner = PasskeyOwner {
        company_id: owner.0,
        user_id: owner.1,
    };
    let first = pending.provider.map_or("password", |p| p.label());
    let summary = format!("Signed in with {first} and a passkey");
    let way = Way {
        method: Way::first(pending.provider),
        phishing_resistant: true,
        summary: &summary,
    };
    finish(s, rp, &assertion, &owner, pending.remember, way).await
}

/// Check `assertion` against the passkey it names of `owner`, and start the session.
async fn finish(
    s: &SignIn<'_>,
    rp: &RelyingParty,
    assertion: &Assertion,
    owner: &PasskeyOwner,
    remember: bool,
    way: Way<'_>,
) -> Result<Session, AuthError> {
    let (company, user, passkey) = s
        .store
        .passkey_sign_in(owner, &assertion.credential)
        .await?;
    let (Some(company), Some(user), Some(passkey)) = (company, user, passkey) else {
        return Err(AuthError::PasskeyRefused);
    };
    let state = match assertion.verify(rp, &passkey) {
        Ok(state) => state,
        Err(err) => {
            failed(s, &passkey, &user.email).await?;
            return Err(refused(err));
        }
    };
    let settle = vec![
        s.store.passkey_used_part(&passkey, &state, s.meta.at)?,
        s.store
            .spend_passkey_challenge_part(&assertion.challenge_hash(), s.meta.at + SPENT_FOR)?,
    ];
    start_session(s, &company, &user, remember, settle, way)
        .await?
        .ok_or(AuthError::PasskeyRefused)
}

/// Note a passkey answer that failed its checks in the company's trail.
async fn failed(
    s: &SignIn<'_>,
    passkey: &Passkey,
    email: &crate::domain::Email,
) -> Result<(), AuthError> {
    let mut entry = AuditEntry::new(
        &s.meta,
        &passkey.company_id,
        None,
        AuditAction::SignInFailed,
        AuditEntry::user_target(&passkey.user_id),
        format!(
            "Sign-in with the passkey {:?} failed its checks",
            passkey.name
        ),
    );
    entry.actor_id = Some(passkey.user_id.clone());
    entry.actor_email = Some(email.clone());
    s.store.record_audit(&entry).await?;
    Ok(())
}
