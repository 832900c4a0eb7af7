//! Store credit over the real `billing` handlers against moto_server: credit notes (numbered,
//! with a PDF) add to a company's credit once, also when retried; the credit pays invoices, never
//! more than there is or than they owe, also when two payments race for it; who may do what.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};

use super::*;

const ACME_ADMIN: &str = "fulladmin@acme.example";

/// A credit note of `amount` for Acme, by the MSP admin: the answer.
async fn credit_note(t: &TestApp, staff: &str, amount: i64) -> Value {
    let answer = t
        .post(
            "/api/credit-notes",
            staff,
            json!({"company_id": ACME, "amount": amount, "reason": "Goodwill: the printer outage"}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body
}

/// Acme's store credit in USD, as its Full Admin reads it.
async fn credit(t: &TestApp, client: &str) -> i64 {
    let list = t.get("/api/credit-notes", client).await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "USD")
        .map_or(0, |b| b["amount"].as_i64().unwrap())
}

fn apply_path(invoice: &Value) -> String {
    format!(
        "/api/invoices/{}/credit?company={ACME}",
        invoice["id"].as_str().unwrap()
    )
}

#[tokio::test]
async fn credit_notes_add_store_credit_that_pays_invoices() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let client = t.login(ACME_ADMIN).await;
    let open = issued(&t, &staff, 10_000).await; // $110.00 with tax

    // A credit note against the invoice: numbered, emailed, its credit added.
    let note = t
        .post(
            "/api/credit-notes",
            &staff,
            json!({"company_id": ACME, "amount": 5_000, "reason": "Goodwill: the printer outage", "invoice_id": open["id"]}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.text);
    assert_eq!(note.body["number"], 1);
    assert_eq!(note.body["invoice"]["label"], open["label"]);
    assert_eq!(note.body["currency"], "USD");
    assert_eq!(credit(&t, &client).await, 5_000);
    let told: Vec<Value> = t
        .mail()
        .await
        .into_iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or("")
                .starts_with("Credit note CN-0001")
        })
        .collect();
    assert_eq!(told.len(), 1, "the billing contacts are told");
    let listed = t.get("/api/credit-notes", &client).await;
    assert_eq!(listed.body["items"][0]["number"], 1);
    let one = t.get("/api/credit-notes/CN-0001", &client).await;
    assert_eq!(one.body["reason"], "Goodwill: the printer outage");
    let pdf = t.get("/api/credit-notes/1/pdf", &client).await;
    assert_eq!(pdf.status, 303, "{}", pdf.text);
    // The overview shows the credit beside the balance.
    let overview = t.get("/api/billing/overview", &client).await;
    assert_eq!(
        overview.body["credit"],
        json!([{"currency": "USD", "amount": 5_000}])
    );

    // The client pays part of the invoice with it: a payment of kind credit, the credit taken.
    let paid = t
        .post(
            &apply_path(&open),
            &client,
            json!({"amount": 3_000, "version": open["version"]}),
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    assert_eq!(paid.body["payment"]["kind"], "credit");
    assert_eq!(paid.body["payment"]["method"], "Store credit");
    assert_eq!(paid.body["invoice"]["balance"], 8_000);
    assert_eq!(credit(&t, &client).await, 2_000);
    // More than is left, more than the invoice owes, nothing, or a stale version: refused, and
    // nothing changes.
    let version = paid.body["invoice"]["version"].clone();
    let before = t.all_items().await.len();
    for (amount, version, status, field) in [
        (2_001, version.clone(), 422, "amount"),
        (0, version.clone(), 422, "amount"),
        (-5, version.clone(), 422, "amount"),
        (1_000, open["version"].clone(), 409, ""),
    ] {
        let answer = t
            .post(
                &apply_path(&open),
                &client,
                json!({"amount": amount, "version": version}),
            )
            .await;
        assert_eq!(answer.status, status, "{amount}: {}", answer.text);
        if !field.is_empty() {
            assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
        }
    }
    let big = credit_note(&t, &staff, 100_000).await;
    assert_eq!(big["number"], 2);
    let over = t
        .post(
            &apply_path(&open),
            &client,
            json!({"amount": 8_001, "version": version}),
        )
        .await;
    assert_eq!(
        over.problem(422),
        "/problems/validation",
        "more than the balance"
    );
    assert_eq!(
        t.all_items().await.len(),
        before + 2,
        "refusals wrote nothing: only the second credit note and its audit entry are new"
    );
    // The MSP pays the rest with it; a paid invoice takes no more.
    let rest = t
        .post(
            &apply_path(&open),
            &staff,
            json!({"amount": 8_000, "version": version}),
        )
        .await;
    assert_eq!(rest.status, 201, "{}", rest.text);
    assert_eq!(rest.body["invoice"]["status"], "paid");
    assert_eq!(credit(&t, &client).await, 2_000 + 100_000 - 8_000);
    let again = t
        .post(
            &apply_path(&open),
            &client,
            json!({"amount": 1, "version": rest.body["invoice"]["version"]}),
        )
        .await;
    assert_eq!(again.problem(409), "/problems/not-payable");
    let trail = t.get("/api/companies/northwind-it/audit", &staff).await;
    for action in ["credit_note_issued", "credit_applied"] {
        assert!(trail.text.contains(action), "{action}");
    }
}

#[tokio::test]
async fn two_payments_racing_for_the_credit_take_only_what_there_is() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let client = t.login(ACME_ADMIN).await;
    credit_note(&t, &staff, 6_000).await;
    let (a, b) = (
        issued(&t, &staff, 10_000).await,
        issued(&t, &staff, 10_000).await,
    );
    let (path_a, path_b) = (apply_path(&a), apply_path(&b));
    let body = |inv: &Value| json!({"amount": 5_000, "version": inv["version"]});
    let (first, second) = futures::join!(
        t.post(&path_a, &client, body(&a)),
        t.post(&path_b, &client, body(&b))
    );
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{} {}", first.text, second.text);
    assert_eq!(credit(&t, &client).await, 1_000, "never below zero");
    // With one Idempotency-Key a retried credit note is one note, one credit.
    let once = || {
        t.call("POST", "/api/credit-notes")
            .cookie(&staff)
            .header("idempotency-key", "cn-retry")
            .json(json!({"company_id": ACME, "amount": 700, "reason": "Overcharge"}))
            .send()
    };
    let (x, y) = futures::join!(once(), once());
    assert_eq!((x.status, y.status), (201, 201), "{} {}", x.text, y.text);
    assert_eq!(x.body["number"], y.body["number"]);
    assert_eq!(credit(&t, &client).await, 1_700);
    // Two different notes at once take two numbers, no gap.
    let (p, q) = futures::join!(credit_note(&t, &staff, 1), credit_note(&t, &staff, 1));
    let mut numbers = [p["number"].as_u64().unwrap(), q["number"].as_u64().unwrap()];
    numbers.sort_unstable();
    assert_eq!(numbers, [3, 4]);
}

#[tokio::test]
async fn credit_routes_answer_each_role_and_bad_notes_write_nothing() {
    let t = TestApp::new().await;
    let cookies = sign_in_everyone(&t).await;
    let staff = &cookies[0];
    credit_note(&t, staff, 5_000).await;
    let path = "/api/credit-notes?company=acme-dental";
    let got = each(&cookies, async |c| t.get(path, c).await).await;
    // Billing is the MSP admin's; clients who see invoices read their own company's.
    expect(path, got, [200, 403, 200, 403, 200, 403, 403, 404, 403]);
    let one = "/api/credit-notes/1?company=acme-dental";
    let got = each(&cookies, async |c| t.get(one, c).await).await;
    expect(one, got, [200, 403, 200, 403, 200, 403, 403, 404, 403]);
    let before = t.all_items().await.len();
    let body = json!({"company_id": ACME, "amount": 100, "reason": "Not theirs"});
    let got = each(&cookies[1..], async |c| {
        t.post("/api/credit-notes", c, body.clone()).await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");
    assert_eq!(
        t.all_items().await.len(),
        before,
        "refused: nothing written"
    );
    // Paying with credit: the company's billing users and the MSP admin only (a stale version
    // tells the allowed ones why nothing happened).
    let open = issued(&t, staff, 1_000).await;
    let before_pay = t.all_items().await.len();
    let stale = json!({"amount": 100, "version": 0});
    let apply = apply_path(&open);
    let got = each(&cookies, async |c| t.post(&apply, c, stale.clone()).await).await;
    expect(&apply, got, [409, 403, 409, 403, 409, 403, 403, 404, 403]);
    assert_eq!(t.all_items().await.len(), before_pay, "nothing paid");

    let mut cases: Vec<(Value, &str)> = Vec::new();
    for amount in [0_i64, -1, 100_000_000_001] {
        cases.push((
            json!({"company_id": ACME, "amount": amount, "reason": "x"}),
            "amount",
        ));
    }
    cases.push((
        json!({"company_id": ACME, "amount": 100, "reason": "  "}),
        "reason",
    ));
    cases.push((
        json!({"company_id": ACME, "amount": 100, "reason": "x".repeat(501)}),
        "reason",
    ));
    cases.push((
        json!({"company_id": ACME, "amount": 100, "reason": "x", "currency": "XYZ1"}),
        "currency",
    ));
    cases.push((
        json!({"company_id": ACME, "amount": 100, "reason": "x", "invoice_id": "0123456789abcdef01234567"}),
        "invoice_id",
    ));
    let globex = draft(&t, staff, GLOBEX, &[("Work", "1", 100)]).await;
    cases.push((
        json!({"company_id": ACME, "amount": 100, "reason": "x", "invoice_id": globex["id"]}),
        "invoice_id",
    ));
    let before = t.all_items().await.len();
    for (body, field) in cases {
        let answer = t.post("/api/credit-notes", staff, body).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{field}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
    }
    for company in ["northwind-it", "nobody-here"] {
        let answer = t
            .post(
                "/api/credit-notes",
                staff,
                json!({"company_id": company, "amount": 100, "reason": "x"}),
            )
            .await;
        assert_eq!(answer.problem(404), "/problems/not-found", "{company}");
    }
    let unknown = t
        .post(
            "/api/credit-notes",
            staff,
            json!({"company_id": ACME, "amount": 100, "reason": "x", "tip": 5}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(t.all_items().await.len(), before, "nothing written");
}
