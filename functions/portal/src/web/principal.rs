//! Sign-in, sessions and the principal. A session is a short-lived signed JWT in an HttpOnly cookie
//! naming a session item; every request checks the item, so logout, deactivation and (later)
//! password changes end sessions at once. Authorisation happens here, once per request, from the
//! principal's role: handlers ask for capabilities, never for role names.

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::auth::password;
use crate::auth::token::TOKEN_TTL;
use crate::auth::totp;
use crate::aws::config::Config;
use crate::domain::account::{Company, Session, User};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::roles::{Capability, Role};
use crate::domain::tickets::Ticket;
use crate::domain::{
    CompanyId, CompanyKind, Email, NotifyPrefs, SessionId, Theme, UserId, UserStatus,
};
use crate::store::keys;
use crate::web::error::ApiError;
use crate::web::http::Ctx;
use crate::web::state::App;

/// Failed sign-ins allowed per email within one window before the email is locked for the rest of it.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// Who is making the request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    pub company: Company,
    pub session: Session,
}

/// How long the second step of a sign-in (the MFA code) may take.
pub const MFA_CHALLENGE_TTL: Duration = Duration::minutes(5);

impl Principal {
    /// The user must enrol in MFA before doing anything else: their company requires it.
    pub fn must_enrol_mfa(&self) -> bool {
        self.company.mfa_required && !self.user.mfa_enabled
    }

    /// An audit entry for something this principal did, in `company`'s trail.
    pub fn audit(
        &self,
        ctx: &Ctx<'_>,
        company: &CompanyId,
        action: AuditAction,
        target: Option<String>,
        summary: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry::new(
            &ctx.meta(),
            company,
            Some(&self.user),
            action,
            target,
            summary,
        )
    }

    pub fn can(&self, capability: Capability) -> bool {
        self.user.role.can(capability)
    }

    /// `Ok` if the principal holds `capability`, else 403.
    pub fn require(&self, capability: Capability) -> Result<(), ApiError> {
        if self.can(capability) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Whose tickets this principal may see in a company it may act on (`scope`): `None`, all of
    /// them (MSP staff, roles that see the company's tickets); `Some(me)`, only those it is the
    /// contact of; 403 when it may see none. The one statement of the rule: lists, counts and the
    /// detail page all ask it.
    pub fn ticket_contact_scope(&self) -> Result<Option<&UserId>, ApiError> {
        if self.can(Capability::AllCompanies) || self.can(Capability::ViewCompanyTickets) {
            Ok(None)
        } else if self.can(Capability::ViewOwnTickets) {
            Ok(Some(&self.user.id))
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Whether this principal may see `ticket`, whose company is in its scope.
    pub fn may_see_ticket(&self, ticket: &Ticket) -> bool {
        match self.ticket_contact_scope() {
            Ok(None) => true,
            Ok(Some(me)) => ticket.contact_id == *me,
            Err(_) => false,
        }
    }

    /// The company a request may act on when it names `company`: its own, or any for MSP staff.
    /// Another company's id answers 404, exactly as an id that does not exist.
    pub fn scope(&self, company: &str) -> Result<CompanyId, ApiError> {
        let id = CompanyId::parse(company)?;
        if id == self.company.id || self.can(Capability::AllCompanies) {
            Ok(id)
        } else {
            Err(ApiError::NotFound)
        }
    }
}

/// The answer of `GET /api/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: MeUser,
    pub company: MeCompany,
    pub capabilities: Vec<Capability>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub session_expires_at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub phone: String,
    pub mobile: String,
    pub theme: Theme,
    pub notify: NotifyPrefs,
    pub mfa_enabled: bool,
    /// The company requires MFA and the user has not enrolled: nothing else works until they do.
    pub must_enrol_mfa: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeCompany {
    pub id: String,
    pub name: String,
    pub kind: CompanyKind,
    pub mfa_required: bool,
}

impl From<&Principal> for Me {
    fn from(p: &Principal) -> Self {
        Me {
            user: MeUser {
                id: p.user.id.to_string(),
                email: p.user.email.to_string(),
                name: p.user.name.clone(),
                role: p.user.role,
                role_label: p.user.role.label(),
                phone: p.user.phone.clone(),
                mobile: p.user.mobile.clone(),
                theme: p.user.theme,
                notify: p.user.notify,
                mfa_enabled: p.user.mfa_enabled,
                must_enrol_mfa: p.must_enrol_mfa(),
            },
            company: MeCompany {
                id: p.company.id.to_string(),
                name: p.company.name.clone(),
                kind: p.company.kind,
                mfa_required: p.company.mfa_required,
            },
            capabilities: p.user.role.capabilities().to_vec(),
            session_expires_at: p.session.expires_at,
        }
    }
}

pub fn cookie_name(config: &Config) -> &'static str {
    // `__Host-` binds the cookie to this exact host, path / and Secure; it needs Secure, so plain
    // http on loopback (development) uses an unprefixed name.
    if config.cookie_secure {
        "__Host-portal_session"
    } else {
        "portal_session"
    }
}

fn cookie(config: &Config, value: &str, max_age: Option<Duration>) -> String {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict",
        cookie_name(config)
    );
    if config.cookie_secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={}", age.whole_seconds().max(0)));
    }
    c
}

pub fn clear_cookie(config: &Config) -> String {
    cookie(config, "", Some(Duration::ZERO))
}

/// The cookie carrying a fresh token for `session`. "Remember me" sessions persist across browser
/// restarts; others are browser-session cookies.
fn session_cookie(app: &App, session: &Session, now: OffsetDateTime) -> Result<String, ApiError> {
    let token = app.tokens.sign(
        &session.user_id,
        &session.company_id,
        &session.id,
        now,
        session.expires_at,
    )?;
    let max_age = session.remember.then(|| session.expires_at - now);
    Ok(cookie(&app.config, &token, max_age))
}

/// The principal of a request: a valid token naming a live session of an active user. Refreshes
/// the token when less than half its life is left (or it has expired) and the session still lives.
pub async fn authenticate(ctx: &Ctx<'_>) -> Result<Principal, ApiError> {
    let app = ctx.app;
    let token = ctx
        .cookie(cookie_name(&app.config))
        .ok_or(ApiError::Unauthenticated)?;
    let claims = app.tokens.verify(token).ok_or(ApiError::Unauthenticated)?;
    let records = app
        .store
        .load_auth(&claims.cid, &claims.sub, &claims.sid)
        .await?;
    let now = app.now();
    let (Some(session), Some(user), Some(company)) =
        (records.session, records.user, records.company)
    else {
        return Err(ApiError::Unauthenticated);
    };
    if session.expires_at <= now
        || session.user_id != user.id
        || user.status != UserStatus::Active
        || session.epoch != user.session_epoch
    {
        return Err(ApiError::Unauthenticated);
    }
    if user.role.company_kind() != company.kind {
        tracing::error!(user_id = %user.id, company_id = %company.id, "role does not fit the company's kind; refusing");
        return Err(ApiError::Unauthenticated);
    }
    if claims.exp - now.unix_timestamp() < TOKEN_TTL.whole_seconds() / 2 {
        ctx.set_cookie(session_cookie(app, &session, now)?);
    }
    tracing::Span::current()
        .record("user_id", user.id.as_str())
        .record("company_id", company.id.as_str());
    Ok(Principal {
        user,
        company,
        session,
    })
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
    SignedIn,
    NeedsCode(MfaChallenge),
}

pub fn failure_window(now: OffsetDateTime) -> Result<(i64, OffsetDateTime), ApiError> {
    let window = now.unix_timestamp() / FAILURE_WINDOW_SECS;
    let end = OffsetDateTime::from_unix_timestamp((window + 1) * FAILURE_WINDOW_SECS)
        .map_err(anyhow::Error::from)?;
    Ok((window, end))
}

/// Check a sign-in and start a session (two DynamoDB calls). A wrong password, an unknown email
/// and a deactivated user get the same answer after the same work; an email with too many recent
/// failures is refused without checking the password. A user with MFA gets a challenge instead of
/// a session.
pub async fn login(ctx: &Ctx<'_>, body: LoginBody) -> Result<LoginOutcome, ApiError> {
    let app = ctx.app;
    let mut errors = Vec::new();
    if body.email.trim().is_empty() {
        errors.push(crate::web::error::FieldError::new(
            "email",
            "Enter your email address",
        ));
    }
    if body.password.is_empty() {
        errors.push(crate::web::error::FieldError::new(
            "password",
            "Enter your password",
        ));
    } else if body.password.len() > 1024 {
        errors.push(crate::web::error::FieldError::new(
            "password",
            "Passwords are at most 1024 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let Ok(email) = Email::parse(&body.email) else {
        // Not an address at all: nobody can have it. Same answer as any other unknown email.
        password::verify_dummy(&body.password);
        return Err(ApiError::InvalidCredentials);
    };
    let now = app.now();
    let (window, window_end) = failure_window(now)?;
    let (credential, failures) = app.store.load_login(&email, window).await?;
    if failures >= MAX_FAILURES {
        tracing::warn!(email_hash = %short_hash(email.as_str()), "sign-in throttled");
        return Err(ApiError::TooManyAttempts {
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
            login_failed(ctx, other, &email, window, window_end).await?;
            return Err(ApiError::InvalidCredentials);
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
        let challenge = app
            .cursors
            .seal(MFA_PURPOSE, &pending)
            .ok_or_else(|| anyhow::anyhow!("sealing MFA challenge"))?;
        return Ok(LoginOutcome::NeedsCode(MfaChallenge {
            mfa_required: true,
            challenge,
        }));
    }
    let started = begin_session(
        ctx,
        &credential.company_id,
        &credential.user_id,
        &email,
        body.remember,
        window,
        None,
        "Signed in with password",
    )
    .await?;
    if started {
        Ok(LoginOutcome::SignedIn)
    } else {
        // Deactivated: the same answer as a wrong password.
        login_failed(ctx, None, &email, window, window_end).await?;
        Err(ApiError::InvalidCredentials)
    }
}

/// Count a failed sign-in for `email`; a known account's failure also goes into its company's
/// trail.
async fn login_failed(
    ctx: &Ctx<'_>,
    credential: Option<crate::domain::account::Credential>,
    email: &Email,
    window: i64,
    window_end: OffsetDateTime,
) -> Result<(), ApiError> {
    let audit = credential.map(|c| {
        let mut entry = AuditEntry::new(
            &ctx.meta(),
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
    ctx.app
        .store
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
    ctx: &Ctx<'_>,
    company: &CompanyId,
    user: &UserId,
    email: &Email,
    remember: bool,
    window: i64,
    second_factor: Option<aws_sdk_dynamodb::types::TransactWriteItem>,
    how: &str,
) -> Result<bool, ApiError> {
    let app = ctx.app;
    let now = app.now();
    // The epoch is the user's current one; the transaction refuses if it moved.
    let Some(record) = app.store.get_user(company, user).await? else {
        return Ok(false);
    };
    let ttl = if remember {
        app.config.remember_ttl
    } else {
        app.config.session_ttl
    };
    let session = Session {
        id: SessionId::generate(),
        company_id: company.clone(),
        user_id: user.clone(),
        created_at: now,
        expires_at: now + ttl,
        remember,
        source_ip: ctx.source_ip(),
        user_agent: ctx
            .header("user-agent")
            .map(|ua| ua.chars().take(256).collect()),
        epoch: record.session_epoch,
    };
    let audit = AuditEntry::new(
        &ctx.meta(),
        company,
        Some(&record),
        AuditAction::SignIn,
        AuditEntry::user_target(user),
        how,
    );
    if record.status != UserStatus::Active
        || !app
            .store
            .start_session(&session, email, window, &audit, second_factor)
            .await?
    {
        return Ok(false);
    }
    tracing::info!(user_id = %session.user_id, company_id = %session.company_id, "signed in");
    ctx.set_cookie(session_cookie(app, &session, now)?);
    Ok(true)
}

/// The second step of a sign-in with MFA: a current TOTP code (each usable once) or an unused
/// recovery code. Failures are counted per user; five in a window lock the step for its rest.
pub async fn login_mfa(ctx: &Ctx<'_>, body: MfaLoginBody) -> Result<(), ApiError> {
    let app = ctx.app;
    let now = app.now();
    let pending: PendingSignIn = app
        .cursors
        .open(MFA_PURPOSE, &body.challenge)
        .filter(|p: &PendingSignIn| p.expires > now.unix_timestamp())
        .ok_or(ApiError::State(
            "/problems/challenge-expired",
            "This sign-in has expired: enter your email and password again".into(),
        ))?;
    let (window, window_end) = failure_window(now)?;
    let (record, failures) = app
        .store
        .load_mfa(&pending.company_id, &pending.user_id, window)
        .await?;
    if failures >= MAX_FAILURES {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: (window_end - now).whole_seconds(),
        });
    }
    let record = record.filter(|r| r.enabled).ok_or(ApiError::InvalidCode)?;
    let store = &app.store;
    let (part, how) = match (&body.code, &body.recovery_code) {
        (Some(code), None) => {
            let secret = totp::secret(&app.mfa_key, &pending.user_id, &record.nonce);
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
            return Err(ApiError::Validation(vec![
                crate::web::error::FieldError::new(
                    "code",
                    "Enter the code from your authenticator app, or a recovery code",
                ),
            ]));
        }
    };
    let started = match part {
        Some(part) => {
            begin_session(
                ctx,
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
        None => false,
    };
    if started {
        return Ok(());
    }
    let mut entry = AuditEntry::new(
        &ctx.meta(),
        &pending.company_id,
        None,
        AuditAction::MfaChallengeFailed,
        AuditEntry::user_target(&pending.user_id),
        "Sign-in failed: wrong or reused second-factor code",
    );
    entry.actor_id = Some(pending.user_id.clone());
    entry.actor_email = Some(pending.email.clone());
    app.store
        .record_failure(
            keys::mfa_failures(&pending.user_id, window),
            window_end + Duration::hours(1),
            Some(&entry),
        )
        .await?;
    Err(ApiError::InvalidCode)
}

/// End the request's session, if any, and clear the cookie. Always succeeds.
pub async fn logout(ctx: &Ctx<'_>) -> Result<(), ApiError> {
    let app = ctx.app;
    if let Some(claims) = ctx
        .cookie(cookie_name(&app.config))
        .and_then(|t| app.tokens.verify(t))
    {
        app.store
            .delete_session(&claims.cid, &claims.sub, &claims.sid)
            .await?;
    }
    ctx.set_cookie(clear_cookie(&app.config));
    Ok(())
}

/// A short, non-reversible tag for logs, so failures can be correlated without logging addresses.
fn short_hash(s: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes());
    digest.as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
