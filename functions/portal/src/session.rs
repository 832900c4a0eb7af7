//! Sign-in, sessions and the principal. A session is a short-lived signed JWT in an HttpOnly cookie
//! naming a session item; every request checks the item, so logout, deactivation and (later)
//! password changes end sessions at once. Authorisation happens here, once per request, from the
//! principal's role: handlers ask for capabilities, never for role names.

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::app::App;
use crate::config::Config;
use crate::domain::{CompanyId, CompanyKind, Email, SessionId, UserStatus};
use crate::error::ApiError;
use crate::http::Ctx;
use crate::password;
use crate::roles::{Capability, Role};
use crate::store::{Company, Session, User};
use crate::token::TOKEN_TTL;

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

impl Principal {
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeCompany {
    pub id: String,
    pub name: String,
    pub kind: CompanyKind,
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
            },
            company: MeCompany {
                id: p.company.id.to_string(),
                name: p.company.name.clone(),
                kind: p.company.kind,
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
    if session.expires_at <= now || session.user_id != user.id || user.status != UserStatus::Active
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

/// Check a sign-in and start a session (two DynamoDB calls). A wrong password, an unknown email
/// and a deactivated user get the same answer after the same work; an email with too many recent
/// failures is refused without checking the password.
pub async fn login(ctx: &Ctx<'_>, body: LoginBody) -> Result<(), ApiError> {
    let app = ctx.app;
    let mut errors = Vec::new();
    if body.email.trim().is_empty() {
        errors.push(crate::error::FieldError::new(
            "email",
            "Enter your email address",
        ));
    }
    if body.password.is_empty() {
        errors.push(crate::error::FieldError::new(
            "password",
            "Enter your password",
        ));
    } else if body.password.len() > 1024 {
        errors.push(crate::error::FieldError::new(
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
    let window = now.unix_timestamp() / FAILURE_WINDOW_SECS;
    let window_end = OffsetDateTime::from_unix_timestamp((window + 1) * FAILURE_WINDOW_SECS)
        .map_err(anyhow::Error::from)?;
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
    let started = match (verified, credential) {
        (true, Some(c)) => {
            let ttl = if body.remember {
                app.config.remember_ttl
            } else {
                app.config.session_ttl
            };
            let session = Session {
                id: SessionId::generate(),
                company_id: c.company_id,
                user_id: c.user_id,
                created_at: now,
                expires_at: now + ttl,
                remember: body.remember,
                source_ip: ctx.source_ip(),
                user_agent: ctx
                    .header("user-agent")
                    .map(|ua| ua.chars().take(256).collect()),
            };
            if app.store.start_session(&session, &email, window).await? {
                Some(session)
            } else {
                None
            }
        }
        _ => None,
    };
    match started {
        Some(session) => {
            tracing::info!(user_id = %session.user_id, company_id = %session.company_id, "signed in");
            ctx.set_cookie(session_cookie(app, &session, now)?);
            Ok(())
        }
        None => {
            app.store
                .record_login_failure(&email, window, window_end + Duration::hours(1))
                .await?;
            tracing::info!(email_hash = %short_hash(email.as_str()), "sign-in failed");
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// End the request's session, if any, and clear the cookie. Always succeeds.
pub async fn logout(ctx: &Ctx<'_>) -> Result<(), ApiError> {
    let app = ctx.app;
    if let Some(claims) = ctx
        .cookie(cookie_name(&app.config))
        .and_then(|t| app.tokens.verify(t))
    {
        app.store.delete_session(&claims.cid, &claims.sid).await?;
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
