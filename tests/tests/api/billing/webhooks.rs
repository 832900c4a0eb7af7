//! Stripe's webhooks: replays, shuffled batches, mismatched events and bad signatures.

use super::*;

#[tokio::test]
async fn a_webhook_delivered_ten_times_pays_once_across_two_invoices() {
    let server = stripe().await;
    checkout_ok(&server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 10_000).await; // 11,000
    let two = issued(&t, &staff, 20_000).await; // 22,000
    let billing = t.login("billing@acme.example").await;
    let started = pay(&t, &billing, json!([{"invoice_id": one["id"], "amount": 11_000}, {"invoice_id": two["id"], "amount": 7_000}]), None).await;
    let payment_id = started.body["payment_id"].as_str().unwrap().to_owned();
    let mails_before = t.mail().await.len();
    let completed = session_completed("evt_done", &payment_id, 18_000);
    for _ in 0..10 {
        let answer = t.webhook(&completed).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    // The same payment reported again by another event type changes nothing either.
    let intent = event(
        "evt_pi",
        "payment_intent.succeeded",
        json!({"id": "pi_test_1", "object": "payment_intent", "metadata": {"payment_id": payment_id, "company_id": ACME}}),
    );
    assert_eq!(t.webhook(&intent).await.status, 200);
    let first = invoice(&t, &staff, &one["id"]).await;
    assert_eq!(
        (
            first["status"].as_str(),
            first["balance"].as_i64(),
            first["paid"].as_i64()
        ),
        (Some("paid"), Some(0), Some(11_000))
    );
    assert_eq!(
        first["version"],
        one["version"].as_u64().unwrap() + 1,
        "changed exactly once"
    );
    let second = invoice(&t, &staff, &two["id"]).await;
    assert_eq!(
        (second["status"].as_str(), second["balance"].as_i64()),
        (Some("issued"), Some(15_000))
    );
    assert_eq!(second["version"], two["version"].as_u64().unwrap() + 1);
    // Each invoice lists the payment once, with the part it took.
    for (inv, amount) in [(&first, 11_000), (&second, 7_000)] {
        let payments = inv["payments"].as_array().unwrap();
        assert_eq!(payments.len(), 1, "{inv}");
        assert_eq!(payments[0]["payment_id"], payment_id.as_str());
        assert_eq!(payments[0]["amount"], amount);
        assert!(payments[0]["paid_at"].is_string());
    }
    let history = t.get("/api/payments", &billing).await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["amount"], 18_000);
    assert_eq!(items[0]["status"], "succeeded");
    assert_eq!(items[0]["allocations"][1]["amount"], 7_000);
    let receipts: Vec<Value> = t
        .mail()
        .await
        .into_iter()
        .skip(mails_before)
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .starts_with("Payment received")
        })
        .collect();
    assert_eq!(receipts.len(), 1, "one receipt");
    // Acme's trail has the payment; the second invoice is still payable for its balance only.
    let overpay = pay(
        &t,
        &billing,
        json!([{"invoice_id": two["id"], "amount": 15_001}]),
        None,
    )
    .await;
    assert_eq!(overpay.problem(422), "/problems/validation");
    let audit = t
        .get(
            &format!("/api/companies/{ACME}/audit?action=payment_received"),
            &t.login("fulladmin@acme.example").await,
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        audit.text
    );
}

#[tokio::test]
async fn a_shuffled_batch_of_events_changes_each_payment_once_and_a_success_always_wins() {
    let server = stripe().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "cs_test_1", "url": "https://checkout.stripe.test/x"})),
        )
        .mount(&server)
        .await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let billing = t.login("billing@acme.example").await;
    let mut invoices = Vec::new();
    let mut payments = Vec::new();
    for _ in 0..3 {
        let inv = issued(&t, &staff, 1_000).await; // 1,100 each
        let p = pay(
            &t,
            &billing,
            json!([{"invoice_id": inv["id"], "amount": 1_100}]),
            None,
        )
        .await;
        payments.push(p.body["payment_id"].as_str().unwrap().to_owned());
        invoices.push(inv);
    }
    let meta = |i: usize| json!({"payment_id": payments[i], "company_id": ACME});
    let paid = session_completed("evt_a", &payments[0], 1_100);
    let expired = event(
        "evt_b",
        "checkout.session.expired",
        json!({"id": "cs_test_1", "mode": "payment", "payment_status": "unpaid", "metadata": meta(1)}),
    );
    let failed = event(
        "evt_c",
        "checkout.session.async_payment_failed",
        json!({"id": "cs_test_1", "mode": "payment", "metadata": meta(2), "last_payment_error": {"message": "Your card was declined."}}),
    );
    let late_expiry = event(
        "evt_d",
        "checkout.session.expired",
        json!({"id": "cs_test_1", "mode": "payment", "metadata": meta(0)}),
    );
    let late_success = session_completed("evt_e", &payments[2], 1_100);
    let unknown = event("evt_f", "customer.updated", json!({"id": "cus_acme"}));
    // A fixed shuffle with repeats; the late events come after the ones they would undo.
    for e in [
        &failed,
        &unknown,
        &paid,
        &expired,
        &failed,
        &paid,
        &late_expiry,
        &expired,
        &unknown,
        &late_success,
        &paid,
    ] {
        assert_eq!(t.webhook(e).await.status, 200);
    }
    let status = |i: usize| {
        let t = &t;
        let billing = &billing;
        let id = payments[i].clone();
        async move { t.get(&format!("/api/payments/{id}"), billing).await.body["status"].clone() }
    };
    assert_eq!(status(0).await, "succeeded");
    assert_eq!(status(1).await, "expired");
    assert_eq!(
        status(2).await,
        "succeeded",
        "money that arrives after a failure is applied"
    );
    let states: Vec<Value> = [0, 1, 2]
        .iter()
        .map(|i| invoices[*i]["id"].clone())
        .collect();
    assert_eq!(invoice(&t, &staff, &states[0]).await["status"], "paid");
    assert_eq!(invoice(&t, &staff, &states[1]).await["balance"], 1_100);
    let late = invoice(&t, &staff, &states[2]).await;
    assert_eq!(
        (late["status"].as_str(), late["balance"].as_i64()),
        (Some("paid"), Some(0))
    );
    assert_eq!(
        late["version"],
        invoices[2]["version"].as_u64().unwrap() + 1,
        "changed exactly once"
    );
}

#[tokio::test]
async fn signed_events_that_do_not_match_the_payment_change_nothing() {
    let server = stripe().await;
    checkout_ok(&server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 1_000).await; // 1,100
    let billing = t.login("billing@acme.example").await;
    let started = pay(
        &t,
        &billing,
        json!([{"invoice_id": one["id"], "amount": 1_100}]),
        None,
    )
    .await;
    let payment_id = started.body["payment_id"].as_str().unwrap().to_owned();
    let meta = json!({"payment_id": payment_id, "company_id": ACME});
    let session = |evt: &str, kind: &str, id: &str, amount: i64, currency: &str| {
        event(
            evt,
            kind,
            json!({"id": id, "object": "checkout.session", "mode": "payment", "payment_status": "paid",
                   "amount_total": amount, "currency": currency, "metadata": meta}),
        )
    };
    // Stripe really sent each of these (they are signed), but none is this payment's: another
    // session carrying our metadata, the wrong amount or currency, a PaymentIntent for a Checkout
    // payment, another session expiring or failing.
    let intent = event(
        "evt_pi",
        "payment_intent.succeeded",
        json!({"id": "pi_other", "object": "payment_intent", "amount": 1_100, "amount_received": 1_100,
               "currency": "usd", "customer": "cus_acme", "metadata": meta}),
    );
    let forged = [
        session(
            "evt_1",
            "checkout.session.completed",
            "cs_other",
            1_100,
            "usd",
        ),
        session("evt_2", "checkout.session.completed", "cs_test_1", 1, "usd"),
        session(
            "evt_3",
            "checkout.session.completed",
            "cs_test_1",
            1_100,
            "eur",
        ),
        session(
            "evt_4",
            "checkout.session.async_payment_succeeded",
            "cs_other",
            1_100,
            "usd",
        ),
        session(
            "evt_5",
            "checkout.session.expired",
            "cs_other",
            1_100,
            "usd",
        ),
        session(
            "evt_6",
            "checkout.session.async_payment_failed",
            "cs_other",
            1_100,
            "usd",
        ),
        intent,
    ];
    for e in &forged {
        assert_eq!(t.webhook(e).await.status, 200, "acknowledged: {e}");
    }
    let payment = t
        .get(&format!("/api/payments/{payment_id}"), &billing)
        .await;
    assert_eq!(payment.body["status"], "pending", "{}", payment.text);
    let unchanged = invoice(&t, &staff, &one["id"]).await;
    assert_eq!(unchanged["version"], one["version"]);
    assert_eq!(unchanged["balance"], 1_100);
    // The real one settles it.
    let real = session(
        "evt_real",
        "checkout.session.completed",
        "cs_test_1",
        1_100,
        "USD",
    );
    assert_eq!(t.webhook(&real).await.status, 200);
    assert_eq!(invoice(&t, &staff, &one["id"]).await["status"], "paid");
}

#[tokio::test]
async fn bad_or_stale_signatures_are_refused_and_nothing_is_written() {
    let server = stripe().await;
    checkout_ok(&server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 1_000).await;
    let billing = t.login("billing@acme.example").await;
    let payment_id = pay(
        &t,
        &billing,
        json!([{"invoice_id": one["id"], "amount": 1_100}]),
        None,
    )
    .await
    .body["payment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = session_completed("evt_bad", &payment_id, 1_100).to_string();
    let now = t.app.now().unix_timestamp();
    let sign = |secret: &str, t: i64, body: &str| {
        format!(
            "t={t},v1={}",
            billing::sign_payload(secret, t, body.as_bytes())
        )
    };
    for (body_sent, signature) in [
        (body.clone(), sign("whsec_wrong", now, &body)),
        (
            body.clone(),
            sign(portal_tests::STRIPE_WEBHOOK_SECRET, now - 301, &body),
        ),
        (
            body.clone(),
            sign(portal_tests::STRIPE_WEBHOOK_SECRET, now + 301, &body),
        ),
        (
            body.replace("evt_bad", "evt_bxd"),
            sign(portal_tests::STRIPE_WEBHOOK_SECRET, now, &body),
        ),
        (body.clone(), format!("t={now}")),
        (body.clone(), "garbage".into()),
    ] {
        assert_eq!(
            t.webhook_signed(&body_sent, &signature).await.problem(400),
            "/problems/bad-request",
            "{signature}"
        );
    }
    let missing = t
        .call_without_origin("POST", "/api/payments/webhook")
        .raw(Some("application/json"), body.clone())
        .send()
        .await;
    assert_eq!(missing.problem(400), "/problems/bad-request");
    assert!(t.items_in("STRIPEEVT#evt_bad").await.is_empty());
    assert_eq!(invoice(&t, &staff, &one["id"]).await["balance"], 1_100);
    // Within the tolerance it is accepted.
    let ok = t
        .webhook_signed(
            &body,
            &sign(portal_tests::STRIPE_WEBHOOK_SECRET, now - 299, &body),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(invoice(&t, &staff, &one["id"]).await["status"], "paid");
}
