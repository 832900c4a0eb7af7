//! Every billing route × the nine demo roles, as docs/billing.md's role table says: MSP admins
//! manage invoices for every company and see (not use) clients' methods; technicians see no
//! billing; a client's Full Admin and Billing Admin see and pay their own company's; other client
//! roles are refused (403); another company's records are 404. A call that would change something
//! is made so that an allowed role is told why it did not (a stale version, an amount over the
//! balance) or changes only what it owns, so each role meets the same state.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use wiremock::matchers::{body_string_contains, path_regex};

use super::*;

#[tokio::test]
async fn every_billing_route_answers_each_role_as_the_role_table_says() {
    let server = stripe().await;
    // One Checkout each for Acme's Full Admin and Billing Admin; nobody else gets that far.
    checkout_ok(&server, 2).await;
    Mock::given(method("POST"))
        .and(path_regex("^/v1/payment_methods/pm_[a-z0-9_]+/detach$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "pm_x"})))
        .mount(&server)
        .await;
    // Globex's Full Admin saves a card too: Globex is its own Stripe customer.
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .and(body_string_contains(GLOBEX))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "cus_globex"})))
        .with_priority(2)
        .mount(&server)
        .await;
    // Charging Acme's saved card: the same payment twice (Full Admin, then Billing Admin) is one.
    let intents = portal_tests::stripe::Intents::default();
    intents.mount(&server).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let cookies = sign_in_everyone(&t).await;
    let staff = &cookies[0];
    let open = issued(&t, staff, 10_000).await;
    let paid = issued(&t, staff, 1_000).await;
    let recorded = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/payments?company={ACME}",
                paid["id"].as_str().unwrap()
            ),
        )
        .cookie(staff)
        .json(json!({"amount": 1_100, "method": "cheque", "version": paid["version"]}))
        .send()
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    let payment = t
        .get(&format!("/api/payments?company={ACME}"), staff)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft = draft(&t, staff, ACME, &[("Laptop", "1", 90_000)]).await;
    let (open_id, paid_id, draft_id) = (
        open["id"].as_str().unwrap(),
        paid["id"].as_str().unwrap(),
        draft["id"].as_str().unwrap(),
    );
    // Acme's saved card, through setup mode (which links Acme to its Stripe customer).
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(body_string_contains("mode=setup"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"id": "cs_setup", "url": "https://checkout.stripe.test/setup"}),
            ),
        )
        .with_priority(3)
        .mount(&server)
        .await;
    let attach = async |pm: &str| {
        let e = event(
            &format!("evt_{pm}"),
            "payment_method.attached",
            json!({"id": pm, "object": "payment_method", "type": "card", "customer": "cus_acme",
                   "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}}),
        );
        assert_eq!(t.webhook(&e).await.status, 200);
    };
    setup(&t, &cookies[4]).await;
    attach("pm_visa").await;
    let q = format!("company={ACME}");

    //                                              nadia theo fiona tomas bella rory  uma  gus  gu
    let get = |path: String| {
        let t = &t;
        async move |c: &str| t.get(&path, c).await
    };
    for (route, want) in [
        (
            format!("/api/invoices?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            format!("/api/invoices/export?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            format!("/api/invoices/{open_id}?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            format!("/api/invoices/{draft_id}?{q}"),
            [200, 403, 404, 403, 404, 403, 403, 404, 403],
        ),
        (
            format!("/api/invoices/{open_id}/pdf?{q}"),
            [303, 403, 303, 403, 303, 403, 403, 404, 403],
        ),
        (
            format!("/api/payments?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            format!("/api/payments/{payment}?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            format!("/api/payment-methods?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            format!("/api/billing/overview?{q}"),
            [200, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            "/api/billing/companies".into(),
            [200, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
    ] {
        expect(
            &format!("GET {route}"),
            each(&cookies, get(route.clone())).await,
            want,
        );
    }

    // The MSP's invoice management; every client role and technicians are refused.
    let send = |verb: &'static str, path: String, body: Value| {
        let t = &t;
        async move |c: &str| {
            t.call(verb, &path)
                .cookie(c)
                .json(body.clone())
                .send()
                .await
        }
    };
    let lines = json!([{"description": "Support", "quantity": "1", "unit_price": 100}]);
    for (route, verb, path, body, want) in [
        (
            "POST /api/invoices (a draft for Acme)",
            "POST",
            "/api/invoices".to_owned(),
            json!({"company_id": ACME, "lines": lines}),
            [201, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "PATCH a draft (stale version)",
            "PATCH",
            format!("/api/invoices/{draft_id}?{q}"),
            json!({"version": 0, "lines": lines}),
            [409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "issue (already issued)",
            "POST",
            format!("/api/invoices/{open_id}/issue?{q}"),
            json!({"version": open["version"]}),
            [409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "void (paid)",
            "POST",
            format!("/api/invoices/{paid_id}/void?{q}"),
            json!({"version": paid["version"].as_u64().unwrap() + 1}),
            [409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "record a payment (over the balance)",
            "POST",
            format!("/api/invoices/{open_id}/payments?{q}"),
            json!({"amount": 999_999, "method": "cheque", "version": open["version"]}),
            [422, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "DELETE a draft (the first allowed deletes it)",
            "DELETE",
            format!("/api/invoices/{draft_id}?{q}"),
            json!({}),
            [204, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        // The client's own: staff may not pay, save cards or turn autopay on for a client.
        (
            "POST /api/payments/checkout (1.00 of Acme's open invoice)",
            "POST",
            "/api/payments/checkout".to_owned(),
            json!({"invoices": [{"invoice_id": open_id, "amount": 100}]}),
            [403, 403, 201, 403, 201, 403, 403, 404, 403],
        ),
        (
            "POST /api/payments/charge (1.00 of Acme's open invoice with Acme's saved card)",
            "POST",
            "/api/payments/charge".to_owned(),
            json!({"invoices": [{"invoice_id": open_id, "amount": 100}], "payment_method_id": "pm_visa"}),
            [403, 403, 202, 403, 202, 403, 403, 404, 403],
        ),
        (
            "PATCH a saved method",
            "PATCH",
            "/api/payment-methods/pm_visa".to_owned(),
            json!({"nickname": "Front desk"}),
            [403, 403, 200, 403, 200, 403, 403, 404, 403],
        ),
        (
            "PUT /api/billing/autopay (off)",
            "PUT",
            "/api/billing/autopay".to_owned(),
            json!({"enabled": false}),
            [403, 403, 200, 403, 200, 403, 403, 200, 403],
        ),
    ] {
        expect(route, each(&cookies, send(verb, path, body)).await, want);
    }
    assert_eq!(
        intents.charges().len(),
        1,
        "one charge for the same payment"
    );
    expect(
        "POST /api/payment-methods/setup",
        each(&cookies, async |c: &str| {
            t.call("POST", "/api/payment-methods/setup")
                .cookie(c)
                .send()
                .await
        })
        .await,
        [403, 403, 201, 403, 201, 403, 403, 201, 403],
    );
    // Deleting: each user is offered a card of Acme's of their own, so an allowed role's 204
    // leaves the next user the same state.
    let mut deleted = Vec::new();
    for (n, cookie) in cookies.iter().enumerate() {
        let pm = format!("pm_del_{n}");
        attach(&pm).await;
        let answer = t
            .call("DELETE", &format!("/api/payment-methods/{pm}"))
            .cookie(cookie)
            .send()
            .await;
        deleted.push(answer.status);
    }
    expect(
        "DELETE a saved method",
        deleted,
        [403, 403, 204, 403, 204, 403, 403, 404, 403],
    );
}
