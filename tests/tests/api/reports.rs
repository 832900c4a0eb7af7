//! Reports (issue 23): the month counters kept on write equal a recount of the tickets after a
//! random sequence of ticket changes (raised, answered, moved through statuses, resolved, reopened,
//! cancelled, rated, across months), for each company and for the MSP's view; who may read which
//! report; the trends, the CSV and responsiveness read from the counters; bad input.

use crate::ticket_targets::{always_open, save_settings};
use crate::tickets::patch;
use portal::domain::reports::{self, Counter};
use portal::domain::{CompanyId, tickets::Ticket};
use portal_tests::TestApp;
use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use serde_json::json;
use std::collections::BTreeMap;

/// A small deterministic random source (a property test must replay the same way).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const RAISERS: [&str; 3] = [
    "user@acme.example",
    "fulladmin@acme.example",
    "user@globex.example",
];
const TYPES: [&str; 3] = ["Problem", "Question", "Service request"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];
const STATUSES: [&str; 6] = [
    "in_progress",
    "waiting_on_client",
    "resolved",
    "closed",
    "cancelled",
    "new",
];

/// Move ticket `number` to `status` with a note, at the version it is at.
async fn set_status(t: &TestApp, cookie: &str, number: u64, status: &str) -> portal_tests::Answer {
    let now = t.get(&format!("/api/tickets/{number}"), cookie).await;
    let version = now.body["ticket"]["version"].clone();
    patch(
        t,
        cookie,
        number,
        json!({"status": status, "note": "Moving it.", "version": version}),
    )
    .await
}

/// What the stored month items say, with zero counters left out (a counter taken back to zero
/// stays as 0).
async fn stored(t: &TestApp, company: Option<&CompanyId>) -> BTreeMap<Counter, i64> {
    let read = t
        .app
        .store
        .report_months(company, "2000-01", "2100-12")
        .await
        .unwrap();
    let mut all = BTreeMap::new();
    for (month, counts) in read.months {
        for (field, n) in counts {
            if n != 0 {
                all.insert((month.clone(), field), n);
            }
        }
    }
    all
}

#[tokio::test]
async fn counters_equal_a_recount_after_random_ticket_changes() {
    for seed in [7_u64, 2026] {
        let t = TestApp::new().await;
        let mut dice = Dice(seed);
        let admin = t.login("admin@northwind.example").await;
        save_settings(&t, &admin, always_open).await;
        let mut numbers: Vec<(u64, &str)> = Vec::new();
        for step in 0..60 {
            // Time passes (sometimes across a month), so events fall in different months.
            let hours = [0, 1, 5, 30, 24 * 12][dice.roll(5) as usize];
            t.clock.advance(time::Duration::hours(hours));
            let tech = t.login("tech@northwind.example").await;
            match dice.roll(5) {
                0 | 1 if numbers.len() < 25 || step < 5 => {
                    let raiser = RAISERS[dice.roll(3) as usize];
                    let who = t.login(raiser).await;
                    let body = json!({"request_type": TYPES[dice.roll(3) as usize], "summary": format!("Step {step}"),
                        "description": "x", "priority": PRIORITIES[dice.roll(4) as usize]});
                    let raised = t.post("/api/tickets", &who, body).await;
                    assert_eq!(raised.status, 201, "{}", raised.text);
                    numbers.push((raised.body["number"].as_u64().unwrap(), raiser));
                }
                2 if !numbers.is_empty() => {
                    let (number, _) = numbers[dice.roll(numbers.len() as u64) as usize];
                    let internal = dice.roll(3) == 0;
                    let note = t
                        .post(
                            &format!("/api/tickets/{number}/notes"),
                            &tech,
                            json!({"text": "On it.", "internal": internal}),
                        )
                        .await;
                    assert!(note.status == 201 || note.status == 409, "{}", note.text);
                }
                3 if !numbers.is_empty() => {
                    let (number, raiser) = numbers[dice.roll(numbers.len() as u64) as usize];
                    let who = t.login(raiser).await;
                    let rated = t
                        .post(
                            &format!("/api/tickets/{number}/rating"),
                            &who,
                            json!({"good": dice.roll(2) == 0}),
                        )
                        .await;
                    // Only a resolved ticket, once: the rest are refused and change nothing.
                    assert!([200, 409].contains(&rated.status), "{}", rated.text);
                }
                _ if !numbers.is_empty() => {
                    let (number, _) = numbers[dice.roll(numbers.len() as u64) as usize];
                    let status = STATUSES[dice.roll(STATUSES.len() as u64) as usize];
                    let changed = set_status(&t, &tech, number, status).await;
                    assert!(
                        [200, 409, 422].contains(&changed.status),
                        "{status}: {}",
                        changed.text
                    );
                }
                _ => {}
            }
        }
        // The recount from the tickets themselves.
        let mut tickets: BTreeMap<String, (CompanyId, Vec<Ticket>)> = BTreeMap::new();
        for (number, raiser) in &numbers {
            let company = CompanyId::parse(if raiser.ends_with("globex.example") {
                "globex-logistics"
            } else {
                "acme-dental"
            })
            .unwrap();
            let ticket = t
                .app
                .store
                .get_ticket(&company, *number)
                .await
                .unwrap()
                .expect("the ticket");
            tickets
                .entry(company.to_string())
                .or_insert_with(|| (company.clone(), Vec::new()))
                .1
                .push(ticket);
        }
        let mut msp: BTreeMap<Counter, i64> = BTreeMap::new();
        for (company, list) in tickets.values() {
            let recount = reports::recount(list);
            assert_eq!(
                stored(&t, Some(company)).await,
                recount,
                "seed {seed}: {company}'s months"
            );
            for ((month, field), n) in recount {
                *msp.entry((month, reports::msp_field(&field, company)))
                    .or_default() += n;
            }
        }
        assert_eq!(stored(&t, None).await, msp, "seed {seed}: the MSP's months");
        // The upgrade's rebuild writes the same counters from the tickets.
        portal_admin::rebuild_reports(&t.app.store).await.unwrap();
        for (company, list) in tickets.values() {
            assert_eq!(
                stored(&t, Some(company)).await,
                reports::recount(list),
                "rebuilt {company}"
            );
        }
        assert_eq!(stored(&t, None).await, msp, "the MSP's months rebuilt");
        let all: Vec<&Ticket> = tickets.values().flat_map(|(_, l)| l).collect();
        let closed = all.iter().filter(|t| !t.status.is_open()).count();
        assert!(
            closed > 2 && all.iter().any(|t| t.work.rating.is_some()),
            "seed {seed}: the walk reached closing and rating"
        );
    }
}

#[tokio::test]
async fn reports_read_the_counters_for_those_who_may() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let mut numbers = Vec::new();
    for (kind, priority) in [("Problem", "high"), ("Problem", "low"), ("Question", "low")] {
        let body = json!({"request_type": kind, "summary": "Report me", "description": "x", "priority": priority});
        numbers.push(
            t.post("/api/tickets", &uma, body).await.body["number"]
                .as_u64()
                .unwrap(),
        );
    }
    t.clock.advance(time::Duration::minutes(20));
    let tech = {
        drop(tech);
        t.login("tech@northwind.example").await
    };
    t.post(
        &format!("/api/tickets/{}/notes", numbers[0]),
        &tech,
        json!({"text": "Looking.", "internal": false}),
    )
    .await;
    let resolved = set_status(&t, &tech, numbers[0], "resolved").await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    let globex = t.login("user@globex.example").await;
    t.post("/api/tickets", &globex, json!({"request_type": "Problem", "summary": "Theirs", "description": "x", "priority": "low"})).await;

    let cookies = sign_in_everyone(&t).await;
    for path in [
        "/api/reports/trends",
        "/api/reports/trends/export",
        "/api/reports/responsiveness",
    ] {
        expect(
            path,
            each(&cookies, async |c| t.get(path, c).await).await,
            [200, 200, 200, 200, 403, 403, 403, 200, 403],
        );
        let other = format!("{path}?company=globex-logistics");
        let acme_admin = &cookies[2];
        t.get(&other, acme_admin).await.problem(404);
    }
    let this_year = t.app.now().year();
    let month = reports::month_of(t.app.now());
    let acme_admin = &cookies[2];
    let trends = t.get("/api/reports/trends", acme_admin).await.body;
    assert_eq!(trends["company"], "acme-dental");
    assert_eq!(trends["years"][0]["year"], this_year);
    assert_eq!(trends["years"][1]["year"], this_year - 1);
    assert_eq!(trends["years"][0]["months"].as_array().unwrap().len(), 12);
    assert_eq!(
        (
            trends["years"][0]["opened"].as_i64(),
            trends["years"][0]["closed"].as_i64()
        ),
        (Some(3), Some(1))
    );
    let row = trends["years"][0]["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == month.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (row["opened"].as_i64(), row["closed"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        trends["years"][0]["by_type"][0],
        json!({"key": "Problem", "name": "Problem", "opened": 2, "closed": 1})
    );
    assert_eq!(trends["years"][0]["by_contact"][0]["name"], "Uma User");
    // Staff: one company, or every company (by company).
    let staff = t
        .get("/api/reports/trends?company=acme-dental", &tech)
        .await
        .body;
    assert_eq!(staff["years"][0]["opened"], 3);
    let all = t.get("/api/reports/trends", &tech).await.body;
    assert_eq!(all["company"], serde_json::Value::Null);
    assert_eq!(all["years"][0]["opened"], 4);
    let companies: Vec<&str> = all["years"][0]["by_contact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap())
        .collect();
    assert_eq!(companies, ["acme-dental", "globex-logistics"]);
    // The CSV twin.
    let csv = t.get("/api/reports/trends/export", acme_admin).await;
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(
        csv.text
            .starts_with("\"year\",\"breakdown\",\"name\",\"opened\",\"closed\""),
        "{}",
        csv.text
    );
    assert!(
        csv.text.contains(&format!(
            "\"{this_year}\",\"month\",\"{month}\",\"3\",\"1\""
        )),
        "{}",
        csv.text
    );
    assert!(csv.text.contains(&format!(
        "\"{this_year}\",\"request type\",\"Problem\",\"2\",\"1\""
    )));
    // Responsiveness: the reply after 20 minutes (a bucket of 15–30), the resolution.
    let r = t.get("/api/reports/responsiveness", acme_admin).await.body;
    let last = &r["months"][11];
    assert_eq!(last["month"], month.as_str());
    assert_eq!(
        (last["responses"].as_i64(), last["resolutions"].as_i64()),
        (Some(1), Some(1))
    );
    let median = last["response_median"].as_i64().unwrap();
    assert!((15..=30).contains(&median), "{median}");
    // Bad input.
    for bad in ["year=1999", "year=twenty", "year=2101"] {
        t.get(&format!("/api/reports/trends?{bad}"), acme_admin)
            .await
            .problem(400);
    }
    let last_year = t
        .get(
            &format!("/api/reports/trends?year={}", this_year - 1),
            acme_admin,
        )
        .await
        .body;
    assert_eq!(last_year["years"][0]["opened"], 0);
    assert_eq!(last_year["years"][1]["year"], this_year - 2);
}
