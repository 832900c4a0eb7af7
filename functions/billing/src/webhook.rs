//! `POST /api/payments/webhook`: Stripe's events. The signature (`Stripe-Signature`, HMAC-SHA256
//! of `{timestamp}.{raw body}` with the endpoint's secret) is checked on the raw body, within five
//! minutes, before anything is parsed. Each event changes something at most once: its id is
//! recorded in the same transaction as its effect, and every effect is conditional on the state
//! it moves from (a payment leaves `pending` once; an invoice is written at the version read), so
//! repeats and out-of-order events change nothing. Unknown event types are acknowledged.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use portal::domain::CompanyId;
use portal::domain::audit::AuditAction;
use portal::domain::billing::{BillingId, Payment, PaymentMethod};
use portal::web::http::{Ctx, json};
use portal::{ApiError, App};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::settle::{self, Success};

/// How old (or how far in the future) a signature's timestamp may be.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// The largest event we read.
const MAX_EVENT_BYTES: usize = 512 * 1024;

/// The `v1` signature of `payload` at `timestamp`, hex: what Stripe sends and what tests send.
pub fn sign_payload(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let mut ctx = aws_lc_rs::hmac::Context::with_key(&key);
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(payload);
    portal::domain::hex(ctx.sign().as_ref())
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether `header` carries a valid `v1` signature of `payload` made within the tolerance of `now`.
fn verify(secret: &str, header: &str, payload: &[u8], now: i64) -> Result<(), &'static str> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(unhex(sig)),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("no timestamp")?;
    if (now - timestamp).abs() > SIGNATURE_TOLERANCE_SECS {
        return Err("timestamp outside the tolerance");
    }
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let mut message = timestamp.to_string().into_bytes();
    message.push(b'.');
    message.extend_from_slice(payload);
    // `verify` compares in constant time.
    if signatures
        .iter()
        .any(|sig| aws_lc_rs::hmac::verify(&key, &message, sig).is_ok())
    {
        Ok(())
    } else {
        Err("no matching v1 signature")
    }
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    pub received: bool,
}

/// Stripe's webhook (not for browsers). Signed with the endpoint secret; 400 for a bad or stale
/// signature, 200 for every event read (applied, repeated, or of a type we do not use).
#[utoipa::path(post, path = "/api/payments/webhook", tag = "billing",
    params(("Stripe-Signature" = String, Header)),
    responses(
        (status = 200, body = Received),
        (status = 400, description = "Missing, bad or stale signature, or not an event", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Online payment is not set up", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
#[allow(dead_code)]
pub async fn receive_doc() {}

pub async fn receive(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let keys = app.stripe.as_ref().ok_or_else(crate::stripe::not_set_up)?;
    let payload: &[u8] = match req.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    if payload.len() > MAX_EVENT_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_EVENT_BYTES,
        });
    }
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadRequest("no Stripe-Signature header".into()))?;
    if let Err(why) = verify(
        &keys.webhook_secret,
        header,
        payload,
        app.now().unix_timestamp(),
    ) {
        tracing::warn!(why, "webhook signature refused");
        return Err(ApiError::BadRequest(format!("bad signature: {why}")));
    }
    let event: Value =
        serde_json::from_slice(payload).map_err(|_| ApiError::BadRequest("not JSON".into()))?;
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(ApiError::BadRequest("not a Stripe event".into()));
    };
    // Hashed once per event, from the secret already in hand (stripe::namespace).
    let ctx = Ctx::new(app, req);
    let namespace = crate::stripe::namespace(&keys.webhook_secret);
    let object = &event["data"]["object"];
    tracing::info!(event = id, kind, "Stripe event");
    let session = matches!(kind.split_once('.'), Some(("checkout", _)));
    match kind {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded"
            if object["mode"] == "payment" && object["payment_status"] == "paid" =>
        {
            if let Some(payment) = expected(&ctx, &namespace, object, session, true).await? {
                let success = Success {
                    event: id,
                    payment_intent: object["payment_intent"].as_str().map(str::to_owned),
                    method: None,
                };
                settle::succeed(&ctx, &payment.company_id, &payment.id, success).await?;
            }
        }
        "payment_intent.succeeded" => {
            if let Some(payment) = expected(&ctx, &namespace, object, session, true).await? {
                let company = &payment.company_id;
                let method = match object["payment_method"].as_str() {
                    Some(pm) => app
                        .store
                        .get_payment_method(company, pm)
                        .await?
                        .map(|m| m.describe()),
                    None => None,
                };
                let success = Success {
                    event: id,
                    payment_intent: object["id"].as_str().map(str::to_owned),
                    method,
                };
                settle::succeed(&ctx, company, &payment.id, success).await?;
            }
        }
        "checkout.session.async_payment_failed"
        | "payment_intent.payment_failed"
        | "checkout.session.expired" => {
            if let Some(payment) = expected(&ctx, &namespace, object, session, false).await?
                && payment.status == portal::domain::billing::PaymentStatus::Pending
            {
                if kind == "checkout.session.expired" {
                    let mut expired = payment.clone();
                    expired.status = portal::domain::billing::PaymentStatus::Expired;
                    expired.checkout_url = None;
                    app.store
                        .settle_payment(&expired, &[], Some(id), app.now(), None)
                        .await?;
                } else {
                    let why = object["last_payment_error"]["message"]
                        .as_str()
                        .unwrap_or("the bank declined it")
                        .to_owned();
                    settle::fail(&ctx, &payment, &why, Some(id)).await?;
                }
            }
        }
        "payment_method.attached"
        | "payment_method.updated"
        | "payment_method.automatically_updated" => {
            method_saved(&ctx, id, object).await?;
        }
        "payment_method.detached" => {
            let customer = event["data"]["previous_attributes"]["customer"].as_str();
            if let (Some(customer), Some(pm)) = (customer, object["id"].as_str())
                && let Some(company) = app.store.customer_company(customer).await?
            {
                app.store
                    .delete_payment_method(&company, pm, Some(id), app.now(), None)
                    .await?;
                crate::methods::clear_default(app, &company, pm).await?;
            }
        }
        _ => tracing::info!(kind, "Stripe event type not used; acknowledged"),
    }
    json(StatusCode::OK, &Received { received: true })
}

/// The company and payment an object's metadata names (ours carry both), if the object is this
/// portal's: another portal sharing the Stripe account gets the same events, and its ids may be
/// ours too (`stripe::Stripe::namespace`).
fn ours(object: &Value, namespace: &str) -> Option<(CompanyId, BillingId)> {
    let metadata = &object["metadata"];
    if metadata["portal"].as_str().is_some_and(|p| p != namespace) {
        tracing::info!("Stripe event of another portal sharing the account; ignored");
        return None;
    }
    let company = CompanyId::parse(metadata["company_id"].as_str()?).ok()?;
    let payment = BillingId::parse(metadata["payment_id"].as_str()?).ok()?;
    Some((company, payment))
}

/// The stored payment a signed event's object (a Checkout session, or a PaymentIntent) is about,
/// if the object is the one that payment expects; otherwise the event is logged and changes
/// nothing. Metadata alone is not enough: anyone with access to the Stripe account could create
/// an object carrying ours.
async fn expected(
    ctx: &Ctx<'_>,
    namespace: &str,
    object: &Value,
    session: bool,
    money_moved: bool,
) -> Result<Option<Payment>, ApiError> {
    let Some((company, id)) = ours(object, namespace) else {
        return Ok(None);
    };
    let Some(payment) = ctx.app.store.get_payment(&company, &id).await? else {
        tracing::warn!(payment = %id, "Stripe reported a payment we have no record of; ignored");
        return Ok(None);
    };
    // An autopay charge's PaymentIntent is for the company's own Stripe customer.
    let customer = if session {
        None
    } else {
        ctx.app
            .store
            .billing_account(&company)
            .await?
            .stripe_customer
    };
    match check(&payment, object, session, money_moved, customer.as_deref()) {
        Ok(()) => Ok(Some(payment)),
        Err(why) => {
            tracing::warn!(payment = %id, why, "Stripe event does not match the payment; ignored");
            Ok(None)
        }
    }
}

/// Whether `object` is what `payment` expects: a Checkout payment hears only from its own session
/// (its PaymentIntent's events are the session's business: a card declined on the Checkout page can
/// be retried there); an autopay payment only from a PaymentIntent of the company's customer (and
/// the one it recorded, once it knows it). Where money moved, the amount and currency must be the
/// payment's.
fn check(
    payment: &Payment,
    object: &Value,
    session: bool,
    money_moved: bool,
    customer: Option<&str>,
) -> Result<(), &'static str> {
    let object_id = object["id"].as_str();
    match (&payment.stripe_session, session) {
        (Some(expected), true) if object_id != Some(expected.as_str()) => {
            return Err("another Checkout session");
        }
        (Some(_), true) => {}
        (Some(_), false) => return Err("a Checkout payment settles by its session's events"),
        (None, true) => return Err("not a Checkout payment"),
        (None, false) => {
            if let Some(expected) = &payment.stripe_payment_intent
                && object_id != Some(expected.as_str())
            {
                return Err("another PaymentIntent");
            }
            if customer.is_none() || object["customer"].as_str() != customer {
                return Err("another customer's PaymentIntent");
            }
        }
    }
    if money_moved {
        let amount = if session {
            &object["amount_total"]
        } else if object["amount_received"].is_i64() {
            &object["amount_received"]
        } else {
            &object["amount"]
        };
        if amount.as_i64() != Some(payment.amount) {
            return Err("another amount");
        }
        let currency = object["currency"].as_str().unwrap_or("");
        if !currency.eq_ignore_ascii_case(payment.currency.as_str()) {
            return Err("another currency");
        }
    }
    Ok(())
}

/// Stripe saved (or updated) a card or bank account of one of our customers.
async fn method_saved(ctx: &Ctx<'_>, event: &str, object: &Value) -> Result<(), ApiError> {
    let app = ctx.app;
    let (Some(id), Some(customer)) = (object["id"].as_str(), object["customer"].as_str()) else {
        return Ok(());
    };
    let Some(company) = app.store.customer_company(customer).await? else {
        tracing::warn!(customer, "payment method of a customer we do not know");
        return Ok(());
    };
    let kind = object["type"].as_str().unwrap_or("card").to_owned();
    let details = &object[kind.as_str()];
    let number = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
    let method = PaymentMethod {
        id: id.to_owned(),
        company_id: company.clone(),
        brand: details["brand"]
            .as_str()
            .or(details["bank_name"].as_str())
            .unwrap_or(&kind)
            .to_owned(),
        kind,
        last4: details["last4"].as_str().unwrap_or("").to_owned(),
        exp_month: number(&details["exp_month"]),
        exp_year: number(&details["exp_year"]),
        nickname: String::new(),
        added_at: app.now(),
        reminded_for: None,
    };
    let audit = portal::domain::audit::AuditEntry::by_system(
        &ctx.meta(),
        &company,
        "Stripe",
        AuditAction::PaymentMethodAdded,
        Some(format!("payment-method:{id}")),
        format!("Saved {} with Stripe", method.describe()),
    );
    if app
        .store
        .put_payment_method(&method, event, app.now(), &audit)
        .await?
    {
        // The first method saved becomes the default.
        let mut account = app.store.billing_account(&company).await?;
        if account.default_method.is_none() {
            let expected = account.version;
            account.default_method = Some(method.id.clone());
            account.version += 1;
            app.store
                .save_billing_account(&company, &account, expected, None, None)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(session: Option<&str>, intent: Option<&str>) -> Payment {
        Payment {
            id: BillingId::derived(&["test"]),
            company_id: CompanyId::parse("acme-dental").unwrap(),
            kind: portal::domain::billing::PaymentKind::Autopay,
            status: portal::domain::billing::PaymentStatus::Pending,
            amount: 33_000,
            currency: portal::domain::money::Currency::parse("USD").unwrap(),
            allocations: Vec::new(),
            unapplied: 0,
            method: String::new(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            paid_at: None,
            created_by: None,
            created_by_name: String::new(),
            stripe_session: session.map(str::to_owned),
            stripe_payment_intent: intent.map(str::to_owned),
            checkout_url: None,
            failure: None,
        }
    }

    #[test]
    fn an_autopay_intent_must_be_the_customers_with_the_amount_and_currency() {
        let p = payment(None, None);
        let pi = |customer: &str, amount: i64, currency: &str| serde_json::json!({"id": "pi_1", "customer": customer, "amount": amount, "currency": currency});
        let ok = Some("cus_acme");
        assert_eq!(
            check(&p, &pi("cus_acme", 33_000, "usd"), false, true, ok),
            Ok(())
        );
        assert!(check(&p, &pi("cus_other", 33_000, "usd"), false, true, ok).is_err());
        assert!(check(&p, &pi("cus_acme", 32_999, "usd"), false, true, ok).is_err());
        assert!(check(&p, &pi("cus_acme", 33_000, "eur"), false, true, ok).is_err());
        assert!(check(&p, &pi("cus_acme", 33_000, "usd"), false, true, None).is_err());
        // A failure needs no amount; a recorded PaymentIntent must be this one.
        assert_eq!(
            check(&p, &pi("cus_acme", 1, "usd"), false, false, ok),
            Ok(())
        );
        let known = payment(None, Some("pi_2"));
        assert!(check(&known, &pi("cus_acme", 33_000, "usd"), false, true, ok).is_err());
        // A session event is never an autopay payment's.
        assert!(check(&p, &pi("cus_acme", 33_000, "usd"), true, true, ok).is_err());
    }

    #[test]
    fn a_checkout_payment_hears_only_from_its_session() {
        let p = payment(Some("cs_1"), None);
        let s = |id: &str| serde_json::json!({"id": id, "amount_total": 33_000, "currency": "USD"});
        assert_eq!(check(&p, &s("cs_1"), true, true, None), Ok(()));
        assert!(check(&p, &s("cs_2"), true, true, None).is_err());
        assert!(check(&p, &s("cs_1"), false, true, Some("cus_acme")).is_err());
    }

    #[test]
    fn signatures_are_checked_in_time() {
        let body = br#"{"id":"evt_1"}"#;
        let sig = sign_payload("whsec_test", 1_000, body);
        let header = format!("t=1000,v1={sig}");
        assert_eq!(verify("whsec_test", &header, body, 1_100), Ok(()));
        assert_eq!(
            verify("whsec_test", &header, body, 1_000 + 301),
            Err("timestamp outside the tolerance")
        );
        assert_eq!(
            verify("whsec_other", &header, body, 1_000),
            Err("no matching v1 signature")
        );
        assert_eq!(
            verify("whsec_test", &header, b"{}", 1_000),
            Err("no matching v1 signature")
        );
        // A rotated secret: any v1 may match.
        let two = format!("t=1000,v1={},v1={sig}", "00".repeat(32));
        assert_eq!(verify("whsec_test", &two, body, 1_000), Ok(()));
        assert_eq!(
            verify("whsec_test", "v1=abc", body, 1_000),
            Err("no timestamp")
        );
    }
}
