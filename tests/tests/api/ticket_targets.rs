//! The MSP's statuses and the response and resolution targets (issue 22): a status list the MSP
//! renames, retires and extends (its own counting as a stage), tickets that keep working through
//! it; targets planned when a ticket is raised (the MSP's or an agreement's), met by the first
//! public reply and the resolution, re-planned with the priority, missed marks set by the change
//! that comes late or by the hourly job, the queue sorted by the nearest target.

use crate::agreements::block;
use crate::tickets::patch;
use portal::domain::tickets::TicketSettings;
use portal_tests::TestApp;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const ADMIN: &str = "admin@northwind.example";

/// The settings as they are, with `change` applied to their JSON, saved by the MSP admin.
pub(crate) async fn save_settings(
    t: &TestApp,
    admin: &str,
    change: impl FnOnce(&mut Value),
) -> Value {
    let mut settings = t.get("/api/tickets/settings", admin).await.body;
    change(&mut settings);
    let saved = t
        .call("PUT", "/api/tickets/settings")
        .cookie(admin)
        .json(settings)
        .send()
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    saved.body
}

/// Open around the clock in UTC, so a target of N minutes is due N minutes after.
pub(crate) fn always_open(settings: &mut Value) {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .map(|day| json!({"day": day, "opens": "00:00", "closes": "24:00"}));
    settings["business_hours"] = json!({"time_zone": "UTC", "days": days, "holidays": []});
    settings["targets"] = json!([
        {"priority": "high", "response_minutes": 30, "resolution_minutes": 120},
        {"priority": "medium", "response_minutes": 60, "resolution_minutes": 240},
    ]);
}

async fn raise(t: &TestApp, cookie: &str, summary: &str, priority: &str) -> Value {
    let body = json!({"request_type": "Problem", "summary": summary, "description": "x", "priority": priority});
    let answer = t.post("/api/tickets", cookie, body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body
}

fn at(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a time"), &Rfc3339).expect("RFC 3339")
}

fn minutes(m: i64) -> time::Duration {
    time::Duration::minutes(m)
}

#[tokio::test]
async fn targets_are_planned_met_by_the_first_public_reply_and_missed_marks_come_once() {
    let t = TestApp::new().await;
    let admin = t.login(ADMIN).await;
    let tech = t.login("tech@northwind.example").await;
    let uma = t.login("user@acme.example").await;
    save_settings(&t, &admin, always_open).await;

    let a = raise(&t, &uma, "Alpha", "medium").await;
    let b = raise(&t, &uma, "Bravo", "medium").await;
    let c = raise(&t, &uma, "Charlie", "medium").await;
    let raised = at(&a["created_at"]);
    assert_eq!(at(&a["targets"]["response_due"]), raised + minutes(60));
    assert_eq!(at(&a["targets"]["resolution_due"]), raised + minutes(240));
    assert_eq!(a["targets"]["response_missed"], false);
    assert_eq!(a["targets"]["agreement"], Value::Null, "the MSP's targets");
    let n = |v: &Value| v["number"].as_u64().unwrap();

    // An internal note is no reply; the first public one from the MSP is.
    let note = |tech: &str, number: u64, internal: bool| {
        let body = json!({"text": "Looking at it.", "internal": internal});
        let path = format!("/api/tickets/{number}/notes");
        let tech = tech.to_owned();
        let t = &t;
        async move { t.post(&path, &tech, body).await }
    };
    assert_eq!(note(&tech, n(&a), true).await.status, 201);
    let got = t.get(&format!("/api/tickets/{}", n(&a)), &tech).await.body;
    assert_eq!(got["ticket"]["targets"]["responded_at"], Value::Null);
    // A client's own note is no reply either.
    let mine = json!({"text": "Any news?"});
    assert_eq!(
        t.post(&format!("/api/tickets/{}/notes", n(&a)), &uma, mine)
            .await
            .status,
        201
    );
    t.clock.advance(minutes(10));
    assert_eq!(note(&tech, n(&a), false).await.status, 201);
    let got = t.get(&format!("/api/tickets/{}", n(&a)), &uma).await.body;
    let targets = &got["ticket"]["targets"];
    assert_eq!(at(&targets["responded_at"]), raised + minutes(10));
    assert_eq!(targets["response_missed"], false);

    // 90 minutes in: B and C were not answered. The job marks both, once. (Sessions idle
    // that long have ended: sign in again.)
    t.clock.advance(minutes(80));
    let (tech, uma) = (
        t.login("tech@northwind.example").await,
        t.login("user@acme.example").await,
    );
    let now = raised + minutes(90);
    assert_eq!(tickets::targets::mark_missed(&t.app, now).await.unwrap(), 2);
    assert_eq!(tickets::targets::mark_missed(&t.app, now).await.unwrap(), 0);
    let read = |uma: &str, number: u64| {
        let path = format!("/api/tickets/{number}");
        let uma = uma.to_owned();
        let t = &t;
        async move {
            let answer = t.get(&path, &uma).await;
            assert_eq!(answer.status, 200, "{}", answer.text);
            answer.body["ticket"].clone()
        }
    };
    let got_b = read(&uma, n(&b)).await;
    assert_eq!(got_b["targets"]["response_missed"], true);
    assert_eq!(got_b["targets"]["resolution_missed"], false);
    assert_eq!(got_b["version"], 2, "the mark is a new version");
    assert_eq!(read(&uma, n(&a)).await["targets"]["response_missed"], false);
    // A late reply keeps the miss.
    assert_eq!(note(&tech, n(&b), false).await.status, 201);
    let got_b = read(&uma, n(&b)).await;
    assert_eq!(got_b["targets"]["response_missed"], true);
    assert_eq!(at(&got_b["targets"]["responded_at"]), now);

    // Raised to high: due times counted anew from when it was raised (30 and 120 minutes).
    let c_now = read(&uma, n(&c)).await;
    let changed = patch(
        &t,
        &tech,
        n(&c),
        json!({"priority": "high", "version": c_now["version"]}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        at(&changed.body["targets"]["resolution_due"]),
        raised + minutes(120)
    );
    assert_eq!(changed.body["targets"]["response_missed"], true);

    // The queue by the nearest target, soonest first: C (its reply, due at 30 minutes), then A
    // and B (resolutions due at 240, by number); tickets without targets after them.
    let queue = t
        .get("/api/tickets?sort=target&order=asc", &tech)
        .await
        .body;
    let order: Vec<u64> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_u64().unwrap())
        .filter(|x| [n(&a), n(&b), n(&c)].contains(x))
        .collect();
    assert_eq!(order, [n(&c), n(&a), n(&b)]);
    // Rows with targets first, those without after them.
    let has: Vec<bool> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| !r["targets"].is_null() && !r["targets"]["response_due"].is_null())
        .collect();
    assert!(
        has.windows(2).all(|w| w[0] || !w[1]),
        "tickets without targets last: {has:?}"
    );

    // Resolved within its target: met, and it leaves the target order's open tab.
    let a_now = read(&uma, n(&a)).await;
    let resolved = patch(
        &t,
        &tech,
        n(&a),
        json!({"status": "resolved", "note": "Fixed.", "version": a_now["version"]}),
    )
    .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(at(&resolved.body["targets"]["resolved_at"]), now);
    assert_eq!(resolved.body["targets"]["resolution_missed"], false);
    // Reopened: not resolved any more (the target stands).
    let reopened = patch(
        &t,
        &uma,
        n(&a),
        json!({"status": "new", "note": "Still broken.", "version": resolved.body["version"]}),
    )
    .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.body["targets"]["resolved_at"], Value::Null);
    // Past the resolution target, the next change marks it.
    t.clock.advance(minutes(200));
    let (tech, uma) = (
        t.login("tech@northwind.example").await,
        t.login("user@acme.example").await,
    );
    assert_eq!(note(&tech, n(&a), false).await.status, 201);
    assert_eq!(
        read(&uma, n(&a)).await["targets"]["resolution_missed"],
        true
    );
}

#[tokio::test]
async fn an_agreement_with_targets_sets_them_for_its_companys_tickets() {
    let t = TestApp::new().await;
    let admin = t.login(ADMIN).await;
    save_settings(&t, &admin, always_open).await;
    let mut agreement = block("Priority support", 10);
    agreement["targets"] =
        json!([{"priority": "high", "response_minutes": 15, "resolution_minutes": 60}]);
    let made = t.post("/api/agreements", &admin, agreement).await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.body["terms"]["targets"][0]["response_minutes"], 15);

    let uma = t.login("user@acme.example").await;
    let high = raise(&t, &uma, "Server down", "high").await;
    let raised = at(&high["created_at"]);
    assert_eq!(high["targets"]["agreement"], "Priority support");
    assert_eq!(at(&high["targets"]["response_due"]), raised + minutes(15));
    // A priority it sets nothing for keeps the MSP's.
    let medium = raise(&t, &uma, "Printer slow", "medium").await;
    assert_eq!(medium["targets"]["agreement"], Value::Null);
    assert_eq!(at(&medium["targets"]["response_due"]), raised + minutes(60));
    // Another company's tickets keep the MSP's.
    let globex = t.login("fulladmin@globex.example").await;
    let theirs = raise(&t, &globex, "Phones", "high").await;
    assert_eq!(theirs["targets"]["agreement"], Value::Null);
    assert_eq!(at(&theirs["targets"]["response_due"]), raised + minutes(30));

    // Bad targets on an agreement: 422, nothing written.
    let before = t.all_items().await.len();
    let mut bad = block("Bad", 1);
    bad["targets"] =
        json!([{"priority": "high", "response_minutes": 60, "resolution_minutes": 30}]);
    let answer = t.post("/api/agreements", &admin, bad).await;
    assert_eq!(answer.problem(422), "/problems/validation");
    assert_eq!(answer.body["errors"][0]["field"], "targets");
    assert_eq!(t.all_items().await.len(), before);
}

#[tokio::test]
async fn the_msps_statuses_rename_retire_and_extend_and_tickets_keep_working() {
    let t = TestApp::new().await;
    let admin = t.login(ADMIN).await;
    let tech = t.login("tech@northwind.example").await;
    let uma = t.login("user@acme.example").await;
    let saved = save_settings(&t, &admin, |s| {
        let list = s["statuses"].as_array_mut().unwrap();
        list[1]["name"] = json!("Working on it");
        list[3]["retired"] = json!(true); // scheduled
        list.push(json!({"id": "x-no-action", "name": "No Action Required", "stage": "closed"}));
        list.push(json!({"id": "x-on-hold", "name": "On hold", "stage": "waiting_on_client"}));
        s["client_statuses"] = json!(["x-on-hold", "resolved", "cancelled"]);
    })
    .await;
    assert_eq!(
        saved["client_statuses"],
        json!(["resolved", "cancelled", "x-on-hold"]),
        "in the list's order"
    );
    let number = raise(&t, &uma, "Flicker", "low").await["number"]
        .as_u64()
        .unwrap();

    // A client sets a status the MSP allows (with its note), not another.
    let held = patch(
        &t,
        &uma,
        number,
        json!({"status_id": "x-on-hold", "note": "Back next week.", "version": 1}),
    )
    .await;
    assert_eq!(held.status, 200, "{}", held.text);
    assert_eq!(held.body["status"], "waiting_on_client");
    assert_eq!(held.body["custom_status"]["name"], "On hold");
    let refused = patch(
        &t,
        &uma,
        number,
        json!({"status_id": "x-no-action", "note": "Never mind.", "version": 2}),
    )
    .await;
    assert_eq!(refused.problem(403), "/problems/forbidden");

    // Staff: a retired status, an unknown one, or both forms at once are refused; nothing changes.
    let before = t.all_items().await;
    for (body, field) in [
        (json!({"status": "scheduled", "version": 2}), "status"),
        (json!({"status_id": "x-nope", "version": 2}), "status_id"),
        (
            json!({"status": "closed", "status_id": "x-no-action", "version": 2}),
            "status_id",
        ),
        (
            json!({"status_id": "waiting_for_approval", "version": 2}),
            "status_id",
        ),
    ] {
        let answer = patch(&t, &tech, number, body.clone()).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{body}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(t.all_items().await, before, "refusals wrote nothing");

    let closed = patch(
        &t,
        &tech,
        number,
        json!({"status_id": "x-no-action", "note": "Works as designed.", "version": 2}),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["custom_status"]["id"], "x-no-action");
    assert!(closed.body["closed_at"].is_string());
    let tab = t.get("/api/tickets?tab=closed&status=closed", &uma).await;
    assert!(
        tab.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["number"] == number && r["custom_status"]["name"] == "No Action Required")
    );

    // Renamed, then taken off the list: the ticket still reads, lists and reopens.
    save_settings(&t, &admin, |s| {
        let list = s["statuses"].as_array_mut().unwrap();
        let at = list.iter().position(|x| x["id"] == "x-no-action").unwrap();
        list[at]["name"] = json!("Nothing to do");
    })
    .await;
    let renamed = t.get("/api/tickets/settings", &uma).await.body;
    assert!(
        renamed["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "Nothing to do")
    );
    save_settings(&t, &admin, |s| {
        let list = s["statuses"].as_array_mut().unwrap();
        list.retain(|x| x["id"] != "x-no-action");
    })
    .await;
    let read = t.get(&format!("/api/tickets/{number}"), &uma).await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.body["ticket"]["custom_status"]["name"],
        "No Action Required"
    );
    let reopened = patch(
        &t,
        &tech,
        number,
        json!({"status": "in_progress", "version": 3}),
    )
    .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.body["custom_status"], Value::Null);
    assert_eq!(reopened.body["status"], "in_progress");
    // Its emails name the statuses as the pages do: the MSP's own, and its name for a built-in one.
    let subjects: Vec<String> = t
        .mail()
        .await
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == "user@acme.example")
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        subjects.contains(&format!("Ticket #{number} is now No Action Required")),
        "{subjects:?}"
    );
    assert_eq!(
        subjects.last(),
        Some(&format!("Ticket #{number} is now Working on it")),
        "{subjects:?}"
    );
    // And so does the CSV export.
    let csv = t.get("/api/tickets/export", &uma).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    let row = csv
        .text
        .lines()
        .find(|l| l.starts_with(&format!("\"{number}\",")))
        .unwrap_or_default();
    assert!(row.contains(",\"Working on it\","), "{}", csv.text);
    // And the ticket's PDF.
    let pdf = t.get(&format!("/api/tickets/{number}/pdf"), &uma).await;
    assert_eq!(pdf.status, 303, "{}", pdf.text);
    let text = portal_tests::files::pdf_text(pdf.headers["location"].to_str().unwrap()).await;
    assert!(text.contains("Working on it"), "{text}");
}

/// A change to the settings' JSON.
type Change = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn bad_statuses_hours_and_targets_are_refused_field_by_field_and_write_nothing() {
    let t = TestApp::new().await;
    let admin = t.login(ADMIN).await;
    let current = t.get("/api/tickets/settings", &admin).await.body;
    let before = t.all_items().await;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "a built-in status removed",
            Box::new(|s| {
                s["statuses"].as_array_mut().unwrap().remove(2);
            }),
            "statuses",
        ),
        (
            "resolved retired",
            Box::new(|s| s["statuses"][5]["retired"] = json!(true)),
            "statuses",
        ),
        (
            "an own status counting as new",
            Box::new(|s| {
                s["statuses"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "x-fresh", "name": "Fresh", "stage": "new"}))
            }),
            "statuses",
        ),
        (
            "two statuses of one name",
            Box::new(|s| s["statuses"][1]["name"] = json!("NEW")),
            "statuses",
        ),
        (
            "a client status not in the list",
            Box::new(|s| s["client_statuses"] = json!(["x-gone"])),
            "client_statuses",
        ),
        (
            "a time zone that does not exist",
            Box::new(|s| s["business_hours"]["time_zone"] = json!("Mars/Olympus")),
            "business_hours.time_zone",
        ),
        (
            "closing before opening",
            Box::new(|s| s["business_hours"]["days"][0]["closes"] = json!("07:00")),
            "business_hours.days",
        ),
        (
            "a priority twice",
            Box::new(|s| {
                let first = s["targets"][0].clone();
                s["targets"].as_array_mut().unwrap().push(first);
            }),
            "targets",
        ),
        (
            "a resolution before the response",
            Box::new(|s| s["targets"][0]["resolution_minutes"] = json!(1)),
            "targets",
        ),
    ];
    for (what, change, field) in cases {
        let mut body = current.clone();
        change(&mut body);
        let answer = t
            .call("PUT", "/api/tickets/settings")
            .cookie(&admin)
            .json(body)
            .send()
            .await;
        assert_eq!(answer.problem(422), "/problems/validation", "{what}");
        assert!(
            answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{what}: {}",
            answer.text
        );
    }
    for (what, change) in [
        (
            "a weekday that is not one",
            json!({"day": "funday", "opens": "08:00", "closes": "17:00"}),
        ),
        ("a target of minus one", json!(-1)),
    ] {
        let mut body = current.clone();
        if what.contains("weekday") {
            body["business_hours"]["days"][0] = change;
        } else {
            body["targets"][0]["response_minutes"] = change;
        }
        let answer = t
            .call("PUT", "/api/tickets/settings")
            .cookie(&admin)
            .json(body)
            .send()
            .await;
        assert_eq!(answer.problem(400), "/problems/bad-request", "{what}");
    }
    assert_eq!(t.all_items().await, before, "nothing written");
    // The defaults read back as valid settings.
    let defaults: TicketSettings = serde_json::from_value(current).unwrap();
    assert_eq!(defaults.clone().validated().unwrap(), defaults);
}
