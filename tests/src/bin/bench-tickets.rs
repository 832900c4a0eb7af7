//! Benchmark (not a test): what ticket requests cost in DynamoDB for a company holding 10 tickets
//! and one holding 10,000 — calls, items read, bytes read and the read units those bytes would cost
//! (4 KB each, strongly consistent: an upper bound). The two columns must match: every list, search,
//! detail and count is a bounded Query or GetItem. Prints a Markdown table.
//!
//! `cargo run -p portal-tests --bin bench-tickets [-- TICKETS]` with moto_server on PATH.

use portal::domain::tickets::{Priority, Ticket, TicketStatus, TicketTargets};
use portal::domain::{CompanyId, UserId};
use portal_tests::TestApp;
use portal_tests::bench::{cost, print_table};
use serde_json::json;

const SUMMARIES: [&str; 5] = [
    "Printer jams in reception",
    "Outlook asks for password",
    "Laptop battery swelling",
    "VPN drops every hour",
    "New starter on Monday",
];

/// `count` tickets for `company`, numbered from `first`, loaded in bulk (the local stand-in copies
/// the table on every transaction, so 10,000 single creates would take an hour).
async fn fill(t: &TestApp, company: &str, contact_email: &str, first: u64, count: u64) {
    let company = CompanyId::parse(company).unwrap();
    let contact: UserId = portal_admin::seed::demo_user_id(contact_email);
    let now = t.app.now() - time::Duration::days(30);
    // Spread over the last year and a half (for the reports' two years), each minute apart at
    // the end so the lists' newest stay where they were.
    let spread = time::Duration::days(540) / (count.max(1) as u32);
    let tickets: Vec<Ticket> = (0..count)
        .map(|i| {
            let at = now - spread * ((count - 1 - i) as u32) + time::Duration::minutes(i as i64);
            let mut ticket = Ticket {
                number: first + i,
                company_id: company.clone(),
                summary: format!("{} {i}", SUMMARIES[i as usize % SUMMARIES.len()]),
                description: "Bench ticket.".into(),
                request_type: ["Problem", "Question", "Service request"][i as usize % 3].into(),
                priority: [Priority::Low, Priority::Medium, Priority::High]
                    [i as usize % 3 / 2 + i as usize % 2],
                emergency: false,
                due_date: None,
                po_number: None,
                status: TicketStatus::New,
                contact_id: contact.clone(),
                contact_name: "Bench Contact".into(),
                created_by_id: contact.clone(),
                created_at: at,
                updated_at: at,
                closed_at: None,
                invoices: Vec::new(),
                approval: None,
                work: Default::default(),
                assignee_company: None,
                assignee_id: None,
                assignee_name: None,
                project: None,
                configuration: None,
                version: 1,
            };
            // Answered within the hour; one in three of the older ones closed a day later (the
            // reports' figures: `portal-admin rebuild-reports` counts them after the load).
            ticket.work.first_response_at = Some(at + time::Duration::minutes(5 + (i % 50) as i64));
            if i % 3 == 0 && i + 100 < count {
                ticket.status = TicketStatus::Closed;
                ticket.closed_at = Some(at + time::Duration::days(1));
                ticket.work.resolved_at = ticket.closed_at;
            }
            // Every one with targets, so the queue's nearest-target list holds them all.
            ticket.work.targets = Some(TicketTargets {
                response_due: Some(at + time::Duration::hours(1)),
                resolution_due: Some(at + time::Duration::hours(9)),
                ..TicketTargets::default()
            });
            ticket
        })
        .collect();
    t.app.store.load_tickets(&tickets).await.unwrap();
}

/// The reports, read from the month counters (rebuilt from the tickets after the bulk load).
async fn measure_reports(t: &TestApp, cookie: &str, out: &mut Vec<(&'static str, [u64; 4])>) {
    for (path, label) in [
        ("/api/reports/trends", "report: trends (two years)"),
        ("/api/reports/trends/export", "report: trends CSV"),
        ("/api/reports/responsiveness", "report: responsiveness"),
        (
            "/api/reports/executive?period=2026-Q4",
            "report: executive PDF (a quarter)",
        ),
    ] {
        let (c, a) = cost(t, t.get(path, cookie)).await;
        assert_eq!(a.status, 200, "{label}: {}", a.text);
        out.push((label, c));
    }
}

async fn measure(t: &TestApp, email: &str) -> Vec<(&'static str, [u64; 4])> {
    let cookie = t.login(email).await;
    let mut out = Vec::new();
    let (c, list) = cost(t, t.get("/api/tickets", &cookie)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    out.push(("list (first page, by number)", c));
    let (c, a) = cost(t, t.get("/api/tickets?sort=updated", &cookie)).await;
    assert_eq!(a.status, 200);
    out.push(("list (by last update)", c));
    for (sort, label) in [
        ("priority", "list (by priority, through sort rows)"),
        ("due&order=asc", "list (by due date, through sort rows)"),
        ("contact", "list (by contact, through sort rows)"),
    ] {
        let (c, a) = cost(t, t.get(&format!("/api/tickets?sort={sort}"), &cookie)).await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert!(!a.body["items"].as_array().unwrap().is_empty(), "{label}");
        out.push((label, c));
    }
    let number = list.body["items"][0]["number"].as_u64().unwrap();
    let (c, a) = cost(t, t.get(&format!("/api/tickets/{number}"), &cookie)).await;
    assert_eq!(a.status, 200);
    out.push(("detail", c));
    let (c, a) = cost(t, t.get(&format!("/api/tickets?q={number}"), &cookie)).await;
    assert_eq!(a.body["items"].as_array().unwrap().len(), 1);
    out.push(("search by number", c));
    let (c, a) = cost(t, t.get("/api/tickets?q=printer", &cookie)).await;
    assert_eq!(a.status, 200);
    out.push(("search by word (one page)", c));
    let (c, a) = cost(t, t.get("/api/tickets/stats", &cookie)).await;
    assert_eq!(a.status, 200);
    out.push(("home counts (stats)", c));
    measure_reports(t, &cookie, &mut out).await;
    let body = json!({"request_type": "Problem", "summary": "Bench create", "description": "x", "priority": "low"});
    let (c, created) = cost(
        t,
        t.call("POST", "/api/tickets")
            .cookie(&cookie)
            .json(body)
            .send(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    out.push(("create", c));
    let number = created.body["number"].as_u64().unwrap();
    let (c, a) = cost(
        t,
        t.call("POST", &format!("/api/tickets/{number}/notes"))
            .cookie(&cookie)
            .json(json!({"text": "Bench note"}))
            .send(),
    )
    .await;
    assert_eq!(a.status, 201);
    out.push(("note", c));
    out
}

/// The MSP queue by nearest target, as a technician reads it (all companies' tickets).
async fn measure_queue(t: &TestApp) -> Vec<(&'static str, [u64; 4])> {
    let cookie = t.login("tech@northwind.example").await;
    let (c, a) = cost(t, t.get("/api/tickets?sort=target&order=asc", &cookie)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(!a.body["items"].as_array().unwrap().is_empty());
    vec![("MSP queue by nearest target (through sort rows)", c)]
}

#[tokio::main]
async fn main() {
    let big: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let t = TestApp::new().await;
    let started = std::time::Instant::now();
    fill(&t, "acme-dental", "fulladmin@acme.example", 1_000_000, 10).await;
    let queue_small = measure_queue(&t).await;
    fill(
        &t,
        "globex-logistics",
        "fulladmin@globex.example",
        2_000_000,
        big,
    )
    .await;
    eprintln!("filled {} tickets in {:.0?}", 10 + big, started.elapsed());
    portal_admin::rebuild_reports(&t.app.store).await.unwrap();
    let small = measure(&t, "fulladmin@acme.example").await;
    let large = measure(&t, "fulladmin@globex.example").await;
    print_table(big, &small, &large);
    let queue_large = measure_queue(&t).await;
    println!("\nThe MSP queue holding 10, then {} tickets:\n", big + 10);
    print_table(big + 10, &queue_small, &queue_large);
    println!(
        "\n(Each request also reads the session in one BatchGetItem, included above. Writes are transactions: create = ticket, number pointer, summary words and counts; note = note + ticket.)"
    );
}
