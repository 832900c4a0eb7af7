//! Routes of the `accounts` function: the company directory and company settings (MSP staff), a
//! company's portal users (Full Admins of the company, MSP admins), and the audit trail. Every
//! route names its company in the path; `Principal::scope` turns another company's id into 404
//! unless the caller is MSP staff.

mod audit;
mod companies;
mod users;

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use portal::web::http::{Ctx, serve};
use portal::{ApiError, App};

/// Items per page of every list.
pub const PAGE_SIZE: i32 = 50;

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    use Method as M;
    match (ctx.method(), ctx.segments().as_slice()) {
        (&M::GET, ["companies"]) => companies::list(ctx).await,
        (&M::POST, ["companies"]) => companies::create(ctx).await,
        (&M::GET, ["companies", company]) => companies::get(ctx, company).await,
        (&M::PATCH, ["companies", company]) => companies::update(ctx, company).await,
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
        (
            _,
            ["companies"]
            | ["companies", _]
            | ["companies", _, "users" | "audit"]
            | ["companies", _, "users", _]
            | ["companies", _, "audit", "export"]
            | ["companies", _, "users", _, "invitation" | "mfa"],
        ) => Err(ApiError::MethodNotAllowed),
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
