//! Saved payment methods as Stripe reports them (events in any order), the setup-mode Checkout
//! Stripe is asked for, and autopay's charges when Stripe does not answer or needs the client.

use futures::future::join_all;

use super::*;

/// Stripe's event about payment method `id` of `customer`, a Visa ending `last4` expiring
/// `month`/2030 (detached events carry the customer in `previous_attributes`, as Stripe's do).
fn method_event(id: &str, kind: &str, pm: &str, last4: &str, month: u32) -> Value {
    let detached = kind == "payment_method.detached";
    let mut e = event(
        id,
        kind,
        json!({
            "id": pm, "object": "payment_method", "type": "card",
            "customer": if detached { Value::Null } else { json!("cus_acme") },
            "card": {"brand": "visa", "last4": last4, "exp_month": month, "exp_year": 2030}
        }),
    );
    if detached {
        e["data"]["previous_attributes"] = json!({"customer": "cus_acme"});
    }
    e
}

/// Acme's saved methods: (id, label, expiry month).
async fn methods(t: &TestApp, cookie: &str) -> Vec<(String, String, Value)> {
    let answer = t.get("/api/payment-methods", cookie).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["label"].as_str().unwrap().to_owned(),
                m["exp_month"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_removed_card_stays_removed_whatever_order_stripe_reports_it_in() {
    let server = stripe_for_methods().await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let billing = t.login("billing@acme.example").await;
    setup(&t, &billing).await;
    let attached = method_event("evt_a", "payment_method.attached", "pm_visa", "4242", 12);
    assert_eq!(t.webhook(&attached).await.status, 200);
    // Updated by the client in Stripe, then by the card network (a new expiry, a new number).
    let updated = method_event("evt_u", "payment_method.updated", "pm_visa", "4242", 3);
    assert_eq!(t.webhook(&updated).await.status, 200);
    assert_eq!(
        methods(&t, &billing).await,
        [("pm_visa".into(), "Visa •••• 4242".into(), json!(3))]
    );
    let network = method_event(
        "evt_n",
        "payment_method.automatically_updated",
        "pm_visa",
        "1881",
        4,
    );
    assert_eq!(t.webhook(&network).await.status, 200);
    assert_eq!(
        methods(&t, &billing).await,
        [("pm_visa".into(), "Visa •••• 1881".into(), json!(4))]
    );

    // Detached in Stripe, with late copies of earlier updates racing it and arriving after it:
    // the card is gone and stays gone (Stripe never re-attaches a detached method).
    let detached = method_event("evt_d", "payment_method.detached", "pm_visa", "1881", 4);
    let late = [
        method_event("evt_u2", "payment_method.updated", "pm_visa", "1881", 5),
        method_event(
            "evt_n2",
            "payment_method.automatically_updated",
            "pm_visa",
            "1881",
            6,
        ),
        method_event("evt_a2", "payment_method.attached", "pm_visa", "1881", 4),
    ];
    let mut burst = vec![detached.clone(), detached];
    burst.extend(late.iter().cloned());
    for answer in join_all(burst.iter().map(|e| t.webhook(e))).await {
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    for e in &late {
        let mut again = e.clone();
        again["id"] = json!(format!("{}_after", e["id"].as_str().unwrap()));
        assert_eq!(t.webhook(&again).await.status, 200);
    }
    assert_eq!(methods(&t, &billing).await, []);
    let account = t.get("/api/payment-methods", &billing).await.body;
    assert_eq!(account["autopay_active"], false, "{account}");

    // Removed by the client in the portal: a late update does not bring it back either.
    let other = method_event("evt_b", "payment_method.attached", "pm_other", "4444", 1);
    assert_eq!(t.webhook(&other).await.status, 200);
    Mock::given(method("POST"))
        .and(path("/v1/payment_methods/pm_other/detach"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "pm_other"})))
        .expect(1)
        .mount(&server)
        .await;
    let removed = t
        .call("DELETE", "/api/payment-methods/pm_other")
        .cookie(&billing)
        .send()
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    let before = t.all_items().await;
    let stale = method_event("evt_b2", "payment_method.updated", "pm_other", "4444", 2);
    assert_eq!(t.webhook(&stale).await.status, 200);
    assert_eq!(t.all_items().await, before, "the late update wrote nothing");
    assert_eq!(methods(&t, &billing).await, []);
    server.verify().await;
}

#[tokio::test]
async fn setup_mode_checkout_asks_stripe_for_the_companys_customer_currency_and_methods() {
    let server = stripe_for_methods().await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let billing = t.login("billing@acme.example").await;
    let staff = t.login(STAFF).await;
    let sent = async || {
        let requests = server.received_requests().await.unwrap();
        let last = requests
            .iter()
            .rev()
            .find(|r| r.url.path() == "/v1/checkout/sessions")
            .unwrap();
        let key = last
            .headers
            .get("idempotency-key")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(key.starts_with(&idempotency_key("setup", "")), "{key}");
        form(last)
    };
    setup(&t, &billing).await;
    let f = sent().await;
    let origin = t.app.config.origin.clone();
    let expected = [
        ("mode", "setup"),
        ("customer", "cus_acme"),
        ("currency", "usd"),
        ("payment_method_types[0]", "card"),
        ("payment_method_types[1]", "us_bank_account"),
        ("metadata[company_id]", ACME),
    ];
    for (name, value) in expected {
        assert_eq!(field(&f, name), Some(value), "{name}");
    }
    let portal = portal_namespace();
    assert_eq!(field(&f, "metadata[portal]"), Some(portal.as_str()));
    assert!(field(&f, "metadata[setup_id]").is_some_and(|s| s.len() == 24));
    assert_eq!(
        field(&f, "success_url"),
        Some(format!("{origin}/payment-methods/?setup=done").as_str())
    );
    assert_eq!(
        field(&f, "cancel_url"),
        Some(format!("{origin}/payment-methods/").as_str())
    );
    assert_eq!(field(&f, "payment_method_types[2]"), None);

    // A company billed in euros: its currency, and cards only (ACH debits are for US dollars).
    let company = t.get(&format!("/api/companies/{ACME}"), &staff).await;
    let changed = t
        .call("PATCH", &format!("/api/companies/{ACME}"))
        .cookie(&staff)
        .json(json!({"currency": "EUR", "version": company.body["version"]}))
        .send()
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    setup(&t, &billing).await;
    let f = sent().await;
    assert_eq!(field(&f, "currency"), Some("eur"));
    assert_eq!(field(&f, "payment_method_types[0]"), Some("card"));
    assert_eq!(field(&f, "payment_method_types[1]"), None);
}

/// Acme with a saved Visa as its default and autopay consented to.
async fn autopay_on(t: &TestApp) -> String {
    let billing = t.login("billing@acme.example").await;
    setup(t, &billing).await;
    let attached = method_event("evt_pm", "payment_method.attached", "pm_visa", "4242", 12);
    assert_eq!(t.webhook(&attached).await.status, 200);
    let on = t
        .call("PUT", "/api/billing/autopay")
        .cookie(&billing)
        .json(json!({"enabled": true, "consent": true}))
        .send()
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    billing
}

/// Issue a new 330.00 invoice for Acme, Stripe answering its autopay charge with `answer` (once).
async fn issue_charged(
    t: &TestApp,
    server: &MockServer,
    staff: &str,
    answer: ResponseTemplate,
) -> Value {
    let _charge = Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(answer)
        .expect(1)
        .mount_as_scoped(server)
        .await;
    let d = draft(t, staff, ACME, &[("Monthly plan", "1", 30_000)]).await;
    issue(t, staff, &d).await
}

/// The payment autopay started for `invoice` (its id is derived from the invoice's).
async fn autopay_payment(t: &TestApp, billing: &str, invoice: &Value) -> Value {
    let id =
        portal::domain::billing::BillingId::derived(&["autopay", invoice["id"].as_str().unwrap()]);
    let answer = t
        .get(&format!("/api/payments/{}", id.as_str()), billing)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

#[tokio::test]
async fn autopay_that_stripe_did_not_answer_waits_for_the_webhook_and_is_charged_once() {
    let server = stripe_for_methods().await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let billing = autopay_on(&t).await;
    for (n, answer) in [
        ResponseTemplate::new(500).set_body_json(json!({"error": {"type": "api_error"}})),
        // Longer than the portal waits for Stripe (2 s in tests).
        ResponseTemplate::new(200)
            .set_delay(std::time::Duration::from_secs(3))
            .set_body_json(json!({"id": "pi_slow", "status": "succeeded"})),
    ]
    .into_iter()
    .enumerate()
    {
        let out = issue_charged(&t, &server, &staff, answer).await;
        assert_eq!(out["autopay"], "charging", "unknown is not failed");
        let inv = &out["invoice"];
        let pending = autopay_payment(&t, &billing, inv).await;
        assert_eq!(pending["status"], "pending");
        assert!(
            t.mail()
                .await
                .iter()
                .all(|m| !m["subject"].as_str().unwrap().starts_with("Autopay failed")),
            "nobody is told it failed"
        );
        // Stripe did charge: its event (a PaymentIntent id we never heard) settles it, once.
        let pid = pending["id"].as_str().unwrap();
        let ok = event(
            &format!("evt_late_{n}"),
            "payment_intent.succeeded",
            json!({"id": format!("pi_late_{n}"), "object": "payment_intent", "status": "succeeded",
                   "customer": "cus_acme", "payment_method": "pm_visa", "amount": 33_000,
                   "amount_received": 33_000, "currency": "usd",
                   "metadata": {"payment_id": pid, "company_id": ACME}}),
        );
        for answer in join_all([t.webhook(&ok), t.webhook(&ok)]).await {
            assert_eq!(answer.status, 200);
        }
        let paid = invoice(&t, &staff, &inv["id"]).await;
        assert_eq!(
            (paid["status"].as_str(), paid["paid"].as_i64()),
            (Some("paid"), Some(33_000))
        );
        assert_eq!(paid["payments"].as_array().unwrap().len(), 1);
    }
}

/// The PaymentIntent Stripe's 402 carries (https://docs.stripe.com/api/payment_intents/object),
/// back to `requires_payment_method` after the attempt.
fn declined_intent() -> Value {
    json!({
        "id": "pi_auth", "object": "payment_intent", "amount": 33_000, "amount_capturable": 0,
        "amount_received": 0, "capture_method": "automatic_async", "confirmation_method": "automatic",
        "created": 1_780_000_000, "currency": "usd", "customer": "cus_acme", "livemode": false,
        "metadata": {}, "payment_method": null, "payment_method_types": ["card"],
        "status": "requires_payment_method", "client_secret": "pi_auth_secret_x",
        "last_payment_error": {"type": "card_error", "code": "authentication_required"}
    })
}

#[tokio::test]
async fn autopay_that_needs_the_client_fails_and_asks_them_to_pay() {
    let server = stripe_for_methods().await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let billing = autopay_on(&t).await;
    // Off-session, a card that needs authentication is refused with 402 `authentication_required`
    // (https://docs.stripe.com/payments/save-and-reuse#charge-saved-payment-method); an intent
    // left in `requires_action` is the same for us: nobody is there to authenticate.
    for (answer, reason) in [
        (
            ResponseTemplate::new(402).set_body_json(json!({"error": {
                "type": "card_error", "code": "authentication_required",
                "message": "Your card was declined. This transaction requires authentication.",
                "payment_intent": declined_intent()}})),
            "requires authentication",
        ),
        (
            ResponseTemplate::new(200).set_body_json(
                json!({"id": "pi_action", "object": "payment_intent", "status": "requires_action"}),
            ),
            "needs you to confirm it (requires_action)",
        ),
    ] {
        let out = issue_charged(&t, &server, &staff, answer).await;
        assert_eq!(out["autopay"], "failed");
        let inv = &out["invoice"];
        let failed = autopay_payment(&t, &billing, inv).await;
        assert_eq!(failed["status"], "failed");
        assert!(
            failed["failure"].as_str().unwrap().contains(reason),
            "{failed}"
        );
        assert_eq!(invoice(&t, &staff, &inv["id"]).await["status"], "issued");
        let id = inv["id"].as_str().unwrap();
        let mail = t.mail().await;
        let told = mail
            .iter()
            .filter(|m| {
                m["subject"].as_str().unwrap().starts_with("Autopay failed")
                    && m["body"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("/invoices/view/?id={id}"))
            })
            .count();
        assert_eq!(told, 1, "billing contacts get one link to pay {id}");
    }
}
