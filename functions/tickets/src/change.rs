//! `PATCH /api/tickets/{number}`: status, priority, technician and project phase, with the public
//! note that goes with a status change (clients must write one; resolving needs a resolution).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::roles::Capability;
use portal::domain::tickets::{self, Note, Resolution, StatusDef, TicketChange, TicketStatus};
use portal::domain::{UserId, UserStatus, random_hex};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json};

use crate::people::update_recipients;
use crate::{notify, placement, seen, ticket_audit, ticket_company};

/// Change a ticket's status (clients: only the statuses the MSP allows, and reopening a resolved
/// or cancelled ticket within the reopen window, always with a `note` saying why), and, for MSP
/// staff, its priority and technician. Resolving a ticket needs a resolution: the `note` sent
/// with it becomes one, or the one marked earlier stands. Send the `version` you read; a stale one
/// is a 409.
#[utoipa::path(patch, path = "/api/tickets/{number}", tag = "tickets", request_body = TicketChange,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The changed ticket", body = portal::domain::tickets::Ticket),
        (status = 403, description = "A status the MSP does not let clients set, or a staff-only change", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or closed for good", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a technician; a status change without its note; resolving without a resolution", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: TicketChange = ctx.json()?;
    let staff = principal.can(Capability::AllCompanies);
    if !staff
        && (body.priority.is_some()
            || body.assignee_id.is_some()
            || body.phase_id.is_some()
            || body.project.is_some())
    {
        return Err(ApiError::Forbidden);
    }
    if !staff {
        principal.require(Capability::AddNotes)?;
    }
    let note_text = body
        .note
        .as_deref()
        .map(|raw| tickets::note_text("note", raw))
        .transpose()?;
    // A change of status or priority reads the settings (statuses, targets) and the company's
    // agreements (their targets) with the ticket, in one call.
    let (company, number, _) = ticket_company(ctx, &principal, number).await?;
    let (ticket, settings, book) =
        if body.status.is_some() || body.status_id.is_some() || body.priority.is_some() {
            ctx.app.store.ticket_with_terms(&company, number).await?
        } else {
            let ticket = ctx.app.store.get_ticket(&company, number).await?;
            (ticket, Default::default(), Default::default())
        };
    let ticket = seen(&principal, ticket)?;
    if body.version != ticket.version {
        return Err(ApiError::Conflict);
    }
    let now = ctx.app.now();
    let mut changed = ticket.clone();
    let wanted = chosen_status(&body, &settings)?;
    let current = ticket.work.custom_status.as_ref().map(|c| c.id.as_str());
    let new_status = wanted
        .filter(|s| s.stage != ticket.status || s.custom().map(|c| c.id).as_deref() != current);
    if let Some(status) = &new_status {
        if status.retired {
            return Err(ApiError::invalid(
                "status",
                &format!("{} is retired: choose another status", status.name),
            ));
        }
        if !staff {
            let allowed = tickets::client_may_set(
                &settings,
                ticket.status,
                ticket.closed_at.or(Some(ticket.updated_at)),
                status,
                now,
            );
            match allowed {
                Ok(()) => {}
                Err(tickets::Refusal::NotAllowed) => return Err(ApiError::Forbidden),
                Err(tickets::Refusal::Closed(why)) => {
                    return Err(ApiError::State("/problems/ticket-closed", why));
                }
            }
            if note_text.is_none() {
                return Err(ApiError::invalid(
                    "note",
                    "Say why you are changing the status: write a note with it",
                ));
            }
        }
        if status.stage == TicketStatus::Resolved
            && note_text.is_none()
            && ticket.work.resolution.is_none()
        {
            return Err(ApiError::invalid(
                "note",
                "Write the resolution: what fixed it (the client reads it and signs it off)",
            ));
        }
        changed.set_status(status, now);
        changed.withdraw_unanswered(&ticket);
    }
    let new_stage = new_status.as_ref().map(|s| s.stage);
    if note_text.is_some() && new_status.is_none() && !ticket.status.is_open() {
        return Err(ApiError::State(
            "/problems/ticket-closed",
            "This ticket is closed, so it takes no more notes. Reopen it if that is offered, or raise a new ticket and mention this one's number.".into(),
        ));
    }
    if let Some(priority) = body.priority {
        changed.reprioritise(priority, &settings, &book.agreements, now);
    }
    if let Some(raw) = body.assignee_id.as_deref() {
        if raw.is_empty() {
            (changed.assignee_id, changed.assignee_name) = (None, None);
            changed.assignee_company = None;
        } else {
            let technician = match UserId::parse(raw) {
                Ok(id) => ctx.app.store.get_user(&principal.company.id, &id).await?,
                Err(_) => None,
            }
            .filter(|u| u.status == UserStatus::Active && u.role.can(Capability::AllCompanies));
            let Some(technician) = technician else {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "assignee_id",
                    "Choose a technician of the MSP",
                )]));
            };
            (changed.assignee_id, changed.assignee_name) =
                (Some(technician.id), Some(technician.name));
            changed.assignee_company = Some(technician.company_id);
        }
    }
    let placed = placement::moved(
        ctx,
        &ticket.company_id,
        ticket.project.as_ref(),
        body.project,
        body.phase_id.as_deref(),
    )
    .await?;
    let plan = placed.as_ref().map(|(_, plan)| *plan);
    if let Some((at, _)) = placed {
        changed.project = Some(at);
    }
    let note = note_text.map(|text| Note {
        id: random_hex(8),
        ticket_number: ticket.number,
        internal: false,
        author_id: principal.user.id.clone(),
        author_name: principal.user.name.clone(),
        from_msp: staff,
        text,
        created_at: now,
    });
    if let Some(note) = &note {
        changed.note_seen(note);
        if new_stage == Some(TicketStatus::Resolved) {
            changed.work.resolution = Some(Resolution::of(note));
        }
    }
    if changed == ticket && note.is_none() {
        return json(StatusCode::OK, &ticket);
    }
    changed.updated_at = now;
    changed.version = ticket.version + 1;
    // The trail and the emails name the status as the pages do: the MSP's name for it now.
    let status = changed.status_name(Some(&settings));
    let audit = if new_status.is_some() {
        ticket_audit(
            ctx,
            &principal,
            ticket.number,
            AuditAction::TicketStatusChanged,
            format!(
                "Changed ticket #{} from {} to {}",
                ticket.number,
                ticket.status_name(Some(&settings)),
                status
            ),
        )
    } else if note
        .as_ref()
        .is_some_and(|n| changed == ticket.with_note(n))
    {
        ticket_audit(
            ctx,
            &principal,
            ticket.number,
            AuditAction::TicketNoteAdded,
            format!("Added a note to ticket #{}", ticket.number),
        )
    } else {
        ticket_audit(
            ctx,
            &principal,
            ticket.number,
            AuditAction::TicketUpdated,
            format!(
                "Changed the priority, technician or project phase of ticket #{}",
                ticket.number
            ),
        )
    };
    if !ctx
        .app
        .store
        .save_ticket_noted(&changed, &ticket, note.as_ref(), Some(&audit), plan)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    tracing::info!(ticket = changed.number, status = ?changed.status, "ticket changed");
    let status_changed = new_status.is_some();
    if !staff && status_changed {
        notify::client_status(
            ctx.app,
            (&changed, &status),
            &principal.user.name,
            &principal.company.name,
            note.as_ref(),
        )
        .await;
    } else if !staff && let Some(note) = &note {
        notify::client_note(ctx.app, &changed, note).await;
    }
    if status_changed {
        let to = update_recipients(ctx, &changed, &principal.user.id, true, |n| {
            n.status_changes
        });
        for recipient in to.await? {
            notify::status_changed(
                ctx.app,
                (&changed, &status),
                &principal.user.name,
                note.as_ref(),
                recipient,
            )
            .await;
        }
    } else if let Some(note) = &note {
        let to = update_recipients(ctx, &changed, &principal.user.id, staff, |n| {
            n.ticket_replies
        });
        for recipient in to.await? {
            notify::public_note(ctx.app, &changed, note, recipient).await;
        }
    }
    json(StatusCode::OK, &changed)
}

/// The status the change asks for: by stage (`status`, its built-in status under the MSP's name)
/// or by id (`status_id`, any of the MSP's list); not both, and never waiting for approval (set by
/// asking for it).
fn chosen_status(
    body: &TicketChange,
    settings: &tickets::TicketSettings,
) -> Result<Option<StatusDef>, ApiError> {
    let (wanted, field) = match (body.status, body.status_id.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "status_id",
                "Send the status or its id, not both",
            ));
        }
        (Some(stage), None) => (
            settings
                .status(stage.id())
                .cloned()
                .unwrap_or_else(|| StatusDef::builtin(stage)),
            "status",
        ),
        (None, Some(id)) => (
            settings.status(id).cloned().ok_or_else(|| {
                ApiError::invalid("status_id", "Choose one of the MSP's statuses")
            })?,
            "status_id",
        ),
        (None, None) => return Ok(None),
    };
    if wanted.stage == TicketStatus::WaitingForApproval {
        return Err(ApiError::invalid(
            field,
            "Ask for approval with a message instead (it waits for approval then)",
        ));
    }
    Ok(Some(wanted))
}
