//! Routes of the `tickets` function. So far: the MSP's ticket settings, which every signed-in user
//! reads (the ticket form offers the request types) and MSP admins change.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::http::{Ctx, json, serve};
use portal::roles::Capability;
use portal::tickets::TicketSettings;
use portal::{ApiError, App};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["tickets", "settings"]) => get_settings(ctx).await,
        (&Method::PUT, ["tickets", "settings"]) => put_settings(ctx).await,
        (_, ["tickets", "settings"]) => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    }
}

/// The MSP's ticket settings.
#[utoipa::path(get, path = "/api/tickets/settings", tag = "tickets",
    responses(
        (status = 200, body = TicketSettings),
        (status = 401, description = "Not signed in", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn get_settings(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    ctx.principal().await?;
    json(StatusCode::OK, &ctx.app.store.ticket_settings().await?)
}

/// Replace the ticket settings (MSP admins). Send the `version` you read; a stale one is a 409.
#[utoipa::path(put, path = "/api/tickets/settings", tag = "tickets", request_body = TicketSettings,
    responses(
        (status = 200, description = "Saved; the answer carries the new version", body = TicketSettings),
        (status = 403, description = "Not an MSP admin", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since you read it", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings, per field", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn put_settings(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
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

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_settings, put_settings))]
pub struct ApiDoc;
