//! The server does what the OpenAPI document says, at the edges the fuzzer found: lengths counted
//! as sent, integers of 64 bits, filters either given or left out, numbers that are bounded.

use portal_tests::{DemoUser, TestApp};
use serde_json::json;

#[tokio::test]
async fn lengths_count_the_characters_as_sent() {
    let t = TestApp::new().await;
    let me = t.signed_in(DemoUser::AcmeUser).await;
    // 100 characters are a name; with a space around, 101 are not (the document's maxLength).
    let name = "a".repeat(100);
    assert_eq!(me.patch("/api/me", json!({"name": name})).await.status, 200);
    let padded = me
        .patch("/api/me", json!({"name": format!(" {name}")}))
        .await;
    assert_eq!(padded.problem(422), "/problems/validation");
    assert_eq!(
        me.get("/api/me").await.body["user"]["name"],
        json!(name),
        "nothing written"
    );
}

#[tokio::test]
async fn integers_above_64_bit_signed_are_refused() {
    let t = TestApp::new().await;
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let before = admin.get("/api/tickets/settings").await.body;
    let mut settings = before.clone();
    settings["version"] = json!(9_223_372_036_854_775_808_u64);
    let answer = admin.put("/api/tickets/settings", settings).await;
    assert_eq!(answer.problem(400), "/problems/bad-request");
    assert_eq!(admin.get("/api/tickets/settings").await.body, before);
}

#[tokio::test]
async fn filters_are_given_or_left_out() {
    let t = TestApp::new().await;
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    for path in [
        "/api/tickets?status=",
        "/api/tickets/export?priority=",
        "/api/companies/acme-dental/audit?from=",
        "/api/companies/acme-dental/audit/export?action=",
        "/api/invoices?q=7&cursor=%25",
    ] {
        assert_eq!(
            admin.get(path).await.problem(400),
            "/problems/bad-request",
            "{path}"
        );
    }
    // A tab or sort left empty is the default, as the document's patterns allow.
    assert_eq!(admin.get("/api/tickets?tab=&sort=").await.status, 200);
}

#[tokio::test]
async fn invoice_lines_are_bounded_without_overflow() {
    let t = TestApp::new().await;
    let staff = t.signed_in(DemoUser::MspAdmin).await;
    let invoice = |line| json!({"company_id": "acme-dental", "lines": [line]});
    let drafts = async || staff.get("/api/invoices?tab=draft").await.body["items"].clone();
    let before = drafts().await;
    for (line, status) in [
        (
            json!({"description": "x", "quantity": 1, "unit_price": i64::MIN}),
            422,
        ),
        (
            json!({"description": "x", "quantity": 1_000_001, "unit_price": 1}),
            422,
        ),
        (
            json!({"description": "x", "quantity": 1.5, "unit_price": 100}),
            400,
        ),
    ] {
        let answer = staff.post("/api/invoices", invoice(line.clone())).await;
        assert_eq!(answer.status, status, "{line}: {}", answer.text);
    }
    assert_eq!(drafts().await, before, "nothing written");
    // Lines each within bounds whose sum is not: refused, not an overflow (the long fuzz run).
    let big = json!({"description": "x", "quantity": 1_000_000, "unit_price": -99_999_999_999_i64});
    let many = json!({"company_id": "acme-dental", "lines": vec![big; 200]});
    assert_eq!(
        staff.post("/api/invoices", many).await.problem(422),
        "/problems/validation"
    );
    assert_eq!(drafts().await, before, "nothing written");
    let fine = json!({"description": "x", "quantity": "1.5", "unit_price": 100});
    assert_eq!(staff.post("/api/invoices", invoice(fine)).await.status, 201);
}
