//! Buying prepaid hours online (docs/agreements.md): a client with billing rights picks one of the
//! sizes the MSP offers on a block; an invoice for them is issued (numbered as any other) and paid
//! through Stripe Checkout. The hours are credited when Stripe's webhook settles the invoice, in
//! the same transaction (`Store::settle_payment`): never on the browser's redirect, and once under
//! any number of replays.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::account::Company;
use portal::domain::agreements::{Agreement, AgreementKind};
use portal::domain::audit::AuditAction;
use portal::domain::billing::{
    BillingId, HoursPurchase, Invoice, InvoiceStatus, Line, Quantity, format_money, payable, today,
};
use portal::domain::random_hex;
use portal::store::Saved;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payments::{not_payable_error, open_checkout};
use crate::{paying_client, stripe};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuyHours {
    /// One of the block's `block_sizes`.
    #[schema(minimum = 1, maximum = 1000)]
    pub hours: u32,
}

#[derive(Serialize, ToSchema)]
pub struct HoursCheckout {
    /// The invoice issued for the hours.
    pub invoice_id: BillingId,
    pub payment_id: BillingId,
    /// Stripe Checkout: send the browser here.
    pub url: String,
}

/// Buy more hours for a block (a client's Full Admin or Billing Admin): an invoice for the size
/// chosen, at the block's rate and the company's tax, is issued and paid on Stripe's page; the
/// hours are added when Stripe confirms the payment. Send an `Idempotency-Key` so a retry answers
/// the same invoice and Checkout.
#[utoipa::path(post, path = "/api/agreements/{id}/purchase", tag = "agreements", request_body = BuyHours,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Unique per purchase; a retry answers the same invoice and Checkout", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, body = HoursCheckout),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a client's billing user", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement of your company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a block in force that offers hours, or this purchase is paid already", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A size the block does not offer", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "Stripe failed or did not answer; nothing was charged", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Online payment is not set up", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn buy(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    paying_client(&principal)?;
    let once = ctx.idempotency_key()?;
    let body: BuyHours = ctx.json()?;
    let app = ctx.app;
    stripe::client(app)?;
    let company_id = principal.company.id.clone();
    let (company, book, _) = app.store.agreement_setup(&company_id).await?;
    let company = company.ok_or(ApiError::NotFound)?;
    let agreement = book.find(id).ok_or(ApiError::NotFound)?;
    if agreement.kind != AgreementKind::Block
        || agreement.block_sizes.is_empty()
        || !agreement.in_force(today(app.now()))
    {
        return Err(ApiError::State(
            "/problems/no-hours-to-buy",
            format!("{} offers no hours to buy online", agreement.name),
        ));
    }
    if !agreement.block_sizes.contains(&body.hours) {
        let sizes: Vec<String> = agreement.block_sizes.iter().map(u32::to_string).collect();
        return Err(ApiError::invalid(
            "hours",
            &format!("Choose {} hours", sizes.join(", ")),
        ));
    }
    let key = once.map_or_else(|| random_hex(12), str::to_owned);
    let user = principal.user.id.as_str();
    let invoice_id = BillingId::derived(&["hours", company_id.as_str(), user, &key]);
    let payment_id = BillingId::derived(&["hours-payment", company_id.as_str(), user, &key]);
    let invoice = match app.store.get_invoice(&company_id, &invoice_id).await? {
        Some(earlier) => earlier,
        None => issue(ctx, &principal, &company, agreement, body.hours, invoice_id).await?,
    };
    if !payable(&invoice) {
        return Err(not_payable_error(&invoice));
    }
    let started = open_checkout(
        ctx,
        &principal,
        &vec![(&invoice, invoice.balance)],
        &invoice.currency,
        payment_id,
        "/agreements/?checkout=cancelled",
    )
    .await?;
    json(
        StatusCode::CREATED,
        &HoursCheckout {
            invoice_id: invoice.id,
            payment_id: started.payment_id,
            url: started.url,
        },
    )
}

/// Issue the invoice for `hours` of `block` as invoice `id`, taking the next number (another
/// request with the same id that won the race answers its invoice).
async fn issue(
    ctx: &Ctx<'_>,
    principal: &Principal,
    company: &Company,
    block: &Agreement,
    hours: u32,
    id: BillingId,
) -> Result<Invoice, ApiError> {
    let app = ctx.app;
    let now = app.now();
    let date = today(now);
    let mut invoice = Invoice::draft(company, now);
    invoice.id = id.clone();
    invoice.currency = block.currency.clone();
    invoice.lines = vec![Line {
        description: format!("{hours} hours of {}", block.name),
        quantity: Quantity(i64::from(hours) * 1000),
        unit_price: block.rate,
        amount: 0,
    }];
    invoice.tax_rate_bp = company.tax_rate_bp;
    invoice.notes =
        "Bought online: the hours are added to the block once the payment is confirmed.".into();
    invoice.purchase = Some(HoursPurchase {
        agreement_id: block.id.clone(),
        agreement_name: block.name.clone(),
        minutes: i64::from(hours) * 60,
    });
    invoice.recompute();
    invoice.status = InvoiceStatus::Issued;
    invoice.issue_date = Some(date);
    invoice.due_date = Some(date);
    for _ in 0..50 {
        let last = app.store.last_invoice_number().await?;
        invoice.number = Some(last + 1);
        let audit = principal.audit(
            ctx,
            &company.id,
            AuditAction::InvoiceIssued,
            Some(format!("invoice:{id}")),
            format!(
                "Bought {hours} hours of {}: {}, {}",
                block.name,
                invoice.label(),
                format_money(invoice.total, &invoice.currency)
            ),
        );
        match app
            .store
            .issue_invoice(&invoice, last, None, &audit)
            .await?
        {
            Saved::Done => return Ok(invoice),
            Saved::Stale => {
                if let Some(earlier) = app.store.get_invoice(&company.id, &id).await? {
                    return Ok(earlier);
                }
            }
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not take an invoice number after 50 tries"
    )))
}
