//! Benchmark (not a test): what agreement and time requests cost in DynamoDB for a block with 10
//! time entries and one with 10,000 (over three years, ten entries a ticket), each company also
//! with as many unbilled entries of time and materials — calls, items read, bytes read and the read
//! units those bytes would cost. The calls must match: the balance is kept on write in the
//! company's agreements record, so the agreements page, the home tile and a time entry's write
//! read that one item whatever the number of entries, and invoicing time reads one page of the
//! unbilled index. Each company also has as many credit notes: their list reads one page. Prints a
//! Markdown table.
//!
//! `cargo run -p portal-tests --bin bench-agreements [-- ENTRIES]` with moto_server on PATH.

use portal::domain::CompanyId;
use portal::domain::agreements::{Agreement, AgreementBook, AgreementKind, TimeEntry, WorkType};
use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
use portal::domain::billing::BillingId;
use portal_tests::bench::{cost, print_table};
use portal_tests::{Answer, TestApp};
use serde_json::json;

/// A 100,000-hour block for `company` with `entries` entries of 30 minutes, ten a ticket (the first
/// ten on a ticket its Full Admin raises, the rest on tickets of their own numbers), loaded in
/// bulk: the raised ticket's number and the block's id.
async fn fill(t: &TestApp, company: &str, admin: &str, entries: u64) -> (u64, BillingId) {
    let id = CompanyId::parse(company).unwrap();
    let store = &t.app.store;
    let now = t.app.now();
    let cookie = t.login(admin).await;
    let raised = t
        .post(
            "/api/tickets",
            &cookie,
            json!({"request_type": "Problem", "summary": "Bench", "description": "Time.", "priority": "low"}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let number = raised.body["number"].as_u64().unwrap();
    let company_record = store.get_company(&id).await.unwrap().unwrap();
    let mut block = Agreement::blank(&company_record, now - time::Duration::days(1200));
    block.name = "Bench hours".into();
    block.kind = AgreementKind::Block;
    block.rate = 12_000;
    block.included_minutes = 6_000_000;
    block.start_date = (now - time::Duration::days(1200)).date();
    let mut hourly = block.clone();
    hourly.id = BillingId::derived(&["bench-hourly", company]);
    hourly.name = "Bench time and materials".into();
    hourly.kind = AgreementKind::TimeAndMaterials;
    hourly.included_minutes = 0;
    let book = AgreementBook {
        agreements: vec![block.clone(), hourly.clone()],
        version: 1,
        ..AgreementBook::default()
    };
    let audit = AuditEntry::by_system(
        &RequestMeta::system(now),
        &id,
        "Bench",
        AuditAction::AgreementCreated,
        None,
        "bench",
    );
    assert!(store.save_agreements(&id, &book, 0, &audit).await.unwrap());
    let tech = portal_admin::seed::demo_user_id("tech@northwind.example");
    let all: Vec<TimeEntry> = (0..entries)
        .map(|i| TimeEntry {
            id: BillingId::derived(&["bench-time", company, &i.to_string()]),
            company_id: id.clone(),
            ticket_number: if i < 10 { number } else { 5_000_000 + i / 10 },
            ticket_summary: String::new(),
            date: (now - time::Duration::days((i % 1000) as i64)).date(),
            minutes: 30,
            work_type: WorkType::Remote,
            billable: true,
            note: format!("Bench entry {i}"),
            internal: false,
            agreement_id: Some(block.id.clone()),
            agreement_name: Some(block.name.clone()),
            agreement_kind: Some(block.kind),
            by_id: tech.clone(),
            by_name: "Theo Technician".into(),
            billed: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
        .collect();
    // As many of time and materials, waiting to be invoiced.
    let unbilled = all.iter().map(|e| TimeEntry {
        id: BillingId::derived(&["bench-hourly-time", e.id.as_str()]),
        ticket_number: e.ticket_number + 1_000_000,
        agreement_id: Some(hourly.id.clone()),
        agreement_name: Some(hourly.name.clone()),
        agreement_kind: Some(hourly.kind),
        ..e.clone()
    });
    let all: Vec<TimeEntry> = all.iter().cloned().chain(unbilled).collect();
    store
        .load_time_entries(&book, &all, now.date())
        .await
        .unwrap();
    let notes: Vec<portal::domain::billing::CreditNote> = (0..entries)
        .map(|i| portal::domain::billing::CreditNote {
            number: if company == "acme-dental" {
                1 + i
            } else {
                1_000 + i
            },
            company_id: id.clone(),
            company_name: company_record.name.clone(),
            currency: company_record.currency.clone(),
            amount: 1_000,
            reason: format!("Bench credit {i}"),
            invoice: None,
            issued_by_name: "Bench".into(),
            created_at: now,
            version: 1,
        })
        .collect();
    store.load_credit_notes(&notes).await.unwrap();
    (number, block.id)
}

async fn measure(
    t: &TestApp,
    admin: &str,
    company: &str,
    (number, block): (u64, BillingId),
) -> Vec<(&'static str, [u64; 4])> {
    let client = t.login(admin).await;
    let staff = t.login("tech@northwind.example").await;
    let ok = |a: &Answer, status: u16| assert_eq!(a.status, status, "{}", a.text);
    let mut out = Vec::new();
    let (c, a) = cost(t, t.get(&format!("/api/tickets/{number}"), &client)).await;
    ok(&a, 200);
    assert_eq!(a.body["time"]["entries"].as_array().map(Vec::len), Some(10));
    out.push(("ticket page with its 10 entries (client)", c));
    let (c, a) = cost(t, t.get("/api/agreements", &client)).await;
    ok(&a, 200);
    out.push(("agreements page and home tile (list)", c));
    let (c, a) = cost(t, t.get(&format!("/api/agreements/{block}"), &client)).await;
    ok(&a, 200);
    out.push(("one agreement (balance, usage by month)", c));
    let (c, a) = cost(t, t.get(&format!("/api/agreements/{block}/time"), &client)).await;
    ok(&a, 200);
    out.push(("its time (first page of 50)", c));
    let (c, a) = cost(t, t.get("/api/credit-notes", &client)).await;
    ok(&a, 200);
    let listed = a.body["items"].as_array().map_or(0, Vec::len);
    assert!(
        listed == 10 || listed == 50,
        "all 10, or a page of 50: {listed}"
    );
    out.push(("credit notes (first page of 50) and store credit", c));
    let (c, a) = cost(
        t,
        t.post(
            &format!("/api/tickets/{number}/time"),
            &staff,
            json!({"date": t.app.now().date().to_string(), "minutes": 6, "work_type": "remote"}),
        ),
    )
    .await;
    ok(&a, 201);
    out.push(("log time (staff)", c));
    let admin = t.login("admin@northwind.example").await;
    let (c, a) = cost(
        t,
        t.get(&format!("/api/invoices/unbilled?company={company}"), &admin),
    )
    .await;
    ok(&a, 200);
    out.push(("unbilled time (MSP admin)", c));
    let (c, a) = cost(
        t,
        t.post(
            "/api/invoices/from-time",
            &admin,
            json!({"company_id": company}),
        ),
    )
    .await;
    ok(&a, 201);
    eprintln!(
        "{company}: drafted from {} entries, more waiting: {}",
        a.body["invoice"]["billed_time"]["entries"]
            .as_array()
            .map_or(0, Vec::len),
        a.body["more"]
    );
    out.push(("draft from time (entries marked in its transaction)", c));
    let used = t
        .get(
            &format!("/api/agreements/{block}?company={company}"),
            &staff,
        )
        .await;
    eprintln!(
        "{company}: {} minutes used",
        used.body["balance"]["used_minutes"]
    );
    out
}

#[tokio::main]
async fn main() {
    let big: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let t = TestApp::new().await;
    let started = std::time::Instant::now();
    let small_block = fill(&t, "acme-dental", "fulladmin@acme.example", 10).await;
    let large_block = fill(&t, "globex-logistics", "fulladmin@globex.example", big).await;
    eprintln!(
        "filled {} time entries in {:.0?}",
        10 + big,
        started.elapsed()
    );
    let small = measure(&t, "fulladmin@acme.example", "acme-dental", small_block).await;
    let large = measure(
        &t,
        "fulladmin@globex.example",
        "globex-logistics",
        large_block,
    )
    .await;
    print_table(big, &small, &large);
    println!(
        "\n(A block of 10 time entries / one of {big}. Each request also reads the session in one BatchGetItem, included above; staff find the ticket by its number.)"
    );
}
