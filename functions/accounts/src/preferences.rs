//! Company preferences for a client's Full Admins (seed 001's "Set company preferences"): the
//! company's profile (address, main phone, billing email, time zone) and the email preferences
//! its new users start with. What the MSP keeps — name, currency, payment terms, tax rate,
//! reminders, MFA — is not in the body at all (an unknown field is a 400).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::NotifyPrefs;
use portal::web::http::{Ctx, json};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::companies::CompanyFields;
use crate::users::managing;

/// What `PATCH /api/companies/{company_id}/preferences` takes: any of these, with the `version`
/// read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyPreferences {
    /// Where invoices go; blank clears it.
    #[schema(schema_with = portal::domain::validate::schema::email_blank_or_null)]
    pub billing_email: Option<String>,
    /// The main phone number.
    #[schema(schema_with = portal::domain::validate::schema::phone_or_null)]
    pub phone: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// An IANA time zone such as `Europe/London`, or `UTC`: the pages show times in it.
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
    /// The email preferences new users of the company start with.
    pub default_notify: Option<NotifyPrefs>,
    pub version: u64,
}

/// Change the company's profile and its new users' email preferences (the company's Full Admins,
/// and MSP admins). Send the `version` read; a stale one is a 409.
#[utoipa::path(patch, path = "/api/companies/{company_id}/preferences", tag = "accounts", request_body = CompanyPreferences,
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = portal::domain::account::Company),
        (status = 400, description = "A field the MSP keeps, or malformed", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not manage the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let (principal, _) = managing(ctx, company).await?;
    let body: CompanyPreferences = ctx.json()?;
    let id = principal.scope(company)?;
    // Read again, consistently: the principal's copy may be a moment old.
    let before = ctx
        .app
        .store
        .get_company(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if body.version != before.version {
        return Err(ApiError::Conflict);
    }
    let mut changed = before.clone();
    CompanyFields::profile(body.billing_email, body.phone, body.address, body.time_zone)
        .apply(&mut changed)?;
    if let Some(notify) = body.default_notify {
        changed.default_notify = notify;
    }
    if changed == before {
        return json(StatusCode::OK, &before);
    }
    let mut profile = before.clone();
    profile.default_notify = changed.default_notify;
    let summary = match (
        profile == changed,
        changed.default_notify != before.default_notify,
    ) {
        (true, _) => "Changed new users' email preferences".to_owned(),
        (false, true) => format!(
            "{}, and new users' email preferences",
            crate::companies::describe_change(&before, &changed)
        ),
        (false, false) => crate::companies::describe_change(&before, &changed),
    };
    crate::companies::save_company(ctx, &principal, &before, changed, summary).await
}
