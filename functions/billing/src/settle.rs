//! Settling payments: what Stripe (or a declined charge) says about a payment, applied once —
//! a success pays what each invoice still owes (the rest becomes store credit), a failure or an
//! expiry ends only a pending payment.

use portal::ApiError;
use portal::domain::CompanyId;
use portal::domain::audit::AuditAction;
use portal::domain::billing::{
    BillingId, Payment, PaymentKind, PaymentStatus, format_money, invoice_label, payable,
};
use portal::web::http::Ctx;

use crate::notify;
use crate::payments::system_audit;

/// Mark a pending payment failed (once), and for autopay email the billing contacts.
pub async fn fail(
    ctx: &Ctx<'_>,
    payment: &Payment,
    why: &str,
    event: Option<&str>,
) -> Result<bool, ApiError> {
    let app = ctx.app;
    let mut failed = payment.clone();
    failed.status = PaymentStatus::Failed;
    failed.failure = Some(why.to_owned());
    failed.checkout_url = None;
    let audit = system_audit(
        ctx,
        &payment.company_id,
        AuditAction::PaymentFailed,
        payment,
        format!(
            "A payment of {} failed: {why}",
            format_money(payment.amount, &payment.currency)
        ),
    );
    let done = app
        .store
        .settle_payment(&failed, &[], event, app.now(), Some(&audit))
        .await?;
    if done && payment.kind == PaymentKind::Autopay {
        for allocation in &payment.allocations {
            if let Some(invoice) = app
                .store
                .get_invoice(&payment.company_id, &allocation.invoice_id)
                .await?
            {
                notify::autopay_failed(app, &invoice, why).await;
            }
        }
    }
    Ok(done)
}

/// What Stripe said about a successful payment.
pub struct Success<'a> {
    pub event: &'a str,
    pub payment_intent: Option<String>,
    pub method: Option<String>,
}

/// Settle a payment as succeeded, whatever failure or expiry was heard before: each invoice takes
/// what it still can (a payment that meets a paid or void invoice keeps the rest as `unapplied`,
/// which becomes the company's store credit, and the MSP is told), all in one transaction with the event's record. Safe to call any number
/// of times, in any order with other events: only the first success changes anything.
pub async fn succeed(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    id: &BillingId,
    success: Success<'_>,
) -> Result<(), ApiError> {
    let app = ctx.app;
    for _ in 0..10 {
        let Some(payment) = app.store.get_payment(company, id).await? else {
            tracing::warn!(payment = %id, "Stripe confirmed a payment we have no record of");
            return Ok(());
        };
        // Money that arrived is applied whatever was heard before (a declined attempt, an expiry
        // delivered first); only a success already recorded makes this a repeat.
        if payment.status == PaymentStatus::Succeeded {
            return Ok(());
        }
        let ids: Vec<BillingId> = payment
            .allocations
            .iter()
            .map(|a| a.invoice_id.clone())
            .collect();
        let invoices = app.store.get_invoices(company, &ids).await?;
        let now = app.now();
        let mut settled = payment.clone();
        settled.status = PaymentStatus::Succeeded;
        settled.paid_at = Some(now);
        settled.checkout_url = None;
        settled.failure = None;
        settled.stripe_payment_intent = success
            .payment_intent
            .clone()
            .or(settled.stripe_payment_intent);
        if let Some(method) = &success.method {
            settled.method = method.clone();
        }
        settled.unapplied = 0;
        let mut changed = Vec::new();
        let mut allocations = std::mem::take(&mut settled.allocations);
        for allocation in &mut allocations {
            let take = match invoices.iter().find(|i| i.id == allocation.invoice_id) {
                Some(invoice) if payable(invoice) => {
                    let take = allocation.amount.min(invoice.balance);
                    let mut next = invoice.clone();
                    next.apply_payment(&settled, take, now);
                    changed.push((next, invoice.version));
                    take
                }
                _ => 0,
            };
            settled.unapplied += allocation.amount - take;
            allocation.amount = take;
        }
        settled.allocations = allocations;
        let labels: Vec<String> = settled
            .allocations
            .iter()
            .filter(|a| a.amount > 0)
            .map(|a| invoice_label(a.number))
            .collect();
        let audit = system_audit(
            ctx,
            company,
            AuditAction::PaymentReceived,
            &settled,
            format!(
                "Received {} for {}{}",
                format_money(settled.amount, &settled.currency),
                if labels.is_empty() {
                    "no open invoice".into()
                } else {
                    labels.join(", ")
                },
                if settled.unapplied > 0 {
                    format!(
                        " ({} unapplied, kept as store credit)",
                        format_money(settled.unapplied, &settled.currency)
                    )
                } else {
                    String::new()
                }
            ),
        );
        if app
            .store
            .settle_payment(&settled, &changed, Some(success.event), now, Some(&audit))
            .await?
        {
            notify::receipt(app, &settled).await;
            if settled.unapplied > 0 {
                notify::unapplied(app, &settled).await;
            }
            return Ok(());
        }
        if app.store.event_seen(success.event).await? {
            return Ok(());
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "payment {id} kept changing while settling"
    )))
}
