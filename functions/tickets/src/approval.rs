//! Tickets waiting for the client's go-ahead (docs/quotes.md, "Ticket approvals"): MSP staff ask
//! the company's approvers with a message; an approver approves or rejects with a comment. Each
//! is one write conditioned on the version read, so two approvers at once make one answer.

use super::*;
use portal::domain::tickets::{ApprovalAnswerBody, ApprovalRequestBody};

/// A refusal of an approval request or answer that the ticket's state decides.
fn not_now(why: &'static str) -> ApiError {
    ApiError::State("/problems/approval-state", why.into())
}

/// Ask the company's approvers (its Full Admins and Billing Admins) to approve the work on an open
/// ticket (MSP staff), with a message they read; the ticket then waits for approval and they are
/// emailed.
#[utoipa::path(post, path = "/api/tickets/{number}/approval-request", tag = "tickets", request_body = ApprovalRequestBody,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The ticket, waiting for approval", body = Ticket),
        (status = 400, description = "Broken JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed, already waiting for approval, or changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No message", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn request(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AllCompanies)?;
    let body: ApprovalRequestBody = ctx.json()?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    let asked = ticket
        .ask_approval(&body, &principal.user, ctx.app.now())?
        .map_err(not_now)?;
    if body.version != ticket.version {
        return Err(ApiError::Conflict);
    }
    let audit = ticket_audit(
        ctx,
        &principal,
        ticket.number,
        AuditAction::TicketApprovalRequested,
        format!("Asked for approval of ticket #{}", ticket.number),
    );
    if !ctx
        .app
        .store
        .save_ticket(&asked, &ticket, Some(&audit), None)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    notify::approval_requested(ctx.app, &asked).await;
    json(StatusCode::OK, &asked)
}

/// Approve or reject the work a ticket waits for (the company's Full Admins and Billing Admins),
/// with a comment (required to reject). The ticket goes back to In progress; the technician who
/// asked and the support mailbox are told.
#[utoipa::path(post, path = "/api/tickets/{number}/approval", tag = "tickets", request_body = ApprovalAnswerBody,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The ticket, answered", body = Ticket),
        (status = 400, description = "Broken JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the company's approvers", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not waiting for approval (answered, withdrawn), or changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rejection without a comment", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn answer(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ApproveQuotes)?;
    if principal.can(Capability::AllCompanies) {
        return Err(ApiError::Forbidden);
    }
    let body: ApprovalAnswerBody = ctx.json()?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    let answered = ticket
        .answer_approval(&body, &principal.user, ctx.app.now())?
        .map_err(not_now)?;
    if body.version != ticket.version {
        return Err(ApiError::Conflict);
    }
    let verb = if body.approve { "Approved" } else { "Rejected" };
    let audit = ticket_audit(
        ctx,
        &principal,
        ticket.number,
        AuditAction::TicketApprovalAnswered,
        format!("{verb} the work on ticket #{}", ticket.number),
    );
    if !ctx
        .app
        .store
        .save_ticket(&answered, &ticket, Some(&audit), None)
        .await?
    {
        // Another approver answered first, or the ticket changed: say which.
        let now = visible_ticket(ctx, &principal, number).await?;
        if !now.awaits_approval() {
            return Err(not_now(portal::domain::tickets::NOT_WAITING));
        }
        return Err(ApiError::Conflict);
    }
    notify::approval_answered(ctx.app, &answered, &principal.company.name).await;
    json(StatusCode::OK, &answered)
}
