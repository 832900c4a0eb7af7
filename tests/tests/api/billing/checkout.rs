//! Stripe Checkout: the amounts and metadata Stripe is sent, its errors, what is refused before it.

use super::*;

#[tokio::test]
async fn checkout_sends_stripe_the_checked_amounts_with_our_metadata_and_idempotency_key() {
    let server = stripe().await;
    checkout_ok(&server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 10_000).await; // 110.00 with tax
    let two = issued(&t, &staff, 20_000).await; // 220.00
    let billing = t.login("billing@acme.example").await;
    let invoices = json!([{"invoice_id": one["id"], "amount": 11_000}, {"invoice_id": two["id"], "amount": 5_000}]);
    let started = pay(&t, &billing, invoices.clone(), Some("try-1")).await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(
        started.body["url"],
        "https://checkout.stripe.test/c/pay/cs_test_1"
    );
    let payment_id = started.body["payment_id"].as_str().unwrap().to_owned();
    let requests = server.received_requests().await.unwrap();
    let session = requests
        .iter()
        .find(|r| r.url.path() == "/v1/checkout/sessions")
        .unwrap();
    assert_eq!(
        session.headers.get("idempotency-key").unwrap(),
        &idempotency_key("checkout", &payment_id)
    );
    assert_eq!(
        session.headers.get("authorization").unwrap(),
        "Bearer sk_test_portal"
    );
    let f = form(session);
    assert_eq!(field(&f, "mode"), Some("payment"));
    assert_eq!(field(&f, "customer"), Some("cus_acme"));
    assert_eq!(
        field(&f, "line_items[0][price_data][unit_amount]"),
        Some("11000")
    );
    assert_eq!(
        field(&f, "line_items[1][price_data][unit_amount]"),
        Some("5000")
    );
    assert_eq!(
        field(&f, "line_items[0][price_data][currency]"),
        Some("usd")
    );
    assert_eq!(
        field(&f, "line_items[1][price_data][product_data][name]"),
        Some("Invoice INV-0002")
    );
    assert_eq!(field(&f, "metadata[payment_id]"), Some(payment_id.as_str()));
    assert_eq!(field(&f, "metadata[company_id]"), Some(ACME));
    assert_eq!(
        field(&f, "payment_intent_data[metadata][payment_id]"),
        Some(payment_id.as_str())
    );
    let portal = portal_namespace();
    assert_eq!(field(&f, "metadata[portal]"), Some(portal.as_str()));
    assert_eq!(
        field(&f, "payment_intent_data[metadata][portal]"),
        Some(portal.as_str())
    );
    let customer = requests
        .iter()
        .find(|r| r.url.path() == "/v1/customers")
        .unwrap();
    assert_eq!(
        customer.headers.get("idempotency-key").unwrap(),
        &idempotency_key("customer", ACME)
    );
    // Nothing is paid until Stripe says so.
    assert_eq!(invoice(&t, &staff, &one["id"]).await["balance"], 11_000);
    let pending = t
        .get(&format!("/api/payments/{payment_id}"), &billing)
        .await;
    assert_eq!(pending.body["status"], "pending");
    assert!(
        t.get("/api/payments", &billing).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A retry with the same key answers the same Checkout without asking Stripe again.
    let retry = pay(&t, &billing, invoices, Some("try-1")).await;
    assert_eq!(retry.body["payment_id"], payment_id.as_str());
    assert_eq!(retry.body["url"], started.body["url"]);
    server.verify().await;
}

#[tokio::test]
async fn stripe_errors_and_timeouts_answer_clearly_and_change_nothing() {
    let server = stripe().await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 10_000).await;
    let billing = t.login("billing@acme.example").await;
    let body = json!([{"invoice_id": one["id"], "amount": 100}]);
    let failing = Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"error": {"type": "api_error", "message": "boom"}})),
        )
        .mount_as_scoped(&server)
        .await;
    let answer = pay(&t, &billing, body.clone(), None).await;
    assert_eq!(answer.problem(502), "/problems/payment-provider");
    drop(failing);
    let slow = Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(std::time::Duration::from_secs(5))
                .set_body_json(json!({"id": "cs_late", "url": "https://x"})),
        )
        .mount_as_scoped(&server)
        .await;
    let answer = pay(&t, &billing, body.clone(), None).await;
    assert_eq!(answer.problem(502), "/problems/payment-provider");
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing was charged")
    );
    drop(slow);
    assert_eq!(count(&t, "PAYMENT#").await, 0);
    assert_eq!(
        invoice(&t, &staff, &one["id"]).await["version"],
        one["version"]
    );
    // Without Stripe keys: online payment is off, everything else works.
    let plain = TestApp::new().await;
    let billing = plain.login("billing@acme.example").await;
    let off = pay(
        &plain,
        &billing,
        json!([{"invoice_id": "0".repeat(24), "amount": 1}]),
        None,
    )
    .await;
    assert_eq!(off.problem(503), "/problems/online-payment-off");
    assert_eq!(
        plain.webhook(&json!({})).await.problem(503),
        "/problems/online-payment-off"
    );
    assert_eq!(
        plain.get("/api/payment-methods", &billing).await.body["online_payment"],
        false
    );
}

#[tokio::test]
async fn tampered_amounts_overpayment_and_unpayable_invoices_are_refused_before_stripe() {
    let server = stripe().await;
    checkout_ok(&server, 0).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 10_000).await; // 11,000 due
    let void = issued(&t, &staff, 5_000).await;
    let voided = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/void?company={ACME}",
                void["id"].as_str().unwrap()
            ),
        )
        .cookie(&staff)
        .json(json!({"version": void["version"]}))
        .send()
        .await;
    assert_eq!(voided.body["status"], "void");
    let draft = draft(&t, &staff, ACME, &[("Draft", "1", 100)]).await;
    let billing = t.login("billing@acme.example").await;
    for (invoices, status, kind) in [
        (
            json!([{"invoice_id": one["id"], "amount": 11_001}]),
            422,
            "/problems/validation",
        ),
        (
            json!([{"invoice_id": one["id"], "amount": 0}]),
            422,
            "/problems/validation",
        ),
        (
            json!([{"invoice_id": one["id"], "amount": -5}]),
            422,
            "/problems/validation",
        ),
        (json!([]), 422, "/problems/validation"),
        (
            json!([{"invoice_id": one["id"], "amount": 1}, {"invoice_id": one["id"], "amount": 1}]),
            422,
            "/problems/validation",
        ),
        (
            json!([{"invoice_id": void["id"], "amount": 100}]),
            409,
            "/problems/not-payable",
        ),
        (
            json!([{"invoice_id": draft["id"], "amount": 100}]),
            404,
            "/problems/not-found",
        ),
        (
            json!([{"invoice_id": "not-an-id", "amount": 100}]),
            404,
            "/problems/not-found",
        ),
    ] {
        let answer = pay(&t, &billing, invoices.clone(), None).await;
        assert_eq!(answer.problem(status), kind, "{invoices}");
    }
    // Another company's invoice, with its real id: not found.
    let globex = draft_and_issue_globex(&t, &staff).await;
    assert_eq!(
        pay(
            &t,
            &billing,
            json!([{"invoice_id": globex, "amount": 100}]),
            None
        )
        .await
        .problem(404),
        "/problems/not-found"
    );
    assert_eq!(count(&t, "PAYMENT#").await, 0);
    server.verify().await;
}
