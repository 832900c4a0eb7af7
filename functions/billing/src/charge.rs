//! Paying with a saved method: a client whose company keeps a card or bank account with Stripe
//! pays outstanding invoices with it from the portal, without going through Checkout. Stripe
//! charges it off-session, under the consent the client gave when saving it; as for Checkout,
//! nothing is paid until Stripe's webhook says so (`settle::succeed`).
//!
//! Exactly once: the payment's id comes from what is paid (each invoice at its current version,
//! with its amount) and with which method, and Stripe's idempotency key from that id. The same
//! payment asked for twice, by a double click, a retry, two tabs or two colleagues at once, is one
//! payment and one charge. Once Stripe confirms it, the invoices' versions change, so paying again
//! is a new payment; after a decline the next attempt is too (at most `MAX_ATTEMPTS`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::billing::{
    BillingId, Invoice, Payment, PaymentKind, PaymentStatus, format_money,
};
use portal::web::http::{Ctx, json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payments::{self, PayInvoice};
use crate::settle;
use crate::stripe::{self, Failure};
use crate::{methods, paying_client};

/// Declined attempts of one payment with one method before the client is sent to Checkout.
pub const MAX_ATTEMPTS: usize = 5;

/// How long after a pending payment was made the same request asks Stripe again (with the same
/// idempotency key, which Stripe keeps for 24 hours): long enough for a retry after a timeout.
const ASK_AGAIN_WITHIN: time::Duration = time::Duration::minutes(10);

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeBody {
    /// Each invoice once, all of one currency.
    #[schema(min_items = 1, max_items = 20)]
    pub invoices: Vec<PayInvoice>,
    /// One of the company's saved methods (`GET /api/payment-methods`).
    #[schema(min_length = 1, max_length = 100, pattern = "^pm_[A-Za-z0-9_]+$")]
    pub payment_method_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeStarted {
    pub payment_id: BillingId,
    /// `pending` until Stripe's webhook confirms it (the receipt page follows it), `succeeded`
    /// when asked again after that.
    pub status: PaymentStatus,
}

/// Pay one or several outstanding invoices with a saved card or bank account. Each amount is
/// checked as for Checkout. Asking again for the same payment answers the same payment: one
/// charge, whatever the number of requests.
#[utoipa::path(post, path = "/api/payments/charge", tag = "billing", request_body = ChargeBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Accepted as on every POST that moves money; the payment is already identified by what it pays (see above)", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 202, description = "Charged; Stripe's confirmation settles the invoices", body = ChargeStarted),
        (status = 402, description = "Declined, or the method needs the client to confirm (pay through Checkout instead); recorded as a failed payment", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a client's billing user", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "An invoice or payment method that is not your company's", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An invoice that is paid, void or changed, or too many declined attempts", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No invoices, an amount of zero or above the balance, mixed currencies", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Online payment is not set up", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn charge(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    paying_client(&principal)?;
    // Checked like any other; not needed to make a retry the same payment (the module's doc).
    ctx.idempotency_key()?;
    let body: ChargeBody = ctx.json()?;
    let app = ctx.app;
    let client = stripe::client(app)?;
    let company = principal.company.id.clone();
    let found = payments::chosen(app, &company, &body.invoices).await?;
    let (amounts, currency) = payments::amounts(&found, &body.invoices)?;
    let method = methods::saved_method(app, &company, &body.payment_method_id).await?;
    // A saved method belongs to the company's Stripe customer.
    let customer = app
        .store
        .billing_account(&company)
        .await?
        .stripe_customer
        .ok_or(ApiError::NotFound)?;
    let labels: Vec<String> = amounts.iter().map(|(i, _)| i.label()).collect();
    let payment = match earlier(ctx, &company, &amounts, &method.id).await? {
        // Settled, or charged a while ago and waiting for Stripe (a bank debit takes days):
        // answered as it is. Only a request that may have died before reaching Stripe asks again.
        Attempt::Answered(payment)
            if payment.status != PaymentStatus::Pending
                || app.now() - payment.created_at > ASK_AGAIN_WITHIN =>
        {
            return json(StatusCode::ACCEPTED, &started(&payment));
        }
        Attempt::Answered(payment) => *payment,
        Attempt::New(id) => {
            let mut payment = Payment::pending(
                id,
                PaymentKind::SavedMethod,
                &company,
                &currency,
                &amounts,
                method.describe(),
                app.now(),
            );
            payment.created_by = Some(principal.user.id.clone());
            payment.created_by_name = principal.user.name.clone();
            let audit = principal.audit(
                ctx,
                &company,
                AuditAction::PaymentStarted,
                Some(format!("payment:{}", payment.id)),
                format!(
                    "Paying {} for {} with {}",
                    format_money(payment.amount, &currency),
                    labels.join(", "),
                    payment.method
                ),
            );
            // Made at the same moment by the same request sent twice: the same payment, so the
            // same charge below (Stripe's idempotency key is the payment's).
            app.store.create_payment(&payment, &[], &audit).await?;
            payment
        }
    };
    let description = format!("{}: {}", principal.company.name, labels.join(", "));
    let charge = stripe::Charge {
        purpose: "charge",
        payment_id: payment.id.as_str(),
        company_id: company.as_str(),
        customer: &customer,
        method: &method.id,
        amount: payment.amount,
        currency: &payment.currency,
        description: &description,
    };
    match stripe::charge_off_session(&client, charge).await {
        Ok(intent) if intent.status == "succeeded" || intent.status == "processing" => {}
        Ok(intent) => {
            let why = format!(
                "{} needs you to confirm the payment ({}). Pay through Stripe's page instead.",
                payment.method, intent.status
            );
            settle::fail(ctx, &payment, &why, None).await?;
            return Err(ApiError::Declined(why));
        }
        Err(Failure::Refused { message, .. }) => {
            settle::fail(ctx, &payment, &message, None).await?;
            return Err(ApiError::Declined(format!(
                "{}: {message} Nothing was charged. Try another method, or pay through Stripe's page.",
                payment.method
            )));
        }
        // Unknown (no answer, or the same charge still under way at Stripe for the same request
        // sent twice): Stripe may have charged. The webhook settles it either way.
        Err(Failure::Unavailable(why)) => {
            tracing::warn!(why, payment = %payment.id, "charge unanswered; waiting for the webhook");
        }
    }
    json(StatusCode::ACCEPTED, &started(&payment))
}

fn started(payment: &Payment) -> ChargeStarted {
    ChargeStarted {
        payment_id: payment.id.clone(),
        status: payment.status,
    }
}

enum Attempt {
    /// This payment was asked for before (pending, or confirmed since).
    Answered(Box<Payment>),
    /// Not yet: the id to give it.
    New(BillingId),
}

/// This payment as asked for before, or the id of a new attempt: a declined attempt leaves room
/// for the next, up to `MAX_ATTEMPTS`.
async fn earlier(
    ctx: &Ctx<'_>,
    company: &portal::domain::CompanyId,
    amounts: &[(&Invoice, i64)],
    method: &str,
) -> Result<Attempt, ApiError> {
    let mut parts = vec![
        "charge".to_owned(),
        company.as_str().to_owned(),
        method.to_owned(),
    ];
    for (invoice, amount) in amounts {
        parts.push(format!("{}@{}={amount}", invoice.id, invoice.version));
    }
    for attempt in 0..MAX_ATTEMPTS {
        parts.push(attempt.to_string());
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let id = BillingId::derived(&refs);
        parts.pop();
        match ctx.app.store.get_payment(company, &id).await? {
            None => return Ok(Attempt::New(id)),
            Some(p) if matches!(p.status, PaymentStatus::Failed | PaymentStatus::Expired) => {}
            Some(p) => return Ok(Attempt::Answered(Box::new(p))),
        }
    }
    Err(ApiError::State(
        "/problems/declined-too-often",
        format!(
            "This method was declined {MAX_ATTEMPTS} times for this payment. Pay through Stripe's page, or with another method."
        ),
    ))
}
