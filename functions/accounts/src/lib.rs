//! Routes of the `accounts` function: the company directory (MSP staff), a company's profile, and
//! its portal users. Every route names its company in the path; `Principal::scope` turns another
//! company's id into 404 unless the caller is MSP staff.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::UserId;
use portal::http::{Ctx, json, serve};
use portal::roles::Capability;
use portal::store::{Company, User};
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

/// Items per page of every list.
pub const PAGE_SIZE: i32 = 50;

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["companies"]) => list_companies(ctx).await,
        (&Method::GET, ["companies", company]) => get_company(ctx, company).await,
        (&Method::GET, ["companies", company, "users"]) => list_users(ctx, company).await,
        (&Method::GET, ["companies", company, "users", user]) => get_user(ctx, company, user).await,
        (_, ["companies", ..]) if ctx.segments().len() <= 4 => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    }
}

/// One page of companies.
#[derive(Serialize, ToSchema)]
pub struct CompanyList {
    pub items: Vec<Company>,
    /// Pass as `?cursor=` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One page of users.
#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

/// Every company, by name (MSP staff only).
#[utoipa::path(get, path = "/api/companies", tag = "accounts",
    params(("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`")),
    responses(
        (status = 200, body = CompanyList),
        (status = 400, description = "Bad cursor", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn list_companies(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AllCompanies)?;
    let page = ctx
        .app
        .store
        .list_companies(ctx.start_after("companies")?, PAGE_SIZE)
        .await?;
    let next_cursor = ctx.next_cursor(&page, "companies");
    json(
        StatusCode::OK,
        &CompanyList {
            items: page.items,
            next_cursor,
        },
    )
}

/// A company: one's own, or any for MSP staff.
#[utoipa::path(get, path = "/api/companies/{company_id}", tag = "accounts",
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = Company),
        (status = 404, description = "No such company (or another company's)", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn get_company(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    let found = ctx
        .app
        .store
        .get_company(&company)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(StatusCode::OK, &found)
}

/// A company's portal users (Full Admins of the company, MSP admins).
#[utoipa::path(get, path = "/api/companies/{company_id}/users", tag = "accounts",
    params(("company_id" = String, Path), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, body = UserList),
        (status = 403, description = "May not manage users", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn list_users(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    principal.require(Capability::ManageUsers)?;
    let page = ctx
        .app
        .store
        .list_users(
            &company,
            ctx.start_after(&format!("users#{company}"))?,
            PAGE_SIZE,
        )
        .await?;
    let next_cursor = ctx.next_cursor(&page, &format!("users#{company}"));
    json(
        StatusCode::OK,
        &UserList {
            items: page.items,
            next_cursor,
        },
    )
}

/// One portal user of a company.
#[utoipa::path(get, path = "/api/companies/{company_id}/users/{user_id}", tag = "accounts",
    params(("company_id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 200, body = User),
        (status = 403, description = "May not manage users", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user (or another company's)", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn get_user(ctx: &Ctx<'_>, company: &str, user: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    principal.require(Capability::ManageUsers)?;
    let user = UserId::parse(user)?;
    let found = ctx
        .app
        .store
        .get_user(&company, &user)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(StatusCode::OK, &found)
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_companies, get_company, list_users, get_user))]
pub struct ApiDoc;
