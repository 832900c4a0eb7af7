//! `/api/me/mfa…`: TOTP two-factor authentication of one's own account — enrolment (a QR code,
//! then a code from the app, answered with ten recovery codes shown once), new recovery codes in
//! place of the old, and turning it off.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::auth::{confirm, totp};
use portal::domain::account::MfaRecord;
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::random_hex;
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::me::check_password;

/// Check a code from the signed-in user's authenticator app (throttled, as at sign-in).
pub(crate) async fn check_code(
    ctx: &Ctx<'_>,
    principal: &Principal,
    code: &str,
) -> Result<confirm::CodeCheck, ApiError> {
    let app = ctx.app;
    let (company, user) = (&principal.company.id, &principal.user.id);
    Ok(confirm::current_code(&app.store, &app.mfa_key, &ctx.meta(), company, user, code).await?)
}

/// Enrolment: scan the QR code (or type the key) into an authenticator app, then confirm a code.
#[derive(Serialize, ToSchema)]
pub struct MfaEnrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, an SVG document.
    pub qr_svg: String,
}

/// Start (or restart) MFA enrolment.
#[utoipa::path(post, path = "/api/me/mfa", tag = "me",
    responses(
        (status = 200, body = MfaEnrolment),
        (status = 409, description = "MFA is already on", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn start(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    let app = ctx.app;
    let record = MfaRecord {
        nonce: random_hex(16),
        enabled: false,
        last_step: 0,
        recovery: Vec::new(),
    };
    if principal.user.mfa_enabled
        || !app
            .store
            .start_mfa(&principal.company.id, &principal.user.id, &record)
            .await?
    {
        return Err(mfa_already_on());
    }
    let secret = totp::secret(&app.mfa_key, &principal.user.id, &record.nonce);
    let uri = totp::otpauth_uri(
        &app.branding.short_name,
        principal.user.email.as_str(),
        &secret,
    );
    json(
        StatusCode::OK,
        &MfaEnrolment {
            secret: totp::base32(&secret),
            qr_svg: totp::qr_svg(&uri)?,
            otpauth_uri: uri,
        },
    )
}

fn mfa_not_started() -> ApiError {
    ApiError::State(
        "/problems/mfa-not-started",
        "Start setting up two-factor authentication first".into(),
    )
}

/// The password and a current code proved again before a change to MFA that is on: its record
/// and the code's step (422 for a wrong password, 401 for a wrong or used code, 409 if it is off).
async fn proved(
    ctx: &Ctx<'_>,
    principal: &Principal,
    password: &str,
    code: &str,
) -> Result<(MfaRecord, u64), ApiError> {
    check_password(ctx, principal, password).await?;
    let check = check_code(ctx, principal, code).await?;
    let Some(record) = check.record.filter(|r| r.enabled) else {
        return Err(mfa_not_on());
    };
    let step = check.step.ok_or(ApiError::InvalidCode)?;
    Ok((record, step))
}

fn mfa_not_on() -> ApiError {
    ApiError::State(
        "/problems/mfa-not-on",
        "Two-factor authentication is not on".into(),
    )
}

fn mfa_already_on() -> ApiError {
    ApiError::State(
        "/problems/mfa-already-on",
        "Two-factor authentication is already on".into(),
    )
}

/// What `POST /api/me/mfa/confirm` takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCode {
    pub code: String,
}

/// Shown once, after enrolment.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Finish enrolment with a code from the app; answers the ten recovery codes (shown once).
#[utoipa::path(post, path = "/api/me/mfa/confirm", tag = "me", request_body = MfaCode,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, description = "Wrong code", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No enrolment started, or MFA already on", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal_enrolling().await?;
    let body: MfaCode = ctx.json()?;
    let app = ctx.app;
    let check = check_code(ctx, &principal, &body.code).await?;
    let pending = match check.record {
        Some(r) if !r.enabled => r,
        Some(_) => return Err(mfa_already_on()),
        None => return Err(mfa_not_started()),
    };
    let step = check.step.ok_or(ApiError::InvalidCode)?;
    let codes = totp::recovery_codes();
    let enabled = MfaRecord {
        nonce: pending.nonce,
        enabled: true,
        last_step: step,
        recovery: codes.iter().map(|c| totp::recovery_hash(c)).collect(),
    };
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::MfaEnabled,
        AuditEntry::user_target(&principal.user.id),
        "Turned on two-factor authentication",
    );
    if !app
        .store
        .enable_mfa(&principal.user, &enabled, &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    json(
        StatusCode::OK,
        &RecoveryCodes {
            recovery_codes: codes,
        },
    )
}

/// What `POST /api/me/mfa/disable` takes: the current password and a current code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaDisable {
    pub current_password: String,
    /// A current code from the authenticator app.
    pub code: String,
}

/// Turn MFA off: the current password and a current code are asked for. Not allowed where the
/// company requires MFA.
#[utoipa::path(post, path = "/api/me/mfa/disable", tag = "me", request_body = MfaDisable,
    responses(
        (status = 204, description = "MFA is off"),
        (status = 401, description = "Wrong or used code", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The company requires MFA, or MFA is not on", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong password", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords or codes", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn disable(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: MfaDisable = ctx.json()?;
    if principal.company.mfa_required {
        return Err(ApiError::State(
            "/problems/mfa-required",
            "Your organisation requires two-factor authentication".into(),
        ));
    }
    proved(ctx, &principal, &body.current_password, &body.code).await?;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::MfaDisabled,
        AuditEntry::user_target(&principal.user.id),
        "Turned off two-factor authentication",
    );
    ctx.app.store.remove_mfa(&principal.user, &audit).await?;
    no_content()
}

/// What `POST /api/me/mfa/recovery-codes` takes: the current password and a current code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecoveryCodes {
    pub current_password: String,
    /// A current code from the authenticator app.
    pub code: String,
}

/// Ten new recovery codes in place of the old ones (lost, or used up), shown once; the old ones
/// stop working at once. The current password and a current code are asked for, and the code is
/// spent (it cannot be used again).
#[utoipa::path(post, path = "/api/me/mfa/recovery-codes", tag = "me", request_body = NewRecoveryCodes,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, description = "Wrong or used code", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two-factor authentication is not on", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong password", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords or codes", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn new_recovery_codes(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: NewRecoveryCodes = ctx.json()?;
    if !principal.user.mfa_enabled {
        return Err(mfa_not_on());
    }
    let (record, step) = proved(ctx, &principal, &body.current_password, &body.code).await?;
    let codes = totp::recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::RecoveryCodesReplaced,
        AuditEntry::user_target(&principal.user.id),
        "Made new recovery codes; the old ones no longer work",
    );
    // Spending the code's step in the same write: the same code sent twice at once makes one set.
    if !ctx
        .app
        .store
        .replace_recovery_codes(&principal.user, &record, step, &hashes, &audit)
        .await?
    {
        return Err(ApiError::InvalidCode);
    }
    json(
        StatusCode::OK,
        &RecoveryCodes {
            recovery_codes: codes,
        },
    )
}
