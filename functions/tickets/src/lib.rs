//! Routes of the `tickets` function: raising tickets, reading one with its conversation, adding
//! notes, and the MSP's ticket settings. Lists, status changes, attachments and emails follow
//! (docs/tickets.md).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::roles::Capability;
use portal::domain::tickets::{
    Attachment, NewTicketBody, Note, NoteBody, Ticket, TicketStatus, parse_number,
};
use portal::domain::tickets::{Priority, Resolution, Search, TicketRow};
use portal::domain::{CompanyId, UserId, UserStatus, random_hex};
use portal::store::Item;
use portal::store::keys::{self, TicketOrder};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, serve};
use portal::web::principal::Principal;
use portal::web::routes::Routes;

mod approval;
mod attachments;
mod change;
mod closing;
mod csv;
mod listing;
mod notify;
pub mod pdf;
mod people;
mod placement;
mod raise;
mod settings;
mod stats;
pub mod targets;
mod tasks;
mod timelog;
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["tickets", "settings"]) => settings::get_settings(ctx).await,
        (&Method::PUT, ["tickets", "settings"]) => settings::put_settings(ctx).await,
        (&Method::GET, ["tickets", "stats"]) => stats::stats(ctx).await,
        (&Method::GET, ["tickets", "export"]) => listing::export(ctx).await,
        (&Method::GET, ["tickets", "people"]) => stats::people(ctx).await,
        (&Method::POST, ["tickets"]) => raise::create(ctx).await,
        (&Method::GET, ["tickets"]) => listing::list(ctx).await,
        (&Method::GET, ["tickets", number]) => detail(ctx, number).await,
        (&Method::PATCH, ["tickets", number]) => change::change(ctx, number).await,
        (&Method::POST, ["tickets", number, "notes"]) => add_note(ctx, number).await,
        (&Method::POST, ["tickets", number, "uploads"]) => {
            attachments::request_upload(ctx, number).await
        }
        (&Method::POST, ["tickets", number, "attachments"]) => {
            attachments::confirm_upload(ctx, number).await
        }
        (&Method::GET, ["tickets", number, "attachments", id]) => {
            attachments::download(ctx, number, id).await
        }
        (&Method::POST, ["tickets", number, "approval-request"]) => {
            approval::request(ctx, number).await
        }
        (&Method::POST, ["tickets", number, "approval"]) => approval::answer(ctx, number).await,
        (&Method::GET, ["tickets", number, "pdf"]) => closing::pdf(ctx, number).await,
        (&Method::GET, ["tickets", number, "signoff", "pdf"]) => {
            closing::signoff_pdf(ctx, number).await
        }
        (&Method::POST, ["tickets", number, "signoff"]) => closing::sign_off(ctx, number).await,
        (&Method::POST, ["tickets", number, "watchers"]) => people::watch(ctx, number).await,
        (&Method::DELETE, ["tickets", number, "watchers", user]) => {
            people::unwatch(ctx, number, user).await
        }
        (&Method::POST, ["tickets", number, "rating"]) => people::rate(ctx, number).await,
        (&Method::POST, ["tickets", number, "tasks"]) => tasks::add(ctx, number).await,
        (&Method::PATCH, ["tickets", number, "tasks", id]) => tasks::change(ctx, number, id).await,
        (&Method::DELETE, ["tickets", number, "tasks", id]) => tasks::remove(ctx, number, id).await,
        (&Method::POST, ["tickets", number, "time"]) => timelog::log(ctx, number).await,
        (&Method::PATCH, ["tickets", number, "time", id]) => timelog::change(ctx, number, id).await,
        (&Method::DELETE, ["tickets", number, "time", id]) => {
            timelog::delete(ctx, number, id).await
        }
        _ => Err(ApiError::NotFound),
    }
}

/// Rows per page of a ticket list.
pub const PAGE_SIZE: i32 = 50;

/// A ticket with its conversation (and, for MSP staff, internal notes), oldest first.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub notes: Vec<Note>,
    /// Confirmed files, oldest first (internal ones for MSP staff only).
    pub attachments: Vec<Attachment>,
    /// The time spent on it (clients do not see internal entries' notes).
    pub time: portal::domain::agreements::TicketTime,
    /// The sentence to tick when signing it off, while the reader may sign it off now (a client
    /// user who may add notes, the ticket resolved and not yet signed).
    pub signoff_consent: Option<String>,
}

/// The company whose ticket `number` the principal asks for: found through the number pointer for
/// MSP staff, the principal's own otherwise.
pub(crate) async fn ticket_company(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
) -> Result<(CompanyId, u64, bool), ApiError> {
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
    Ok((company, number, staff))
}

/// The ticket `number` (without its conversation) as the principal may see it: another company's
/// ticket, or a colleague's for someone who sees only their own, is 404 exactly as a number that
/// does not exist. What changes a ticket reads this: one item, however long the conversation.
pub(crate) async fn visible_ticket(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
) -> Result<Ticket, ApiError> {
    let (company, number, _) = ticket_company(ctx, principal, number).await?;
    seen(principal, ctx.app.store.get_ticket(&company, number).await?)
}

/// `ticket` if it exists and `principal` may see it; 404 otherwise (the same for both).
pub(crate) fn seen(principal: &Principal, ticket: Option<Ticket>) -> Result<Ticket, ApiError> {
    ticket
        .filter(|t| principal.may_see_ticket(t))
        .ok_or(ApiError::NotFound)
}

/// The ticket `number` and its attachment `id`, as the principal may see them (as `visible_ticket`;
/// internal files for MSP staff only).
async fn visible_attachment(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
    id: &str,
) -> Result<(Ticket, Option<Attachment>), ApiError> {
    let (company, number, staff) = ticket_company(ctx, principal, number).await?;
    if !portal::web::uploads::is_file_id(id) {
        return Err(ApiError::NotFound);
    }
    let (ticket, attachment) = ctx
        .app
        .store
        .ticket_and_attachment(&company, number, id, staff)
        .await?;
    Ok((seen(principal, ticket)?, attachment))
}

/// An audit entry for a ticket event, in the acting user's company's trail (so MSP staff's work,
/// internal notes included, stays in the MSP's trail).
pub(crate) fn ticket_audit(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: u64,
    action: AuditAction,
    summary: String,
) -> AuditEntry {
    principal.audit(
        ctx,
        &principal.company.id,
        action,
        Some(format!("ticket:{number}")),
        summary,
    )
}

/// Save `next` (`before` with something changed that moves no list or count: tasks, watchers, a
/// rating) one version on, with a `ticket_updated` audit entry saying `summary`; 409 if the ticket
/// changed since it was read.
pub(crate) async fn save_updated(
    ctx: &Ctx<'_>,
    principal: &Principal,
    before: &Ticket,
    mut next: Ticket,
    summary: String,
) -> Result<Ticket, ApiError> {
    next.version = before.version + 1;
    let audit = ticket_audit(
        ctx,
        principal,
        before.number,
        AuditAction::TicketUpdated,
        summary,
    );
    if !ctx
        .app
        .store
        .save_ticket(&next, before, Some(&audit), None)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    Ok(next)
}

/// One ticket with its conversation. Internal notes appear only for MSP staff.
#[utoipa::path(get, path = "/api/tickets/{number}", tag = "tickets",
    params(("number" = u64, Path)),
    responses(
        (status = 200, body = TicketDetail),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn detail(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let (company, number, staff) = ticket_company(ctx, &principal, number).await?;
    let page = ctx
        .app
        .store
        .ticket_detail(&company, number, staff)
        .await?
        .filter(|p| principal.may_see_ticket(&p.ticket))
        .ok_or(ApiError::NotFound)?;
    let time = if staff {
        portal::domain::agreements::TicketTime::of(page.time)
    } else {
        portal::domain::agreements::TicketTime::for_client(page.time)
    };
    let signoff_consent = (!staff
        && principal.can(Capability::AddNotes)
        && page.ticket.may_sign_off(page.ticket.version).is_ok())
    .then(|| page.ticket.signoff_consent(&principal.company.name));
    json(
        StatusCode::OK,
        &TicketDetail {
            signoff_consent,
            ticket: page.ticket,
            notes: page.notes,
            attachments: page.attachments,
            time,
        },
    )
}

/// Add a note to an open ticket. MSP staff may make it internal, or mark it (public) as the
/// ticket's resolution — also on a resolved ticket not yet signed off.
#[utoipa::path(post, path = "/api/tickets/{number}/notes", tag = "tickets", request_body = NoteBody,
    params(("number" = u64, Path)),
    responses(
        (status = 201, body = Note),
        (status = 403, description = "May not add notes, or an internal note or a resolution as a client", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed, or changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or oversized note; an internal resolution", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn add_note(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AddNotes)?;
    let body: NoteBody = ctx.json()?;
    let staff = principal.can(Capability::AllCompanies);
    if (body.internal || body.resolution) && !staff {
        return Err(ApiError::Forbidden);
    }
    if body.internal && body.resolution {
        return Err(ApiError::invalid(
            "resolution",
            "The resolution is for the client to read: make it a public note",
        ));
    }
    let text = body.text()?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    // A resolved ticket still takes a better resolution before it is signed off.
    let amends = body.resolution && ticket.status == TicketStatus::Resolved;
    if !ticket.status.is_open() && !amends {
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
    let audit = ticket_audit(
        ctx,
        &principal,
        ticket.number,
        AuditAction::TicketNoteAdded,
        format!(
            "Added {} to ticket #{}",
            match (note.internal, body.resolution) {
                (true, _) => "an internal note",
                (false, true) => "the resolution",
                (false, false) => "a note",
            },
            ticket.number
        ),
    );
    let mut touched = ticket.with_note(&note);
    if body.resolution {
        touched.work.resolution = Some(Resolution::of(&note));
    }
    if !ctx
        .app
        .store
        .add_note(&ticket, &touched, &note, Some(&audit))
        .await?
    {
        return Err(ApiError::Conflict);
    }
    if !note.internal {
        if !staff {
            notify::client_note(ctx.app, &ticket, &note).await;
        }
        let to = people::update_recipients(ctx, &ticket, &principal.user.id, staff, |n| {
            n.ticket_replies
        });
        for recipient in to.await? {
            notify::public_note(ctx.app, &ticket, &note, recipient).await;
        }
    }
    json(StatusCode::CREATED, &note)
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    listing::list,
    listing::export,
    stats::people,
    stats::stats,
    raise::create,
    detail,
    change::change,
    add_note,
    closing::pdf,
    closing::signoff_pdf,
    closing::sign_off,
    tasks::add,
    people::watch,
    people::unwatch,
    people::rate,
    tasks::change,
    tasks::remove,
    approval::request,
    approval::answer,
    attachments::request_upload,
    attachments::confirm_upload,
    attachments::download,
    timelog::log,
    timelog::change,
    timelog::delete,
    settings::get_settings,
    settings::put_settings
))]
pub struct ApiDoc;
