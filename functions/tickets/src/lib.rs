//! Routes of the `tickets` function: raising tickets, reading one with its conversation, adding
//! notes, and the MSP's ticket settings. Lists, status changes, attachments and emails follow
//! (docs/tickets.md).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::{UserId, UserStatus, random_hex};
use portal::error::FieldError;
use portal::http::{Ctx, json, serve};
use portal::roles::Capability;
use portal::session::Principal;
use portal::tickets::{
    NewTicketBody, Note, NoteBody, Ticket, TicketSettings, TicketStatus, parse_number,
};
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["tickets", "settings"]) => get_settings(ctx).await,
        (&Method::PUT, ["tickets", "settings"]) => put_settings(ctx).await,
        (_, ["tickets", "settings"]) => Err(ApiError::MethodNotAllowed),
        (&Method::POST, ["tickets"]) => create(ctx).await,
        (&Method::GET, ["tickets", number]) => detail(ctx, number).await,
        (&Method::POST, ["tickets", number, "notes"]) => add_note(ctx, number).await,
        (_, ["tickets"] | ["tickets", _] | ["tickets", _, "notes"]) => {
            Err(ApiError::MethodNotAllowed)
        }
        _ => Err(ApiError::NotFound),
    }
}

/// A ticket with its conversation (and, for MSP staff, internal notes), oldest first.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub notes: Vec<Note>,
}

/// The ticket `number` as the principal may see it: another company's ticket, or a colleague's for
/// someone who sees only their own, is 404 exactly as a number that does not exist.
async fn visible_ticket(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
) -> Result<TicketDetail, ApiError> {
    let number = parse_number(number)?;
    let staff = principal.can(Capability::AllCompanies);
    let company = if staff {
        ctx.app
            .store
            .ticket_company(number)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        principal.company.id.clone()
    };
    let (ticket, notes) = ctx
        .app
        .store
        .ticket_detail(&company, number, staff)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sees_it = staff
        || principal.can(Capability::ViewCompanyTickets)
        || (principal.can(Capability::ViewOwnTickets) && ticket.contact_id == principal.user.id);
    if sees_it {
        Ok(TicketDetail { ticket, notes })
    } else {
        Err(ApiError::NotFound)
    }
}

/// Raise a ticket. Clients raise it in their own company, for themselves or (roles that may) for
/// a colleague; MSP staff name the client company and contact.
#[utoipa::path(post, path = "/api/tickets", tag = "tickets", request_body = NewTicketBody,
    responses(
        (status = 201, description = "Raised; the answer carries its number", body = Ticket),
        (status = 403, description = "May not raise tickets (or not for a colleague)", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::SubmitTicket)?;
    let body: NewTicketBody = ctx.json()?;
    let staff = principal.can(Capability::AllCompanies);
    let company = match body.company_id.as_deref() {
        Some(id) => principal.scope(id)?,
        None if staff => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "company_id",
                "Choose the client company",
            )]));
        }
        None => principal.company.id.clone(),
    };
    if staff && company == principal.company.id {
        return Err(ApiError::Validation(vec![FieldError::new(
            "company_id",
            "Raise tickets for a client company",
        )]));
    }
    let now = ctx.app.now();
    let contact_id = body.contact_id.clone();
    let wanted_contact = contact_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != principal.user.id.as_str());
    if wanted_contact.is_some() {
        principal.require(Capability::SubmitOnBehalf)?;
    }
    let contact_key = wanted_contact.and_then(|c| UserId::parse(c).ok());
    let (settings, contact) = ctx
        .app
        .store
        .load_for_new_ticket(contact_key.as_ref().map(|u| (&company, u)))
        .await?;
    let new = body.validate(&settings, now.date())?;
    let contact = match (
        new.contact_id.as_ref().filter(|c| **c != principal.user.id),
        contact,
    ) {
        (None, _) if staff => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "contact_id",
                "Choose the client contact",
            )]));
        }
        (None, _) => principal.user.clone(),
        (Some(_), Some(user)) if user.status == UserStatus::Active => user,
        (Some(_), _) => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "contact_id",
                "Choose an active colleague from the list",
            )]));
        }
    };
    let number = ctx.app.store.next_number("TICKET").await?;
    let ticket = Ticket {
        number,
        company_id: company.clone(),
        summary: new.summary,
        description: new.description,
        request_type: new.request_type,
        priority: new.priority,
        emergency: new.emergency,
        due_date: new.due_date,
        po_number: new.po_number,
        status: TicketStatus::New,
        contact_id: contact.id.clone(),
        contact_name: contact.name.clone(),
        created_by_id: principal.user.id.clone(),
        created_at: now,
        updated_at: now,
        closed_at: None,
        assignee_id: None,
        assignee_name: None,
        version: 1,
    };
    ctx.app.store.create_ticket(&ticket).await?;
    tracing::info!(ticket = number, company_id = %company, "ticket raised");
    json(StatusCode::CREATED, &ticket)
}

/// One ticket with its conversation. Internal notes appear only for MSP staff.
#[utoipa::path(get, path = "/api/tickets/{number}", tag = "tickets",
    params(("number" = u64, Path)),
    responses(
        (status = 200, body = TicketDetail),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn detail(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    json(
        StatusCode::OK,
        &visible_ticket(ctx, &principal, number).await?,
    )
}

/// Add a note to an open ticket. MSP staff may make it internal.
#[utoipa::path(post, path = "/api/tickets/{number}/notes", tag = "tickets", request_body = NoteBody,
    params(("number" = u64, Path)),
    responses(
        (status = 201, body = Note),
        (status = 403, description = "May not add notes, or an internal note as a client", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed, or changed meanwhile", body = portal::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or oversized note", body = portal::error::Problem, content_type = "application/problem+json"),
    ))]
async fn add_note(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AddNotes)?;
    let body: NoteBody = ctx.json()?;
    let staff = principal.can(Capability::AllCompanies);
    if body.internal && !staff {
        return Err(ApiError::Forbidden);
    }
    let text = body.text()?;
    let TicketDetail { ticket, .. } = visible_ticket(ctx, &principal, number).await?;
    if !ticket.status.is_open() {
        return Err(ApiError::State(
            "/problems/ticket-closed",
            "This ticket is closed, so it takes no more notes. Reopen it if that is offered, or raise a new ticket and mention this one's number.".into(),
        ));
    }
    let note = Note {
        id: random_hex(8),
        ticket_number: ticket.number,
        internal: body.internal,
        author_id: principal.user.id.clone(),
        author_name: principal.user.name.clone(),
        from_msp: staff,
        text,
        created_at: ctx.app.now(),
    };
    if !ctx.app.store.add_note(&ticket, &note).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::CREATED, &note)
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
#[openapi(paths(create, detail, add_note, get_settings, put_settings))]
pub struct ApiDoc;
