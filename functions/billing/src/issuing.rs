//! Issuing, voiding and manual payments: what turns a draft into an invoice with a number (and, for
//! autopay companies, starts the charge), cancels one, or records money received another way.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::billing::{InvoiceStatus, Payment, format_money, invoice_label};
use portal::domain::billing::{payable, today};
use portal::store::Saved;
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::invoices::{InvoiceView, managed_invoice, not_draft, view};
use crate::payments::{Autopay, not_payable_error};
use crate::{notify, payments};

/// What issuing, voiding or a manual payment takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: u64,
}

#[derive(Serialize, ToSchema)]
pub struct Issued {
    pub invoice: InvoiceView,
    pub autopay: Autopay,
}

/// Issue a draft (MSP admins): it takes the next invoice number (gapless, even when several are
/// issued at once), its issue date (today unless set) and due date (the company's payment terms
/// unless set); the billing contacts are emailed; with autopay on, the default method is charged.
#[utoipa::path(post, path = "/api/invoices/{id}/issue", tag = "billing", request_body = VersionBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, body = Issued),
        (status = 409, description = "Changed meanwhile, or not a draft", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn issue(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut invoice) = managed_invoice(ctx, id).await?;
    let body: VersionBody = ctx.json()?;
    let app = ctx.app;
    let company = app
        .store
        .get_company(&invoice.company_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let read = invoice.clone();
    for _ in 0..50 {
        if invoice.status != InvoiceStatus::Draft {
            return Err(not_draft());
        }
        if invoice.version != body.version {
            return Err(ApiError::Conflict);
        }
        let last = app.store.last_invoice_number().await?;
        let now = app.now();
        let issue_date = invoice.issue_date.unwrap_or_else(|| today(now));
        let mut issued = invoice.clone();
        issued.number = Some(last + 1);
        issued.status = InvoiceStatus::Issued;
        issued.issue_date = Some(issue_date);
        issued.due_date =
            Some(invoice.due_date.unwrap_or(
                issue_date + time::Duration::days(i64::from(company.payment_terms_days)),
            ));
        issued.version += 1;
        issued.updated_at = now;
        let audit = principal.audit(
            ctx,
            &principal.company.id,
            AuditAction::InvoiceIssued,
            Some(format!("invoice:{}", invoice.id)),
            format!(
                "Issued {} to {}: {}",
                invoice_label(last + 1),
                invoice.company_name,
                format_money(issued.total, &issued.currency)
            ),
        );
        match app
            .store
            .issue_invoice(&issued, last, Some(invoice.version), &audit)
            .await?
        {
            Saved::Done => {
                let account = app.store.billing_account(&issued.company_id).await?;
                let autopay = if !account.autopay_on() {
                    Autopay::Off
                } else if app.stripe.is_none() {
                    Autopay::NotSetUp
                } else {
                    payments::autopay(ctx, &issued, &account).await
                };
                notify::invoice_issued(app, &company, &issued, autopay == Autopay::Charging).await;
                return json(
                    StatusCode::OK,
                    &Issued {
                        invoice: view(app, issued),
                        autopay,
                    },
                );
            }
            // The number was taken by another issue, or the draft changed: read both again.
            Saved::Stale => {
                invoice = app
                    .store
                    .get_invoice(&read.company_id, &read.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            }
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not take an invoice number after 50 tries"
    )))
}

/// Void an issued invoice that has no payments (MSP admins). It keeps its number and cannot be
/// paid.
#[utoipa::path(post, path = "/api/invoices/{id}/void", tag = "billing", request_body = VersionBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, body = InvoiceView),
        (status = 409, description = "Changed meanwhile, a draft, already void, or partly paid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn void(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut invoice) = managed_invoice(ctx, id).await?;
    let body: VersionBody = ctx.json()?;
    match invoice.status {
        InvoiceStatus::Draft => return Err(not_draft_void()),
        InvoiceStatus::Void => {
            return Err(ApiError::State(
                "/problems/already-void",
                "This invoice is already void".into(),
            ));
        }
        _ if invoice.paid > 0 => {
            return Err(ApiError::State(
                "/problems/has-payments",
                "This invoice has payments; refund or credit them before voiding it".into(),
            ));
        }
        _ => {}
    }
    if invoice.version != body.version {
        return Err(ApiError::Conflict);
    }
    let app = ctx.app;
    // Its time goes back to unbilled and its marks come off its tickets: a ticket written
    // meanwhile is read again.
    for _ in 0..5 {
        let tickets = app
            .store
            .company_tickets(&invoice.company_id, &invoice.tickets)
            .await?;
        let expected = invoice.version;
        let mut voided = invoice.clone();
        voided.status = InvoiceStatus::Void;
        voided.balance = 0;
        voided.version += 1;
        voided.updated_at = app.now();
        let audit = principal.audit(
            ctx,
            &principal.company.id,
            AuditAction::InvoiceVoided,
            Some(format!("invoice:{}", invoice.id)),
            format!("Voided {} of {}", invoice.label(), invoice.company_name),
        );
        match app
            .store
            .void_invoice(&voided, expected, &tickets, &audit)
            .await?
        {
            Saved::Done => return json(StatusCode::OK, &view(app, voided)),
            Saved::Stale => {
                let again = app
                    .store
                    .get_invoice(&invoice.company_id, &invoice.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                if again.version != expected {
                    return Err(ApiError::Conflict);
                }
                invoice = again;
            }
        }
    }
    Err(ApiError::Conflict)
}

fn not_draft_void() -> ApiError {
    ApiError::State(
        "/problems/not-issued",
        "A draft is not voided; delete it instead".into(),
    )
}

/// A payment the MSP received by other means.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualPayment {
    /// Minor units: more than zero, at most the balance.
    #[schema(minimum = 1)]
    pub amount: i64,
    #[schema(value_type = ManualMethod)]
    pub method: String,
    /// Cheque number, transfer reference…
    #[serde(default)]
    #[schema(max_length = 100)]
    pub reference: String,
    /// The invoice version read.
    pub version: u64,
}

/// How a manual payment was made.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ManualMethod {
    Cheque,
    BankTransfer,
    Cash,
    Other,
}

/// Record a cheque, bank transfer or cash payment against an invoice (MSP admins).
#[utoipa::path(post, path = "/api/invoices/{id}/payments", tag = "billing", request_body = ManualPayment,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 201, body = Payment),
        (status = 409, description = "Changed meanwhile, or not payable (draft, paid, void)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Amount not between 1 and the balance, or unknown method", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn record_payment(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, invoice) = managed_invoice(ctx, id).await?;
    let body: ManualPayment = ctx.json()?;
    let method = match body.method.as_str() {
        "cheque" => "Cheque",
        "bank_transfer" => "Bank transfer",
        "cash" => "Cash",
        "other" => "Other",
        _ => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "method",
                "One of cheque, bank_transfer, cash, other",
            )]));
        }
    };
    if !payable(&invoice) {
        return Err(not_payable_error(&invoice));
    }
    if body.version != invoice.version {
        return Err(ApiError::Conflict);
    }
    let reference = body.reference.trim();
    if body.reference.chars().count() > 100 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "reference",
            "Up to 100 characters",
        )]));
    }
    if body.amount <= 0 || body.amount > invoice.balance {
        return Err(ApiError::Validation(vec![FieldError::new(
            "amount",
            format!(
                "Between 0.01 and the balance, {}",
                format_money(invoice.balance, &invoice.currency)
            ),
        )]));
    }
    let now = ctx.app.now();
    let (payment, paid) = Payment::manual(
        &invoice,
        body.amount,
        if reference.is_empty() {
            method.to_owned()
        } else {
            format!("{method} {reference}")
        },
        (&principal.user.id, &principal.user.name),
        now,
    );
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::PaymentRecorded,
        Some(format!("invoice:{}", invoice.id)),
        format!(
            "Recorded {} ({}) against {} of {}",
            format_money(body.amount, &invoice.currency),
            payment.method,
            invoice.label(),
            invoice.company_name
        ),
    );
    if !ctx
        .app
        .store
        .create_payment(&payment, &[(paid, invoice.version)], &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    notify::receipt(ctx.app, &payment).await;
    json(StatusCode::CREATED, &payment)
}
