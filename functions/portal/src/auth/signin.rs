//! Signing in: the password step, the second-factor step, and the failure counters that throttle
//! both. These use cases take what a request tells (`RequestMeta`) and the store, and answer with
//! the new session; the web layer reads the request and sets the cookie. Nothing here knows HTTP.

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::auth::seal::SealKey;
use crate::auth::{password, totp};
use crate::domain::account::Session;
use crate::domain::audit::{AuditAction, AuditEntry, RequestMeta};
use crate::domain::{CompanyId, Email, FieldError, SessionId, UserId, UserStatus};
use crate::store::{Store, keys};

/// Failed sign-ins allowed per email within one window before the email is locked for the rest of it.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

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
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What `POST /api/auth/login` takes.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub remember: bool,
}

/// The answer to a correct password for a user with MFA: sign in with the code and this challenge.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallenge {
    pub mfa_required: bool,
    /// Pass to `POST /api/auth/login/mfa`; valid for five minutes.
    pub challenge: String,
}

/// What `POST /api/auth/login/mfa` takes: the challenge and either a code or a recovery code.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaLoginBody {
    pub challenge: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// What a sign-in challenge carries (sealed with the server's key).
#[derive(Debug, Serialize, serde::Deserialize)]
struct PendingSignIn {
    company_id: CompanyId,
    user_id: UserId,
    email: Email,
    remember: bool,
    expires: i64,
}

const MFA_PURPOSE: &str = "mfa-sign-in";

/// The outcome of a correct password.
pub enum LoginOutcome {
    /// Signed in: the web layer sets the session's cookie.
    SignedIn(Session),
    NeedsCode(MfaChallenge),
}

pub fn failure_window(now: OffsetDateTime) -> Result<(i64, OffsetDateTime), AuthError> {
    let window = now.unix_timestamp() / FAILURE_WINDOW_SECS;
    let end = OffsetDateTime::from_unix_timestamp((window + 1) * FAILURE_WINDOW_SECS)
        .map_err(anyhow::Error::from)?;
    Ok((window, end))
}

/// Check a sign-in and start a session (two DynamoDB calls). A wrong password, an unknown email
/// and a deactivated user get the same answer after the same work; an email with too many recent
/// failures is refused without checking the password. A user with MFA gets a challenge instead of
/// a session.
pub async fn login(s: &SignIn<'_>, body: LoginBody) -> Result<LoginOutcome, AuthError> {
    let mut errors = Vec::new();
    if body.email.trim().is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if body.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    } else if body.password.len() > 1024 {
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
    let (window, window_end) = failure_window(now)?;
    let (credential, failures) = s.store.load_login(&email, window).await?;
    if failures >= MAX_FAILURES {
        tracing::warn!(email_hash = %short_hash(email.as_str()), "sign-in throttled");
        return Err(AuthError::TooManyAttempts {
            retry_after_secs: (window_end - now).whole_seconds(),
        });
    }
    let verified = match &credential {
        Some(c) => password::verify(&body.password, &c.password_hash),
        None => password::verify_dummy(&body.password),
    };
    let credential = match credential {
        Some(c) if verified => c,
        other => {
            login_failed(s, other, &email, window, window_end).await?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    if credential.mfa {
        let pending = PendingSignIn {
            company_id: credential.company_id,
            user_id: credential.user_id,
            email,
            remember: body.remember,
            expires: (now + MFA_CHALLENGE_TTL).unix_timestamp(),
        };
        let challenge = s
            .seal
            .seal(MFA_PURPOSE, &pending)
            .ok_or_else(|| anyhow::anyhow!("sealing MFA challenge"))?;
        return Ok(LoginOutcome::NeedsCode(MfaChallenge {
            mfa_required: true,
            challenge,
        }));
    }
    let started = begin_session(
        s,
        &credential.company_id,
        &credential.user_id,
        &email,
        body.remember,
        window,
        None,
        "Signed in with password",
    )
    .await?;
    if let Some(session) = started {
        Ok(LoginOutcome::SignedIn(session))
    } else {
        // Deactivated: the same answer as a wrong password.
        login_failed(s, None, &email, window, window_end).await?;
        Err(AuthError::InvalidCredentials)
    }
}

/// Count a failed sign-in for `email`; a known account's failure also goes into its company's
/// trail.
async fn login_failed(
    s: &SignIn<'_>,
    credential: Option<crate::domain::account::Credential>,
    email: &Email,
    window: i64,
    window_end: OffsetDateTime,
) -> Result<(), AuthError> {
    let audit = credential.map(|c| {
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
        entry
    });
    s.store
        .record_failure(
            keys::login_failures(email, window),
            window_end + Duration::hours(1),
            audit.as_ref(),
        )
        .await?;
    tracing::info!(email_hash = %short_hash(email.as_str()), "sign-in failed");
    Ok(())
}

/// Start a session for a user whose credentials were checked, with `second_factor` (the MFA
/// record's update) in the same transaction. `false` if the user is not active (or the factor was
/// spent meanwhile).
#[allow(clippy::too_many_arguments)]
async fn begin_session(
    s: &SignIn<'_>,
    company: &CompanyId,
    user: &UserId,
    email: &Email,
    remember: bool,
    window: i64,
    second_factor: Option<aws_sdk_dynamodb::types::TransactWriteItem>,
    how: &str,
) -> Result<Option<Session>, AuthError> {
    let now = s.meta.at;
    // The epoch is the user's current one; the transaction refuses if it moved.
    let Some(record) = s.store.get_user(company, user).await? else {
        return Ok(None);
    };
    let ttl = if remember {
        s.remember_ttl
    } else {
        s.session_ttl
    };
    let session = Session {
        id: SessionId::generate(),
        company_id: company.clone(),
        user_id: user.clone(),
        created_at: now,
        expires_at: now + ttl,
        remember,
        source_ip: s.meta.source_ip.clone(),
        user_agent: s.meta.user_agent.clone(),
        epoch: record.session_epoch,
    };
    let audit = AuditEntry::new(
        &s.meta,
        company,
        Some(&record),
        AuditAction::SignIn,
        AuditEntry::user_target(user),
        how,
    );
    if record.status != UserStatus::Active
        || !s
            .store
            .start_session(&session, email, window, &audit, second_factor)
            .await?
    {
        return Ok(None);
    }
    tracing::info!(user_id = %session.user_id, company_id = %session.company_id, "signed in");
    Ok(Some(session))
}

/// The second step of a sign-in with MFA: a current TOTP code (each usable once) or an unused
/// recovery code. Failures are counted per user; five in a window lock the step for its rest.
pub async fn login_mfa(s: &SignIn<'_>, body: MfaLoginBody) -> Result<Session, AuthError> {
    let now = s.meta.at;
    let pending: PendingSignIn = s
        .seal
        .open(MFA_PURPOSE, &body.challenge)
        .filter(|p: &PendingSignIn| p.expires > now.unix_timestamp())
        .ok_or(AuthError::ChallengeExpired)?;
    let (window, window_end) = failure_window(now)?;
    let (record, failures) = s
        .store
        .load_mfa(&pending.company_id, &pending.user_id, window)
        .await?;
    if failures >= MAX_FAILURES {
        return Err(AuthError::TooManyAttempts {
            retry_after_secs: (window_end - now).whole_seconds(),
        });
    }
    let record = record.filter(|r| r.enabled).ok_or(AuthError::InvalidCode)?;
    let store = &s.store;
    let (part, how) = match (&body.code, &body.recovery_code) {
        (Some(code), None) => {
            let secret = totp::secret(s.mfa_key, &pending.user_id, &record.nonce);
            let step = totp::matching_step(&secret, code, totp::step_at(now.unix_timestamp()))
                .filter(|&step| step > record.last_step);
            (
                step.map(|step| store.mfa_step_part(&pending.company_id, &pending.user_id, step))
                    .transpose()?,
                "Signed in with password and authenticator code",
            )
        }
        (None, Some(code)) => {
            let hash = totp::recovery_hash(code);
            (
                record
                    .recovery
                    .iter()
                    .position(|h| *h == hash)
                    .map(|i| {
                        store.mfa_recovery_part(&pending.company_id, &pending.user_id, i, &hash)
                    })
                    .transpose()?,
                "Signed in with password and a recovery code",
            )
        }
        _ => {
            return Err(AuthError::Validation(vec![FieldError::new(
                "code",
                "Enter the code from your authenticator app, or a recovery code",
            )]));
        }
    };
    let started = match part {
        Some(part) => {
            begin_session(
                s,
                &pending.company_id,
                &pending.user_id,
                &pending.email,
                pending.remember,
                window,
                Some(part),
                how,
            )
            .await?
        }
        None => None,
    };
    if let Some(session) = started {
        return Ok(session);
    }
    let mut entry = AuditEntry::new(
        &s.meta,
        &pending.company_id,
        None,
        AuditAction::MfaChallengeFailed,
        AuditEntry::user_target(&pending.user_id),
        "Sign-in failed: wrong or reused second-factor code",
    );
    entry.actor_id = Some(pending.user_id.clone());
    entry.actor_email = Some(pending.email.clone());
    s.store
        .record_failure(
            keys::mfa_failures(&pending.user_id, window),
            window_end + Duration::hours(1),
            Some(&entry),
        )
        .await?;
    Err(AuthError::InvalidCode)
}

/// A short, non-reversible tag for logs, so failures can be correlated without logging addresses.
fn short_hash(s: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes());
    digest.as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
