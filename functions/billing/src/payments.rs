//! Payments: a client pays one or several invoices (each any amount up to its balance) through
//! Stripe Checkout; autopay charges the default method when an invoice is issued. Nothing is paid
//! until Stripe's webhook says so (`settle.rs`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::CompanyId;
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::billing::Currency;
use portal::domain::billing::payable;
use portal::domain::billing::{
    BillingAccount, BillingId, Invoice, InvoiceStatus, Payment, PaymentKind, PaymentStatus,
    format_money,
};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json};
use portal::{ApiError, App};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::settle::fail;
use crate::stripe::{self, Failure};
use crate::{billing_company, paying_client};

/// Most invoices one payment may cover.
pub const MAX_INVOICES_PER_PAYMENT: usize = 20;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayInvoice {
    pub invoice_id: String,
    /// Minor units: more than zero, at most the invoice's balance.
    #[schema(minimum = 1)]
    pub amount: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutBody {
    /// Each invoice once, all of one currency.
    #[schema(min_items = 1, max_items = 20)]
    pub invoices: Vec<PayInvoice>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckoutStarted {
    pub payment_id: BillingId,
    /// Stripe Checkout: send the browser here.
    pub url: String,
}

/// The Stripe customer of a company, created on first need.
pub async fn customer(
    app: &App,
    client: &stripe::Stripe,
    company_id: &CompanyId,
) -> Result<(BillingAccount, String), ApiError> {
    let account = app.store.billing_account(company_id).await?;
    if let Some(customer) = account.stripe_customer.clone() {
        return Ok((account, customer));
    }
    let company = app
        .store
        .get_company(company_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let created = stripe::create_customer(
        client,
        company.id.as_str(),
        &company.name,
        company.billing_email.as_ref().map(|e| e.as_str()),
    )
    .await
    .map_err(|f| f.into_api("creating the customer"))?;
    let mut next = account.clone();
    next.stripe_customer = Some(created.id.clone());
    next.version += 1;
    if !app
        .store
        .save_billing_account(company_id, &next, account.version, Some(&created.id), None)
        .await?
    {
        // Saved by a request at the same time: the same customer (the idempotency key is ours).
        let again = app.store.billing_account(company_id).await?;
        let customer = again.stripe_customer.clone().unwrap_or(created.id);
        return Ok((again, customer));
    }
    Ok((next, created.id))
}

/// Start paying one or several outstanding invoices through Stripe Checkout. Each amount is
/// checked against the invoice (more than zero, at most its balance, one currency); nothing is
/// paid until Stripe confirms. Send an `Idempotency-Key` so a retry answers the same Checkout.
#[utoipa::path(post, path = "/api/payments/checkout", tag = "billing", request_body = CheckoutBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per payment attempt", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, body = CheckoutStarted),
        (status = 403, description = "Not a client's billing user", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "An invoice that is not your company's", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An invoice that is paid, void or changed", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No invoices, an amount of zero or above the balance, mixed currencies", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "Stripe failed or did not answer; nothing changed", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Online payment is not set up", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn checkout(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    paying_client(&principal)?;
    let once = ctx.idempotency_key()?;
    let body: CheckoutBody = ctx.json()?;
    let app = ctx.app;
    // Not set up: 503 before anything is read.
    stripe::client(app)?;
    let company = principal.company.id.clone();
    let found = chosen(app, &company, &body.invoices).await?;
    let (allocations, currency) = amounts(&found, &body.invoices)?;
    let payment_id = match once {
        Some(key) => BillingId::derived(&[
            "checkout",
            company.as_str(),
            principal.user.id.as_str(),
            key,
        ]),
        None => BillingId::generate(),
    };
    let started = open_checkout(
        ctx,
        &principal,
        &allocations,
        &currency,
        payment_id,
        "/invoices/?checkout=cancelled",
    )
    .await?;
    json(StatusCode::CREATED, &started)
}

/// Send `principal`'s company to Stripe Checkout to pay `allocations` (each invoice with the
/// amount it takes) as payment `payment_id`; a payment of that id still pending answers its own
/// Checkout again. Nothing is paid until Stripe confirms; `cancel` is where Stripe's page sends
/// the browser back (a path of the portal).
pub(crate) async fn open_checkout(
    ctx: &Ctx<'_>,
    principal: &portal::web::principal::Principal,
    allocations: &Amounts<'_>,
    currency: &Currency,
    payment_id: BillingId,
    cancel: &str,
) -> Result<CheckoutStarted, ApiError> {
    let app = ctx.app;
    let client = stripe::client(app)?;
    let company = principal.company.id.clone();
    if let Some(existing) = app.store.get_payment(&company, &payment_id).await?
        && let Some(url) = existing
            .checkout_url
            .clone()
            .filter(|_| existing.status == PaymentStatus::Pending)
    {
        return Ok(CheckoutStarted { payment_id, url });
    }
    let (_, customer) = customer(app, &client, &company).await?;
    let labels: Vec<String> = allocations.iter().map(|(i, _)| i.label()).collect();
    let description = format!("{}: {}", principal.company.name, labels.join(", "));
    let origin = &app.config.origin;
    let success_url = format!("{origin}/payments/receipt/?id={payment_id}&checkout=done");
    let cancel_url = format!("{origin}{cancel}");
    let line_items = allocations
        .iter()
        .map(|(invoice, amount)| stripe::LineItem {
            price_data: stripe::PriceData {
                currency: currency.to_ascii_lowercase(),
                unit_amount: *amount,
                product_data: stripe::ProductData {
                    name: format!("Invoice {}", invoice.label()),
                    description: None,
                },
            },
            quantity: 1,
        })
        .collect();
    let session = stripe::create_payment_checkout(
        &client,
        stripe::CheckoutRequest {
            payment_id: payment_id.as_str(),
            company_id: company.as_str(),
            customer: &customer,
            description: &description,
            line_items,
            success_url: &success_url,
            cancel_url: &cancel_url,
        },
    )
    .await
    .map_err(|f| f.into_api("the payment"))?;
    let url = session
        .url
        .clone()
        .ok_or_else(|| ApiError::Upstream("Stripe answered without a Checkout address.".into()))?;
    let mut payment = Payment::pending(
        payment_id.clone(),
        PaymentKind::Checkout,
        &company,
        currency,
        allocations,
        "Stripe Checkout".into(),
        app.now(),
    );
    payment.created_by = Some(principal.user.id.clone());
    payment.created_by_name = principal.user.name.clone();
    payment.stripe_session = Some(session.id);
    payment.checkout_url = Some(url.clone());
    let total = payment.amount;
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::PaymentStarted,
        Some(format!("payment:{payment_id}")),
        format!(
            "Started paying {} for {}",
            format_money(total, currency),
            labels.join(", ")
        ),
    );
    // A retry with the same key that raced this one recorded the same Checkout: either answer.
    app.store.create_payment(&payment, &[], &audit).await?;
    Ok(CheckoutStarted { payment_id, url })
}

/// The invoices a payment names (each once, 1 to 20), read in one batch.
pub(crate) async fn chosen(
    app: &App,
    company: &CompanyId,
    items: &[PayInvoice],
) -> Result<Vec<Invoice>, ApiError> {
    if items.is_empty() || items.len() > MAX_INVOICES_PER_PAYMENT {
        return Err(ApiError::Validation(vec![FieldError::new(
            "invoices",
            format!("Choose 1 to {MAX_INVOICES_PER_PAYMENT} invoices"),
        )]));
    }
    let mut ids = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = BillingId::parse(&item.invoice_id)?;
        if ids.contains(&id) {
            return Err(ApiError::Validation(vec![FieldError::new(
                &format!("invoices[{i}]"),
                "Each invoice once",
            )]));
        }
        ids.push(id);
    }
    Ok(app.store.get_invoices(company, &ids).await?)
}

/// Each invoice paid, with the amount it takes.
pub(crate) type Amounts<'a> = Vec<(&'a Invoice, i64)>;

/// Each invoice of `found` with the amount it is paid, checked against it (more than zero, at
/// most its balance, one currency), and the currency.
pub(crate) fn amounts<'a>(
    found: &'a [Invoice],
    items: &[PayInvoice],
) -> Result<(Amounts<'a>, Currency), ApiError> {
    let mut allocations = Vec::new();
    let mut errors = Vec::new();
    let mut currency: Option<Currency> = None;
    for (i, item) in items.iter().enumerate() {
        let invoice = found
            .iter()
            .find(|inv| inv.id.as_str() == item.invoice_id && inv.status != InvoiceStatus::Draft)
            .ok_or(ApiError::NotFound)?;
        if !payable(invoice) {
            return Err(not_payable_error(invoice));
        }
        if item.amount <= 0 || item.amount > invoice.balance {
            errors.push(FieldError::new(
                &format!("invoices[{i}].amount"),
                format!(
                    "Pay between {} and the balance of {}, {}",
                    format_money(1, &invoice.currency),
                    invoice.label(),
                    format_money(invoice.balance, &invoice.currency)
                ),
            ));
        }
        if currency.get_or_insert_with(|| invoice.currency.clone()) != &invoice.currency {
            errors.push(FieldError::new(
                &format!("invoices[{i}]"),
                "Pay invoices of one currency at a time",
            ));
        }
        allocations.push((invoice, item.amount));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok((allocations, currency.unwrap_or_default()))
}

/// Charge the default method for an issued invoice's balance (autopay). The invoice changes only
/// when Stripe's webhook confirms; a refusal marks the payment failed and emails the billing
/// contacts a link to pay by hand.
pub async fn autopay(ctx: &Ctx<'_>, invoice: &Invoice, account: &BillingAccount) -> Autopay {
    match try_autopay(ctx, invoice, account).await {
        Ok(outcome) => outcome,
        Err(err) => {
            tracing::error!(error = ?err, invoice = %invoice.id, "autopay");
            Autopay::Failed
        }
    }
}

async fn try_autopay(
    ctx: &Ctx<'_>,
    invoice: &Invoice,
    account: &BillingAccount,
) -> Result<Autopay, ApiError> {
    let app = ctx.app;
    let client = stripe::client(app)?;
    let (Some(customer), Some(method_id)) = (&account.stripe_customer, &account.default_method)
    else {
        return Ok(Autopay::Off);
    };
    let method = app
        .store
        .get_payment_method(&invoice.company_id, method_id)
        .await?;
    let mut payment = Payment::pending(
        BillingId::derived(&["autopay", invoice.id.as_str()]),
        PaymentKind::Autopay,
        &invoice.company_id,
        &invoice.currency,
        &[(invoice, invoice.balance)],
        method
            .as_ref()
            .map_or_else(|| "Saved payment method".into(), |m| m.describe()),
        app.now(),
    );
    payment.created_by_name = "Autopay".into();
    let audit = system_audit(
        ctx,
        &invoice.company_id,
        AuditAction::PaymentStarted,
        &payment,
        format!(
            "Autopay started charging {} for {}",
            format_money(payment.amount, &payment.currency),
            invoice.label()
        ),
    );
    app.store.create_payment(&payment, &[], &audit).await?;
    let description = format!("{} {}", invoice.company_name, invoice.label());
    let charge = stripe::Charge {
        purpose: "autopay",
        payment_id: payment.id.as_str(),
        company_id: invoice.company_id.as_str(),
        customer,
        method: method_id,
        amount: payment.amount,
        currency: &payment.currency,
        description: &description,
    };
    match stripe::charge_off_session(&client, charge).await {
        Ok(intent) if intent.status == "succeeded" || intent.status == "processing" => {
            Ok(Autopay::Charging)
        }
        Ok(intent) => {
            fail(
                ctx,
                &payment,
                &format!("the payment needs you to confirm it ({})", intent.status),
                None,
            )
            .await?;
            Ok(Autopay::Failed)
        }
        Err(Failure::Refused { message, .. }) => {
            fail(ctx, &payment, &message, None).await?;
            Ok(Autopay::Failed)
        }
        // Unknown: Stripe may have charged. The webhook settles it either way.
        Err(Failure::Unavailable(why)) => {
            tracing::warn!(why, payment = %payment.id, "autopay charge unanswered; waiting for the webhook");
            Ok(Autopay::Charging)
        }
    }
}

/// An audit entry for something Stripe or autopay did (no signed-in actor).
pub fn system_audit(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    action: AuditAction,
    payment: &Payment,
    summary: String,
) -> AuditEntry {
    let who = if payment.kind == PaymentKind::Autopay {
        "Autopay"
    } else {
        "Stripe"
    };
    AuditEntry::by_system(
        &ctx.meta(),
        company,
        who,
        action,
        Some(format!("payment:{}", payment.id)),
        summary,
    )
}

/// One page of payments.
#[derive(Serialize, ToSchema)]
pub struct PaymentList {
    pub items: Vec<Payment>,
    pub next_cursor: Option<String>,
}

/// The company's payments that went through, newest first.
#[utoipa::path(get, path = "/api/payments", tag = "billing",
    params(("company" = Option<String>, Query, description = "MSP staff: the company"), ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$")),
    responses((status = 200, body = PaymentList), (status = 403, description = "A role that does not see invoices", body = portal::web::error::Problem, content_type = "application/problem+json")))]
pub async fn history(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let name = format!("payments#{company}");
    let start = ctx.start_after(&name)?;
    let page = ctx.app.store.payment_history(&company, start, 50).await?;
    let next_cursor = ctx.next_cursor(&page, &name);
    json(
        StatusCode::OK,
        &PaymentList {
            items: page.items,
            next_cursor,
        },
    )
}

/// One payment: its receipt once it went through (a pending one shows it is not confirmed yet).
#[utoipa::path(get, path = "/api/payments/{id}", tag = "billing",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses((status = 200, body = Payment), (status = 404, description = "No such payment of your company", body = portal::web::error::Problem, content_type = "application/problem+json")))]
pub async fn receipt(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let id = BillingId::parse(id)?;
    let payment = ctx
        .app
        .store
        .get_payment(&company, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(StatusCode::OK, &payment)
}

/// How autopay went when an invoice was issued.
#[derive(Serialize, ToSchema, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Autopay {
    /// The company has not turned autopay on (or has no default method).
    Off,
    /// Stripe is charging the default method; the invoice changes when Stripe confirms.
    Charging,
    /// The charge failed or needs the client; they were emailed a link to pay.
    Failed,
    /// Autopay is on but online payment is not set up.
    NotSetUp,
}

/// The problem answered for a payment of an invoice that cannot be paid (void, paid, draft).
pub fn not_payable_error(invoice: &Invoice) -> ApiError {
    ApiError::State(
        "/problems/not-payable",
        match invoice.status {
            InvoiceStatus::Void => format!("{} is void and cannot be paid", invoice.label()),
            InvoiceStatus::Paid => format!("{} is already paid", invoice.label()),
            _ => format!("{} cannot be paid", invoice.label()),
        },
    )
}
