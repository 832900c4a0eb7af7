//! A ticket's checklist (MSP staff): `POST /api/tickets/{number}/tasks`, `PATCH` and `DELETE
//! /api/tickets/{number}/tasks/{id}`. Each writes the ticket item on condition it is still the
//! version read, so two technicians never lose each other's ticks silently (409, read again).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::random_hex;
use portal::domain::roles::Capability;
use portal::domain::tickets::{NewTaskBody, TaskChange, Ticket, task_text_checked};
use portal::web::http::{Ctx, json};

use crate::{save_updated, visible_ticket};

/// Save `next` (the ticket `before` with its tasks changed), updated now; 409 if the ticket
/// changed since it was read.
async fn save(
    ctx: &Ctx<'_>,
    principal: &portal::web::principal::Principal,
    before: &Ticket,
    mut next: Ticket,
    what: &str,
    status: StatusCode,
) -> Result<Response<Body>, ApiError> {
    next.updated_at = ctx.app.now();
    let summary = format!("{what} on ticket #{}", before.number);
    let saved = save_updated(ctx, principal, before, next, summary).await?;
    json(status, &saved)
}

/// Add a task to a ticket's checklist (MSP staff; at most 50).
#[utoipa::path(post, path = "/api/tickets/{number}/tasks", tag = "tickets", request_body = NewTaskBody,
    params(("number" = u64, Path)),
    responses(
        (status = 201, description = "The ticket with the task added", body = Ticket),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Blank or too long, or the list is full", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AllCompanies)?;
    let body: NewTaskBody = ctx.json()?;
    let text = task_text_checked(&body.text)?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    let next = ticket.with_task(random_hex(4), text)?;
    save(
        ctx,
        &principal,
        &ticket,
        next,
        "Added a task",
        StatusCode::CREATED,
    )
    .await
}

/// Tick, untick or reword a task (MSP staff).
#[utoipa::path(patch, path = "/api/tickets/{number}/tasks/{id}", tag = "tickets", request_body = TaskChange,
    params(("number" = u64, Path), ("id" = String, Path)),
    responses(
        (status = 200, description = "The ticket with the task changed", body = Ticket),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket or task", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Blank or too long", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(ctx: &Ctx<'_>, number: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AllCompanies)?;
    let body: TaskChange = ctx.json()?;
    let text = body.text.as_deref().map(task_text_checked).transpose()?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    let next = ticket
        .with_task_changed(id, text, body.done, &principal.user.name, ctx.app.now())
        .ok_or(ApiError::NotFound)?;
    if next == ticket {
        return json(StatusCode::OK, &ticket);
    }
    save(
        ctx,
        &principal,
        &ticket,
        next,
        "Changed a task",
        StatusCode::OK,
    )
    .await
}

/// Remove a task (MSP staff).
#[utoipa::path(delete, path = "/api/tickets/{number}/tasks/{id}", tag = "tickets",
    params(("number" = u64, Path), ("id" = String, Path)),
    responses(
        (status = 200, description = "The ticket without the task", body = Ticket),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket or task", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(ctx: &Ctx<'_>, number: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AllCompanies)?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    let next = ticket.without_task(id).ok_or(ApiError::NotFound)?;
    save(
        ctx,
        &principal,
        &ticket,
        next,
        "Removed a task",
        StatusCode::OK,
    )
    .await
}
