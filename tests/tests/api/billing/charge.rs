//! Paying with a saved method (`POST /api/payments/charge`): one charge however often the same
//! payment is asked for, a declined card recorded as a failed payment with room for another try,
//! and bad or foreign input refused with nothing written and nothing charged.

use futures::future::join_all;
use portal_tests::stripe::Intents;

use super::*;

/// Acme's billing user, with a saved Visa (`pm_visa`) and a card that is always declined
/// (`pm_declined`), on a Stripe that charges them (`Intents`).
async fn with_cards() -> (TestApp, MockServer, Intents, String, String) {
    let server = stripe_for_methods().await;
    let intents = Intents::default();
    intents.mount(&server).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let billing = t.login("billing@acme.example").await;
    setup(&t, &billing).await;
    for (pm, last4) in [("pm_visa", "4242"), ("pm_declined", "0002")] {
        let attached = event(
            &format!("evt_{pm}"),
            "payment_method.attached",
            json!({"id": pm, "object": "payment_method", "type": "card", "customer": "cus_acme",
                   "card": {"brand": "visa", "last4": last4, "exp_month": 12, "exp_year": 2030}}),
        );
        assert_eq!(t.webhook(&attached).await.status, 200);
    }
    (t, server, intents, staff, billing)
}

async fn charge(t: &TestApp, cookie: &str, invoices: Value, method: &str) -> portal_tests::Answer {
    t.call("POST", "/api/payments/charge")
        .cookie(cookie)
        .json(json!({"invoices": invoices, "payment_method_id": method}))
        .send()
        .await
}

/// Stripe's event that the charge `intent` (as `Intents` answered it) succeeded.
fn charged(id: &str, intent: &Value) -> Value {
    event(id, "payment_intent.succeeded", intent.clone())
}

#[tokio::test]
async fn a_saved_card_pays_once_however_often_and_by_whom_the_payment_is_asked_for() {
    let (t, _server, intents, staff, billing) = with_cards().await;
    let admin = t.login("fulladmin@acme.example").await;
    let one = issued(&t, &staff, 10_000).await; // 110.00 with tax
    let two = issued(&t, &staff, 20_000).await; // 220.00
    let body = json!([
        {"invoice_id": one["id"], "amount": 11_000},
        {"invoice_id": two["id"], "amount": 5_000},
    ]);
    // A double click, a retry and a colleague in another tab, all at once.
    let answers = join_all((0..6).map(|n| {
        let who = if n % 2 == 0 { &billing } else { &admin };
        charge(&t, who, body.clone(), "pm_visa")
    }))
    .await;
    let mut ids = Vec::new();
    for a in &answers {
        assert_eq!(a.status, 202, "{}", a.text);
        assert_eq!(a.body["status"], "pending");
        ids.push(a.body["payment_id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one payment: {ids:?}");
    let id = &ids[0];
    let charges = intents.charges();
    assert_eq!(charges.len(), 1, "one charge at Stripe: {charges:?}");
    assert_eq!(charges[0].0, idempotency_key("charge", id));
    let intent = &charges[0].2;
    assert_eq!(intent["amount"], 16_000);
    assert_eq!(intent["customer"], "cus_acme");
    assert_eq!(intent["metadata"]["payment_id"], id.as_str());
    let pending = t.get(&format!("/api/payments/{id}"), &billing).await;
    assert_eq!(
        (
            &pending.body["status"],
            &pending.body["kind"],
            &pending.body["method"]
        ),
        (
            &json!("pending"),
            &json!("saved_method"),
            &json!("Visa •••• 4242")
        )
    );
    assert_eq!(
        invoice(&t, &staff, &one["id"]).await["status"],
        "issued",
        "not before Stripe says"
    );

    // Stripe's confirmation (twice, as Stripe may send it) settles both invoices, once.
    for answer in join_all([
        t.webhook(&charged("evt_c1", intent)),
        t.webhook(&charged("evt_c1", intent)),
    ])
    .await
    {
        assert_eq!(answer.status, 200);
    }
    let one_now = invoice(&t, &staff, &one["id"]).await;
    let two_now = invoice(&t, &staff, &two["id"]).await;
    assert_eq!(
        (one_now["status"].as_str(), one_now["balance"].as_i64()),
        (Some("paid"), Some(0))
    );
    assert_eq!(two_now["balance"], 17_000);
    let receipt = t.get(&format!("/api/payments/{id}"), &billing).await;
    assert_eq!(receipt.body["status"], "succeeded");

    // Asked again afterwards: the paid invoice is refused, nothing more is charged; the rest of
    // the other invoice is a new payment.
    let again = charge(&t, &billing, body.clone(), "pm_visa").await;
    assert_eq!(
        again.problem(409),
        "/problems/not-payable",
        "{}",
        again.text
    );
    let rest = charge(
        &t,
        &billing,
        json!([{"invoice_id": two["id"], "amount": 17_000}]),
        "pm_visa",
    )
    .await;
    assert_eq!(rest.status, 202, "{}", rest.text);
    assert_ne!(rest.body["payment_id"].as_str(), Some(id.as_str()));
    assert_eq!(intents.charges().len(), 2);

    // The audit trail says who paid what with which card.
    let trail = t
        .get(
            &format!("/api/companies/{ACME}/audit?action=payment_started"),
            &admin,
        )
        .await;
    assert!(
        trail
            .text
            .contains("Paying $160.00 for INV-0001, INV-0002 with Visa •••• 4242"),
        "{}",
        trail.text
    );
}

#[tokio::test]
async fn a_declined_card_is_a_failed_payment_and_each_try_is_charged_once() {
    let (t, _server, intents, staff, billing) = with_cards().await;
    let inv = issued(&t, &staff, 10_000).await;
    let body = json!([{"invoice_id": inv["id"], "amount": 11_000}]);
    let mut seen = Vec::new();
    for n in 1..=billing::CHARGE_MAX_ATTEMPTS {
        let declined = charge(&t, &billing, body.clone(), "pm_declined").await;
        assert_eq!(declined.problem(402), "/problems/payment-declined");
        let detail = declined.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("Visa •••• 0002: Your card was declined."),
            "{detail}"
        );
        assert_eq!(intents.charges().len(), n, "one attempt at Stripe per try");
        seen.push(intents.charges()[n - 1].0.clone());
    }
    seen.dedup();
    assert_eq!(
        seen.len(),
        billing::CHARGE_MAX_ATTEMPTS,
        "each try its own key"
    );
    // Then the client is sent to Checkout or another card; Stripe is not asked again.
    let refused = charge(&t, &billing, body.clone(), "pm_declined").await;
    assert_eq!(refused.problem(409), "/problems/declined-too-often");
    assert_eq!(intents.charges().len(), billing::CHARGE_MAX_ATTEMPTS);
    let history = t.get("/api/payments", &billing).await;
    assert!(
        history.body["items"].as_array().unwrap().is_empty(),
        "failed payments are not history"
    );
    assert_eq!(invoice(&t, &staff, &inv["id"]).await["status"], "issued");
    // Nobody is emailed about it: the client is there and was told.
    assert!(
        t.mail()
            .await
            .iter()
            .all(|m| !m["subject"].as_str().unwrap().contains("failed"))
    );
    // Another card pays.
    let ok = charge(&t, &billing, body, "pm_visa").await;
    assert_eq!(ok.status, 202, "{}", ok.text);
}

#[tokio::test]
async fn bad_or_foreign_input_is_refused_and_nothing_is_written_or_charged() {
    let (t, _server, intents, staff, billing) = with_cards().await;
    let inv = issued(&t, &staff, 10_000).await;
    let globex = {
        let d = draft(&t, &staff, GLOBEX, &[("Support", "1", 10_000)]).await;
        issue(&t, &staff, &d).await["invoice"].clone()
    };
    let globex_admin = t.login("fulladmin@globex.example").await;
    let before = t.all_items().await.len();
    let id = inv["id"].clone();
    for (case, invoices, method, status, kind) in [
        (
            "over the balance",
            json!([{"invoice_id": id, "amount": 11_001}]),
            "pm_visa",
            422,
            "/problems/validation",
        ),
        (
            "zero",
            json!([{"invoice_id": id, "amount": 0}]),
            "pm_visa",
            422,
            "/problems/validation",
        ),
        (
            "no invoices",
            json!([]),
            "pm_visa",
            422,
            "/problems/validation",
        ),
        (
            "twice the same",
            json!([{"invoice_id": id, "amount": 1}, {"invoice_id": id, "amount": 1}]),
            "pm_visa",
            422,
            "/problems/validation",
        ),
        (
            "another company's invoice",
            json!([{"invoice_id": globex["id"], "amount": 100}]),
            "pm_visa",
            404,
            "/problems/not-found",
        ),
        (
            "no such method",
            json!([{"invoice_id": id, "amount": 100}]),
            "pm_nope",
            404,
            "/problems/not-found",
        ),
        (
            "not a method id",
            json!([{"invoice_id": id, "amount": 100}]),
            "PM#visa",
            404,
            "/problems/not-found",
        ),
    ] {
        let answer = charge(&t, &billing, invoices, method).await;
        assert_eq!(answer.problem(status), kind, "{case}: {}", answer.text);
    }
    // Missing or unknown fields.
    for body in [
        json!({"invoices": [{"invoice_id": id, "amount": 100}]}),
        json!({"invoices": [{"invoice_id": id, "amount": 100}], "payment_method_id": "pm_visa", "extra": 1}),
    ] {
        let answer = t
            .call("POST", "/api/payments/charge")
            .cookie(&billing)
            .json(body)
            .send()
            .await;
        assert!(matches!(answer.status, 400 | 422), "{}", answer.text);
        answer.problem(answer.status);
    }
    // Globex's billing user cannot use Acme's card, even for Globex's own invoice.
    let foreign = charge(
        &t,
        &globex_admin,
        json!([{"invoice_id": globex["id"], "amount": 100}]),
        "pm_visa",
    )
    .await;
    assert_eq!(foreign.problem(404), "/problems/not-found");
    assert_eq!(t.all_items().await.len(), before, "nothing written");
    assert!(intents.charges().is_empty(), "nothing charged");
}
