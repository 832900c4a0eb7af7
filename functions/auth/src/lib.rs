//! Routes of the `auth` function: `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/me`.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::http::{Ctx, json, no_content, serve};
use portal::session::{self, LoginBody, Me};
use portal::{ApiError, App};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::POST, ["auth", "login"]) => login(ctx).await,
        (&Method::POST, ["auth", "logout"]) => logout(ctx).await,
        (&Method::GET, ["me"]) => me(ctx).await,
        (_, ["auth", "login"] | ["auth", "logout"] | ["me"]) => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    }
}

/// Sign in with email and password. Sets the session cookie.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 204, description = "Signed in; the session cookie is set"),
        (status = 400, description = "Malformed body", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from the portal's origin", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing email or password", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this email", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn login(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: LoginBody = ctx.json()?;
    session::login(ctx, body).await?;
    no_content()
}

/// Sign out: ends the session at once and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out")))]
async fn logout(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    session::logout(ctx).await?;
    no_content()
}

/// The signed-in user, their company, role and capabilities.
#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "Not signed in", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn me(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    json(StatusCode::OK, &Me::from(&principal))
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(login, logout, me))]
pub struct ApiDoc;
