//! Benchmark (not a test): what project requests cost in DynamoDB for a company holding 10
//! projects and one holding 2,000, and for a project of 10 tickets and one of 500 — calls, items
//! read, bytes read and the read units those bytes would cost. The calls must match: the list is
//! one Query, the home tile a GetItem and a one-item Query, the project page one Query of its key
//! range. Prints a Markdown table.
//!
//! `cargo run -p portal-tests --bin bench-projects [-- PROJECTS TICKETS]` with moto_server on PATH.

use portal::domain::projects::{Phase, PhaseStatus, Project, ProjectStatus, ProjectTicket};
use portal::domain::tickets::TicketStatus;
use portal::domain::{CompanyId, UserId};
use portal_tests::bench::{cost, print_table};
use portal_tests::{Answer, TestApp};

/// `count` open projects of `company`, numbered from `first`, each with four phases; the first
/// holds `tickets` ticket rows (a third of them closed). Loaded in bulk.
async fn fill(t: &TestApp, company: &str, first: u64, count: u64, tickets: u64) {
    let company = CompanyId::parse(company).unwrap();
    let tech: UserId = portal_admin::seed::demo_user_id("tech@northwind.example");
    let now = t.app.now();
    let today = now.date();
    let projects: Vec<Project> = (0..count)
        .map(|i| {
            let start = today - time::Duration::days(30);
            let end = today + time::Duration::days(60 + (i % 300) as i64);
            Project {
                number: first + i,
                company_id: company.clone(),
                company_name: company.to_string(),
                name: format!("Bench rollout {i}"),
                description: "Bench project.".into(),
                status: ProjectStatus::InProgress,
                manager_id: tech.clone(),
                manager_name: "Theo Technician".into(),
                contact_id: None,
                contact_name: None,
                start,
                planned_completion: end,
                expected_completion: end,
                completion_changes: Vec::new(),
                phases: (0..4)
                    .map(|p| Phase {
                        id: format!("{p:08x}"),
                        name: format!("Phase {p}"),
                        start: start + time::Duration::days(p * 20),
                        end: start + time::Duration::days(p * 20 + 19),
                        status: if p == 0 {
                            PhaseStatus::Completed
                        } else {
                            PhaseStatus::InProgress
                        },
                        parent: None,
                    })
                    .collect(),
                created_at: now,
                updated_at: now,
                version: 2,
            }
        })
        .collect();
    let rows: Vec<(CompanyId, u64, ProjectTicket)> = (0..tickets)
        .map(|n| {
            (
                company.clone(),
                first,
                ProjectTicket {
                    number: first * 1_000 + n,
                    summary: format!("Bench project ticket {n}"),
                    status: if n % 3 == 0 {
                        TicketStatus::Closed
                    } else {
                        TicketStatus::InProgress
                    },
                    phase_id: format!("{:08x}", n % 4),
                    contact_id: tech.clone(),
                },
            )
        })
        .collect();
    t.app.store.load_projects(&projects, &rows).await.unwrap();
}

async fn measure(t: &TestApp, email: &str, first: u64) -> Vec<(&'static str, [u64; 4])> {
    let cookie = t.login(email).await;
    let mut out = Vec::new();
    let ok = |a: &Answer| assert_eq!(a.status, 200, "{}", a.text);
    let (c, a) = cost(t, t.get("/api/projects", &cookie)).await;
    ok(&a);
    out.push(("list (first page)", c));
    let (c, a) = cost(t, t.get("/api/projects?q=rollout", &cookie)).await;
    ok(&a);
    out.push(("search by name (one page)", c));
    let (c, a) = cost(t, t.get(&format!("/api/projects?q=P-{first}"), &cookie)).await;
    ok(&a);
    out.push(("search by number", c));
    let (c, a) = cost(t, t.get("/api/projects/summary", &cookie)).await;
    ok(&a);
    assert!(a.body["open"].as_u64().unwrap() > 0);
    out.push(("home tile (summary)", c));
    let (c, a) = cost(t, t.get(&format!("/api/projects/{first}"), &cookie)).await;
    ok(&a);
    out.push(("project page (its tickets)", c));
    out
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let big: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let tickets: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let t = TestApp::new().await;
    let started = std::time::Instant::now();
    fill(&t, "acme-dental", 1_000_000, 10, 10).await;
    fill(&t, "globex-logistics", 2_000_000, big, tickets).await;
    eprintln!(
        "filled {} projects and {} ticket rows in {:.0?}",
        10 + big,
        10 + tickets,
        started.elapsed()
    );
    let small = measure(&t, "fulladmin@acme.example", 1_000_000).await;
    let large = measure(&t, "fulladmin@globex.example", 2_000_000).await;
    print_table(big, &small, &large);
    println!(
        "\n(The project page row: a project of 10 tickets / one of {tickets}. Each request also reads the session in one BatchGetItem, included above.)"
    );
}
