//! A company's requests for access (docs/sso.md, "Asking for access"): its Full Admins (and MSP
//! admins) list them, approve one with the role they choose (an invitation goes to the person) or
//! refuse it.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::UserStatus;
use portal::domain::access::AccessRequest;
use portal::domain::account::User;
use portal::domain::audit::AuditAction;
use portal::domain::roles::Role;
use portal::domain::validate;
use portal::web::http::{Ctx, json, no_content};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::{check_role, managing, send_invitation};

/// A company's waiting requests for access, oldest first.
#[derive(Serialize, ToSchema)]
pub struct AccessRequestList {
    pub items: Vec<AccessRequest>,
}

/// A company's waiting requests for access (at most 100 at a time).
#[utoipa::path(get, path = "/api/companies/{company_id}/access-requests", tag = "accounts",
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = AccessRequestList),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let (_, company) = managing(ctx, company).await?;
    let items = ctx.app.store.list_access_requests(&company.id).await?;
    json(StatusCode::OK, &AccessRequestList { items })
}

/// What approving a request takes: the role the person gets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// One of the company's roles.
    pub role: Role,
}

fn request_id(id: &str) -> Result<&str, ApiError> {
    AccessRequest::is_id(id)
        .then_some(id)
        .ok_or(ApiError::NotFound)
}

/// Approve a request: the person is invited with `role` (the request goes in the same
/// transaction) and emailed the link.
#[utoipa::path(post, path = "/api/companies/{company_id}/access-requests/{request_id}/approve", tag = "accounts",
    request_body = Approval,
    params(("company_id" = String, Path), ("request_id" = String, Path, description = "16 hex digits", pattern = "^[0-9a-f]{16}$")),
    responses(
        (status = 201, description = "Invited", body = User),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request (answered, or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address has an account meanwhile, or the request was answered", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a role of this company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve(ctx: &Ctx<'_>, company: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = managing(ctx, company).await?;
    let body: Approval = ctx.json()?;
    let mut errors = Vec::new();
    check_role(body.role, &company, &mut errors);
    validate::done(errors)?;
    let id = request_id(id)?;
    let request = ctx
        .app
        .store
        .get_access_request(&company.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let user = User::new(
        company.id.clone(),
        request.email.clone(),
        &request.name,
        body.role,
        UserStatus::Invited,
        ctx.app.now(),
    );
    let user = send_invitation(ctx, &principal, &company, user, Some(id)).await?;
    json(StatusCode::CREATED, &user)
}

/// Refuse a request: it goes (the person is not told).
#[utoipa::path(delete, path = "/api/companies/{company_id}/access-requests/{request_id}", tag = "accounts",
    params(("company_id" = String, Path), ("request_id" = String, Path, description = "16 hex digits", pattern = "^[0-9a-f]{16}$")),
    responses(
        (status = 204, description = "Refused"),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request (answered, or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn refuse(ctx: &Ctx<'_>, company: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = managing(ctx, company).await?;
    let id = request_id(id)?;
    let audit = principal.audit(
        ctx,
        &company.id,
        AuditAction::AccessRequestRefused,
        Some(format!("access-request:{id}")),
        "Refused a request for access",
    );
    if !ctx
        .app
        .store
        .refuse_access_request(&company.id, id, &audit)
        .await?
    {
        return Err(ApiError::NotFound);
    }
    no_content()
}
