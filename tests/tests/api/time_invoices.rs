//! Invoicing time over the real `billing` and `tickets` handlers against moto_server: a company's
//! unbilled time becomes a draft once (also when drafted twice at once), the time comes back when
//! the draft is deleted or the invoice voided, issuing marks the tickets it bills, and only MSP
//! admins do it.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::{Value, json};

use crate::agreements::{agreement, block, entry, ticket};

const ADMIN: DemoUser = DemoUser::MspAdmin;
const UNBILLED: &str = "/api/invoices/unbilled?company=acme-dental";

/// Time and materials at $150 an hour for service requests.
fn time_and_materials() -> Value {
    json!({
        "company_id": "acme-dental",
        "name": "Time and materials",
        "kind": "time_and_materials",
        "start_date": "2026-01-01",
        "rate": 15_000,
        "covers": ["Service request"],
    })
}

/// Log `minutes` on ticket `number` (against `agreement`: `None` for the default), by the
/// technician: the entry.
async fn log(tech: &SignedIn<'_>, number: u64, minutes: i64, agreement: Option<&str>) -> Value {
    let mut body = entry(minutes);
    if let Some(a) = agreement {
        body["agreement_id"] = json!(a);
    }
    let logged = tech
        .post(&format!("/api/tickets/{number}/time"), body)
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    logged.body
}

/// Acme with a service request on time and materials (2 h), a problem on a one-hour block
/// (1 h 30 min: 30 min over) and a problem with no agreement (45 min): the three tickets.
async fn acme_time(t: &TestApp) -> (u64, u64, u64) {
    let admin = t.signed_in(ADMIN).await;
    agreement(&admin, time_and_materials()).await;
    let mut hour = block("One hour", 1);
    hour["covers"] = json!(["Problem"]);
    agreement(&admin, hour).await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let (service, problem, loose) = (
        ticket(t, "Service request").await,
        ticket(t, "Problem").await,
        ticket(t, "Problem").await,
    );
    log(&tech, service, 90, None).await;
    log(&tech, service, 30, None).await;
    log(&tech, problem, 90, None).await;
    log(&tech, loose, 45, Some("")).await;
    (service, problem, loose)
}

fn descriptions(lines: &Value) -> Vec<String> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{} × {}", l["description"].as_str().unwrap(), l["quantity"]))
        .collect()
}

#[tokio::test]
async fn unbilled_time_becomes_a_draft_once_and_comes_back_when_the_draft_goes() {
    let t = TestApp::new().await;
    let (service, problem, loose) = acme_time(&t).await;
    let admin = t.signed_in(ADMIN).await;

    let seen = admin.get(UNBILLED).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(
        descriptions(&seen.body["lines"]),
        [
            format!("#{service} Printer jams: 2 h × \"2\""),
            "One hour: 30 min past the block's hours × \"0.5\"".to_owned(),
        ]
    );
    assert_eq!(seen.body["subtotal"], 30_000 + 6_000);
    assert_eq!(
        seen.body["without_rate_minutes"], 45,
        "no agreement, no rate"
    );
    let priced = admin.get(&format!("{UNBILLED}&rate=10000")).await;
    assert_eq!(priced.body["subtotal"], 30_000 + 7_500 + 6_000);
    assert_eq!(priced.body["tickets"], json!([service, loose]));

    let drafted = admin
        .post(
            "/api/invoices/from-time",
            json!({"company_id": "acme-dental", "rate": 10_000}),
        )
        .await;
    assert_eq!(drafted.status, 201, "{}", drafted.text);
    let invoice = &drafted.body["invoice"];
    assert_eq!(invoice["status"], "draft");
    assert_eq!(invoice["subtotal"], 43_500);
    assert_eq!(invoice["tickets"], json!([service, loose]));
    assert_eq!(
        invoice["billed_time"]["entries"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        invoice["billed_time"]["overage"],
        json!([{"agreement_id": invoice["billed_time"]["overage"][0]["agreement_id"], "period": "block", "minutes": 30}])
    );
    let id = invoice["id"].as_str().unwrap().to_owned();
    // Nothing waits now: a second run bills nothing.
    assert_eq!(
        admin
            .post(
                "/api/invoices/from-time",
                json!({"company_id": "acme-dental", "rate": 10_000})
            )
            .await
            .problem(409),
        "/problems/nothing-to-bill"
    );
    assert_eq!(admin.get(UNBILLED).await.body["lines"], json!([]));

    // Billed time no longer changes; clients never see the draft.
    let tech = t.signed_in(DemoUser::Technician).await;
    let page = tech.get(&format!("/api/tickets/{service}")).await;
    let first = &page.body["time"]["entries"][0];
    assert_eq!(first["billed"]["invoice_id"], id.as_str());
    let mut change = entry(60);
    change["version"] = first["version"].clone();
    let path = format!(
        "/api/tickets/{service}/time/{}",
        first["id"].as_str().unwrap()
    );
    let refused = tech.patch(&path, change.clone()).await;
    assert_eq!(refused.problem(409), "/problems/time-billed");
    assert!(refused.text.contains("a draft invoice"), "{}", refused.text);
    let client = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let theirs = client.get(&format!("/api/tickets/{service}")).await;
    assert!(theirs.body["time"]["entries"][0]["billed"].is_null());
    assert_eq!(theirs.body["ticket"]["invoices"], json!([]));

    // Deleting the draft gives the time back, all of it.
    let one = format!("/api/invoices/{id}?company=acme-dental");
    assert_eq!(admin.delete(&one).await.status, 204);
    assert_eq!(
        admin.get(&format!("{UNBILLED}&rate=10000")).await.body["subtotal"],
        43_500
    );

    // Drafted again and issued: its tickets carry the invoice's mark, clients see it.
    let again = admin
        .post(
            "/api/invoices/from-time",
            json!({"company_id": "acme-dental"}),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["without_rate_minutes"], 45);
    let id = again.body["invoice"]["id"].as_str().unwrap().to_owned();
    let issued = admin
        .post(
            &format!("/api/invoices/{id}/issue?company=acme-dental"),
            json!({"version": again.body["invoice"]["version"]}),
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    let number = issued.body["invoice"]["number"].clone();
    let theirs = client.get(&format!("/api/tickets/{service}")).await;
    assert_eq!(
        theirs.body["ticket"]["invoices"],
        json!([{"invoice_id": id, "number": number}])
    );
    let listed = client.get("/api/tickets").await;
    let row = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == service)
        .unwrap()
        .clone();
    assert_eq!(
        row["invoices"][0]["number"], number,
        "the list's cart marker"
    );
    let refused = tech.patch(&path, change.clone()).await;
    assert!(refused.text.contains("INV-"), "{}", refused.text);
    // The loose ticket's time still waits for a rate; the problem's block time is never billed
    // entry by entry.
    let waiting = admin.get(UNBILLED).await;
    assert_eq!(waiting.body["without_rate_minutes"], 45);
    assert_eq!(waiting.body["lines"], json!([]));
    let covered = client.get(&format!("/api/tickets/{problem}")).await;
    assert_eq!(
        covered.body["ticket"]["invoices"],
        json!([]),
        "its hours over are the block's"
    );

    // Voiding gives the time back and takes the marks off.
    let current = admin
        .get(&format!("/api/invoices/{id}?company=acme-dental"))
        .await;
    let voided = admin
        .post(
            &format!("/api/invoices/{id}/void?company=acme-dental"),
            json!({"version": current.body["version"]}),
        )
        .await;
    assert_eq!(voided.status, 200, "{}", voided.text);
    let theirs = client.get(&format!("/api/tickets/{service}")).await;
    assert_eq!(theirs.body["ticket"]["invoices"], json!([]));
    assert_eq!(admin.get(UNBILLED).await.body["subtotal"], 36_000);
    let page = tech.get(&format!("/api/tickets/{service}")).await;
    let first = &page.body["time"]["entries"][0];
    change["version"] = first["version"].clone();
    assert_eq!(
        tech.patch(&path, change).await.status,
        200,
        "unbilled again"
    );
}

#[tokio::test]
async fn only_msp_admins_invoice_time_and_bad_input_writes_nothing() {
    let t = TestApp::new().await;
    acme_time(&t).await;
    let cookies = sign_in_everyone(&t).await;
    let admin = t.signed_in(ADMIN).await;
    let got = each(&cookies, async |c| t.get(UNBILLED, c).await).await;
    expect(UNBILLED, got, [200, 403, 403, 403, 403, 403, 403, 403, 403]);
    let before = t.all_items().await.len();
    let body = json!({"company_id": "acme-dental", "rate": 10_000});
    let got = each(&cookies[1..], async |c| {
        t.post("/api/invoices/from-time", c, body.clone()).await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");

    for (body, field) in [
        (json!({"company_id": "acme-dental", "rate": 0}), "rate"),
        (json!({"company_id": "acme-dental", "rate": -100}), "rate"),
        (
            json!({"company_id": "acme-dental", "through": "2026-13-01"}),
            "through",
        ),
    ] {
        let answer = admin.post("/api/invoices/from-time", body).await;
        assert_eq!(answer.problem(422), "/problems/validation");
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
    }
    let answer = admin.get(&format!("{UNBILLED}&rate=lots")).await;
    assert_eq!(answer.problem(422), "/problems/validation");
    for company in ["northwind-it", "no-such-company"] {
        let answer = admin
            .post("/api/invoices/from-time", json!({"company_id": company}))
            .await;
        assert_eq!(answer.problem(404), "/problems/not-found", "{company}");
    }
    let unknown = admin
        .post(
            "/api/invoices/from-time",
            json!({"company_id": "acme-dental", "discount": 5}),
        )
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    // Globex has no unbilled time: nothing to bill.
    assert_eq!(
        admin
            .post(
                "/api/invoices/from-time",
                json!({"company_id": "globex-logistics"})
            )
            .await
            .problem(409),
        "/problems/nothing-to-bill"
    );
    // Time logged after the day asked for waits (a block's hours over are the block's, dated by
    // no entry).
    let early = admin.get(&format!("{UNBILLED}&through=2026-11-19")).await;
    assert_eq!(
        descriptions(&early.body["lines"]),
        ["One hour: 30 min past the block's hours × \"0.5\""]
    );
    assert_eq!(
        admin
            .get(&format!("{UNBILLED}&through=2026-02-30"))
            .await
            .problem(422),
        "/problems/validation"
    );
    assert_eq!(t.all_items().await.len(), before, "nothing written");
}

#[tokio::test]
async fn invoicing_time_twice_at_once_bills_every_entry_once() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    agreement(&admin, time_and_materials()).await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let mut entries = Vec::new();
    for _ in 0..3 {
        let number = ticket(&t, "Service request").await;
        for minutes in [30, 60] {
            entries.push(log(&tech, number, minutes, None).await["id"].clone());
        }
    }
    let body = json!({"company_id": "acme-dental"});
    let (a, b) = futures::join!(
        admin.post("/api/invoices/from-time", body.clone()),
        admin.post("/api/invoices/from-time", body.clone())
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} {}", a.text, b.text);
    let won = if a.status == 201 { &a } else { &b };
    let mut billed: Vec<Value> = won.body["invoice"]["billed_time"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    billed.sort_by_key(|id| id.to_string());
    entries.sort_by_key(|id| id.to_string());
    assert_eq!(billed, entries, "every entry, once");
    assert_eq!(won.body["invoice"]["subtotal"], 3 * 15_000 * 3 / 2);
    let drafts = admin
        .get("/api/invoices?tab=draft&company=acme-dental")
        .await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 1);

    // With one Idempotency-Key, a retry racing the first answers the same draft.
    let number = ticket(&t, "Service request").await;
    log(&tech, number, 42, None).await;
    let once = || {
        admin
            .call("POST", "/api/invoices/from-time")
            .header("idempotency-key", "time-nov")
            .json(body.clone())
            .send()
    };
    let (a, b) = futures::join!(once(), once());
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.text, b.text);
    assert_eq!(a.body["invoice"]["id"], b.body["invoice"]["id"]);
    let drafts = admin
        .get("/api/invoices?tab=draft&company=acme-dental")
        .await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 2);
}
