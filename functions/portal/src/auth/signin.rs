//! Signing in: the password step and the second-factor step, each throttled by `throttle`'s
//! attempt counters. These use cases take what a request tells (`RequestMeta`) and the store, and
//! answer with the new session; the web layer reads the request and sets the cookie. Nothing here
//! knows HTTP.

use serde::Serialize;
use time::Duration;
use utoipa::ToSchema;

use aws_sdk_dynamodb::types::TransactWriteItem;

use crate::auth::seal::SealKey;
use crate::auth::throttle::Throttle;
use crate::auth::{password, totp};
use crate::domain::account::{Company, Credential, MfaRecord, Session, User};
use crate::domain::audit::{AuditAction, AuditEntry, RequestMeta};
use crate::domain::sign_in::Provider;
use crate::domain::{
    CompanyId, Email, FieldError, SessionId, SignInMethod, UserId, UserStatus, random_hex,
};
use crate::store::{Store, keys};

/// How long the second step of a sign-in (the MFA code) may take.
pub const MFA_CHALLENGE_TTL: Duration = Duration::minutes(5);

/// What a sign-in works with: the store, the server's keys and session lifetimes, and the request.
pub struct SignIn<'a> {
    pub store: &'a Store,
    /// Seals the MFA challenge handed to the browser between the two steps.
    pub seal: &'a SealKey,
    /// The key TOTP secrets are derived from.
    pub mfa_key: &'a [u8],
    pub session_ttl: Duration,
    pub remember_ttl: Duration,
    /// When, and from which address and browser.
    pub meta: RequestMeta,
}

/// Why a sign-in step was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A wrong password, an unknown email or a deactivated user: one answer for all.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("invalid second-factor code")]
    InvalidCode,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    /// The challenge between the two steps is unknown or too old: start again.
    #[error("sign-in challenge expired")]
    ChallengeExpired,
    /// The right password (or provider) for a company that turned that way of signing in off:
    /// the company's name.
    #[error("sign-in method off")]
    MethodOff(String),
    /// A sign-in that does not resist phishing (a password, alone or with a code) for a company
    /// that requires one that does: the company's name.
    #[error("phishing-resistant sign-in required")]
    PhishingResistantRequired(String),
    /// A passkey's answer failed a check, or names no passkey the portal knows.
    #[error("passkey refused")]
    PasskeyRefused,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What `POST /api/auth/login` takes.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[schema(schema_with = crate::domain::validate::schema::non_blank)]
    pub email: String,
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
    #[serde(default)]
    pub remember: bool,
}

/// The answer to a correct password for a user with MFA: sign in with the code and this challenge.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallenge {
    pub mfa_required: bool,
    /// Pass to `POST /api/auth/login/mfa` (or its passkey routes); valid for five minutes.
    pub challenge: String,
    /// The second factors the user has: `code` (an authenticator app, or a recovery code) and
    /// `passkey`.
    #[schema(value_type = Vec<String>)]
    pub factors: Vec<&'static str>,
}

/// What `POST /api/auth/login/mfa` takes: the challenge and either a code or a recovery code.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaLoginBody {
    pub challenge: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

impl utoipa::PartialSchema for MfaLoginBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let one = |given: &str, other: &str| {
            serde_json::json!({
                "required": [given],
                "properties": {given: {"type": "string"}, other: {"type": "null"}},
            })
        };
        crate::domain::validate::schema::json(serde_json::json!({
            "type": "object",
            "description": "What `POST /api/auth/login/mfa` takes: the challenge and either a `code` from the authenticator app or a `recovery_code`.",
            "required": ["challenge"],
            "properties": {
                "challenge": {"type": "string"},
                "code": {"type": ["string", "null"]},
                "recovery_code": {"type": ["string", "null"]},
            },
            "oneOf": [one("code", "recovery_code"), one("recovery_code", "code")],
            "additionalProperties": false,
        }))
    }
}
impl ToSchema for MfaLoginBody {}

/// What a sign-in challenge carries (sealed with the server's key).
#[derive(Debug, Serialize, serde::Deserialize)]
pub(crate) struct PendingSignIn {
    /// Names the challenge, whose codes are counted on their own.
    pub id: String,
    pub company_id: CompanyId,
    pub user_id: UserId,
    pub email: Email,
    pub remember: bool,
    expires: i64,
    /// Signed in with a provider rather than a password (challenges from before it had none).
    #[serde(default)]
    pub provider: Option<Provider>,
}

/// The challenge between the two steps of a sign-in, if it is genuine and not too old.
pub(crate) fn open_pending(s: &SignIn<'_>, challenge: &str) -> Result<PendingSignIn, AuthError> {
    s.seal
        .open(MFA_PURPOSE, challenge)
        .filter(|p: &PendingSignIn| p.expires > s.meta.at.unix_timestamp())
        .ok_or(AuthError::ChallengeExpired)
}

/// How a sign-in was made, for the company's rules and the audit trail.
pub(crate) struct Way<'a> {
    /// The method the company must allow: a password (or a passkey, which stands in for one),
    /// Microsoft or Google.
    pub method: SignInMethod,
    /// A passkey or a provider took part: the sign-in resists phishing.
    pub phishing_resistant: bool,
    /// For the audit entry: "Signed in with …".
    pub summary: &'a str,
}

impl Way<'_> {
    /// The method of a first factor: a provider's, or a password.
    pub(crate) fn first(provider: Option<Provider>) -> SignInMethod {
        provider.map_or(SignInMethod::Password, Provider::method)
    }
}

const MFA_PURPOSE: &str = "mfa-sign-in";

/// The outcome of a correct password.
pub enum LoginOutcome {
    /// Signed in: the web layer sets the session's cookie.
    SignedIn(Session),
    NeedsCode(MfaChallenge),
}

/// Check a sign-in and start a session (four DynamoDB calls: the credential with its attempt
/// counters, the attempt's reservation, the user, the session's transaction). A wrong password, an
/// unknown email, an invited user without a password yet and a deactivated user get the same
/// answer after the same work. Too many attempts are refused before the password is checked
/// (`throttle`). A user with MFA gets a challenge instead of a session.
pub async fn login(s: &SignIn<'_>, body: LoginBody) -> Result<LoginOutcome, AuthError> {
    let mut errors = Vec::new();
    if body.email.trim().is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if body.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    } else if body.password.chars().count() > 1024 {
        errors.push(FieldError::new(
            "password",
            "Passwords are at most 1024 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(AuthError::Validation(errors));
    }
    let Ok(email) = Email::parse(&body.email) else {
        // Not an address at all: nobody can have it. Same answer as any other unknown email.
        password::verify_dummy(&body.password);
        return Err(AuthError::InvalidCredentials);
    };
    let now = s.meta.at;
    let throttle = Throttle::password(&email, s.meta.source_ip.as_deref(), now)?;
    let (credential, seen) = s
        .store
        .load_with_attempts::<Credential>(keys::credential(&email), &throttle.keys())
        .await?;
    throttle.reserve(s.store, &seen).await?;
    let verified = match &credential {
        Some(c) => password::verify(&body.password, &c.password_hash),
        None => password::verify_dummy(&body.password),
    };
    let credential = match credential {
        Some(c) if verified => c,
        other => {
            login_failed(s, other, &email).await?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    if credential.needs_second_factor() {
        // The password was right: its counters settle now; the code is counted on its own.
        s.store.settle_attempts(throttle.settle(s.store)?).await?;
        return Ok(LoginOutcome::NeedsCode(challenge(
            s,
            &credential,
            body.remember,
            None,
        )?));
    }
    let started = begin_session(
        s,
        &credential.company_id,
        &credential.user_id,
        body.remember,
        throttle.settle(s.store)?,
        Way {
            method: SignInMethod::Password,
            phishing_resistant: false,
            summary: "Signed in with password",
        },
    )
    .await?;
    if let Some(session) = started {
        Ok(LoginOutcome::SignedIn(session))
    } else {
        // Deactivated: the same answer as a wrong password.
        login_failed(s, None, &email).await?;
        Err(AuthError::InvalidCredentials)
    }
}

/// The challenge for the second step of a sign-in whose first step (a password, or a provider)
/// passed.
pub(crate) fn challenge(
    s: &SignIn<'_>,
    credential: &Credential,
    remember: bool,
    provider: Option<Provider>,
) -> Result<MfaChallenge, AuthError> {
    let mut factors = Vec::new();
    if credential.mfa {
        factors.push("code");
    }
    if credential.passkeys > 0 {
        factors.push("passkey");
    }
    let pending = PendingSignIn {
        id: random_hex(16),
        company_id: credential.company_id.clone(),
        user_id: credential.user_id.clone(),
        email: credential.email.clone(),
        remember,
        expires: (s.meta.at + MFA_CHALLENGE_TTL).unix_timestamp(),
        provider,
    };
    let challenge = s
        .seal
        .seal(MFA_PURPOSE, &pending)
        .ok_or_else(|| anyhow::anyhow!("sealing MFA challenge"))?;
    Ok(MfaChallenge {
        mfa_required: true,
        challenge,
        factors,
    })
}

/// Note a failed sign-in (its attempt is already counted): in the log, and for a known account in
/// its company's trail.
async fn login_failed(
    s: &SignIn<'_>,
    credential: Option<Credential>,
    email: &Email,
) -> Result<(), AuthError> {
    if let Some(c) = credential {
        let mut entry = AuditEntry::new(
            &s.meta,
            &c.company_id,
            None,
            AuditAction::SignInFailed,
            AuditEntry::user_target(&c.user_id),
            "Sign-in failed: wrong password",
        );
        entry.actor_id = Some(c.user_id);
        entry.actor_email = Some(c.email);
        s.store.record_audit(&entry).await?;
    }
    tracing::info!(email_hash = %short_hash(email.as_str()), "sign-in failed");
    Ok(())
}

/// Start a session for a user whose credentials were checked, with `settle` (the attempt
/// counters, the second factor spent) in the same transaction. `None` if the user is not active
/// (or the factor was spent meanwhile); refused if their company turned `way`'s method off, or
/// requires a phishing-resistant sign-in and `way` is not one.
async fn begin_session(
    s: &SignIn<'_>,
    company: &CompanyId,
    user: &UserId,
    remember: bool,
    settle: Vec<TransactWriteItem>,
    way: Way<'_>,
) -> Result<Option<Session>, AuthError> {
    // The epoch is the user's current one; the transaction refuses if it moved.
    let (Some(settings), Some(record)) = s.store.company_and_user(company, Some(user)).await?
    else {
        return Ok(None);
    };
    start_session(s, &settings, &record, remember, settle, way).await
}

/// `begin_session` with the company and user already read.
pub(crate) async fn start_session(
    s: &SignIn<'_>,
    company: &Company,
    user: &User,
    remember: bool,
    settle: Vec<TransactWriteItem>,
    way: Way<'_>,
) -> Result<Option<Session>, AuthError> {
    if !company.allows(way.method) {
        return Err(AuthError::MethodOff(company.name.clone()));
    }
    if company.sso.phishing_resistant && !way.phishing_resistant {
        return Err(AuthError::PhishingResistantRequired(company.name.clone()));
    }
    let session = new_session(s, user, remember);
    let audit = AuditEntry::new(
        &s.meta,
        &company.id,
        Some(user),
        AuditAction::SignIn,
        AuditEntry::user_target(&user.id),
        way.summary,
    );
    if user.status != UserStatus::Active || !s.store.start_session(&session, &audit, settle).await?
    {
        return Ok(None);
    }
    tracing::info!(user_id = %session.user_id, company_id = %session.company_id, "signed in");
    Ok(Some(session))
}

/// A new session of `user` (at their current epoch), from this request.
pub(crate) fn new_session(s: &SignIn<'_>, user: &User, remember: bool) -> Session {
    let now = s.meta.at;
    let ttl = if remember {
        s.remember_ttl
    } else {
        s.session_ttl
    };
    Session {
        id: SessionId::generate(),
        company_id: user.company_id.clone(),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now + ttl,
        remember,
        source_ip: s.meta.source_ip.clone(),
        user_agent: s.meta.user_agent.clone(),
        epoch: user.session_epoch,
        last_seen_at: None,
    }
}

/// The second step of a sign-in with MFA: a current TOTP code (each usable once) or an unused
/// recovery code. Attempts are counted per user and per challenge (`throttle`).
pub async fn login_mfa(s: &SignIn<'_>, body: MfaLoginBody) -> Result<Session, AuthError> {
    let now = s.meta.at;
    let pending = open_pending(s, &body.challenge)?;
    let (company, user) = (&pending.company_id, &pending.user_id);
    let code = match (&body.code, &body.recovery_code) {
        (Some(code), None) => Factor::Code(code),
        (None, Some(code)) => Factor::Recovery(code),
        _ => {
            return Err(AuthError::Validation(vec![FieldError::new(
                "code",
                "Enter the code from your authenticator app, or a recovery code",
            )]));
        }
    };
    let throttle = Throttle::second_factor(user, Some(&pending.id), now)?;
    let (record, seen) = s
        .store
        .load_with_attempts::<MfaRecord>(keys::mfa(company, user), &throttle.keys())
        .await?;
    throttle.reserve(s.store, &seen).await?;
    let record = record.filter(|r| r.enabled);
    let spend = match (&record, code) {
        (Some(record), Factor::Code(code)) => {
            totp::fresh_step(s.mfa_key, user, record, code, now.unix_timestamp())
                .map(|step| s.store.mfa_step_part(company, user, step))
                .transpose()?
                .map(|part| (part, "authenticator code"))
        }
        (Some(record), Factor::Recovery(code)) => {
            let hash = totp::recovery_hash(code);
            record
                .recovery
                .iter()
                .position(|h| *h == hash)
                .map(|i| s.store.mfa_recovery_part(company, user, i, &hash))
                .transpose()?
                .map(|part| (part, "a recovery code"))
        }
        (None, _) => None,
    };
    if let Some((part, factor)) = spend {
        let mut settle = throttle.settle(s.store)?;
        settle.push(part);
        let first = pending.provider.map_or("password", |p| p.label());
        let how = format!("Signed in with {first} and {factor}");
        if let Some(session) = begin_session(
            s,
            company,
            user,
            pending.remember,
            settle,
            Way {
                method: Way::first(pending.provider),
                phishing_resistant: pending.provider.is_some(),
                summary: &how,
            },
        )
        .await?
        {
            return Ok(session);
        }
    }
    let mut entry = AuditEntry::new(
        &s.meta,
        company,
        None,
        AuditAction::MfaChallengeFailed,
        AuditEntry::user_target(user),
        "Sign-in failed: wrong or reused second-factor code",
    );
    entry.actor_id = Some(user.clone());
    entry.actor_email = Some(pending.email.clone());
    s.store.record_audit(&entry).await?;
    Err(AuthError::InvalidCode)
}

/// What the second step was given.
enum Factor<'a> {
    Code(&'a str),
    Recovery(&'a str),
}

/// A short, non-reversible tag for logs, so failures can be correlated without logging addresses.
fn short_hash(s: &str) -> String {
    crate::domain::sha256_hex(s.as_bytes(), 6)
}
