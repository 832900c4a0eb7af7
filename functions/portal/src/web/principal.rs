//! The principal: who makes a request, from its session cookie. A session is a short-lived signed
//! JWT in an HttpOnly cookie naming a session item; every request checks the item, so logout,
//! deactivation and password changes end sessions at once. Authorisation happens here, once per
//! request, from the principal's role: handlers ask for capabilities (and `ticket_contact_scope`),
//! never for role names. Also the cookies, and the glue that runs `auth::signin` for a request.

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::auth::signin::SignIn;
use crate::auth::token::TOKEN_TTL;
use crate::aws::config::Config;
use crate::domain::account::{Company, Session, User};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::roles::{Capability, Role};
use crate::domain::tickets::Ticket;
use crate::domain::{CompanyId, CompanyKind, NotifyPrefs, Theme, UserId, UserStatus};
use crate::web::error::ApiError;
use crate::web::http::Ctx;
use crate::web::state::App;

/// Who is making the request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    pub company: Company,
    pub session: Session,
}

impl Principal {
    /// The user must enrol in MFA (an authenticator app or a passkey) before doing anything
    /// else: their company requires it.
    pub fn must_enrol_mfa(&self) -> bool {
        self.company.mfa_required && !self.user.mfa_enabled && self.user.passkeys == 0
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
        self.user.can(capability)
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

    /// Whose configurations this principal may see in a company it may act on: `None`, all of
    /// them (MSP staff, Full Admins, Ticket Managers); `Some(me)`, those it is the contact of.
    pub fn configuration_contact_scope(&self) -> Option<&UserId> {
        (!self.can(Capability::ViewCompanyConfigurations)).then_some(&self.user.id)
    }

    /// Whether this principal may see `ticket`, whose company is in its scope: approvers also
    /// see every ticket that asked for their approval.
    pub fn may_see_ticket(&self, ticket: &Ticket) -> bool {
        match self.ticket_contact_scope() {
            Ok(None) => true,
            Ok(Some(me)) => {
                ticket.contact_id == *me
                    || (ticket.approval.is_some() && self.can(Capability::ApproveQuotes))
            }
            Err(_) => false,
        }
    }

    /// The company a request is about, from `?company=` (`named`; empty is not named): the one
    /// named, if the principal may act on it (`scope`); else a client's own. MSP staff must name
    /// one: without it there is nothing to show (404 `/problems/company-needed`).
    pub fn company_param(&self, named: Option<String>) -> Result<CompanyId, ApiError> {
        match named.filter(|c| !c.is_empty()) {
            Some(company) => self.scope(&company),
            None if self.can(Capability::AllCompanies) => Err(ApiError::CompanyNeeded),
            None => Ok(self.company.id.clone()),
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
    /// The name's parts (as given, or the name's first word and the rest).
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub phone_ext: String,
    pub mobile: String,
    pub theme: Theme,
    /// The ticket list's view, remembered.
    pub ticket_view: crate::domain::account::TicketView,
    pub notify: NotifyPrefs,
    pub mfa_enabled: bool,
    /// How many passkeys the user has (each is a second factor too).
    pub passkeys: u32,
    /// The company requires MFA and the user has not enrolled: nothing else works until they do.
    pub must_enrol_mfa: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeCompany {
    pub id: String,
    pub name: String,
    pub kind: CompanyKind,
    pub mfa_required: bool,
    /// The company's IANA time zone: the pages show times in it.
    pub time_zone: String,
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
                first_name: p.user.name_parts().0,
                last_name: p.user.name_parts().1,
                phone: p.user.phone.clone(),
                phone_ext: p.user.phone_ext.clone(),
                mobile: p.user.mobile.clone(),
                theme: p.user.theme,
                ticket_view: p.user.ticket_view,
                notify: p.user.notify,
                mfa_enabled: p.user.mfa_enabled,
                passkeys: p.user.passkeys,
                must_enrol_mfa: p.must_enrol_mfa(),
            },
            company: MeCompany {
                id: p.company.id.to_string(),
                name: p.company.name.clone(),
                kind: p.company.kind,
                mfa_required: p.company.mfa_required,
                time_zone: p.company.time_zone.clone(),
            },
            capabilities: p.user.capabilities(),
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

/// The cookie that carries a provider sign-in between its start and the provider's return.
pub fn sso_cookie_name(config: &Config) -> &'static str {
    if config.cookie_secure {
        "__Host-portal_sso"
    } else {
        "portal_sso"
    }
}

/// The provider sign-in's cookie (`value` empty and `max_age` zero clear it). `SameSite=Lax`, not
/// `Strict`: the provider's return is a navigation from its site, which a strict cookie would
/// not be sent with.
pub fn sso_cookie(config: &Config, value: &str, max_age: Duration) -> String {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        sso_cookie_name(config),
        max_age.whole_seconds().max(0)
    );
    if config.cookie_secure {
        c.push_str("; Secure");
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
/// the token when less than half its life is left (or it has expired) and the session still lives;
/// notes the session's use every few minutes (one more call then), for the idle timeout.
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
    if session.ended(now, app.config.session_idle)
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
    if now - session.last_seen() >= Session::TOUCH_EVERY {
        app.store.touch_session(&session, now).await?;
    }
    // Only auth holds the signing key; its `GET /api/me` (every page asks it) refreshes the token.
    if app.tokens.can_sign() && claims.exp - now.unix_timestamp() < TOKEN_TTL.whole_seconds() / 2 {
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

/// What a sign-in step works with, from this request.
pub fn sign_in<'a>(ctx: &Ctx<'a>) -> SignIn<'a> {
    let app = ctx.app;
    SignIn {
        store: &app.store,
        seal: &app.challenges,
        mfa_key: &app.mfa_key,
        session_ttl: app.config.session_ttl,
        remember_ttl: app.config.remember_ttl,
        meta: ctx.meta(),
    }
}

/// Give the browser the cookie of a session a sign-in started.
pub fn set_session_cookie(ctx: &Ctx<'_>, session: &Session) -> Result<(), ApiError> {
    ctx.set_cookie(session_cookie(ctx.app, session, ctx.app.now())?);
    Ok(())
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
