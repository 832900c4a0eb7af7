//! Asking for access from the sign-in page (docs/sso.md, "Asking for access"). Whatever the
//! address, the answer is the same sentence after the same time: it never tells whether a company
//! uses the portal or whether the address has a user. At most three DynamoDB calls.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::auth::throttle::WINDOW_SECS;
use portal::domain::Email;
use portal::domain::access::{ANSWER, AccessRequest, AccessRequestBody, domain_of};
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::roles::Role;
use portal::domain::sign_in::LinkKind;
use portal::web::http::{Ctx, json};

use crate::RESET_ANSWER_FLOOR;

/// The one answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Told {
    pub message: String,
}

/// Ask for access: the Full Admins of the company whose domain the address is at are told, if it
/// takes requests. Throttled per address and per domain (more are answered the same and dropped).
#[utoipa::path(post, path = "/api/auth/access-request", tag = "auth", request_body = AccessRequestBody,
    responses(
        (status = 202, description = "The same answer whatever the address", body = Told),
        (status = 422, description = "Not an email address, or no name", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn request(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let started = tokio::time::Instant::now();
    let body: AccessRequestBody = ctx.json()?;
    let (email, name) = body.check().map_err(ApiError::Validation)?;
    let result = take(ctx, email, name).await;
    tokio::time::sleep_until(started + RESET_ANSWER_FLOOR).await;
    result?;
    json(
        StatusCode::ACCEPTED,
        &Told {
            message: ANSWER.into(),
        },
    )
}

async fn take(ctx: &Ctx<'_>, email: Email, name: String) -> Result<(), ApiError> {
    let app = ctx.app;
    let now = app.now();
    let window = now.unix_timestamp().div_euclid(WINDOW_SECS);
    let expires = now + time::Duration::hours(1);
    let place = ctx.source_ip().unwrap_or_else(|| "unknown".into());
    let domain = domain_of(&email).to_owned();
    let found = app
        .store
        .sso_lookup(&email, Some((LinkKind::Domain, &domain)))
        .await?;
    let (None, Some(company)) = (found.credential, found.linked) else {
        // No company to tell (or the address has a user): counted all the same.
        app.store
            .count_access_request(&place, &domain, window, expires)
            .await?;
        return Ok(());
    };
    let request = AccessRequest {
        id: AccessRequest::id_of(&email),
        company_id: company.clone(),
        email,
        name,
        asked_at: now,
        source_ip: ctx.source_ip(),
    };
    let mut audit = AuditEntry::new(
        &ctx.meta(),
        &company,
        None,
        AuditAction::AccessRequested,
        Some(format!("access-request:{}", request.id)),
        format!("{} <{}> asked for access", request.name, request.email),
    );
    audit.actor_name = request.name.clone();
    audit.actor_email = Some(request.email.clone());
    if !app
        .store
        .store_access_request(&request, (&place, window, expires), &audit)
        .await?
    {
        // Past a limit, the company takes no requests, or the address asked already.
        return Ok(());
    }
    app.tell(
        &company,
        |u| u.role == Role::FullAdmin,
        format!("{} asked for access to the portal", request.name),
        format!(
            "Hello,\n\n{name} ({email}) asked for access to the portal from the sign-in page. Approve the request (choosing their role: they are then emailed an invitation) or refuse it in Users:\n{origin}/users/\n\nIf you do not know them, refuse it. Requests go after 30 days unanswered.\n",
            name = request.name,
            email = request.email,
            origin = app.config.origin,
        ),
    )
    .await;
    Ok(())
}
