//! Billing API tests: the real `billing` handler against moto_server, with wiremock playing
//! Stripe's API and webhooks signed exactly as Stripe signs them.

mod charge;
mod credit;
mod hours;
mod lifecycle;
mod methods;
mod overview;
mod roles;

use portal_tests::TestApp;
use portal_tests::stripe::{field, form, idempotency_key, portal_namespace};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STAFF: &str = "admin@northwind.example";
const ACME: &str = "acme-dental";
const GLOBEX: &str = "globex-logistics";

/// Draft an invoice for `company` with lines of `(description, quantity, unit price)`.
async fn draft(t: &TestApp, staff: &str, company: &str, lines: &[(&str, &str, i64)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(d, q, p)| json!({"description": d, "quantity": q, "unit_price": p}))
        .collect();
    let answer = t
        .call("POST", "/api/invoices")
        .cookie(staff)
        .json(json!({"company_id": company, "lines": lines, "tax_rate_bp": 1000, "notes": "Thank you"}))
        .send()
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body
}

async fn issue(t: &TestApp, staff: &str, invoice: &Value) -> Value {
    let answer = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/issue?company={}",
                invoice["id"].as_str().unwrap(),
                invoice["company_id"].as_str().unwrap()
            ),
        )
        .cookie(staff)
        .json(json!({"version": invoice["version"]}))
        .send()
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// An issued invoice of `total` before tax (one line), for Acme.
async fn issued(t: &TestApp, staff: &str, amount: i64) -> Value {
    let d = draft(t, staff, ACME, &[("Managed services", "1", amount)]).await;
    issue(t, staff, &d).await["invoice"].clone()
}

async fn invoice(t: &TestApp, cookie: &str, id: &Value) -> Value {
    let answer = t
        .get(
            &format!("/api/invoices/{}?company={ACME}", id.as_str().unwrap()),
            cookie,
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// A Stripe double answering customers and Checkout Sessions.
async fn stripe() -> MockServer {
    let server = portal_tests::stripe::strict_stripe().await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "cus_acme", "object": "customer"})),
        )
        .mount(&server)
        .await;
    server
}

/// A Stripe double that also answers setup-mode Checkout and detaching `pm_visa`.
async fn stripe_for_methods() -> MockServer {
    let server = stripe().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"id": "cs_setup", "url": "https://checkout.stripe.test/setup"}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_methods/pm_visa/detach"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "pm_visa", "object": "payment_method"})),
        )
        .mount(&server)
        .await;
    server
}

async fn checkout_ok(server: &MockServer, expected_calls: u64) {
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.test/c/pay/cs_test_1"
        })))
        .expect(expected_calls)
        .mount(server)
        .await;
}

/// Start adding a payment method (which also links the company to its Stripe customer, `cus_acme`).
async fn setup(t: &TestApp, cookie: &str) {
    let setup = t
        .call("POST", "/api/payment-methods/setup")
        .cookie(cookie)
        .send()
        .await;
    assert_eq!(setup.status, 201, "{}", setup.text);
}

async fn pay(
    t: &TestApp,
    cookie: &str,
    invoices: Value,
    key: Option<&str>,
) -> portal_tests::Answer {
    let mut call = t.call("POST", "/api/payments/checkout").cookie(cookie);
    if let Some(key) = key {
        call = call.header("idempotency-key", key);
    }
    call.json(json!({ "invoices": invoices })).send().await
}

fn event(id: &str, kind: &str, object: Value) -> Value {
    json!({"id": id, "object": "event", "type": kind, "created": 1, "livemode": false, "data": {"object": object}})
}

/// Stripe's event for a paid Checkout session (`cs_test_1`, what `checkout_ok` answers) of `amount`.
fn session_completed(id: &str, payment_id: &str, amount: i64) -> Value {
    event(
        id,
        "checkout.session.completed",
        json!({
            "id": "cs_test_1", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
            "amount_total": amount, "currency": "usd",
            "payment_intent": "pi_test_1", "metadata": {"payment_id": payment_id, "company_id": ACME}
        }),
    )
}

/// How many items of a kind the Acme partition holds.
async fn count(t: &TestApp, prefix: &str) -> usize {
    t.items_in(&format!("CO#{ACME}"))
        .await
        .iter()
        .filter(|i| i["sk"].as_s().is_ok_and(|s| s.starts_with(prefix)))
        .count()
}

#[tokio::test]
async fn invoice_numbers_are_gapless_when_issued_at_once_and_issued_invoices_are_frozen() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let mut drafts = Vec::new();
    for i in 0..6 {
        drafts.push(
            draft(
                &t,
                &staff,
                if i % 2 == 0 { ACME } else { GLOBEX },
                &[("Support hours", "1.5", 12_000)],
            )
            .await,
        );
    }
    assert_eq!(drafts[0]["subtotal"], 18_000);
    assert_eq!(drafts[0]["tax"], 1_800);
    assert_eq!(drafts[0]["total"], 19_800);
    assert_eq!(drafts[0]["number"], Value::Null);
    let (a, b, c, d, e, f) = tokio::join!(
        issue(&t, &staff, &drafts[0]),
        issue(&t, &staff, &drafts[1]),
        issue(&t, &staff, &drafts[2]),
        issue(&t, &staff, &drafts[3]),
        issue(&t, &staff, &drafts[4]),
        issue(&t, &staff, &drafts[5]),
    );
    let mut numbers: Vec<u64> = [a, b, c, d, e, f]
        .iter()
        .map(|i| i["invoice"]["number"].as_u64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6]);
    let one = invoice(&t, &staff, &drafts[0]["id"]).await;
    assert_eq!(one["status"], "issued");
    let issued_on = time::Date::parse(
        one["issue_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    let due = time::Date::parse(
        one["due_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    assert_eq!(
        due - issued_on,
        time::Duration::days(30),
        "the company's payment terms"
    );
    // Issued: no edits, no second issue, no delete.
    let path = format!(
        "/api/invoices/{}?company={ACME}",
        one["id"].as_str().unwrap()
    );
    let edit = t.call("PATCH", &path).cookie(&staff).json(json!({"lines": [{"description": "x", "quantity": 1, "unit_price": 1}], "version": one["version"]})).send().await;
    assert_eq!(edit.problem(409), "/problems/not-a-draft");
    assert_eq!(
        t.call("DELETE", &path)
            .cookie(&staff)
            .send()
            .await
            .problem(409),
        "/problems/not-a-draft"
    );
    let again = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/issue?company={ACME}",
                one["id"].as_str().unwrap()
            ),
        )
        .cookie(&staff)
        .json(json!({"version": one["version"]}))
        .send()
        .await;
    assert_eq!(again.problem(409), "/problems/not-a-draft");
    // A stale version is a conflict and takes no number.
    let late = draft(&t, &staff, ACME, &[("Late", "1", 100)]).await;
    let stale = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/issue?company={ACME}",
                late["id"].as_str().unwrap()
            ),
        )
        .cookie(&staff)
        .json(json!({"version": 99}))
        .send()
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    assert_eq!(
        issue(&t, &staff, &late).await["invoice"]["label"],
        "INV-0007"
    );
}

#[tokio::test]
async fn only_billing_roles_see_invoices_and_other_companies_get_404() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let acme = issued(&t, &staff, 50_000).await;
    let hidden = draft(&t, &staff, ACME, &[("Not yet", "1", 100)]).await;
    let id = acme["id"].as_str().unwrap();
    for who in ["fulladmin@acme.example", "billing@acme.example"] {
        let cookie = t.login(who).await;
        let list = t.get("/api/invoices", &cookie).await;
        assert_eq!(list.status, 200, "{who}");
        let ids: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![id], "{who}: drafts are never shown");
        assert_eq!(
            t.get(&format!("/api/invoices/{id}"), &cookie).await.body["lines"][0]["description"],
            "Managed services"
        );
        assert_eq!(
            t.get(
                &format!("/api/invoices/{}", hidden["id"].as_str().unwrap()),
                &cookie
            )
            .await
            .problem(404),
            "/problems/not-found"
        );
        assert_eq!(
            t.get("/api/invoices?tab=draft", &cookie).await.problem(403),
            "/problems/forbidden"
        );
        assert_eq!(
            t.get("/api/invoices?tab=drafts", &cookie)
                .await
                .problem(400),
            "/problems/bad-request"
        );
        let nothing = t.get("/api/invoices?q=not-a-number", &cookie).await;
        assert_eq!(nothing.body["items"], json!([]));
        let found = t.get("/api/invoices?q=INV-0001", &cookie).await;
        assert_eq!(found.body["items"][0]["id"], id);
        let overview = t.get("/api/billing/overview", &cookie).await;
        assert_eq!(overview.body["balances"][0]["outstanding"], 55_000);
        assert_eq!(overview.body["next_due"]["label"], "INV-0001");
        assert_eq!(overview.body["online_payment"], false);
    }
    for who in [
        "ticketmanager@acme.example",
        "readonly@acme.example",
        "user@acme.example",
        "tech@northwind.example",
    ] {
        let cookie = t.login(who).await;
        for path in [
            "/api/invoices".to_owned(),
            format!("/api/invoices/{id}?company={ACME}"),
            format!("/api/invoices/{id}/pdf?company={ACME}"),
            "/api/billing/overview".into(),
            "/api/payments".into(),
            "/api/payment-methods".into(),
        ] {
            assert_eq!(
                t.get(&path, &cookie).await.problem(403),
                "/problems/forbidden",
                "{who} {path}"
            );
        }
        let paying = pay(
            &t,
            &cookie,
            json!([{"invoice_id": id, "amount": 100}]),
            None,
        )
        .await;
        assert_eq!(paying.problem(403), "/problems/forbidden", "{who}");
    }
    // Globex's admin: Acme's invoice does not exist for them.
    let globex = t.login("fulladmin@globex.example").await;
    for path in [
        format!("/api/invoices/{id}"),
        format!("/api/invoices/{id}/pdf"),
        format!("/api/invoices/{id}?company={ACME}"),
        format!("/api/payments?company={ACME}"),
    ] {
        assert_eq!(
            t.get(&path, &globex).await.problem(404),
            "/problems/not-found",
            "{path}"
        );
    }
    assert!(
        t.get("/api/invoices?q=INV-0001", &globex).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Staff name the company (no company's invoice is found without one); the MSP's receivables
    // list every company.
    assert_eq!(
        t.get(&format!("/api/invoices/{id}"), &staff)
            .await
            .problem(404),
        "/problems/company-needed"
    );
    let receivables = t.get("/api/billing/companies", &staff).await;
    assert_eq!(receivables.body["companies"][0]["company_id"], ACME);
    assert_eq!(receivables.body["companies"][0]["outstanding"], 55_000);
    let everyone = t.get("/api/invoices", &staff).await;
    assert_eq!(everyone.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.get("/api/invoices?tab=draft", &staff).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Only MSP admins write invoices.
    let client = t.login("fulladmin@acme.example").await;
    let create = t.call("POST", "/api/invoices").cookie(&client).json(json!({"company_id": ACME, "lines": [{"description": "x", "quantity": 1, "unit_price": 1}]})).send().await;
    assert_eq!(create.problem(403), "/problems/forbidden");
}

#[tokio::test]
async fn bad_invoices_are_refused_and_nothing_is_written() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let line = json!({"description": "Hours", "quantity": "2", "unit_price": 1000});
    for (body, field) in [
        (json!({"company_id": ACME, "lines": []}), "lines"),
        (
            json!({"company_id": ACME, "lines": [{"description": "Credit", "quantity": 1, "unit_price": -500}]}),
            "lines",
        ),
        (
            json!({"company_id": ACME, "lines": [{"description": " ", "quantity": 1, "unit_price": 5}]}),
            "lines[0].description",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "currency": "dollars"}),
            "currency",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "tax_rate_bp": 10_001}),
            "tax_rate_bp",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "issue_date": "2026-05-02", "due_date": "2026-05-01"}),
            "due_date",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "tickets": [999_999]}),
            "tickets",
        ),
    ] {
        let answer = t
            .call("POST", "/api/invoices")
            .cookie(&staff)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(answer.problem(422), "/problems/validation", "{body}");
        assert!(
            answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {}",
            answer.text
        );
    }
    for body in [
        json!({"company_id": ACME, "lines": [{"description": "x", "quantity": "1.2345", "unit_price": 5}]}),
        json!({"company_id": ACME, "lines": [line], "surprise": true}),
        json!({"company_id": ACME, "lines": [{"description": "x", "quantity": 1, "unit_price": 1.5}]}),
        json!({"company_id": ACME, "lines": [line], "due_date": "2026-13-01"}),
    ] {
        assert_eq!(
            t.call("POST", "/api/invoices")
                .cookie(&staff)
                .json(body)
                .send()
                .await
                .problem(400),
            "/problems/bad-request"
        );
    }
    let unknown = t
        .call("POST", "/api/invoices")
        .cookie(&staff)
        .json(json!({"company_id": "nope", "lines": [line]}))
        .send()
        .await;
    assert_eq!(unknown.problem(404), "/problems/not-found");
    assert_eq!(count(&t, "INVOICE#").await, 0);
    // Dates as the API writes them (`null` until issued) are read back.
    let nulls = t
        .call("POST", "/api/invoices")
        .cookie(&staff)
        .json(json!({"company_id": ACME, "lines": [line], "issue_date": null, "due_date": null}))
        .send()
        .await;
    assert_eq!(nulls.status, 201, "{}", nulls.text);
}

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

async fn draft_and_issue_globex(t: &TestApp, staff: &str) -> Value {
    let d = draft(t, staff, GLOBEX, &[("Globex work", "1", 1_000)]).await;
    issue(t, staff, &d).await["invoice"]["id"].clone()
}

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

#[tokio::test]
async fn manual_payments_and_voiding_follow_the_rules() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 10_000).await; // 11,000
    let id = one["id"].as_str().unwrap();
    let path = format!("/api/invoices/{id}/payments?company={ACME}");
    let over = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 11_001, "method": "cheque", "version": one["version"]}))
        .send()
        .await;
    assert_eq!(over.problem(422), "/problems/validation");
    let bad = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 100, "method": "bitcoin", "version": one["version"]}))
        .send()
        .await;
    assert_eq!(bad.problem(422), "/problems/validation");
    let cheque = t.call("POST", &path).cookie(&staff).json(json!({"amount": 6_000, "method": "cheque", "reference": "1042", "version": one["version"]})).send().await;
    assert_eq!(cheque.status, 201, "{}", cheque.text);
    assert_eq!(cheque.body["method"], "Cheque 1042");
    let stale = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 100, "method": "cash", "version": one["version"]}))
        .send()
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    let now = invoice(&t, &staff, &one["id"]).await;
    assert_eq!(
        (now["paid"].as_i64(), now["balance"].as_i64()),
        (Some(6_000), Some(5_000))
    );
    let void = t
        .call("POST", &format!("/api/invoices/{id}/void?company={ACME}"))
        .cookie(&staff)
        .json(json!({"version": now["version"]}))
        .send()
        .await;
    assert_eq!(void.problem(409), "/problems/has-payments");
    let client = t.login("billing@acme.example").await;
    assert_eq!(
        t.get("/api/payments", &client).await.body["items"][0]["method"],
        "Cheque 1042"
    );
    let rest = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 5_000, "method": "bank_transfer", "version": now["version"]}))
        .send()
        .await;
    assert_eq!(rest.status, 201);
    let settled = invoice(&t, &staff, &one["id"]).await;
    assert_eq!(settled["status"], "paid");
    // The invoice lists both payments, oldest first, with how they were paid.
    let listed: Vec<(&str, i64, &str)> = settled["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["method"].as_str().unwrap(),
                p["amount"].as_i64().unwrap(),
                p["payment_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Cheque 1042", 6_000, cheque.body["id"].as_str().unwrap()),
            ("Bank transfer", 5_000, rest.body["id"].as_str().unwrap()),
        ]
    );
    let closed = t.get("/api/invoices?tab=closed", &client).await;
    assert_eq!(closed.body["items"][0]["status"], "paid");
    assert_eq!(
        closed.body["items"][0]["last_paid_at"],
        settled["payments"][1]["paid_at"]
    );
    let after = t.call("POST", &path).cookie(&staff).json(json!({"amount": 1, "method": "cash", "version": invoice(&t, &staff, &one["id"]).await["version"]})).send().await;
    assert_eq!(after.problem(409), "/problems/not-payable");
}

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
async fn the_pdf_is_rendered_once_stored_and_served_by_a_presigned_download() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let lines: Vec<(String, &str, i64)> = (1..=100)
        .map(|i| (format!("Line {i}: workstation maintenance"), "1", 1_000))
        .collect();
    let lines: Vec<(&str, &str, i64)> =
        lines.iter().map(|(d, q, p)| (d.as_str(), *q, *p)).collect();
    let d = draft(&t, &staff, ACME, &lines).await;
    let inv = issue(&t, &staff, &d).await["invoice"].clone();
    let client = t.login("billing@acme.example").await;
    let answer = t
        .get(
            &format!("/api/invoices/{}/pdf", inv["id"].as_str().unwrap()),
            &client,
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let location = answer.headers.get("location").unwrap().to_str().unwrap();
    assert!(
        location.contains("X-Amz-Signature=")
            && location.contains("response-content-disposition=attachment"),
        "{location}"
    );
    let key = format!(
        "{ACME}/invoices/{}/v{}.pdf",
        inv["id"].as_str().unwrap(),
        inv["version"]
    );
    let object = t
        .s3()
        .get_object()
        .bucket(&t.app.config.table_name)
        .key(&key)
        .send()
        .await
        .expect("stored PDF");
    let bytes = object.body.collect().await.unwrap().into_bytes();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&bytes).contains("/Count 3"),
        "100 lines need three pages"
    );
    let globex = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.get(
            &format!("/api/invoices/{}/pdf", inv["id"].as_str().unwrap()),
            &globex
        )
        .await
        .problem(404),
        "/problems/not-found"
    );
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

/// Record `amount` received by cheque against an Acme invoice read at `version`.
async fn record_payment(t: &TestApp, staff: &str, invoice: &Value, amount: i64, version: &Value) {
    let path = format!(
        "/api/invoices/{}/payments?company={ACME}",
        invoice["id"].as_str().unwrap()
    );
    let answer = t
        .call("POST", &path)
        .cookie(staff)
        .json(json!({"amount": amount, "method": "cheque", "version": version}))
        .send()
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
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

#[tokio::test]
async fn invoices_export_as_csv_to_the_people_who_see_them() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let part = issued(&t, &staff, 10_000).await; // 11,000 with tax
    record_payment(&t, &staff, &part, 4_000, &part["version"]).await;
    let paid = issued(&t, &staff, 5_000).await; // 5,500
    record_payment(&t, &staff, &paid, 5_500, &paid["version"]).await;
    let globex = draft(&t, &staff, GLOBEX, &[("Globex work", "1", 1_000)]).await;
    let globex = issue(&t, &staff, &globex).await["invoice"].clone();
    let label = |inv: &Value| format!("INV-{:04}", inv["number"].as_u64().unwrap());
    let lines = |text: &str| -> Vec<String> {
        text.split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let row = |rows: &[String], inv: &Value| {
        rows.iter()
            .find(|l| l.starts_with(&format!("\"{}\",", label(inv))))
            .cloned()
    };

    let billing = t.login("billing@acme.example").await;
    let open = t.get("/api/invoices/export", &billing).await;
    assert_eq!(open.status, 200, "{}", open.text);
    assert_eq!(open.content_type(), "text/csv; charset=utf-8");
    let today = portal::domain::billing::today(t.app.now());
    let disposition = open.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains(&format!("invoices-{ACME}-open-{today}.csv")),
        "{disposition}"
    );
    let rows = lines(&open.text);
    assert_eq!(
        rows[0],
        "\"Number\",\"Status\",\"Issue date\",\"Due date\",\"Currency\",\"Subtotal\",\"Tax\",\"Total\",\"Paid\",\"Balance\",\"Last paid (UTC)\",\"Tickets\""
    );
    let partly = row(&rows, &part).expect("the partly paid invoice");
    assert!(
        partly.starts_with(&format!(
            "\"{}\",\"Partly paid\",\"{today}\",",
            label(&part)
        )) && partly.contains("\"USD\",\"100.00\",\"10.00\",\"110.00\",\"40.00\",\"70.00\""),
        "{partly}"
    );
    assert!(
        row(&rows, &paid).is_none(),
        "paid invoices are on the closed tab"
    );
    assert!(row(&rows, &globex).is_none(), "another company's invoice");

    let closed = lines(
        &t.get("/api/invoices/export?tab=closed", &billing)
            .await
            .text,
    );
    let settled = row(&closed, &paid).expect("the paid invoice");
    assert!(
        settled.contains("\"Paid\"") && settled.contains("\"55.00\",\"55.00\",\"0.00\""),
        "{settled}"
    );

    let everyone = lines(&t.get("/api/invoices/export", &staff).await.text);
    assert!(everyone[0].starts_with("\"Number\",\"Company\",\"Status\""));
    let theirs = row(&everyone, &globex).expect("staff export every company's");
    assert!(theirs.contains("\"Globex Logistics\""), "{theirs}");
    assert!(row(&everyone, &part).is_some());
    let one = t
        .get(&format!("/api/invoices/export?company={GLOBEX}"), &staff)
        .await;
    assert!(
        one.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("invoices-{GLOBEX}-open-")),
    );
    assert!(row(&lines(&one.text), &part).is_none());

    assert_eq!(
        t.get(&format!("/api/invoices/export?company={GLOBEX}"), &billing)
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        t.get("/api/invoices/export?tab=draft", &billing)
            .await
            .problem(403),
        "/problems/forbidden"
    );
    assert_eq!(
        t.get("/api/invoices/export", &t.login("user@acme.example").await)
            .await
            .status,
        403
    );
}
