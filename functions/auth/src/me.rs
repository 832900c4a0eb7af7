//! `/api/me…`: the signed-in user's own account — profile and preferences, password, sessions; TOTP
//! MFA is `mfa.rs`. A user whose company requires MFA and who has not enrolled reaches only
//! `GET /api/me` and the MFA enrolment routes.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::auth::{confirm, password};
use portal::domain::account::Session;
use portal::domain::audit::AuditAction;
use portal::domain::validate::{self, schema};
use portal::domain::{NotifyPrefs, SessionId, Theme};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal::{Me, Principal};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::mfa;

pub async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    use Method as M;
    match (ctx.method(), ctx.segments().as_slice()) {
        (&M::GET, ["me"]) => me(ctx).await,
        (&M::PATCH, ["me"]) => update_me(ctx).await,
        (&M::POST, ["me", "password"]) => change_password(ctx).await,
        (&M::GET, ["me", "sessions"]) => sessions(ctx).await,
        (&M::POST, ["me", "sessions", "end-others"]) => end_other_sessions(ctx).await,
        (&M::DELETE, ["me", "sessions", id]) => end_session(ctx, id).await,
        (&M::POST, ["me", "mfa"]) => mfa::start(ctx).await,
        (&M::POST, ["me", "mfa", "confirm"]) => mfa::confirm(ctx).await,
        (&M::POST, ["me", "mfa", "disable"]) => mfa::disable(ctx).await,
        (&M::POST, ["me", "mfa", "recovery-codes"]) => mfa::new_recovery_codes(ctx).await,
        _ => Err(ApiError::NotFound),
    }
}

/// The signed-in user, their company, role, capabilities and preferences.
#[utoipa::path(get, path = "/api/me", tag = "me",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    json(StatusCode::OK, &Me::from(&principal))
}

/// What `PATCH /api/me` takes: any of the fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeChange {
    #[schema(schema_with = schema::name_or_null)]
    pub name: Option<String>,
    /// With `last_name`: the name in two parts (the name shown is both, joined).
    #[schema(schema_with = part_of_name)]
    pub first_name: Option<String>,
    #[schema(schema_with = part_of_name)]
    pub last_name: Option<String>,
    /// The direct phone's extension: up to 10 digits, or empty.
    #[schema(pattern = "^[0-9]{0,10}$")]
    pub phone_ext: Option<String>,
    #[schema(schema_with = schema::phone_or_null)]
    pub phone: Option<String>,
    #[schema(schema_with = schema::phone_or_null)]
    pub mobile: Option<String>,
    pub theme: Option<Theme>,
    /// The ticket list's view: `list` or `summary`.
    pub ticket_view: Option<portal::domain::account::TicketView>,
    pub notify: Option<NotifyPrefs>,
}

/// Most characters of a first or last name.
const MAX_NAME_PART: usize = 60;

fn part_of_name() -> utoipa::openapi::schema::Object {
    schema::or_null(schema::text(
        false,
        MAX_NAME_PART,
        schema::Chars::NoControls,
    ))
}

/// Edit one's name, phone numbers, theme, ticket list view and email preferences.
#[utoipa::path(patch, path = "/api/me", tag = "me", request_body = MeChange,
    responses(
        (status = 200, body = Me),
        (status = 409, description = "Saved by other requests again and again meanwhile: try again", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_me(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let mut principal = ctx.principal().await?;
    let change: MeChange = ctx.json()?;
    // The change names fields, not a version: one saved by another request between our read and
    // our write (a theme chosen twice in quick succession, another tab) is read again and the
    // change applied over it. Only a user changed again and again meanwhile gets the 409.
    for attempt in 1..=UPDATE_ATTEMPTS {
        match apply_me_change(ctx, &principal, &change).await? {
            Some(saved) => {
                principal.user = saved;
                break;
            }
            None if attempt == UPDATE_ATTEMPTS => return Err(ApiError::Conflict),
            None => principal = ctx.principal().await?,
        }
    }
    json(StatusCode::OK, &Me::from(&principal))
}

/// How many times `PATCH /api/me` tries to save: each try loses only to a request that saved the
/// user meanwhile, so changes sent this many at once all land.
const UPDATE_ATTEMPTS: u32 = 5;

/// Apply `change` over `principal`'s user and save it, with its audit entry: the user as saved
/// (unchanged if nothing changed), or `None` if another request saved the user first.
async fn apply_me_change(
    ctx: &Ctx<'_>,
    principal: &Principal,
    change: &MeChange,
) -> Result<Option<portal::domain::account::User>, ApiError> {
    let before = &principal.user;
    let mut user = before.clone();
    let mut errors = Vec::new();
    if let Some(name) = &change.name {
        user.name = validate::name("name", name, &mut errors);
        (user.first_name, user.last_name) = (String::new(), String::new());
    }
    if change.first_name.is_some() || change.last_name.is_some() {
        let (first, last) = before.name_parts();
        let first = change.first_name.as_deref().unwrap_or(&first);
        let last = change.last_name.as_deref().unwrap_or(&last);
        user.first_name = validate::name("first_name", first, &mut errors);
        user.last_name = validate::text("last_name", last, MAX_NAME_PART, &mut errors);
        if user.last_name.contains(['\n', '\r']) {
            errors.push(FieldError::new("last_name", "Use one line"));
        }
        user.name = format!("{} {}", user.first_name, user.last_name)
            .trim()
            .to_owned();
        if user.name.chars().count() > validate::MAX_NAME {
            errors.push(FieldError::new("last_name", "The whole name is too long"));
        }
    }
    if let Some(ext) = &change.phone_ext {
        let ext = ext.trim();
        if ext.len() > 10 || !ext.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(FieldError::new("phone_ext", "Use up to 10 digits"));
        }
        user.phone_ext = ext.to_owned();
    }
    if let Some(phone) = &change.phone {
        user.phone = validate::phone("phone", phone, &mut errors);
    }
    if let Some(mobile) = &change.mobile {
        user.mobile = validate::phone("mobile", mobile, &mut errors);
    }
    validate::done(errors)?;
    user.theme = change.theme.unwrap_or(user.theme);
    user.ticket_view = change.ticket_view.unwrap_or(user.ticket_view);
    user.notify = change.notify.unwrap_or(user.notify);
    if user == *before {
        return Ok(Some(user));
    }
    let changed: Vec<&str> = [
        ("name", user.name != before.name),
        (
            "phone",
            user.phone != before.phone || user.phone_ext != before.phone_ext,
        ),
        ("mobile", user.mobile != before.mobile),
        ("theme", user.theme != before.theme),
        ("ticket view", user.ticket_view != before.ticket_view),
        ("email preferences", user.notify != before.notify),
    ]
    .into_iter()
    .filter_map(|(what, yes)| yes.then_some(what))
    .collect();
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ProfileUpdated,
        portal::domain::audit::AuditEntry::user_target(&user.id),
        format!("Updated own {}", changed.join(", ")),
    );
    Ok(ctx
        .app
        .store
        .save_user(&user, before, false, &audit)
        .await?)
}

/// What `POST /api/me/password` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 128 characters, not a common password or the email address.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// Check a signed-in user's current password (argon2 and throttling, as at sign-in).
pub(crate) async fn check_password(
    ctx: &Ctx<'_>,
    principal: &Principal,
    given: &str,
) -> Result<(), ApiError> {
    Ok(
        confirm::current_password(&ctx.app.store, &ctx.meta(), &principal.user.email, given)
            .await?,
    )
}

/// Change one's password (the current one is asked for). Every other session ends.
#[utoipa::path(post, path = "/api/me/password", tag = "me", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; other sessions ended"),
        (status = 422, description = "Current password wrong, or the new one breaks the rules", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_password(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: PasswordChange = ctx.json()?;
    check_password(ctx, &principal, &body.current_password).await?;
    if let Some(message) = password::policy_error(&body.new_password, principal.user.email.as_str())
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            "new_password",
            message,
        )]));
    }
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::PasswordChanged,
        portal::domain::audit::AuditEntry::user_target(&principal.user.id),
        "Changed own password; other sessions ended",
    );
    if !ctx
        .app
        .store
        .change_password(
            &principal.user,
            &password::hash(&body.new_password)?,
            &principal.session,
            &audit,
        )
        .await?
    {
        return Err(ApiError::Conflict);
    }
    no_content()
}

/// One live session of the user.
#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// When it was last used, to within five minutes.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: OffsetDateTime,
    /// "Remember me": it does not end when unused, only at `expires_at`.
    pub remember: bool,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionInfo>,
}

fn live(ctx: &Ctx<'_>, principal: &Principal, session: &Session, now: OffsetDateTime) -> bool {
    !session.ended(now, ctx.app.config.session_idle)
        && session.epoch == principal.user.session_epoch
}

/// One's live sessions, newest first.
#[utoipa::path(get, path = "/api/me/sessions", tag = "me",
    responses((status = 200, body = SessionList)))]
pub async fn sessions(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let now = ctx.app.now();
    let mut items: Vec<SessionInfo> = ctx
        .app
        .store
        .list_sessions(&principal.company.id, &principal.user.id)
        .await?
        .into_iter()
        .filter(|s| live(ctx, &principal, s, now))
        .map(|s| SessionInfo {
            current: s.id == principal.session.id,
            id: s.id.to_string(),
            started_at: s.created_at,
            expires_at: s.expires_at,
            last_seen_at: s.last_seen(),
            remember: s.remember,
            source_ip: s.source_ip,
            user_agent: s.user_agent,
        })
        .collect();
    items.sort_by_key(|s| std::cmp::Reverse(s.started_at));
    json(StatusCode::OK, &SessionList { items })
}

/// Sign out everywhere else: every session but this one ends at once.
#[utoipa::path(post, path = "/api/me/sessions/end-others", tag = "me",
    responses((status = 204, description = "Other sessions ended")))]
pub async fn end_other_sessions(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::SessionsRevoked,
        portal::domain::audit::AuditEntry::user_target(&principal.user.id),
        "Signed out everywhere else",
    );
    if !ctx
        .app
        .store
        .end_other_sessions(&principal.user, &principal.session, &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    no_content()
}

/// End one of one's sessions.
#[utoipa::path(delete, path = "/api/me/sessions/{session_id}", tag = "me",
    params(("session_id" = String, Path)),
    responses(
        (status = 204, description = "Ended (or already gone)"),
        (status = 404, description = "Not a session id", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_session(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let id = SessionId::parse(id)?;
    // The key is under the caller's own user: nobody else's session can be named.
    ctx.app
        .store
        .delete_session(&principal.company.id, &principal.user.id, &id)
        .await?;
    no_content()
}
