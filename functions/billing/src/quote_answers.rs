//! What a client company's approvers do with a sent quote (docs/quotes.md): approve it (a typed
//! name and the consent sentence; what the MSP chose — a ticket, a project, a deposit invoice —
//! happens in the same transaction), decline it with a reason, or ask for an expired one to be
//! renewed (one click raises a ticket). Each is one conditional write: two approvers at once
//! make one answer, and an answer racing a revision or midnight makes none.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::audit::AuditAction;
use portal::domain::billing::today;
use portal::domain::quotes::{
    Approval, ApproveBody, Decline, DeclineBody, Outcome, Quote, QuoteStatus,
};
use portal::store::{QuoteEffects, Saved};
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use portal::{ApiError, App};

use crate::notify;
use crate::quotes::{approver, refused, view, visible_quote};

/// The quote again after a write found it changed: it, if it still exists.
async fn again(app: &App, quote: &Quote) -> Result<Quote, ApiError> {
    app.store
        .get_quote(&quote.company_id, &quote.id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Refuse an answer to `quote` on `today` unless it is answerable and still the `version` read.
fn check_answerable(quote: &Quote, version: u64, today: time::Date) -> Result<(), ApiError> {
    if let Some(refusal) = refused(quote, today) {
        return Err(refusal);
    }
    if quote.version != version {
        return Err(ApiError::State(
            "/problems/quote-changed",
            "This quote changed since you opened it: read it again".into(),
        ));
    }
    Ok(())
}

/// The audit entry of an approver's answer.
fn answer_audit(
    ctx: &Ctx<'_>,
    principal: &Principal,
    action: AuditAction,
    quote: &Quote,
    summary: String,
) -> portal::domain::audit::AuditEntry {
    principal.audit(
        ctx,
        &quote.company_id,
        action,
        Some(format!("quote:{}", quote.id)),
        summary,
    )
}

/// Approve a sent quote (its company's Full Admins and Billing Admins): the typed name, the ticked
/// consent sentence and the `version` read. The approval records the name, the user, the time,
/// the address, the revision and the sentence (which names the totals); the quote is then
/// immutable. What the MSP chose happens in the same transaction: a ticket for the work, a
/// project, a deposit invoice (due at once; pay it through `POST /api/payments/checkout`).
#[utoipa::path(post, path = "/api/quotes/{id}/approve", tag = "billing", request_body = ApproveBody,
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Approved; `outcome` names the ticket, project and deposit invoice", body = crate::quotes::QuoteView),
        (status = 400, description = "Broken JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the company's approvers (MSP staff never approve for a client)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not answerable: not sent, approved, declined, superseded, expired, or changed since read (`type` says which)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No name typed, or the sentence not ticked", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut quote) = visible_quote(ctx, id).await?;
    approver(&principal)?;
    let body: ApproveBody = ctx.json()?;
    let app = ctx.app;
    check_answerable(&quote, body.version, today(app.now()))?;
    let name = body.check()?;
    let store = &app.store;
    // Numbers are taken once, before the transaction; a lost race leaves a gap in ticket and
    // project numbers (not gapless), never a second ticket or project.
    let (mut ticket_no, mut project_no, mut company) = (None, None, None);
    for _ in 0..20 {
        let now = app.now();
        check_answerable(&quote, body.version, today(now))?;
        let on = &quote.on_approval;
        if on.ticket_request_type.is_some() && ticket_no.is_none() {
            ticket_no = Some(store.next_number("TICKET").await?);
        }
        if on.create_project && project_no.is_none() {
            project_no = Some(store.next_number("PROJECT").await?);
        }
        let me = &principal.user;
        let ticket = ticket_no.and_then(|n| quote.work_ticket(n, me, now));
        let project = project_no.and_then(|n| quote.project(n, me, now));
        let mut deposit = None;
        if quote.deposit() > 0 {
            if company.is_none() {
                company = store.get_company(&quote.company_id).await?;
            }
            let client = company.as_ref().ok_or(ApiError::NotFound)?;
            let last = store.last_invoice_number().await?;
            deposit = quote
                .deposit_invoice(client, last + 1, now)
                .map(|i| (i, last));
        }
        let mut approved = quote.clone();
        approved.status = QuoteStatus::Approved;
        approved.approval = Some(Approval {
            name: name.clone(),
            user_id: me.id.clone(),
            user_name: me.name.clone(),
            at: now,
            ip: ctx.source_ip().unwrap_or_else(|| "unknown".into()),
            revision: quote.revision,
            totals: quote.totals.clone(),
            consent: quote.consent(),
        });
        approved.outcome = Some(Outcome {
            ticket: ticket.as_ref().map(|t| t.number),
            project: project.as_ref().map(|p| p.number),
            deposit_invoice: deposit.as_ref().map(|(i, _)| i.id.clone()),
            deposit_label: deposit.as_ref().map(|(i, _)| i.label()),
        });
        approved.version += 1;
        approved.updated_at = now;
        let audit = answer_audit(
            ctx,
            &principal,
            AuditAction::QuoteApproved,
            &quote,
            format!(
                "Approved {} ({}) for {}, signed “{name}”",
                quote.label(),
                quote.title,
                quote.totals_text()
            ),
        );
        let effects = QuoteEffects {
            ticket: ticket.as_ref(),
            project: project.as_ref(),
            deposit: deposit.as_ref().map(|(i, last)| (i, *last)),
        };
        match store
            .answer_quote(&approved, quote.version, today(now), &effects, &audit)
            .await?
        {
            Saved::Done => {
                notify::quote_answered(app, &approved).await;
                if let (Some((invoice, _)), Some(client)) = (&deposit, &company) {
                    notify::invoice_issued(app, client, invoice, false).await;
                }
                return json(StatusCode::OK, &view(app, &principal, approved));
            }
            // The quote changed (say why next time round), or another invoice took the number.
            Saved::Stale => quote = again(app, &quote).await?,
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not approve the quote after 20 tries"
    )))
}

/// Decline a sent quote (its company's approvers), with a reason and the `version` read.
#[utoipa::path(post, path = "/api/quotes/{id}/decline", tag = "billing", request_body = DeclineBody,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = crate::quotes::QuoteView),
        (status = 400, description = "Broken JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the company's approvers", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not answerable: not sent, approved, declined, superseded, expired, or changed since read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn decline(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, quote) = visible_quote(ctx, id).await?;
    approver(&principal)?;
    let body: DeclineBody = ctx.json()?;
    let app = ctx.app;
    let now = app.now();
    check_answerable(&quote, body.version, today(now))?;
    let reason = body.check()?;
    let mut declined = quote.clone();
    declined.status = QuoteStatus::Declined;
    declined.decline = Some(Decline {
        reason: reason.clone(),
        user_id: principal.user.id.clone(),
        user_name: principal.user.name.clone(),
        at: now,
    });
    declined.version += 1;
    declined.updated_at = now;
    let audit = answer_audit(
        ctx,
        &principal,
        AuditAction::QuoteDeclined,
        &quote,
        format!("Declined {} ({}): {reason}", quote.label(), quote.title),
    );
    match app
        .store
        .answer_quote(
            &declined,
            quote.version,
            today(now),
            &QuoteEffects::default(),
            &audit,
        )
        .await?
    {
        Saved::Done => {
            notify::quote_answered(app, &declined).await;
            json(StatusCode::OK, &view(app, &principal, declined))
        }
        Saved::Stale => {
            let now = again(app, &quote).await?;
            check_answerable(&now, body.version, today(app.now()))?;
            Err(ApiError::Conflict)
        }
    }
}

/// Ask for an expired quote to be renewed (its company's approvers): one ticket per revision,
/// raised for the MSP; asking again answers the same.
#[utoipa::path(post, path = "/api/quotes/{id}/renewal", tag = "billing",
    params(("id" = String, Path)),
    responses(
        (status = 201, description = "Asked: `renewal_ticket` is the ticket raised", body = crate::quotes::QuoteView),
        (status = 200, description = "Asked before: the same ticket", body = crate::quotes::QuoteView),
        (status = 403, description = "Not one of the company's approvers", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not expired (still waiting, approved, declined or superseded)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn renewal(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut quote) = visible_quote(ctx, id).await?;
    approver(&principal)?;
    let app = ctx.app;
    let mut number = None;
    for _ in 0..5 {
        if quote.renewal_ticket.is_some() {
            return json(StatusCode::OK, &view(app, &principal, quote));
        }
        let now = app.now();
        if !quote.expired(today(now)) {
            let why = quote.answerable(today(now)).err().map_or(
                "This quote has not expired: approve or decline it instead",
                |r| r.message(),
            );
            return Err(ApiError::State(
                "/problems/quote-not-expired",
                why.to_owned(),
            ));
        }
        let settings = app.store.ticket_settings().await?;
        let request_type = quote
            .on_approval
            .ticket_request_type
            .clone()
            .filter(|t| settings.request_types.contains(t))
            .or_else(|| settings.request_types.first().cloned())
            .unwrap_or_else(|| "Service request".into());
        let n = match number {
            Some(n) => n,
            None => *number.insert(app.store.next_number("TICKET").await?),
        };
        let mut ticket = quote.renewal_request(n, request_type, &principal.user, now);
        ticket.work.targets = portal::domain::tickets::plan_targets(
            &settings,
            &[],
            &ticket.request_type,
            ticket.priority,
            now,
        );
        let mut asked = quote.clone();
        asked.renewal_ticket = Some(n);
        asked.version += 1;
        asked.updated_at = now;
        let audit = answer_audit(
            ctx,
            &principal,
            AuditAction::QuoteRenewalAsked,
            &quote,
            format!(
                "Asked to renew {} ({}): ticket #{n}",
                quote.label(),
                quote.title
            ),
        );
        match app
            .store
            .ask_renewal(&asked, quote.version, &ticket, &audit)
            .await?
        {
            Saved::Done => {
                notify::renewal_asked(app, &asked, &ticket).await;
                return json(StatusCode::CREATED, &view(app, &principal, asked));
            }
            Saved::Stale => quote = again(app, &quote).await?,
        }
    }
    Err(ApiError::Conflict)
}
