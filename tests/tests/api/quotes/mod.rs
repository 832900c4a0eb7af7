//! Quotes over the real `billing` handler against moto_server: MSP admins draft, send and revise;
//! a company's approvers read, approve (what the MSP chose happening exactly once) or decline;
//! every refusal answers a clear 409 or 4xx and writes nothing. Tickets that wait for the
//! approvers' go-ahead too.

mod flow;
mod refusals;
mod store;
mod ticket_approvals;

use portal_tests::TestApp;
use serde_json::{Value, json};
use time::Date;

const STAFF: &str = "admin@northwind.example";
const ACME: &str = "acme-dental";
const BILLING: &str = "billing@acme.example";
const FULL_ADMIN: &str = "fulladmin@acme.example";

/// The demo clock's date in `t`, `days` on.
fn day(t: &TestApp, days: i64) -> Date {
    t.app.now().date() + time::Duration::days(days)
}

/// A quote for Acme: a firewall ($999.00 one-off) and its monitoring ($89.00 a month), 8.25 % tax.
fn firewall(valid_until: Date, on_approval: Value) -> Value {
    json!({
        "company_id": ACME,
        "title": "New firewall",
        "introduction": "Replace the end-of-life router with a managed firewall.",
        "terms": "Prices exclude installation outside business hours.",
        "valid_until": valid_until.to_string(),
        "lines": [
            {"description": "FortiGate 60F", "quantity": "1", "unit_price": 99_900, "recurrence": "one_time"},
            {"description": "Firewall monitoring", "quantity": 1, "unit_price": 8_900, "recurrence": "monthly"},
        ],
        "tax_rate_bp": 825,
        "on_approval": on_approval,
    })
}

/// A draft from `body`, by the MSP admin (`staff`: their cookie).
async fn drafted(t: &TestApp, staff: &str, body: Value) -> Value {
    let answer = t.post("/api/quotes", staff, body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body
}

/// `/api/quotes/{id}{tail}?company=acme-dental`.
fn at(quote: &Value, tail: &str) -> String {
    format!(
        "/api/quotes/{}{tail}?company={ACME}",
        quote["id"].as_str().unwrap()
    )
}

/// A draft from `body`, sent.
async fn sent(t: &TestApp, staff: &str, body: Value) -> Value {
    let draft = drafted(t, staff, body).await;
    let answer = t
        .post(
            &at(&draft, "/send"),
            staff,
            json!({"version": draft["version"]}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// What an approver sends to approve `quote` as read.
fn signed(quote: &Value) -> Value {
    json!({"name": "Bella Billings", "consent": true, "version": quote["version"]})
}
