//! Passkeys (docs/passkeys.md): registering, naming, listing and removing one's own in My account
//! (`/api/me/passkeys…`), and signing in with one — alone (`/api/auth/passkey…`) or as the second
//! step after a password (`/api/auth/login/mfa/passkey…`).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::auth::passkey_sign_in::{self, PasskeyFactorBody, PasskeySignInBody, PendingChallenge};
use portal::auth::passkeys::{self, PasskeyError, Started};
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::passkeys::{MAX_PASSKEYS, PasskeyView, check_name, is_credential_id};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub async fn route(ctx: &Ctx<'_>, rest: &[&str]) -> Result<Response<Body>, ApiError> {
    use Method as M;
    match (ctx.method(), rest) {
        (&M::GET, []) => list(ctx).await,
        (&M::POST, ["options"]) => start(ctx).await,
        (&M::POST, []) => add(ctx).await,
        (&M::PATCH, [id]) => rename(ctx, id).await,
        (&M::DELETE, [id]) => remove(ctx, id).await,
        _ => Err(ApiError::NotFound),
    }
}

/// One's passkeys.
#[derive(Serialize, ToSchema)]
pub struct PasskeyList {
    pub items: Vec<PasskeyView>,
}

/// One's passkeys, oldest first, with when each last signed in.
#[utoipa::path(get, path = "/api/me/passkeys", tag = "me",
    responses(
        (status = 200, body = PasskeyList),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    let items = ctx
        .app
        .store
        .list_passkeys(&principal.company.id, &principal.user.id)
        .await?
        .iter()
        .map(PasskeyView::from)
        .collect();
    json(StatusCode::OK, &PasskeyList { items })
}

fn too_many() -> ApiError {
    ApiError::State(
        "/problems/too-many-passkeys",
        format!("You have {MAX_PASSKEYS} passkeys, the most one can have: remove one first"),
    )
}

/// Start registering a passkey: options for `navigator.credentials.create()` (no attestation
/// asked for; user verification required; one's passkeys excluded).
#[utoipa::path(post, path = "/api/me/passkeys/options", tag = "me",
    responses(
        (status = 200, body = Started),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Ten passkeys already", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn start(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    let app = ctx.app;
    let existing = app
        .store
        .list_passkeys(&principal.company.id, &principal.user.id)
        .await?;
    if existing.len() >= MAX_PASSKEYS as usize {
        return Err(too_many());
    }
    let started =
        passkeys::start_registration(&app.passkeys, &app.challenges, &principal.user, &existing)?;
    json(StatusCode::OK, &started)
}

/// What `POST /api/me/passkeys` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasskey {
    /// From `POST /api/me/passkeys/options`.
    pub ceremony: String,
    /// What `navigator.credentials.create()` answered, in WebAuthn's JSON form
    /// (`PublicKeyCredential.toJSON()`; binary fields base64url).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
    /// What to call it ("MacBook Touch ID", "YubiKey"): 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
}

fn credential_error(message: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new("credential", message)])
}

/// Keep a passkey: the browser's answer is checked (challenge, origin, RP id, user presence and
/// verification, the public key's algorithm) before anything is written.
#[utoipa::path(post, path = "/api/me/passkeys", tag = "me", request_body = NewPasskey,
    responses(
        (status = 201, body = PasskeyView),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ceremony expired or is another user's (start again), the passkey is registered already, or ten passkeys already", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No name, or the answer is not a passkey or failed a check", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    let body: NewPasskey = ctx.json()?;
    let name = check_name(&body.name).map_err(|e| ApiError::Validation(vec![e]))?;
    if principal.user.passkeys >= MAX_PASSKEYS {
        return Err(too_many());
    }
    let app = ctx.app;
    let passkey = passkeys::finish_registration(
        &app.passkeys,
        &app.challenges,
        &principal.user,
        &body.ceremony,
        &body.credential,
        name,
        app.now(),
    )
    .map_err(|e| match e {
        PasskeyError::Expired => ApiError::State(
            "/problems/challenge-expired",
            "This registration has expired: start again".into(),
        ),
        PasskeyError::Malformed(why) => {
            credential_error(format!("This is not a new passkey's answer: {why}"))
        }
        PasskeyError::Refused(why) => {
            credential_error(format!("Your browser's answer failed a check: {why}"))
        }
    })?;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::PasskeyAdded,
        AuditEntry::user_target(&principal.user.id),
        format!("Added the passkey {:?}", passkey.name),
    );
    if !app
        .store
        .add_passkey(&principal.user, &passkey, &audit)
        .await?
    {
        return Err(ApiError::State(
            "/problems/passkey-taken",
            "This passkey is registered already (or you have ten): nothing was added".into(),
        ));
    }
    json(StatusCode::CREATED, &PasskeyView::from(&passkey))
}

/// What `PATCH /api/me/passkeys/{passkey_id}` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyName {
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
}

fn passkey_id(raw: &str) -> Result<&str, ApiError> {
    if is_credential_id(raw) {
        Ok(raw)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Rename one of one's passkeys.
#[utoipa::path(patch, path = "/api/me/passkeys/{passkey_id}", tag = "me", request_body = PasskeyName,
    params(("passkey_id" = String, Path, description = "The credential id (base64url)")),
    responses(
        (status = 204, description = "Renamed"),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of one's passkeys", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No name, or too long", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn rename(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    let id = passkey_id(id)?;
    let body: PasskeyName = ctx.json()?;
    let name = check_name(&body.name).map_err(|e| ApiError::Validation(vec![e]))?;
    // The key is under the caller's own user: nobody else's passkey can be named.
    if !ctx
        .app
        .store
        .rename_passkey(&principal.company.id, &principal.user.id, id, &name)
        .await?
    {
        return Err(ApiError::NotFound);
    }
    no_content()
}

/// Remove one of one's passkeys. Where the company requires two-factor authentication and the
/// user has no authenticator app, their last passkey stays.
#[utoipa::path(delete, path = "/api/me/passkeys/{passkey_id}", tag = "me",
    params(("passkey_id" = String, Path, description = "The credential id (base64url)")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of one's passkeys", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last second factor of a user whose company requires one", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let id = passkey_id(id)?;
    let keep_one = principal.company.mfa_required && !principal.user.mfa_enabled;
    let app = ctx.app;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::PasskeyRemoved,
        AuditEntry::user_target(&principal.user.id),
        "Removed a passkey",
    );
    if app
        .store
        .remove_passkey(&principal.user, id, keep_one, &audit)
        .await?
    {
        return no_content();
    }
    let mine = app
        .store
        .list_passkeys(&principal.company.id, &principal.user.id)
        .await?;
    if mine.iter().any(|p| p.id == id) {
        Err(ApiError::State(
            "/problems/mfa-required",
            "Your organisation requires two-factor authentication: add another passkey or an authenticator app before removing this one".into(),
        ))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Start signing in with a passkey: options for `navigator.credentials.get()` with no
/// credentials listed (the browser offers the passkeys it has for the portal).
#[utoipa::path(post, path = "/api/auth/passkey/options", tag = "auth",
    responses(
        (status = 200, body = Started),
        (status = 403, description = "Not sent from the portal's origin", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn sign_in_options(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let app = ctx.app;
    json(
        StatusCode::OK,
        &passkeys::start_sign_in(&app.passkeys, &app.challenges)?,
    )
}

/// Sign in with a passkey: sets the session cookie.
#[utoipa::path(post, path = "/api/auth/passkey", tag = "auth", request_body = PasskeySignInBody,
    responses(
        (status = 204, description = "Signed in; the session cookie is set"),
        (status = 400, description = "Malformed body", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "The passkey failed a check, is unknown or was removed, its user cannot sign in, or this answer was used already", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from the portal's origin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ceremony expired (start again), or the company signs in with Microsoft or Google only", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The answer is not a passkey's", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn sign_in(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: PasskeySignInBody = ctx.json()?;
    let session =
        passkey_sign_in::sign_in(&principal::sign_in(ctx), &ctx.app.passkeys, body).await?;
    principal::set_session_cookie(ctx, &session)?;
    no_content()
}

/// The second step of signing in, with a passkey: options for `navigator.credentials.get()`
/// listing the user's passkeys.
#[utoipa::path(post, path = "/api/auth/login/mfa/passkey/options", tag = "auth", request_body = PendingChallenge,
    responses(
        (status = 200, body = Started),
        (status = 409, description = "The sign-in's challenge expired: sign in again", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The user has no passkey", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn second_factor_options(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: PendingChallenge = ctx.json()?;
    let started =
        passkey_sign_in::start_second_factor(&principal::sign_in(ctx), &ctx.app.passkeys, body)
            .await?;
    json(StatusCode::OK, &started)
}

/// The second step of signing in, answered with a passkey: sets the session cookie.
#[utoipa::path(post, path = "/api/auth/login/mfa/passkey", tag = "auth", request_body = PasskeyFactorBody,
    responses(
        (status = 204, description = "Signed in; the session cookie is set"),
        (status = 401, description = "The passkey failed a check or is not one of the user's, or this answer was used already", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The sign-in or the ceremony expired: sign in again; or the company turned this way of signing in off", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The answer is not a passkey's", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn second_factor(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: PasskeyFactorBody = ctx.json()?;
    let session =
        passkey_sign_in::second_factor(&principal::sign_in(ctx), &ctx.app.passkeys, body).await?;
    principal::set_session_cookie(ctx, &session)?;
    no_content()
}
