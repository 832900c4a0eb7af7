//! Store credit (docs/billing.md, "Store credit"): MSP admins issue credit notes to a client
//! company (numbered `CN-0001`, with a PDF); the company's billing users and MSP staff read them
//! and the balance; the balance pays invoices, by the MSP or by the client on the invoice page.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::CompanyKind;
use portal::domain::audit::AuditAction;
use portal::domain::billing::{
    ApplyCredit, BillingId, CreditBalance, CreditNote, CreditNoteBody, CreditedInvoice,
    InvoiceStatus, Payment, format_money, payable,
};
use portal::domain::roles::Capability;
use portal::web::http::{Ctx, json};
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

use crate::invoices::{InvoiceView, view};
use crate::payments::not_payable_error;
use crate::{billing_company, notify, paying_client, visible_invoice};

const PAGE_SIZE: i32 = 50;

#[derive(Serialize, ToSchema)]
pub struct CreditNoteList {
    /// Newest first.
    pub items: Vec<CreditNote>,
    pub next_cursor: Option<String>,
    /// The company's store credit, per currency (none: empty).
    pub balances: Vec<CreditBalance>,
}

/// A company's credit notes and store credit.
#[utoipa::path(get, path = "/api/credit-notes", tag = "billing",
    params(
        ("company" = Option<String>, Query, description = "MSP staff: the company"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`", pattern = "^[A-Za-z0-9_-]*$"),
    ),
    responses(
        (status = 200, body = CreditNoteList),
        (status = 400, description = "A cursor from another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that does not see invoices", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company, or staff naming none", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let name = format!("credit-notes#{company}");
    let start = ctx.start_after(&name)?;
    let store = &ctx.app.store;
    let (page, balances) = tokio::try_join!(
        store.credit_notes(&company, start, PAGE_SIZE),
        store.credit_balances(&company)
    )?;
    let next_cursor = ctx.next_cursor(&page, &name);
    json(
        StatusCode::OK,
        &CreditNoteList {
            items: page.items,
            next_cursor,
            balances,
        },
    )
}

/// A credit note's number from a path segment; anything else is 404.
fn number(raw: &str) -> Result<u64, ApiError> {
    raw.strip_prefix("CN-")
        .unwrap_or(raw)
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ApiError::NotFound)
}

/// One credit note of the company (its number, `7` or `CN-0007`).
async fn visible_note(ctx: &Ctx<'_>, raw: &str) -> Result<CreditNote, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    ctx.app
        .store
        .get_credit_note(&company, number(raw)?)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One credit note.
#[utoipa::path(get, path = "/api/credit-notes/{number}", tag = "billing",
    params(("number" = String, Path, description = "`7` or `CN-0007`"), ("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses(
        (status = 200, body = CreditNote),
        (status = 404, description = "No such credit note of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(ctx: &Ctx<'_>, raw: &str) -> Result<Response<Body>, ApiError> {
    json(StatusCode::OK, &visible_note(ctx, raw).await?)
}

/// The credit note as a PDF: a redirect to a presigned download (rendered once, kept in S3).
#[utoipa::path(get, path = "/api/credit-notes/{number}/pdf", tag = "billing",
    params(("number" = String, Path, description = "`7` or `CN-0007`"), ("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses(
        (status = 303, description = "`Location`: the PDF, for five minutes"),
        (status = 404, description = "No such credit note of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn pdf(ctx: &Ctx<'_>, raw: &str) -> Result<Response<Body>, ApiError> {
    let note = visible_note(ctx, raw).await?;
    let app = ctx.app;
    let key = portal::store::keys::credit_note_pdf_object(&note.company_id, note.number);
    portal::web::files::stored_pdf(app, &key, &format!("{}.pdf", note.label()), async || {
        let client = app
            .store
            .get_company(&note.company_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        crate::pdf::render_credit_note(&app.branding, &note, &client).map_err(ApiError::Internal)
    })
    .await
}

/// Issue a credit note (MSP admins): its amount goes to the company's store credit in the same
/// transaction as its number. Send an `Idempotency-Key` and a retry answers the same note.
#[utoipa::path(post, path = "/api/credit-notes", tag = "billing", request_body = CreditNoteBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the same credit note", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, description = "Issued (or issued before with this Idempotency-Key)", body = CreditNote),
        (status = 400, description = "Broken JSON or a malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid amount, currency or reason, or an invoice that is not the company's issued one", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let once = ctx.idempotency_key()?;
    let body: CreditNoteBody = ctx.json()?;
    let app = ctx.app;
    let company = portal::domain::CompanyId::parse(&body.company_id)?;
    let company = app
        .store
        .get_company(&company)
        .await?
        .filter(|c| c.kind == CompanyKind::Client)
        .ok_or(ApiError::NotFound)?;
    let invoice = match body.invoice_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            let found = match BillingId::parse(raw) {
                Ok(id) => app.store.get_invoice(&company.id, &id).await?,
                Err(_) => None,
            };
            Some(
                found
                    .filter(|i| i.status != InvoiceStatus::Draft)
                    .ok_or_else(|| {
                        ApiError::invalid("invoice_id", "Choose an issued invoice of the company")
                    })?,
            )
        }
    };
    let default = invoice.as_ref().map_or(&company.currency, |i| &i.currency);
    let (currency, amount, reason) = body.check(default)?;
    let request = once.map(|key| {
        BillingId::derived(&["credit-note", principal.user.id.as_str(), key]).to_string()
    });
    for _ in 0..50 {
        if let Some(request) = &request
            && let Some(number) = app.store.credit_request(&company.id, request).await?
            && let Some(earlier) = app.store.get_credit_note(&company.id, number).await?
        {
            return json(StatusCode::CREATED, &earlier);
        }
        let last = app.store.last_credit_number().await?;
        let note = CreditNote {
            number: last + 1,
            company_id: company.id.clone(),
            company_name: company.name.clone(),
            currency: currency.clone(),
            amount,
            reason: reason.clone(),
            invoice: invoice.as_ref().map(|i| CreditedInvoice {
                invoice_id: i.id.clone(),
                label: i.label(),
            }),
            issued_by_name: principal.user.name.clone(),
            created_at: app.now(),
            version: 1,
        };
        let audit = principal.audit(
            ctx,
            &principal.company.id,
            AuditAction::CreditNoteIssued,
            Some(format!("credit-note:{}", note.number)),
            format!(
                "Issued {} of {} to {}",
                note.label(),
                format_money(amount, &currency),
                company.name
            ),
        );
        if app
            .store
            .issue_credit_note(&note, last, request.as_deref(), &audit)
            .await?
        {
            notify::credit_note(app, &company, &note).await;
            return json(StatusCode::CREATED, &note);
        }
        // The number was taken by another note (or this request made one): read again.
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not take a credit note number after 50 tries"
    )))
}

/// What paying with credit answers.
#[derive(Serialize, ToSchema)]
pub struct PaidWithCredit {
    pub invoice: InvoiceView,
    pub payment: Payment,
}

/// Pay an invoice with the company's store credit: its billing users (a client's Full Admin or
/// Billing Admin) or an MSP admin (`?company=`). Up to the invoice's balance and the credit in
/// its currency; the credit is taken on condition it is still there.
#[utoipa::path(post, path = "/api/invoices/{id}/credit", tag = "billing", request_body = ApplyCredit,
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP admins: the invoice's company")),
    responses(
        (status = 201, body = PaidWithCredit),
        (status = 403, description = "Neither the company's billing user nor an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or not payable (paid, void, a draft)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An amount of zero, more than the balance, or more than the store credit", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn apply(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    if principal.can(Capability::AllCompanies) {
        principal.require(Capability::ManageBilling)?;
    } else {
        paying_client(&principal)?;
    }
    let company = billing_company(ctx, &principal)?;
    let body: ApplyCredit = ctx.json()?;
    let app = ctx.app;
    let invoice = visible_invoice(ctx, &principal, &company, id).await?;
    if !payable(&invoice) {
        return Err(not_payable_error(&invoice));
    }
    if invoice.version != body.version {
        return Err(ApiError::Conflict);
    }
    if !(1..=invoice.balance).contains(&body.amount) {
        return Err(ApiError::invalid(
            "amount",
            &format!(
                "Apply more than zero and at most the balance, {}",
                format_money(invoice.balance, &invoice.currency)
            ),
        ));
    }
    let credit = available(app, &company, &invoice.currency).await?;
    if body.amount > credit {
        return Err(short(credit, &invoice.currency));
    }
    let (payment, paid) = Payment::from_credit(
        &invoice,
        body.amount,
        (&principal.user.id, &principal.user.name),
        app.now(),
    );
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::CreditApplied,
        Some(format!("invoice:{}", invoice.id)),
        format!(
            "Paid {} of {} with store credit",
            format_money(body.amount, &invoice.currency),
            invoice.label()
        ),
    );
    if app
        .store
        .pay_with_credit(&payment, (&paid, invoice.version), &audit)
        .await?
    {
        notify::receipt(app, &payment).await;
        return json(
            StatusCode::CREATED,
            &PaidWithCredit {
                invoice: view(app, paid),
                payment,
            },
        );
    }
    // The invoice changed, or the credit was spent meanwhile: say which.
    let credit = available(app, &company, &invoice.currency).await?;
    if body.amount > credit {
        return Err(short(credit, &invoice.currency));
    }
    Err(ApiError::Conflict)
}

/// The company's store credit in `currency`.
async fn available(
    app: &App,
    company: &portal::domain::CompanyId,
    currency: &portal::domain::billing::Currency,
) -> Result<i64, ApiError> {
    Ok(app
        .store
        .credit_balances(company)
        .await?
        .into_iter()
        .find(|b| b.currency == *currency)
        .map_or(0, |b| b.amount))
}

fn short(credit: i64, currency: &portal::domain::billing::Currency) -> ApiError {
    ApiError::invalid(
        "amount",
        &format!(
            "That is more than the store credit, {}",
            format_money(credit, currency)
        ),
    )
}
