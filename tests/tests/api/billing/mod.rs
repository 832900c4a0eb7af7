//! Billing API tests: the real `billing` handler against moto_server, with wiremock playing
//! Stripe's API and webhooks signed exactly as Stripe signs them.

mod autopay;
mod charge;
mod checkout;
mod credit;
mod hours;
mod invoices;
mod lifecycle;
mod methods;
mod overview;
mod roles;
mod webhooks;

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

async fn draft_and_issue_globex(t: &TestApp, staff: &str) -> Value {
    let d = draft(t, staff, GLOBEX, &[("Globex work", "1", 1_000)]).await;
    issue(t, staff, &d).await["invoice"]["id"].clone()
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
