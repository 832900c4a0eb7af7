//! The ticket's PDF and its sign-off: `GET /api/tickets/{number}/pdf`, `GET
//! /api/tickets/{number}/signoff/pdf` and `POST /api/tickets/{number}/signoff` (docs/tickets.md,
//! "Resolution and sign-off"). PDFs hold only what the client sees, for staff too.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::account::Company;
use portal::domain::agreements::TicketTime;
use portal::domain::audit::AuditAction;
use portal::domain::random_hex;
use portal::domain::roles::Capability;
use portal::domain::tickets::{Signoff, SignoffBody, SignoffRefusal, Ticket, TicketSettings};
use portal::store::TicketPage;
use portal::store::keys;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;

use crate::pdf::{Public, render_signoff, render_ticket};
use crate::{ticket_audit, ticket_company};

/// What the ticket's PDFs are drawn from: its public part as the principal may see it, its
/// company, and the ticket settings (the MSP's names for the statuses).
struct PublicPage {
    page: TicketPage,
    time: TicketTime,
    company: Company,
    settings: TicketSettings,
}

/// The public part of ticket `number` as the principal may see it, with its company and the
/// ticket settings (read beside the ticket).
async fn public_page(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
) -> Result<PublicPage, ApiError> {
    let (company_id, number, staff) = ticket_company(ctx, principal, number).await?;
    let store = &ctx.app.store;
    let (page, settings) = tokio::try_join!(
        store.ticket_detail(&company_id, number, false),
        store.ticket_settings()
    )?;
    let mut page = page
        .filter(|p| principal.may_see_ticket(&p.ticket))
        .ok_or(ApiError::NotFound)?;
    let company = if staff {
        ctx.app
            .store
            .get_company(&company_id)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        principal.company.clone()
    };
    let time = TicketTime::for_client(std::mem::take(&mut page.time));
    Ok(PublicPage {
        page,
        time,
        company,
        settings,
    })
}

/// A short fingerprint of everything a PDF is drawn from: the same content, the same file.
fn fingerprint(form: &str, p: &PublicPage, status: &str) -> String {
    let content = serde_json::json!({
        "form": form,
        "ticket": p.page.ticket,
        "status": status,
        "notes": p.page.notes,
        "attachments": p.page.attachments,
        "time": p.time,
        "company": [&p.company.name, &p.company.address, &p.company.billing_email],
    });
    portal::domain::sha256_hex(content.to_string().as_bytes(), 16)
}

/// A redirect to the PDF `form` of the page, rendered by `render` when its content is new.
async fn fingerprinted_pdf(
    ctx: &Ctx<'_>,
    form: &str,
    name: String,
    p: PublicPage,
    render: fn(
        &portal::domain::branding::Branding,
        &Company,
        &Public<'_>,
    ) -> anyhow::Result<Vec<u8>>,
) -> Result<Response<Body>, ApiError> {
    let ticket = &p.page.ticket;
    let status = ticket.status_name(Some(&p.settings));
    let key = keys::ticket_pdf_object(
        &ticket.company_id,
        ticket.number,
        form,
        &fingerprint(form, &p, &status),
    );
    let app = ctx.app;
    portal::web::files::stored_pdf(app, &key, &name, async || {
        let public = Public {
            ticket,
            status: &status,
            notes: &p.page.notes,
            attachments: &p.page.attachments,
            time: &p.time,
        };
        render(&app.branding, &p.company, &public).map_err(ApiError::Internal)
    })
    .await
}

/// The ticket as a PDF: its facts, resolution, tasks, public conversation, attachment names and
/// time — never internal notes or files, for staff too.
#[utoipa::path(get, path = "/api/tickets/{number}/pdf", tag = "tickets",
    params(("number" = u64, Path)),
    responses(
        (status = 303, description = "`Location`: the PDF, for five minutes"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn pdf(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let page = public_page(ctx, &principal, number).await?;
    let name = format!("Ticket {}.pdf", page.page.ticket.number);
    fingerprinted_pdf(ctx, "pdf", name, page, render_ticket).await
}

/// The sign-off form of a resolved ticket as a PDF: the signed one as it was signed, or the form
/// waiting to be signed.
#[utoipa::path(get, path = "/api/tickets/{number}/signoff/pdf", tag = "tickets",
    params(("number" = u64, Path)),
    responses(
        (status = 303, description = "`Location`: the PDF, for five minutes"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not resolved (and never signed off)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn signoff_pdf(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let page = public_page(ctx, &principal, number).await?;
    let ticket = &page.page.ticket;
    let name = format!("Sign-off of ticket {}.pdf", ticket.number);
    if let Some(signed) = &ticket.work.signoff {
        let key = keys::signoff_object(&ticket.company_id, ticket.number, &signed.file_id);
        return portal::web::files::download_redirect(ctx.app, &key, &name, "application/pdf")
            .await;
    }
    if let Err(why) = ticket.may_sign_off(ticket.version) {
        return Err(refusal(why));
    }
    fingerprinted_pdf(ctx, "signoff-form", name, page, render_signoff).await
}

fn refusal(why: SignoffRefusal) -> ApiError {
    match why {
        SignoffRefusal::Signed => ApiError::State(
            "/problems/signed-off",
            "This ticket is already signed off. Download the signed form from the ticket.".into(),
        ),
        SignoffRefusal::NotResolved => ApiError::State(
            "/problems/not-resolved",
            "Only a resolved ticket with its resolution can be signed off.".into(),
        ),
        SignoffRefusal::Changed => ApiError::State(
            "/problems/ticket-changed",
            "The ticket changed since you opened the sign-off form. Read it again before you sign."
                .into(),
        ),
    }
}

/// Sign a resolved ticket off (the client's users who may add notes to it): the typed name and
/// the ticked consent sentence are recorded with the user, time and IP, the signed form is kept
/// as signed, and the ticket closes. Send the `version` shown on the form: if the ticket changed
/// since, 409.
#[utoipa::path(post, path = "/api/tickets/{number}/signoff", tag = "tickets", request_body = SignoffBody,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The ticket, signed off and closed", body = Ticket),
        (status = 403, description = "Not a client user who may add notes (MSP staff do not sign for the client)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not resolved, already signed off, or changed since the form was opened", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No typed name, or the sentence not ticked", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn sign_off(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AddNotes)?;
    if principal.can(Capability::AllCompanies) {
        return Err(ApiError::Forbidden);
    }
    let body: SignoffBody = ctx.json()?;
    let name = body.check()?;
    let PublicPage {
        page,
        time,
        company,
        settings,
    } = public_page(ctx, &principal, number).await?;
    let ticket = &page.ticket;
    ticket.may_sign_off(body.version).map_err(refusal)?;
    let signed = ticket.signed_off(Signoff {
        name,
        user_id: principal.user.id.clone(),
        user_name: principal.user.name.clone(),
        at: ctx.app.now(),
        ip: ctx.source_ip().unwrap_or_else(|| "unknown".into()),
        consent: ticket.signoff_consent(&company.name),
        file_id: random_hex(8),
    });
    let file_id = signed
        .work
        .signoff
        .as_ref()
        .map(|s| s.file_id.clone())
        .unwrap_or_default();
    let bytes = render_signoff(
        &ctx.app.branding,
        &company,
        &Public {
            ticket: &signed,
            status: &signed.status_name(Some(&settings)),
            notes: &page.notes,
            attachments: &page.attachments,
            time: &time,
        },
    )
    .map_err(ApiError::Internal)?;
    // The signed form is stored first under a key of its own; if the ticket changed meanwhile (a
    // second signer won), it is removed again and nothing else is written.
    let key = keys::signoff_object(&ticket.company_id, ticket.number, &file_id);
    ctx.app.files.put(&key, bytes, "application/pdf").await?;
    let audit = ticket_audit(
        ctx,
        &principal,
        ticket.number,
        AuditAction::TicketSignedOff,
        format!("Signed off ticket #{}", ticket.number),
    );
    if !ctx
        .app
        .store
        .save_ticket(&signed, ticket, Some(&audit), None)
        .await?
    {
        ctx.app.files.delete(&key).await;
        return Err(ApiError::Conflict);
    }
    crate::notify::signed_off(ctx.app, &signed, &company.name).await;
    json(StatusCode::OK, &signed)
}
