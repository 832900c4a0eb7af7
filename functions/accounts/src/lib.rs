//! Routes of the `accounts` function: the company directory and company settings (MSP staff), a
//! company's portal users (Full Admins of the company, MSP admins), and the audit trail. Every
//! route names its company in the path; `Principal::scope` turns another company's id into 404
//! unless the caller is MSP staff.

mod access;
mod audit;
mod companies;
mod preferences;
mod sign_in;
mod users;

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use portal::web::http::{Ctx, serve};
use portal::web::routes::Routes;
use portal::{ApiError, App};

/// Items per page of every list.
pub const PAGE_SIZE: i32 = 50;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    use Method as M;
    match (ctx.method(), ctx.segments().as_slice()) {
        (&M::GET, ["companies"]) => companies::list(ctx).await,
        (&M::POST, ["companies"]) => companies::create(ctx).await,
        (&M::GET, ["companies", company]) => companies::get(ctx, company).await,
        (&M::PATCH, ["companies", company]) => companies::update(ctx, company).await,
        (&M::PATCH, ["companies", company, "preferences"]) => {
            preferences::update(ctx, company).await
        }
        (&M::GET, ["companies", company, "sign-in"]) => sign_in::get(ctx, company).await,
        (&M::PUT, ["companies", company, "sign-in"]) => sign_in::put(ctx, company).await,
        (&M::GET, ["companies", company, "access-requests"]) => access::list(ctx, company).await,
        (&M::POST, ["companies", company, "access-requests", id, "approve"]) => {
            access::approve(ctx, company, id).await
        }
        (&M::DELETE, ["companies", company, "access-requests", id]) => {
            access::refuse(ctx, company, id).await
        }
        (&M::GET, ["companies", company, "users"]) => users::list(ctx, company).await,
        (&M::POST, ["companies", company, "users"]) => users::invite(ctx, company).await,
        (&M::GET, ["companies", company, "users", user]) => users::get(ctx, company, user).await,
        (&M::PATCH, ["companies", company, "users", user]) => {
            users::update(ctx, company, user).await
        }
        (&M::POST, ["companies", company, "users", user, "invitation"]) => {
            users::resend(ctx, company, user).await
        }
        (&M::DELETE, ["companies", company, "users", user, "mfa"]) => {
            users::reset_mfa(ctx, company, user).await
        }
        (&M::GET, ["companies", company, "audit"]) => audit::list(ctx, company).await,
        (&M::GET, ["companies", company, "audit", "export"]) => audit::export(ctx, company).await,
        _ => Err(ApiError::NotFound),
    }
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    companies::list,
    companies::create,
    companies::get,
    companies::update,
    preferences::update,
    sign_in::get,
    sign_in::put,
    access::list,
    access::approve,
    access::refuse,
    users::list,
    users::invite,
    users::get,
    users::update,
    users::resend,
    users::reset_mfa,
    audit::list,
    audit::export,
))]
pub struct ApiDoc;
