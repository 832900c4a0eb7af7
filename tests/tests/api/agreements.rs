//! Agreement and time-entry API tests over the real `billing` and `tickets` handlers against
//! moto_server: who reads and writes what, balances kept exactly under concurrent time entries,
//! one low-balance email, and bad input writing nothing.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::{Value, json};

const ADMIN: DemoUser = DemoUser::MspAdmin;
const TECH: DemoUser = DemoUser::Technician;

pub(crate) fn block(name: &str, hours: i64) -> Value {
    json!({
        "company_id": "acme-dental",
        "name": name,
        "kind": "block",
        "start_date": "2026-01-01",
        "billing_cycle": "one_time",
        "rate": 12_000,
        "included_minutes": hours * 60,
        "covers": ["Problem", "Service request"],
        "block_sizes": [10, 20],
    })
}

fn managed() -> Value {
    json!({
        "company_id": "acme-dental",
        "name": "Managed workstations",
        "kind": "managed_services",
        "start_date": "2026-01-01",
        "fee": 250_000,
        "covers": ["Question"],
    })
}

/// An agreement created by the MSP admin: its id.
pub(crate) async fn agreement(admin: &SignedIn<'_>, body: Value) -> String {
    let created = admin.post("/api/agreements", body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_str().unwrap().to_owned()
}

/// A ticket of Acme's Standard User, of `request_type`: its number.
pub(crate) async fn ticket(t: &TestApp, request_type: &str) -> u64 {
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let raised = user
        .post(
            "/api/tickets",
            json!({"request_type": request_type, "summary": "Printer jams", "description": "Every morning.", "priority": "medium"}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    raised.body["number"].as_u64().unwrap()
}

pub(crate) fn entry(minutes: i64) -> Value {
    json!({"date": "2026-11-20", "minutes": minutes, "work_type": "remote", "note": "Cleared the paper path."})
}

/// The block's balance as the Acme Full Admin reads it.
async fn used(t: &TestApp, id: &str) -> i64 {
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let got = admin.get(&format!("/api/agreements/{id}")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.body["balance"]["used_minutes"].as_i64().unwrap()
}

#[tokio::test]
async fn msp_admins_create_agreements_and_each_role_reads_what_it_may() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    let hours = agreement(&admin, block("Prepaid hours 2026", 20)).await;
    agreement(&admin, managed()).await;

    let cookies = sign_in_everyone(&t).await;
    let path = "/api/agreements?company=acme-dental";
    let got = each(&cookies, async |c| t.get(path, c).await).await;
    // Read-Only and Standard Users see no agreements; Globex naming Acme gets 404.
    expect(path, got, [200, 200, 200, 200, 200, 403, 403, 404, 403]);
    let one = format!("/api/agreements/{hours}?company=acme-dental");
    let got = each(&cookies, async |c| t.get(&one, c).await).await;
    expect(&one, got, [200, 200, 200, 200, 200, 403, 403, 404, 403]);
    let time = format!("/api/agreements/{hours}/time?company=acme-dental");
    let got = each(&cookies, async |c| t.get(&time, c).await).await;
    // Ticket Managers see hours left only: not the time behind them.
    expect(&time, got, [200, 200, 200, 403, 200, 403, 403, 404, 403]);

    let full = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let list = full.get("/api/agreements").await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let prepaid = items.iter().find(|a| a["id"] == hours.as_str()).unwrap();
    assert_eq!(prepaid["balance"]["included_minutes"], 1200);
    assert_eq!(prepaid["balance"]["left_minutes"], 1200);
    assert_eq!(prepaid["terms"]["rate"], 12_000);
    assert_eq!(prepaid["status"], "active");
    let manager = t.signed_in(DemoUser::AcmeTicketManager).await;
    let theirs = manager.get("/api/agreements").await.body;
    assert_eq!(
        theirs["items"].as_array().unwrap().len(),
        1,
        "hour-based only"
    );
    assert_eq!(theirs["items"][0]["balance"]["left_minutes"], 1200);
    assert!(theirs["items"][0]["terms"].is_null() && theirs["items"][0]["usage"].is_null());
    // Globex has none, and cannot reach Acme's by id.
    let globex = t.signed_in(DemoUser::GlobexFullAdmin).await;
    assert_eq!(globex.get("/api/agreements").await.body["items"], json!([]));
    assert_eq!(
        globex
            .get(&format!("/api/agreements/{hours}"))
            .await
            .problem(404),
        "/problems/not-found"
    );
    // Staff must name the company.
    assert_eq!(
        admin.get("/api/agreements").await.problem(404),
        "/problems/company-needed"
    );
}

#[tokio::test]
async fn only_msp_admins_create_and_change_agreements() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    let id = agreement(&admin, block("Prepaid hours", 20)).await;
    let cookies = sign_in_everyone(&t).await;
    let before = t.all_items().await.len();
    let got = each(&cookies[1..], async |c| {
        t.post("/api/agreements", c, block("Not theirs", 5)).await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");
    let path = format!("/api/agreements/{id}?company=acme-dental");
    let mut change = block("Renamed", 30);
    change.as_object_mut().unwrap().remove("company_id");
    change["version"] = json!(1);
    let got = each(&cookies[1..], async |c| {
        t.patch(&path, c, change.clone()).await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");
    assert_eq!(t.all_items().await.len(), before, "refusals wrote nothing");

    let changed = admin.patch(&path, change.clone()).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["name"], "Renamed");
    assert_eq!(changed.body["balance"]["included_minutes"], 1800);
    assert_eq!(changed.body["terms"]["version"], 2);
    assert_eq!(
        admin.patch(&path, change).await.problem(409),
        "/problems/conflict"
    );
    // A retried create (same Idempotency-Key) answers the same agreement.
    let again = |name: &str| {
        admin
            .call("POST", "/api/agreements")
            .header("idempotency-key", "agreement-7")
            .json(block(name, 10))
    };
    let first = again("Ten hours").send().await;
    let second = again("Ten hours").send().await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(first.body["id"], second.body["id"]);
    let all = admin.get("/api/agreements?company=acme-dental").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    // Two agreements created at once (one record holds them all): both are kept.
    let (a, b) = futures::join!(
        admin.post("/api/agreements", block("Spring hours", 5)),
        admin.post("/api/agreements", block("Autumn hours", 5))
    );
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.text, b.text);
    let all = admin.get("/api/agreements?company=acme-dental").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn bad_agreements_are_refused_and_write_nothing() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    let before = t.all_items().await.len();
    let mut cases = Vec::new();
    let mut backwards = block("Backwards", 20);
    backwards["end_date"] = json!("2025-12-31");
    cases.push((backwards, "end_date"));
    cases.push((block("No hours", 0), "included_minutes"));
    let mut uncovered = block("Toasters", 20);
    uncovered["covers"] = json!(["Toaster repair"]);
    cases.push((uncovered, "covers"));
    let mut negative = managed();
    negative["fee"] = json!(-1);
    cases.push((negative, "fee"));
    let mut offered = managed();
    offered["block_sizes"] = json!([10]);
    cases.push((offered, "block_sizes"));
    let mut nobody = block("Nobody's", 20);
    nobody.as_object_mut().unwrap().remove("company_id");
    cases.push((nobody, "company_id"));
    for (body, field) in cases {
        let answer = admin.post("/api/agreements", body).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{field}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
    }
    let mut foreign = block("The MSP's own", 20);
    foreign["company_id"] = json!("northwind-it");
    assert_eq!(
        admin.post("/api/agreements", foreign).await.problem(404),
        "/problems/not-found"
    );
    let mut unknown = block("Extra", 20);
    unknown["discount"] = json!(5);
    assert_eq!(
        admin.post("/api/agreements", unknown).await.status,
        400,
        "an unknown field"
    );
    assert_eq!(t.all_items().await.len(), before, "nothing written");
}

#[tokio::test]
async fn time_on_a_ticket_moves_the_balance_exactly_and_clients_see_it() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    let hours = agreement(&admin, block("Prepaid hours", 20)).await;
    let number = ticket(&t, "Problem").await;
    let tech = t.signed_in(TECH).await;
    let path = format!("/api/tickets/{number}/time");
    let logged = tech.post(&path, entry(90)).await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    assert_eq!(logged.body["agreement_id"], hours.as_str(), "the default");
    assert_eq!(logged.body["by_name"], "Theo Technician");
    let mut private = entry(30);
    private["internal"] = json!(true);
    private["note"] = json!("Client's printer is out of warranty.");
    private["billable"] = json!(false);
    let hidden = tech.post(&path, private).await;
    assert_eq!(hidden.status, 201, "{}", hidden.text);
    assert_eq!(used(&t, &hours).await, 120);

    // Every client who sees the ticket sees its time; an internal entry's note stays with staff.
    let client = t.signed_in(DemoUser::AcmeUser).await;
    let page = client.get(&format!("/api/tickets/{number}")).await;
    assert_eq!(page.body["time"]["total_minutes"], 120);
    assert_eq!(page.body["time"]["billable_minutes"], 90);
    let entries = page.body["time"]["entries"].as_array().unwrap();
    let note = |internal: bool| {
        entries.iter().find(|e| e["internal"] == internal).unwrap()["note"].clone()
    };
    assert_eq!(note(false), "Cleared the paper path.");
    assert_eq!(note(true), "");
    assert!(!page.text.contains("warranty"));
    let staff_page = tech.get(&format!("/api/tickets/{number}")).await;
    assert!(staff_page.text.contains("warranty"));

    // Change and delete restore the balance exactly; each is audited.
    let id = logged.body["id"].as_str().unwrap();
    let one = format!("{path}/{id}");
    let mut longer = entry(150);
    longer["version"] = json!(1);
    let changed = tech.patch(&one, longer.clone()).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(used(&t, &hours).await, 180);
    assert_eq!(
        tech.patch(&one, longer).await.problem(409),
        "/problems/conflict",
        "a stale version"
    );
    assert_eq!(tech.delete(&one).await.status, 204);
    assert_eq!(used(&t, &hours).await, 30);
    assert_eq!(tech.delete(&one).await.problem(404), "/problems/not-found");
    let usage = t
        .signed_in(DemoUser::AcmeBillingAdmin)
        .await
        .get(&format!("/api/agreements/{hours}"))
        .await;
    assert_eq!(
        usage.body["usage"],
        json!([{"month": "2026-11", "minutes": 30}])
    );
    let listed = admin
        .get(&format!("/api/agreements/{hours}/time?company=acme-dental"))
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    // Its periods stay once time counts against it.
    let mut retainer = block("Prepaid hours", 20);
    retainer.as_object_mut().unwrap().remove("company_id");
    retainer.as_object_mut().unwrap().remove("block_sizes");
    retainer["kind"] = json!("retainer");
    retainer["version"] = json!(1);
    let refused = admin
        .patch(
            &format!("/api/agreements/{hours}?company=acme-dental"),
            retainer,
        )
        .await;
    assert_eq!(refused.problem(422), "/problems/validation");
    assert_eq!(refused.body["errors"][0]["field"], "kind");
    let trail = admin.get("/api/companies/northwind-it/audit").await;
    for action in ["time_logged", "time_changed", "time_deleted"] {
        assert!(trail.text.contains(action), "{action}: {}", trail.text);
    }

    // Clients never log time; another company's staff-less roles find no ticket.
    let cookies = sign_in_everyone(&t).await;
    let before = t.all_items().await.len();
    let got = each(&cookies, async |c| t.post(&path, c, entry(6)).await).await;
    expect(&path, got, [201, 201, 403, 403, 403, 403, 403, 403, 403]);
    assert_eq!(
        t.all_items().await.len(),
        before + 2 * 2,
        "the two staff entries and their audits"
    );
    assert_eq!(used(&t, &hours).await, 42);
}

#[tokio::test]
async fn bad_time_is_refused_and_writes_nothing() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    let hours = agreement(&admin, block("Prepaid hours", 20)).await;
    let managed = agreement(&admin, managed()).await;
    let number = ticket(&t, "Problem").await;
    let tech = t.signed_in(TECH).await;
    let path = format!("/api/tickets/{number}/time");
    let before = t.all_items().await.len();
    let mut cases: Vec<(Value, &str)> = Vec::new();
    for minutes in [0, -30, 1441] {
        cases.push((entry(minutes), "minutes"));
    }
    let mut future = entry(30);
    future["date"] = json!("2099-01-01");
    cases.push((future, "date"));
    let mut uncovered = entry(30);
    uncovered["agreement_id"] = json!(managed);
    cases.push((uncovered, "agreement_id"));
    let mut unknown = entry(30);
    unknown["agreement_id"] = json!("0123456789abcdef01234567");
    cases.push((unknown, "agreement_id"));
    let mut versioned = entry(30);
    versioned["version"] = json!(1);
    cases.push((versioned, "version"));
    for (body, field) in cases {
        let answer = tech.post(&path, body).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{field}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
    }
    let mut extra = entry(30);
    extra["rate"] = json!(1);
    assert_eq!(
        tech.post(&path, extra).await.status,
        400,
        "an unknown field"
    );
    assert_eq!(
        tech.post("/api/tickets/999999/time", entry(30))
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(t.all_items().await.len(), before, "nothing written");
    assert_eq!(used(&t, &hours).await, 0);

    // A closed ticket takes time from staff (work is often logged after it is closed).
    let closed = tech
        .patch(
            &format!("/api/tickets/{number}"),
            json!({"status": "closed", "version": 1}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(tech.post(&path, entry(30)).await.status, 201);
    assert_eq!(used(&t, &hours).await, 30);
}

#[tokio::test]
async fn concurrent_time_entries_leave_an_exact_balance_and_one_low_balance_email() {
    let t = TestApp::new().await;
    let admin = t.signed_in(ADMIN).await;
    let hours = agreement(&admin, block("Prepaid hours", 20)).await;
    let number = ticket(&t, "Service request").await;
    let tech = t.signed_in(TECH).await;
    let path = format!("/api/tickets/{number}/time");
    // Twenty hours, twenty one-hour entries at once: the block goes under 20 % on the way.
    let all = futures::future::join_all((0..20).map(|_| tech.post(&path, entry(60)))).await;
    let statuses: Vec<u16> = all.iter().map(|a| a.status).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(used(&t, &hours).await, 1200);
    let low: Vec<Value> = t
        .mail()
        .await
        .into_iter()
        .filter(|m| m.to_string().contains("Hours running low"))
        .collect();
    assert_eq!(low.len(), 1, "one email: {low:?}");
    let to = low[0]["destinations"]["ToAddresses"].to_string();
    assert!(
        to.contains(DemoUser::AcmeFullAdmin.email())
            && to.contains(DemoUser::AcmeBillingAdmin.email()),
        "{to}"
    );
    assert!(!to.contains(DemoUser::AcmeTicketManager.email()), "{to}");

    // A replayed entry (same Idempotency-Key, even at once) counts once.
    let replay = || {
        tech.call("POST", &path)
            .header("idempotency-key", "entry-42")
            .json(entry(45))
            .send()
    };
    let (a, b) = futures::join!(replay(), replay());
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.text, b.text);
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(used(&t, &hours).await, 1245);
}
