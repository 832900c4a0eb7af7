//! The MSP's ticket settings: request types, which statuses clients may set, file limits.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::roles::Capability;
use portal::domain::tickets::TicketSettings;
use portal::web::http::{Ctx, json};

/// The MSP's ticket settings.
#[utoipa::path(get, path = "/api/tickets/settings", tag = "tickets",
    responses(
        (status = 200, body = TicketSettings),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_settings(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    ctx.principal().await?;
    json(StatusCode::OK, &ctx.app.store.ticket_settings().await?)
}

/// Replace the ticket settings (MSP admins). Send the `version` you read; a stale one is a 409.
#[utoipa::path(put, path = "/api/tickets/settings", tag = "tickets", request_body = TicketSettings,
    responses(
        (status = 200, description = "Saved; the answer carries the new version", body = TicketSettings),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since you read it", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings, per field", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_settings(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageSettings)?;
    let body: TicketSettings = ctx.json()?;
    let mut settings = body.validated()?;
    settings.version += 1;
    if !ctx.app.store.put_ticket_settings(&settings).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &settings)
}
