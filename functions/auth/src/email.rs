//! Changing one's login email: `POST /api/me/email` (the new address and the current password)
//! mails a link to the new address and tells the old one; `POST /api/auth/email-change/confirm`
//! (the link's token) moves the login — the credential with its password and second factors — to
//! the new address in one transaction, and tells the old address it happened.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::auth::links;
use portal::domain::Email;
use portal::domain::account::TokenKind;
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::web::http::{Ctx, json, no_content};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What `POST /api/me/email` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    /// The new login email.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// The current password (accounts that sign in with Microsoft or Google only: empty).
    #[serde(default)]
    pub current_password: String,
}

/// Where the confirmation went.
#[derive(Serialize, ToSchema)]
pub struct EmailChangeSent {
    pub sent_to: String,
}

fn taken() -> ApiError {
    ApiError::State(
        "/problems/email-taken",
        "That address already signs in to the portal. Choose another, or ask your administrator."
            .into(),
    )
}

/// Ask to sign in with another email: a link to confirm it goes to that address (for 24 hours);
/// the current address is told. Nothing changes until the link is used.
#[utoipa::path(post, path = "/api/me/email", tag = "me", request_body = EmailChange,
    responses(
        (status = 202, description = "The confirmation link was sent to the new address", body = EmailChangeSent),
        (status = 409, description = "That address already signs in", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an email address, the same one, or the current password is wrong", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn request(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: EmailChange = ctx.json()?;
    let Ok(email) = Email::parse(body.email.trim()) else {
        return Err(ApiError::invalid(
            "email",
            "Enter an email address like name@example.com",
        ));
    };
    if email == principal.user.email {
        return Err(ApiError::invalid(
            "email",
            "That is your login email already",
        ));
    }
    let app = ctx.app;
    if body.current_password.is_empty() {
        // Only an account without a password (Microsoft or Google sign-in) may leave it out.
        let credential = app.store.get_credential(&principal.user.email).await?;
        if credential.is_none_or(|c| !c.password_hash.is_empty()) {
            return Err(ApiError::invalid(
                "current_password",
                "Enter your current password",
            ));
        }
    } else {
        crate::me::check_password(ctx, &principal, &body.current_password).await?;
    }
    let mut issued = links::issue(TokenKind::EmailChange, &principal.user, app.now());
    issued.record.new_email = Some(email.clone());
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ProfileUpdated,
        AuditEntry::user_target(&principal.user.id),
        format!("Asked to change the login email to {email}"),
    );
    // The address must be free now (checked in the write); the confirm checks again.
    if !app
        .store
        .store_email_change_token(&issued.hash, &issued.record, &audit)
        .await?
    {
        return Err(taken());
    }
    app.send_mail(&links::email_change_mail(
        &app.config.origin,
        &principal.user,
        &email,
        &issued.token,
    ))
    .await;
    app.send_mail(&links::email_change_notice(&principal.user, &email, false))
        .await;
    json(
        StatusCode::ACCEPTED,
        &EmailChangeSent {
            sent_to: email.to_string(),
        },
    )
}

/// What `POST /api/auth/email-change/confirm` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailToken {
    pub token: String,
}

/// Confirm a new login email with the link sent to it: from now on the user signs in with it.
#[utoipa::path(post, path = "/api/auth/email-change/confirm", tag = "auth", request_body = EmailToken,
    responses(
        (status = 204, description = "Changed: sign in with the new address"),
        (status = 400, description = "The link is unknown, used or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address was taken meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: EmailToken = ctx.json()?;
    let app = ctx.app;
    let (user, hash, record) =
        links::redeem_record(&app.store, app.now(), &body.token, TokenKind::EmailChange)
            .await?
            .ok_or(ApiError::InvalidToken)?;
    let new_email = record.new_email.ok_or(ApiError::InvalidToken)?;
    let credential = app
        .store
        .get_credential(&user.email)
        .await?
        .filter(|c| c.user_id == user.id)
        .ok_or(ApiError::InvalidToken)?;
    if app.store.get_credential(&new_email).await?.is_some() {
        return Err(taken());
    }
    let audit = AuditEntry::new(
        &ctx.meta(),
        &user.company_id,
        Some(&user),
        AuditAction::EmailChanged,
        AuditEntry::user_target(&user.id),
        format!("Changed the login email from {} to {new_email}", user.email),
    );
    if !app
        .store
        .change_email(&credential, &new_email, &hash, &audit, app.now())
        .await?
    {
        // Spent meanwhile, or the address taken in between: which one, a second look says.
        return Err(if app.store.get_credential(&new_email).await?.is_some() {
            taken()
        } else {
            ApiError::InvalidToken
        });
    }
    app.send_mail(&links::email_change_notice(&user, &new_email, true))
        .await;
    no_content()
}
