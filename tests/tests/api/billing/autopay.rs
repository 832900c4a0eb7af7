//! Saved methods and autopay, expiring cards and overdue invoices reminded once per step.

use super::*;

#[tokio::test]
async fn saved_methods_autopay_and_its_failure_email() {
    let server = stripe_for_methods().await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let staff = t.login(STAFF).await;
    let billing = t.login("billing@acme.example").await;
    setup(&t, &billing).await;
    let requests = server.received_requests().await.unwrap();
    let f = form(
        requests
            .iter()
            .find(|r| r.url.path() == "/v1/checkout/sessions")
            .unwrap(),
    );
    assert_eq!(field(&f, "mode"), Some("setup"));
    assert!(
        requests
            .iter()
            .find(|r| r.url.path() == "/v1/checkout/sessions")
            .unwrap()
            .headers
            .get("idempotency-key")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&idempotency_key("setup", ""))
    );
    // Stripe tells us what was saved.
    let attached = event(
        "evt_pm",
        "payment_method.attached",
        json!({
            "id": "pm_visa", "object": "payment_method", "type": "card", "customer": "cus_acme",
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
        }),
    );
    assert_eq!(t.webhook(&attached).await.status, 200);
    assert_eq!(t.webhook(&attached).await.status, 200);
    let methods = t.get("/api/payment-methods", &billing).await;
    assert_eq!(methods.body["methods"].as_array().unwrap().len(), 1);
    assert_eq!(methods.body["methods"][0]["label"], "Visa •••• 4242");
    assert_eq!(methods.body["methods"][0]["default"], true);
    let named = t
        .call("PATCH", "/api/payment-methods/pm_visa")
        .cookie(&billing)
        .json(json!({"nickname": "Office card"}))
        .send()
        .await;
    assert_eq!(named.body["nickname"], "Office card");
    let globex = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.call("PATCH", "/api/payment-methods/pm_visa")
            .cookie(&globex)
            .json(json!({"nickname": "mine"}))
            .send()
            .await
            .problem(404),
        "/problems/not-found"
    );
    // Autopay needs explicit consent, which is stored with who and when.
    let no = t
        .call("PUT", "/api/billing/autopay")
        .cookie(&billing)
        .json(json!({"enabled": true}))
        .send()
        .await;
    assert_eq!(no.problem(422), "/problems/validation");
    let yes = t
        .call("PUT", "/api/billing/autopay")
        .cookie(&billing)
        .json(json!({"enabled": true, "consent": true}))
        .send()
        .await;
    assert_eq!(yes.status, 200, "{}", yes.text);
    assert_eq!(yes.body["by_email"], "billing@acme.example");
    assert!(yes.body["text"].as_str().unwrap().contains("authorise"));
    // Issuing charges the default method off-session; Stripe's webhook then pays the invoice.
    let charge = Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "pi_auto", "object": "payment_intent", "status": "succeeded"}),
        ))
        .expect(1)
        .mount_as_scoped(&server)
        .await;
    let d = draft(&t, &staff, ACME, &[("Monthly plan", "1", 30_000)]).await;
    let out = issue(&t, &staff, &d).await;
    assert_eq!(out["autopay"], "charging");
    let requests = server.received_requests().await.unwrap();
    let intent = requests
        .iter()
        .rev()
        .find(|r| r.url.path() == "/v1/payment_intents")
        .unwrap();
    let f = form(intent);
    assert_eq!(field(&f, "amount"), Some("33000"));
    assert_eq!(field(&f, "off_session"), Some("true"));
    assert_eq!(
        field(&f, "automatic_payment_methods[allow_redirects]"),
        Some("never"),
        "nobody is there to be redirected"
    );
    assert_eq!(field(&f, "payment_method"), Some("pm_visa"));
    let payment_id = field(&f, "metadata[payment_id]").unwrap().to_owned();
    assert_eq!(
        intent.headers.get("idempotency-key").unwrap(),
        &idempotency_key("autopay", &payment_id)
    );
    drop(charge);
    assert_eq!(
        invoice(&t, &staff, &out["invoice"]["id"]).await["status"],
        "issued"
    );
    let ok = event(
        "evt_auto",
        "payment_intent.succeeded",
        json!({"id": "pi_auto", "payment_method": "pm_visa", "customer": "cus_acme", "amount": 33_000, "amount_received": 33_000, "currency": "usd", "metadata": {"payment_id": payment_id, "company_id": ACME}}),
    );
    assert_eq!(t.webhook(&ok).await.status, 200);
    assert_eq!(
        invoice(&t, &staff, &out["invoice"]["id"]).await["status"],
        "paid"
    );
    assert_eq!(
        t.get("/api/payments", &billing).await.body["items"][0]["method"],
        "Visa •••• 4242"
    );
    // A declined card: the payment fails and billing contacts get a link to pay.
    let _declined = Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}})))
        .mount_as_scoped(&server)
        .await;
    let d = draft(&t, &staff, ACME, &[("Project work", "2", 5_000)]).await;
    let out = issue(&t, &staff, &d).await;
    assert_eq!(out["autopay"], "failed");
    let mail = t.mail().await;
    let failure = mail
        .iter()
        .rev()
        .find(|m| m["subject"].as_str().unwrap().starts_with("Autopay failed"))
        .expect("failure email");
    assert!(
        failure["destinations"]["ToAddresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "billing@acme.example")
    );
    assert!(failure["body"].as_str().unwrap().contains(&format!(
        "/invoices/view/?id={}",
        out["invoice"]["id"].as_str().unwrap()
    )));
    assert!(failure["body"].as_str().unwrap().contains("declined"));
    // Deleting the method detaches it in Stripe; autopay then waits for a default.
    assert_eq!(
        t.call("DELETE", "/api/payment-methods/pm_visa")
            .cookie(&billing)
            .send()
            .await
            .status,
        204
    );
    let after = t.get("/api/payment-methods", &billing).await;
    assert!(after.body["methods"].as_array().unwrap().is_empty());
    assert_eq!(after.body["autopay_active"], false);
    let requests = server.received_requests().await.unwrap();
    let detached = requests
        .iter()
        .filter(|r| r.url.path() == "/v1/payment_methods/pm_visa/detach")
        .count();
    assert_eq!(detached, 1, "detached in Stripe once");
    server.verify().await;
}

#[tokio::test]
async fn cards_about_to_expire_are_reminded_once_per_card_and_month() {
    let server = stripe().await;
    checkout_ok(&server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let billing = t.login("billing@acme.example").await;
    setup(&t, &billing).await;
    let today = portal::domain::billing::today(t.app.now());
    let card = |id: &str, last4: &str, month: u8, year: i32| {
        event(
            &format!("evt_{id}"),
            "payment_method.attached",
            json!({
                "id": id, "object": "payment_method", "type": "card", "customer": "cus_acme",
                "card": {"brand": "visa", "last4": last4, "exp_month": month, "exp_year": year}
            }),
        )
    };
    let this_month = card("pm_soon", "1111", u8::from(today.month()), today.year());
    let later = card("pm_later", "2222", 12, today.year() + 3);
    for event in [&this_month, &later] {
        assert_eq!(t.webhook(event).await.status, 200);
    }
    let before = t.mail().await.len();
    assert_eq!(billing::card_reminders(&t.app, today).await.unwrap(), 1);
    // Run again the same day, or later that month: no second reminder.
    assert_eq!(billing::card_reminders(&t.app, today).await.unwrap(), 0);
    let mail = t.mail().await;
    let sent: Vec<&Value> = mail[before..].iter().collect();
    assert!(!sent.is_empty());
    for m in &sent {
        assert_eq!(m["subject"], "Visa •••• 1111 expires soon", "{m}");
        assert!(
            m["body"].as_str().unwrap().contains("/payment-methods/"),
            "{m}"
        );
    }
    let recipients: Vec<String> = sent
        .iter()
        .flat_map(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|a| a.as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        recipients
            .iter()
            .any(|r| r.contains("billing@acme.example")),
        "{recipients:?}"
    );
    assert!(
        !recipients.iter().any(|r| r.contains("@globex.example")),
        "{recipients:?}"
    );
}

#[tokio::test]
async fn overdue_invoices_are_reminded_once_per_step_until_paid() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let late = issued(&t, &staff, 10_000).await; // 11,000
    let paid = issued(&t, &staff, 5_000).await; // 5,500, paid in full below
    let due = time::Date::parse(
        late["due_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    record_payment(&t, &staff, &paid, 5_500, &paid["version"]).await;
    let day = |n: i64| due + time::Duration::days(n);
    let before = t.mail().await.len();
    // Not yet late on its due date; then 1 day late; the same step again changes nothing.
    assert_eq!(billing::overdue_reminders(&t.app, day(0)).await.unwrap(), 0);
    assert_eq!(billing::overdue_reminders(&t.app, day(1)).await.unwrap(), 1);
    assert_eq!(billing::overdue_reminders(&t.app, day(1)).await.unwrap(), 0);
    assert_eq!(billing::overdue_reminders(&t.app, day(3)).await.unwrap(), 0);
    // With Acme's overdue reminders turned off, none; on again, the 7-day one (a week late).
    let reminders = |on: bool| {
        let (t, staff) = (&t, &staff);
        async move {
            let path = format!("/api/companies/{ACME}");
            let version = t.get(&path, staff).await.body["version"].clone();
            let set = t
                .call("PATCH", &path)
                .cookie(staff)
                .json(json!({"version": version, "overdue_reminders": on}))
                .send()
                .await;
            assert_eq!(set.status, 200, "{}", set.text);
            assert_eq!(set.body["overdue_reminders"], on);
        }
    };
    reminders(false).await;
    assert_eq!(billing::overdue_reminders(&t.app, day(8)).await.unwrap(), 0);
    reminders(true).await;
    // A run missed until 40 days late sends the 30-day one only.
    assert_eq!(billing::overdue_reminders(&t.app, day(8)).await.unwrap(), 1);
    assert_eq!(
        billing::overdue_reminders(&t.app, day(40)).await.unwrap(),
        1
    );
    assert_eq!(
        billing::overdue_reminders(&t.app, day(41)).await.unwrap(),
        0
    );
    let mail = t.mail().await;
    let subjects: Vec<&str> = mail[before..]
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    let label = late["label"].as_str().unwrap();
    let expected = [
        format!("Reminder: invoice {label} is 1 day overdue"),
        format!("Reminder: invoice {label} is 8 days overdue"),
        format!("Reminder: invoice {label} is 40 days overdue"),
    ];
    // One email per reminder (to every billing contact at once), in order.
    let mut distinct = subjects.clone();
    distinct.dedup();
    assert_eq!(distinct, expected, "{subjects:?}");
    let body = mail[before]["body"].as_str().unwrap();
    assert!(body.contains("$110.00 is still to pay"), "{body}");
    assert!(
        body.contains(&format!(
            "/invoices/view/?id={}",
            late["id"].as_str().unwrap()
        )),
        "{body}"
    );
    assert!(
        !mail[before..]
            .iter()
            .any(|m| m.to_string().contains("@globex.example")),
        "only Acme's contacts"
    );
    // Once paid, no more reminders.
    let now = invoice(&t, &staff, &late["id"]).await;
    record_payment(&t, &staff, &late, 11_000, &now["version"]).await;
    assert_eq!(
        billing::overdue_reminders(&t.app, day(400)).await.unwrap(),
        0
    );
}
