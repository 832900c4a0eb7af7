//! Routes of the `auth` function: signing in and out (with a second factor), password reset,
//! accepting invitations, signing in with Microsoft or Google (`sso`) or a passkey (`passkeys`),
//! and the signed-in user's own account (`/api/me…`: profile, preferences, password, sessions,
//! MFA, passkeys).

mod access;
mod email;
mod me;
mod mfa;
mod passkeys;
mod sso;

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::auth::links;
use portal::auth::password;
use portal::auth::signin::{self, LoginBody, LoginOutcome, MfaChallenge, MfaLoginBody};
use portal::domain::account::{TokenKind, User};
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::{Email, SignInMethod, UserStatus};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content, serve};
use portal::web::principal;
use portal::web::routes::Routes;
use portal::{ApiError, App};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

/// Reset requests answer no sooner than this, whether or not the email has an account, so the
/// answer's timing does not tell (the work for a known email — token, audit, email — fits in it).
pub const RESET_ANSWER_FLOOR: Duration = Duration::from_millis(600);
/// Reset emails per address per window (15 minutes): more requests answer the same, send nothing.
pub const MAX_RESET_REQUESTS: i64 = 3;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    use Method as M;
    match (ctx.method(), ctx.segments().as_slice()) {
        (&M::POST, ["auth", "login"]) => login(ctx).await,
        (&M::POST, ["auth", "login", "mfa"]) => login_mfa(ctx).await,
        (&M::POST, ["auth", "login", "mfa", "passkey", "options"]) => {
            passkeys::second_factor_options(ctx).await
        }
        (&M::POST, ["auth", "login", "mfa", "passkey"]) => passkeys::second_factor(ctx).await,
        (&M::POST, ["auth", "passkey", "options"]) => passkeys::sign_in_options(ctx).await,
        (&M::POST, ["auth", "passkey"]) => passkeys::sign_in(ctx).await,
        (_, ["me", "passkeys", rest @ ..]) => passkeys::route(ctx, rest).await,
        (&M::POST, ["auth", "logout"]) => logout(ctx).await,
        (&M::POST, ["auth", "password-reset"]) => request_reset(ctx).await,
        (&M::POST, ["auth", "password-reset", "confirm"]) => confirm_reset(ctx).await,
        (&M::POST, ["auth", "email-change", "confirm"]) => email::confirm(ctx).await,
        (&M::POST, ["me", "email"]) => email::request(ctx).await,
        (&M::POST, ["auth", "invitation"]) => invitation(ctx).await,
        (&M::POST, ["auth", "invitation", "accept"]) => accept_invitation(ctx).await,
        (&M::GET, ["auth", "providers"]) => sso::list(ctx).await,
        (&M::POST, ["auth", "access-request"]) => access::request(ctx).await,
        (&M::GET, ["auth", "sso", rest @ ..]) => sso::route(ctx, rest).await,
        (_, ["me", ..]) => me::route(ctx).await,
        _ => Err(ApiError::NotFound),
    }
}

/// Sign in with email and password. Sets the session cookie, or — for a user with MFA — answers
/// 200 with a challenge for `POST /api/auth/login/mfa`.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, description = "Password right; a second factor is needed", body = MfaChallenge),
        (status = 204, description = "Signed in; the session cookie is set"),
        (status = 400, description = "Malformed body", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from the portal's origin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The password is right, but the user's company signs in with Microsoft or Google only", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing email or password", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this email", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn login(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: LoginBody = ctx.json()?;
    match signin::login(&principal::sign_in(ctx), body).await? {
        LoginOutcome::SignedIn(session) => {
            principal::set_session_cookie(ctx, &session)?;
            no_content()
        }
        LoginOutcome::NeedsCode(challenge) => json(StatusCode::OK, &challenge),
    }
}

/// The second step of signing in: the authenticator code (each usable once) or a recovery code.
#[utoipa::path(post, path = "/api/auth/login/mfa", tag = "auth", request_body = MfaLoginBody,
    responses(
        (status = 204, description = "Signed in; the session cookie is set"),
        (status = 401, description = "Wrong or reused code", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The challenge expired (sign in again), or the company turned this way of signing in off", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn login_mfa(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: MfaLoginBody = ctx.json()?;
    let session = signin::login_mfa(&principal::sign_in(ctx), body).await?;
    principal::set_session_cookie(ctx, &session)?;
    no_content()
}

/// Sign out: ends the session at once and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out")))]
async fn logout(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    principal::logout(ctx).await?;
    no_content()
}

/// What `POST /api/auth/password-reset` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[schema(schema_with = portal::domain::validate::schema::email)]
    pub email: String,
}

/// Ask for a password-reset email. The answer is the same, in the same time, whether or not the
/// address has an account.
#[utoipa::path(post, path = "/api/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a link is on its way"),
        (status = 422, description = "Not an email address", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn request_reset(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let started = tokio::time::Instant::now();
    let body: ResetRequest = ctx.json()?;
    let email = Email::parse(&body.email)
        .map_err(|m| ApiError::Validation(vec![FieldError::new("email", m)]))?;
    let result = send_reset(ctx, &email).await;
    tokio::time::sleep_until(started + RESET_ANSWER_FLOOR).await;
    result?;
    json(
        StatusCode::ACCEPTED,
        &serde_json::json!({"message": "If that address has an account, we sent it a link to reset the password."}),
    )
}

async fn send_reset(ctx: &Ctx<'_>, email: &Email) -> Result<(), ApiError> {
    let app = ctx.app;
    let now = app.now();
    let window = now.unix_timestamp() / portal::auth::throttle::WINDOW_SECS;
    let expires = now + time::Duration::hours(1);
    let count = app
        .store
        .count_reset_request(email, window, expires)
        .await?;
    let Some(credential) = app.store.get_credential(email).await? else {
        return Ok(());
    };
    let (Some(company), Some(user)) = app
        .store
        .company_and_user(&credential.company_id, Some(&credential.user_id))
        .await?
    else {
        return Ok(());
    };
    if count > MAX_RESET_REQUESTS || user.status != UserStatus::Active {
        return Ok(());
    }
    if !company.allows(SignInMethod::Password) {
        app.send_mail(&links::no_password_mail(
            &app.config.origin,
            &user,
            &company.name,
        ))
        .await;
        return Ok(());
    }
    let issued = links::issue(TokenKind::PasswordReset, &user, now);
    let audit = AuditEntry::new(
        &ctx.meta(),
        &user.company_id,
        Some(&user),
        AuditAction::PasswordResetRequested,
        AuditEntry::user_target(&user.id),
        "Asked for a password-reset email",
    );
    app.store
        .store_token(&issued.hash, &issued.record, &audit)
        .await?;
    app.send_mail(&links::reset_mail(&app.config.origin, &user, &issued.token))
        .await;
    Ok(())
}

/// A token and the password to set with it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub token: String,
    /// 12 to 128 characters, not a common password or the email address.
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
}

fn check_new_password(password: &str, email: &Email) -> Result<(), ApiError> {
    match password::policy_error(password, email.as_str()) {
        Some(message) => Err(ApiError::Validation(vec![FieldError::new(
            "password", message,
        )])),
        None => Ok(()),
    }
}

/// Set a new password with a reset link. Every session of the user ends.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm", tag = "auth", request_body = SetPassword,
    responses(
        (status = 204, description = "Password changed; sign in with it"),
        (status = 400, description = "The link is unknown, used or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password does not meet the rules", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn confirm_reset(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: SetPassword = ctx.json()?;
    let app = ctx.app;
    let (user, hash) = redeem(app, &body.token, TokenKind::PasswordReset).await?;
    check_new_password(&body.password, &user.email)?;
    let audit = AuditEntry::new(
        &ctx.meta(),
        &user.company_id,
        Some(&user),
        AuditAction::PasswordReset,
        AuditEntry::user_target(&user.id),
        "Reset the password with an emailed link; every session ended",
    );
    let password_hash = password::hash(&body.password)?;
    if !app
        .store
        .reset_password(&user, &hash, &password_hash, &audit, app.now())
        .await?
    {
        return Err(ApiError::InvalidToken);
    }
    no_content()
}

/// What `POST /api/auth/invitation` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    pub token: String,
}

/// Who an invitation is for, shown on the page that accepts it.
#[derive(Serialize, ToSchema)]
pub struct Invitation {
    pub name: String,
    pub email: String,
    pub company_name: String,
}

/// Look at an invitation before accepting it.
#[utoipa::path(post, path = "/api/auth/invitation", tag = "auth", request_body = InvitationToken,
    responses(
        (status = 200, body = Invitation),
        (status = 400, description = "The link is unknown, used or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn invitation(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: InvitationToken = ctx.json()?;
    let (user, _) = redeem(ctx.app, &body.token, TokenKind::Invitation).await?;
    if user.status != UserStatus::Invited {
        return Err(ApiError::InvalidToken);
    }
    let company = ctx.app.store.get_company(&user.company_id).await?;
    json(
        StatusCode::OK,
        &Invitation {
            name: user.name,
            email: user.email.to_string(),
            company_name: company.map(|c| c.name).unwrap_or_default(),
        },
    )
}

/// Accept an invitation by choosing a password; the account becomes active.
#[utoipa::path(post, path = "/api/auth/invitation/accept", tag = "auth", request_body = SetPassword,
    responses(
        (status = 204, description = "Account active; sign in with the password"),
        (status = 400, description = "The link is unknown, used, replaced or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password does not meet the rules", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn accept_invitation(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: SetPassword = ctx.json()?;
    let app = ctx.app;
    let (user, hash) = redeem(app, &body.token, TokenKind::Invitation).await?;
    if user.status != UserStatus::Invited {
        return Err(ApiError::InvalidToken);
    }
    check_new_password(&body.password, &user.email)?;
    let audit = AuditEntry::new(
        &ctx.meta(),
        &user.company_id,
        Some(&user),
        AuditAction::InvitationAccepted,
        AuditEntry::user_target(&user.id),
        "Accepted the invitation and set a password",
    );
    let password_hash = password::hash(&body.password)?;
    if !app
        .store
        .accept_invitation(&user, &hash, &password_hash, &audit, app.now())
        .await?
    {
        return Err(ApiError::InvalidToken);
    }
    no_content()
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        login,
        login_mfa,
        logout,
        request_reset,
        confirm_reset,
        email::request,
        email::confirm,
        invitation,
        accept_invitation,
        sso::list,
        sso::start,
        sso::callback,
        access::request,
        me::me,
        me::update_me,
        me::change_password,
        me::sessions,
        me::end_other_sessions,
        me::end_session,
        mfa::start,
        mfa::confirm,
        mfa::disable,
        mfa::new_recovery_codes,
        passkeys::list,
        passkeys::start,
        passkeys::add,
        passkeys::rename,
        passkeys::remove,
        passkeys::sign_in_options,
        passkeys::sign_in,
        passkeys::second_factor_options,
        passkeys::second_factor,
    ),
    components(schemas(
        portal::domain::NotifyPrefs,
        portal::domain::Theme,
        portal::domain::sign_in::Provider
    ))
)]
pub struct ApiDoc;

/// The user and token hash of a genuine, unexpired, unspent link of `kind`; any other token is
/// the same 400 (`/problems/invalid-token`).
async fn redeem(app: &App, token: &str, kind: TokenKind) -> Result<(User, String), ApiError> {
    links::redeem(&app.store, app.now(), token, kind)
        .await?
        .ok_or(ApiError::InvalidToken)
}
