//! The payment lifecycle as Stripe drives it (docs/billing.md, "Payment lifecycle"): the events a
//! Checkout payment hears in the orders Stripe may send them, and at the same time, each payment
//! settled exactly once and no money that arrived lost.

use futures::future::join_all;
use portal_tests::SUPPORT_EMAIL;

use super::*;

/// A Checkout payment of all of a new 11,000 invoice by Acme's Billing Admin: (app, staff cookie,
/// invoice, payment id).
async fn checkout_payment(server: &MockServer) -> (TestApp, String, Value, String) {
    checkout_ok(server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let inv = issued(&t, &staff, 10_000).await;
    let billing = t.login("billing@acme.example").await;
    let started = pay(
        &t,
        &billing,
        json!([{"invoice_id": inv["id"], "amount": 11_000}]),
        None,
    )
    .await;
    assert_eq!(started.status, 201, "{}", started.text);
    let payment = started.body["payment_id"].as_str().unwrap().to_owned();
    (t, staff, inv, payment)
}

fn metadata(payment: &str) -> Value {
    json!({"payment_id": payment, "company_id": ACME})
}

/// What Stripe sends for each declined attempt on the Checkout page: the session's PaymentIntent
/// (which carries our metadata) back to `requires_payment_method`.
fn declined(id: &str, payment: &str) -> Value {
    event(
        id,
        "payment_intent.payment_failed",
        json!({
            "id": "pi_test_1", "object": "payment_intent", "status": "requires_payment_method",
            "amount": 11_000, "currency": "usd", "metadata": metadata(payment),
            "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}
        }),
    )
}

fn session_event(id: &str, kind: &str, payment: &str) -> Value {
    event(
        id,
        kind,
        json!({"id": "cs_test_1", "object": "checkout.session", "mode": "payment",
               "payment_status": "unpaid", "metadata": metadata(payment)}),
    )
}

async fn payment(t: &TestApp, staff: &str, id: &str) -> Value {
    let answer = t
        .get(&format!("/api/payments/{id}?company={ACME}"), staff)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// Deliver all of `events` at once; each must be acknowledged.
async fn deliver_at_once(t: &TestApp, events: &[Value]) {
    for answer in join_all(events.iter().map(|e| t.webhook(e))).await {
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
}

async fn mails_with_subject(t: &TestApp, start: &str) -> Vec<Value> {
    t.mail()
        .await
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap_or("").starts_with(start))
        .collect()
}

#[tokio::test]
async fn a_declined_card_retried_in_the_same_checkout_pays_the_invoice_once() {
    let server = stripe().await;
    let (t, staff, inv, id) = checkout_payment(&server).await;
    // Two declined attempts: the session stays open and the payment pending.
    for e in [
        declined("evt_decline_1", &id),
        declined("evt_decline_2", &id),
    ] {
        assert_eq!(t.webhook(&e).await.status, 200);
    }
    assert_eq!(payment(&t, &staff, &id).await["status"], "pending");
    assert_eq!(invoice(&t, &staff, &inv["id"]).await["balance"], 11_000);
    // The retry succeeds: the session's completion arrives five times at once, with the
    // PaymentIntent's success and a late copy of a decline racing it.
    let intent_succeeded = event(
        "evt_pi_ok",
        "payment_intent.succeeded",
        json!({"id": "pi_test_1", "object": "payment_intent", "status": "succeeded",
               "amount": 11_000, "amount_received": 11_000, "currency": "usd", "metadata": metadata(&id)}),
    );
    let completed = session_completed("evt_done", &id, 11_000);
    let mut burst = vec![completed; 5];
    burst.push(intent_succeeded.clone());
    burst.push(intent_succeeded);
    burst.push(declined("evt_decline_2", &id));
    deliver_at_once(&t, &burst).await;

    let paid = payment(&t, &staff, &id).await;
    assert_eq!(
        (paid["status"].as_str(), paid["unapplied"].as_i64()),
        (Some("succeeded"), Some(0))
    );
    assert!(paid["failure"].is_null(), "{paid}");
    let after = invoice(&t, &staff, &inv["id"]).await;
    assert_eq!(
        (after["status"].as_str(), after["paid"].as_i64()),
        (Some("paid"), Some(11_000))
    );
    assert_eq!(after["version"], inv["version"].as_u64().unwrap() + 1);
    assert_eq!(after["payments"].as_array().unwrap().len(), 1);
    assert_eq!(mails_with_subject(&t, "Payment received").await.len(), 1);
    let audit = t
        .get(
            &format!("/api/companies/{ACME}/audit?action=payment_received"),
            &staff,
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        audit.text
    );
}

#[tokio::test]
async fn a_failure_or_expiry_after_a_success_changes_nothing() {
    let server = stripe().await;
    let (t, staff, inv, id) = checkout_payment(&server).await;
    let completed = session_completed("evt_done", &id, 11_000);
    let failed = session_event("evt_failed", "checkout.session.async_payment_failed", &id);
    let expired = session_event("evt_expired", "checkout.session.expired", &id);
    // The success first, then the others at once with a repeat of it.
    assert_eq!(t.webhook(&completed).await.status, 200);
    deliver_at_once(&t, &[failed, expired, completed]).await;
    assert_eq!(payment(&t, &staff, &id).await["status"], "succeeded");
    let after = invoice(&t, &staff, &inv["id"]).await;
    assert_eq!(after["status"], "paid");
    assert_eq!(after["version"], inv["version"].as_u64().unwrap() + 1);
}

#[tokio::test]
async fn a_failure_then_an_expiry_leaves_the_payment_failed_and_the_invoice_unpaid() {
    let server = stripe().await;
    let (t, staff, inv, id) = checkout_payment(&server).await;
    let failed = session_event("evt_failed", "checkout.session.async_payment_failed", &id);
    deliver_at_once(&t, &[failed.clone(), failed]).await;
    let expired = session_event("evt_expired", "checkout.session.expired", &id);
    assert_eq!(t.webhook(&expired).await.status, 200);
    let after = payment(&t, &staff, &id).await;
    assert_eq!(after["status"], "failed");
    assert!(after["failure"].is_string(), "{after}");
    let unpaid = invoice(&t, &staff, &inv["id"]).await;
    assert_eq!(
        (unpaid["balance"].as_i64(), &unpaid["version"]),
        (Some(11_000), &inv["version"])
    );
    assert_eq!(mails_with_subject(&t, "Payment received").await.len(), 0);
}

#[tokio::test]
async fn money_for_an_invoice_voided_meanwhile_is_kept_as_credit_and_the_msp_is_told() {
    let server = stripe().await;
    let (t, staff, inv, id) = checkout_payment(&server).await;
    // An expiry heard first (Stripe does not promise the order), and the invoice voided while
    // the client was paying.
    let expired = session_event("evt_expired", "checkout.session.expired", &id);
    assert_eq!(t.webhook(&expired).await.status, 200);
    assert_eq!(payment(&t, &staff, &id).await["status"], "expired");
    let void = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/void?company={ACME}",
                inv["id"].as_str().unwrap()
            ),
        )
        .cookie(&staff)
        .json(json!({"version": inv["version"]}))
        .send()
        .await;
    assert_eq!(void.status, 200, "{}", void.text);
    let completed = session_completed("evt_done", &id, 11_000);
    deliver_at_once(&t, &[completed.clone(), completed]).await;

    let credit = payment(&t, &staff, &id).await;
    assert_eq!(
        (credit["status"].as_str(), credit["unapplied"].as_i64()),
        (Some("succeeded"), Some(11_000)),
        "{credit}"
    );
    assert_eq!(credit["allocations"][0]["amount"], 0);
    // It became Acme's store credit, once, though the success arrived twice at once.
    let credits = t
        .get(&format!("/api/credit-notes?company={ACME}"), &staff)
        .await;
    assert_eq!(
        credits.body["balances"],
        json!([{"currency": "USD", "amount": 11_000}])
    );
    let voided = invoice(&t, &staff, &inv["id"]).await;
    assert_eq!(
        (voided["status"].as_str(), voided["paid"].as_i64()),
        (Some("void"), Some(0))
    );
    let told = mails_with_subject(&t, "Unapplied payment").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["destinations"]["ToAddresses"][0], SUPPORT_EMAIL);
    let body = told[0]["body"].to_string();
    assert!(
        body.contains("$110.00") && body.contains("Acme Dental"),
        "{body}"
    );
}

#[tokio::test]
async fn a_webhook_racing_a_manual_payment_pays_the_invoice_once() {
    let server = stripe().await;
    let (t, staff, inv, id) = checkout_payment(&server).await;
    let completed = session_completed("evt_done", &id, 11_000);
    let manual_path = format!(
        "/api/invoices/{}/payments?company={ACME}",
        inv["id"].as_str().unwrap()
    );
    let manual = t
        .call("POST", &manual_path)
        .cookie(&staff)
        .json(json!({"amount": 11_000, "method": "cheque", "version": inv["version"]}))
        .send();
    let (manual, webhook) = tokio::join!(manual, t.webhook(&completed));
    assert_eq!(webhook.status, 200, "{}", webhook.text);
    let checkout = payment(&t, &staff, &id).await;
    assert_eq!(checkout["status"], "succeeded");
    let after = invoice(&t, &staff, &inv["id"]).await;
    assert_eq!(
        (after["status"].as_str(), after["paid"].as_i64()),
        (Some("paid"), Some(11_000)),
        "paid once, never twice: {after}"
    );
    if manual.status == 201 {
        // The cheque came first: the card payment is all credit, and the MSP is told.
        assert_eq!(checkout["unapplied"], 11_000);
        assert_eq!(mails_with_subject(&t, "Unapplied payment").await.len(), 1);
    } else {
        // The card payment came first: the cheque is refused (the invoice changed or is paid).
        assert!(matches!(manual.status, 409 | 422), "{}", manual.text);
        assert_eq!(checkout["unapplied"], 0);
        assert_eq!(after["payments"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn an_event_of_another_portal_sharing_the_stripe_account_changes_nothing() {
    // Two portals on one Stripe account (two local stacks, staging and production) receive each
    // other's events, and their ids may be the same (demo data): the metadata names the portal.
    let server = stripe().await;
    let (t, staff, inv, id) = checkout_payment(&server).await;
    let mut theirs = session_completed("evt_theirs", &id, 11_000);
    theirs["data"]["object"]["metadata"]["portal"] =
        json!(billing::stripe::namespace("whsec_other"));
    let before = t.all_items().await;
    assert_eq!(t.webhook(&theirs).await.status, 200);
    assert_eq!(
        t.all_items().await,
        before,
        "another portal's event wrote nothing"
    );
    let mut ours = session_completed("evt_ours", &id, 11_000);
    ours["data"]["object"]["metadata"]["portal"] = json!(portal_tests::stripe::portal_namespace());
    assert_eq!(t.webhook(&ours).await.status, 200);
    assert_eq!(payment(&t, &staff, &id).await["status"], "succeeded");
    assert_eq!(invoice(&t, &staff, &inv["id"]).await["status"], "paid");
}

#[tokio::test]
async fn a_bank_debit_completes_unpaid_then_clears_or_bounces() {
    // https://docs.stripe.com/payments/checkout/fulfill-orders#delayed-notification: the session
    // completes with `payment_status: unpaid`; the debit settles days later.
    for (outcome, status, balance) in [
        ("checkout.session.async_payment_succeeded", "succeeded", 0),
        ("checkout.session.async_payment_failed", "failed", 11_000),
    ] {
        let server = stripe().await;
        let (t, staff, inv, id) = checkout_payment(&server).await;
        let completed = session_event("evt_done", "checkout.session.completed", &id);
        let processing = event(
            "evt_processing",
            "payment_intent.processing",
            json!({"id": "pi_test_1", "object": "payment_intent", "status": "processing",
                   "amount": 11_000, "currency": "usd", "metadata": metadata(&id)}),
        );
        deliver_at_once(&t, &[completed.clone(), completed, processing]).await;
        assert_eq!(
            payment(&t, &staff, &id).await["status"],
            "pending",
            "{outcome}"
        );
        assert_eq!(invoice(&t, &staff, &inv["id"]).await["balance"], 11_000);
        let mut settled = session_event("evt_settled", outcome, &id);
        settled["data"]["object"]["amount_total"] = json!(11_000);
        settled["data"]["object"]["currency"] = json!("usd");
        if status == "succeeded" {
            settled["data"]["object"]["payment_status"] = json!("paid");
        }
        deliver_at_once(&t, &[settled.clone(), settled]).await;
        let after = payment(&t, &staff, &id).await;
        assert_eq!(after["status"], status, "{outcome}: {after}");
        assert_eq!(
            invoice(&t, &staff, &inv["id"]).await["balance"],
            balance,
            "{outcome}"
        );
    }
}
