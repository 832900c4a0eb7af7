//! Time on tickets (docs/agreements.md): MSP staff log, change and delete time entries; each write
//! moves the counters of the agreement it counts against in the same transaction, so balances are
//! exact under concurrent writes, and a block that goes low emails the company's Full Admins and
//! Billing Admins once. Clients read the entries on the ticket's page (`detail`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::agreements::{AgreementBook, Guard, TimeEntry, TimeEntryBody, format_minutes};
use portal::domain::audit::AuditAction;
use portal::domain::billing::{BillingId, today};
use portal::domain::roles::Capability;
use portal::domain::tickets::Ticket;
use portal::domain::{CompanyId, random_hex};
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal::Principal;
use portal::{ApiError, App};

use crate::{ticket_audit, ticket_company};

/// Attempts at a write that met a concurrent one (a low-balance mark taken, a replay).
const ATTEMPTS: usize = 10;

/// What a time route reads: the ticket, its company's agreements and the entry (if named).
struct Read {
    ticket: Ticket,
    book: AgreementBook,
    entry: Option<TimeEntry>,
}

async fn read(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    number: u64,
    entry: Option<&BillingId>,
) -> Result<Read, ApiError> {
    let (ticket, book, entry) = ctx
        .app
        .store
        .ticket_with_agreements(company, number, entry)
        .await?;
    Ok(Read {
        ticket: ticket.ok_or(ApiError::NotFound)?,
        book,
        entry,
    })
}

/// Staff who log time, and the ticket's company and number.
async fn staff_ticket(
    ctx: &Ctx<'_>,
    number: &str,
) -> Result<(Principal, CompanyId, u64), ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::LogTime)?;
    let (company, number, _) = ticket_company(ctx, &principal, number).await?;
    Ok((principal, company, number))
}

/// Refusing to change billed time, naming the invoice (its number once issued).
fn billed_error(ticket: &Ticket, entry: &TimeEntry) -> ApiError {
    let number = entry.billed.as_ref().and_then(|b| {
        ticket
            .invoices
            .iter()
            .find(|m| m.invoice_id == b.invoice_id)
            .map(|m| m.number)
    });
    let invoice = number.map_or_else(
        || "a draft invoice".to_owned(),
        portal::domain::billing::invoice_label,
    );
    ApiError::State(
        "/problems/time-billed",
        format!("This time was billed on {invoice}; it no longer changes"),
    )
}

/// Log time on a ticket (MSP staff; closed tickets too). The agreement defaults to the company's
/// agreement in force that covers the ticket's request type, prepaid hours first. Send an
/// `Idempotency-Key` and a retry answers the entry the first made.
#[utoipa::path(post, path = "/api/tickets/{number}/time", tag = "tickets", request_body = TimeEntryBody,
    params(("number" = u64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Unique per entry; a retry with the same key answers the same entry", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, description = "Logged (or logged before with this Idempotency-Key)", body = TimeEntry),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Kept meeting concurrent writes; try again", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an agreement that is not in force or does not cover the ticket's type", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn log(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company, number) = staff_ticket(ctx, number).await?;
    let once = ctx.idempotency_key()?;
    let body: TimeEntryBody = ctx.json()?;
    if body.version.is_some() {
        return Err(ApiError::invalid(
            "version",
            "Send a version only to change an entry",
        ));
    }
    let app = ctx.app;
    let id = match once {
        Some(key) => {
            BillingId::derived(&["time", principal.user.id.as_str(), &number.to_string(), key])
        }
        None => BillingId::parse(&random_hex(12))?,
    };
    for _ in 0..ATTEMPTS {
        let read = read(ctx, &company, number, once.map(|_| &id)).await?;
        if let Some(earlier) = read.entry {
            return json(StatusCode::CREATED, &earlier);
        }
        let now = app.now();
        let checked = body.check(today(now), &read.book.agreements, &read.ticket.request_type)?;
        let mut entry = TimeEntry {
            id: id.clone(),
            company_id: company.clone(),
            ticket_number: number,
            ticket_summary: read.ticket.summary.clone(),
            date: checked.date,
            minutes: 0,
            work_type: checked.work_type,
            billable: true,
            note: String::new(),
            internal: false,
            agreement_id: None,
            agreement_name: None,
            agreement_kind: None,
            by_id: principal.user.id.clone(),
            by_name: principal.user.name.clone(),
            billed: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        checked.write(&mut entry);
        let summary = format!("Logged {} on #{number}", format_minutes(entry.minutes));
        if write(
            ctx,
            &principal,
            &read.book,
            None,
            Some(&entry),
            AuditAction::TimeLogged,
            summary,
        )
        .await?
        {
            return json(StatusCode::CREATED, &entry);
        }
    }
    Err(ApiError::Conflict)
}

/// Change a time entry (MSP staff) at the version read. Billed time no longer changes.
#[utoipa::path(patch, path = "/api/tickets/{number}/time/{id}", tag = "tickets", request_body = TimeEntryBody,
    params(("number" = u64, Path), ("id" = String, Path)),
    responses(
        (status = 200, body = TimeEntry),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket or entry", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or billed already", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no version", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(ctx: &Ctx<'_>, number: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company, number) = staff_ticket(ctx, number).await?;
    let id = BillingId::parse(id)?;
    let body: TimeEntryBody = ctx.json()?;
    let Some(version) = body.version else {
        return Err(ApiError::invalid("version", "Send the version you read"));
    };
    for _ in 0..ATTEMPTS {
        let read = read(ctx, &company, number, Some(&id)).await?;
        let before = read.entry.ok_or(ApiError::NotFound)?;
        if before.billed.is_some() {
            return Err(billed_error(&read.ticket, &before));
        }
        if before.version != version {
            return Err(ApiError::Conflict);
        }
        let now = ctx.app.now();
        let checked = body.check(today(now), &read.book.agreements, &read.ticket.request_type)?;
        let mut after = before.clone();
        checked.write(&mut after);
        after.version += 1;
        after.updated_at = now;
        let summary = format!(
            "Changed time on #{number}: {} → {}",
            format_minutes(before.minutes),
            format_minutes(after.minutes)
        );
        let book = &read.book;
        if write(
            ctx,
            &principal,
            book,
            Some(&before),
            Some(&after),
            AuditAction::TimeChanged,
            summary,
        )
        .await?
        {
            return json(StatusCode::OK, &after);
        }
    }
    Err(ApiError::Conflict)
}

/// Delete a time entry (MSP staff): its minutes go back to the agreement. Billed time stays.
#[utoipa::path(delete, path = "/api/tickets/{number}/time/{id}", tag = "tickets",
    params(("number" = u64, Path), ("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket or entry", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Billed already, or kept changing", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(ctx: &Ctx<'_>, number: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company, number) = staff_ticket(ctx, number).await?;
    let id = BillingId::parse(id)?;
    for _ in 0..ATTEMPTS {
        let read = read(ctx, &company, number, Some(&id)).await?;
        let before = read.entry.ok_or(ApiError::NotFound)?;
        if before.billed.is_some() {
            return Err(billed_error(&read.ticket, &before));
        }
        let summary = format!(
            "Deleted {} of time on #{number}",
            format_minutes(before.minutes)
        );
        if write(
            ctx,
            &principal,
            &read.book,
            Some(&before),
            None,
            AuditAction::TimeDeleted,
            summary,
        )
        .await?
        {
            return no_content();
        }
    }
    Err(ApiError::Conflict)
}

/// Write an entry's change with its counter moves under the low-balance guards; email when the
/// hours went low. `false` when a condition refused it (read again and retry).
async fn write(
    ctx: &Ctx<'_>,
    principal: &Principal,
    book: &AgreementBook,
    before: Option<&TimeEntry>,
    after: Option<&TimeEntry>,
    action: AuditAction,
    summary: String,
) -> Result<bool, ApiError> {
    let app = ctx.app;
    let today = today(app.now());
    let number = after.or(before).map_or(0, |e| e.ticket_number);
    let moves = book.moves(before, after);
    let guards = book.guards(&moves, None, today);
    let audit = ticket_audit(ctx, principal, number, action, summary);
    if !app
        .store
        .write_time_entry(before, after, &moves, &guards, &audit)
        .await?
    {
        return Ok(false);
    }
    for (id, guard) in &guards {
        if let (Guard::Mark(_), Some(agreement)) = (guard, book.find(id.as_str())) {
            let usage = book.usage_of(id).moved(id, &moves);
            if let Some(balance) = agreement.balance(&usage, today) {
                low_balance(app, agreement, &balance).await;
            }
        }
    }
    Ok(true)
}

/// To the company's Full Admins and Billing Admins (who see agreements and take billing email):
/// a block or retainer went under its low-balance share.
async fn low_balance(
    app: &App,
    agreement: &portal::domain::agreements::Agreement,
    balance: &portal::domain::agreements::HoursBalance,
) {
    let to = app
        .recipients(&agreement.company_id, |u| {
            u.role.can(Capability::ViewAgreements) && u.notify.invoices
        })
        .await;
    if to.is_empty() {
        return;
    }
    let text = format!(
        "{name} has {left} left of {included} ({used} used).\n\nSee the agreement, and buy more hours if you need them: {origin}/agreements/\n\nYou get this email as a billing contact of {company} on the client portal. Turn invoice and billing emails off under My account.",
        name = agreement.name,
        left = format_minutes(balance.left_minutes),
        included = format_minutes(balance.included_minutes),
        used = format_minutes(balance.used_minutes),
        origin = app.config.origin,
        company = agreement.company_name,
    );
    app.send_mail(&portal::aws::mail::Outgoing {
        to,
        subject: format!("Hours running low: {}", agreement.name),
        text,
        html: None,
    })
    .await;
}
