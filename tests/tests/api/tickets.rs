//! Ticket API tests over the real `tickets` handler against moto_server.

use portal::domain::tickets::{Ticket, TicketSettings, TicketStatus};
use portal_tests::files::post_file;
use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, TestApp};
use serde_json::{Value, json};

const STAFF_ADMIN: &str = "admin@northwind.example";
/// Every demo user's email, in `DemoUser::ALL` order.
fn everyone() -> [&'static str; 9] {
    DemoUser::ALL.map(DemoUser::email)
}

fn new_settings(version: u64) -> Value {
    json!({
        "request_types": ["Problem", "  Printer  ", "New starter"],
        "client_statuses": ["resolved", "cancelled", "resolved"],
        "reopen_days": 14,
        "attachment_max_mb": 40,
        "version": version,
    })
}

#[tokio::test]
async fn everyone_signed_in_reads_the_ticket_settings_with_defaults_until_saved() {
    let t = TestApp::new().await;
    for user in DemoUser::ALL {
        let answer = t.signed_in(user).await.get("/api/tickets/settings").await;
        assert_eq!(answer.status, 200, "{user:?}");
        let settings: TicketSettings = answer.json();
        assert_eq!(settings.client_statuses, ["resolved", "cancelled"]);
        assert_eq!(settings.statuses.len(), TicketStatus::ALL.len());
        assert_eq!(settings.attachment_max_mb, 25);
        assert_eq!(settings.version, 0);
        assert!(settings.request_types.len() >= 3);
    }
    assert_eq!(
        t.call("GET", "/api/tickets/settings")
            .send()
            .await
            .problem(401),
        "/problems/unauthenticated"
    );
}

#[tokio::test]
async fn only_msp_admins_change_ticket_settings_and_the_change_is_cleaned_and_versioned() {
    let t = TestApp::new().await;
    for email in everyone().iter().filter(|e| **e != STAFF_ADMIN) {
        let cookie = t.login(email).await;
        let answer = t
            .call("PUT", "/api/tickets/settings")
            .cookie(&cookie)
            .json(new_settings(0))
            .send()
            .await;
        assert_eq!(answer.problem(403), "/problems/forbidden", "{email}");
    }
    let admin = t.login(STAFF_ADMIN).await;
    assert_eq!(
        t.get("/api/tickets/settings", &admin).await.body["version"],
        0,
        "refused changes wrote nothing"
    );

    let saved = t
        .call("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .json(new_settings(0))
        .send()
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    // What was left out (statuses, business hours, targets) is the defaults.
    let defaults = serde_json::to_value(TicketSettings::default()).unwrap();
    let expected = json!({
        "request_types": ["Problem", "Printer", "New starter"],
        "statuses": defaults["statuses"],
        "client_statuses": ["resolved", "cancelled"],
        "reopen_days": 14,
        "attachment_max_mb": 40,
        "business_hours": defaults["business_hours"],
        "targets": defaults["targets"],
        "version": 1,
    });
    assert_eq!(saved.body, expected);
    let client = t.login("user@acme.example").await;
    assert_eq!(t.get("/api/tickets/settings", &client).await.body, expected);
}

#[tokio::test]
async fn a_stale_settings_version_is_a_conflict_and_changes_nothing() {
    let t = TestApp::new().await;
    let admin = t.login(STAFF_ADMIN).await;
    assert_eq!(
        t.call("PUT", "/api/tickets/settings")
            .cookie(&admin)
            .json(new_settings(0))
            .send()
            .await
            .status,
        200
    );
    let mut stale = new_settings(0);
    stale["reopen_days"] = json!(3);
    let answer = t
        .call("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .json(stale)
        .send()
        .await;
    assert_eq!(answer.problem(409), "/problems/conflict");
    let now = t.get("/api/tickets/settings", &admin).await;
    assert_eq!(
        (now.body["reopen_days"].clone(), now.body["version"].clone()),
        (json!(14), json!(1))
    );
}

#[tokio::test]
async fn bad_settings_get_clear_problems_and_change_nothing() {
    let t = TestApp::new().await;
    let admin = t.login(STAFF_ADMIN).await;
    let mut cases: Vec<(&str, Value, u16, Option<&str>)> = Vec::new();
    let mut empty = new_settings(0);
    empty["request_types"] = json!(["  ", ""]);
    cases.push(("no request types", empty, 422, Some("request_types")));
    let mut dup = new_settings(0);
    dup["request_types"] = json!(["Printer", "printer"]);
    cases.push(("duplicate request types", dup, 422, Some("request_types")));
    let mut long = new_settings(0);
    long["request_types"] = json!(["x".repeat(61)]);
    cases.push(("long request type", long, 422, Some("request_types")));
    let mut zero = new_settings(0);
    zero["attachment_max_mb"] = json!(0);
    cases.push((
        "no attachments allowed",
        zero,
        422,
        Some("attachment_max_mb"),
    ));
    let mut huge = new_settings(0);
    huge["attachment_max_mb"] = json!(101);
    cases.push(("attachments too big", huge, 422, Some("attachment_max_mb")));
    let mut reopen = new_settings(0);
    reopen["reopen_days"] = json!(366);
    cases.push(("reopen window too long", reopen, 422, Some("reopen_days")));
    let mut negative = new_settings(0);
    negative["reopen_days"] = json!(-1);
    cases.push(("negative days", negative, 400, None));
    let mut status = new_settings(0);
    status["client_statuses"] = json!(["deleted"]);
    cases.push(("unknown status", status, 422, Some("client_statuses")));
    let mut unknown = new_settings(0);
    unknown["colour"] = json!("red");
    cases.push(("unknown field", unknown, 400, None));
    let mut missing = new_settings(0);
    missing.as_object_mut().unwrap().remove("version");
    cases.push(("missing version", missing, 400, None));
    for (what, body, status, field) in cases {
        let answer = t
            .call("PUT", "/api/tickets/settings")
            .cookie(&admin)
            .json(body)
            .send()
            .await;
        answer.problem(status);
        if let Some(field) = field {
            assert_eq!(
                answer.body["errors"][0]["field"], field,
                "{what}: {}",
                answer.text
            );
        }
    }
    let malformed = t
        .call("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .raw_json("{\"request_types\": [".into())
        .send()
        .await;
    malformed.problem(400);
    let cross_site = t
        .call_without_origin("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .json(new_settings(0))
        .send()
        .await;
    assert_eq!(cross_site.problem(403), "/problems/cross-site");
    assert_eq!(
        t.get("/api/tickets/settings", &admin).await.body["version"],
        0,
        "nothing was saved"
    );
}

// ---- raising tickets, detail, notes ------------------------------------------------------------

pub(crate) fn new_ticket() -> Value {
    json!({
        "request_type": "Problem",
        "summary": "Printer in reception jams",
        "description": "Every second page jams since Monday.",
        "priority": "medium",
    })
}

/// Raise the standard test ticket; its number.
pub(crate) async fn raised(t: &TestApp, cookie: &str) -> u64 {
    let answer = t.post("/api/tickets", cookie, new_ticket()).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json::<Ticket>().number
}

pub(crate) async fn ticket_items(t: &TestApp, company: &str) -> usize {
    t.items_in(&format!("CO#{company}"))
        .await
        .iter()
        .filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("TICKET#")))
        .count()
}

#[tokio::test]
async fn clients_raise_tickets_with_numbers_from_one_counter_and_read_them_back() {
    let t = TestApp::new().await;
    let user = t.login("user@acme.example").await;
    let first = t.post("/api/tickets", &user, new_ticket()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["status"], "new");
    assert_eq!(first.body["contact_name"], "Uma User");
    assert_eq!(first.body["company_id"], "acme-dental");
    let globex = t.login("user@globex.example").await;
    let second = t.post("/api/tickets", &globex, json!({"request_type": "question", "summary": "VPN", "description": "How?", "priority": "low",
        "emergency": true, "due_date": "2099-01-31", "po_number": " PO-7 "})).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(
        second.body["number"].as_u64(),
        first.body["number"].as_u64().map(|n| n + 1)
    );
    assert_eq!(
        (
            second.body["request_type"].clone(),
            second.body["po_number"].clone()
        ),
        (json!("Question"), json!("PO-7"))
    );
    assert_eq!(second.body["due_date"], "2099-01-31");

    let number = first.body["number"].as_u64().unwrap();
    let detail = t.get(&format!("/api/tickets/{number}"), &user).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert_eq!(
        detail.body["ticket"]["summary"],
        "Printer in reception jams"
    );
    assert_eq!(detail.body["notes"], json!([]));
}

#[tokio::test]
async fn who_may_raise_tickets_and_for_whom() {
    let t = TestApp::new().await;
    let colleague = portal_admin::seed::demo_user_id("user@acme.example").to_string();
    for (email, own, on_behalf) in [
        ("fulladmin@acme.example", 201, 201),
        ("ticketmanager@acme.example", 201, 201),
        ("billing@acme.example", 201, 403),
        ("readonly@acme.example", 403, 403),
        ("user@acme.example", 201, 201), // "on behalf" of oneself is just one's own ticket
    ] {
        let cookie = t.login(email).await;
        assert_eq!(
            t.post("/api/tickets", &cookie, new_ticket()).await.status,
            own,
            "{email} for self"
        );
        let mut body = new_ticket();
        body["contact_id"] = json!(colleague);
        let answer = t.post("/api/tickets", &cookie, body).await;
        assert_eq!(
            answer.status, on_behalf,
            "{email} on behalf: {}",
            answer.text
        );
        if on_behalf == 201 {
            assert_eq!(answer.body["contact_name"], "Uma User");
        }
    }
    // A "colleague" from another company is not one: 422, nothing written.
    let admin = t.login("fulladmin@acme.example").await;
    let before = ticket_items(&t, "acme-dental").await;
    let mut body = new_ticket();
    body["contact_id"] = json!(portal_admin::seed::demo_user_id("user@globex.example").to_string());
    assert_eq!(
        t.post("/api/tickets", &admin, body).await.problem(422),
        "/problems/validation"
    );
    // Naming another company is 404.
    let mut body = new_ticket();
    body["company_id"] = json!("globex-logistics");
    assert_eq!(t.post("/api/tickets", &admin, body).await.status, 404);
    assert_eq!(ticket_items(&t, "acme-dental").await, before);
    assert_eq!(ticket_items(&t, "globex-logistics").await, 0);

    // Staff raise tickets for a client company and contact.
    let tech = t.login("tech@northwind.example").await;
    assert_eq!(
        t.post("/api/tickets", &tech, new_ticket())
            .await
            .problem(422),
        "/problems/validation"
    );
    let mut body = new_ticket();
    body["company_id"] = json!("acme-dental");
    body["contact_id"] = json!(colleague);
    let answer = t.post("/api/tickets", &tech, body).await;
    assert_eq!(
        (answer.status, answer.body["company_id"].clone()),
        (201, json!("acme-dental")),
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn bad_tickets_get_field_problems_and_write_nothing() {
    let t = TestApp::new().await;
    let user = t.login("user@acme.example").await;
    let cases: Vec<(&str, &str, Value)> = vec![
        ("summary", "empty summary", json!("   ")),
        ("summary", "long summary", json!("s".repeat(201))),
        (
            "description",
            "oversized description",
            json!("d".repeat(10_001)),
        ),
        ("request_type", "unknown request type", json!("Make coffee")),
        ("due_date", "date in the past", json!("2001-01-01")),
        ("due_date", "not a date", json!("31/12/2099")),
        ("due_date", "impossible date", json!("2099-02-30")),
        ("po_number", "long PO number", json!("P".repeat(51))),
    ];
    for (field, what, value) in cases {
        let mut body = new_ticket();
        body[field] = value;
        let answer = t.post("/api/tickets", &user, body).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{what}");
        assert_eq!(
            answer.body["errors"][0]["field"], field,
            "{what}: {}",
            answer.text
        );
    }
    for (what, body) in [
        (
            "unknown field",
            json!({"request_type": "Problem", "summary": "x", "description": "y", "priority": "low", "status": "closed"}),
        ),
        (
            "unknown priority",
            json!({"request_type": "Problem", "summary": "x", "description": "y", "priority": "whenever"}),
        ),
        (
            "missing summary",
            json!({"request_type": "Problem", "description": "y", "priority": "low"}),
        ),
    ] {
        assert_eq!(
            t.post("/api/tickets", &user, body).await.problem(400),
            "/problems/bad-request",
            "{what}"
        );
    }
    assert_eq!(
        ticket_items(&t, "acme-dental").await,
        0,
        "nothing was written"
    );
    assert!(
        t.items_in("COUNTER").await.is_empty(),
        "no number was taken"
    );
}

#[tokio::test]
async fn tickets_are_seen_only_by_those_allowed_and_others_get_404() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let number = raised(&t, &uma).await;
    let path = format!("/api/tickets/{number}");
    for (email, status) in [
        ("user@acme.example", 200),
        ("fulladmin@acme.example", 200),
        ("ticketmanager@acme.example", 200),
        ("billing@acme.example", 404),  // sees only own tickets
        ("readonly@acme.example", 404), // sees only own tickets
        ("fulladmin@globex.example", 404),
        ("user@globex.example", 404),
        ("tech@northwind.example", 200),
        ("admin@northwind.example", 200),
    ] {
        let answer = t.get(&path, &t.login(email).await).await;
        assert_eq!(answer.status, status, "{email}: {}", answer.text);
    }
    let globex = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.get(&path, &globex).await.text,
        t.get("/api/tickets/99999999", &globex).await.text,
        "same 404 as a missing ticket"
    );
    for bad in ["abc", "0", "-1", "99999999999999"] {
        assert_eq!(
            t.get(&format!("/api/tickets/{bad}"), &uma).await.status,
            404,
            "{bad}"
        );
    }
    // Notes follow the same visibility.
    let note = json!({"text": "Still jamming"});
    assert_eq!(
        t.call("POST", &format!("{path}/notes"))
            .cookie(&globex)
            .json(note.clone())
            .send()
            .await
            .status,
        404
    );
    let readonly = t.login("readonly@acme.example").await;
    assert_eq!(
        t.call("POST", &format!("{path}/notes"))
            .cookie(&readonly)
            .json(note)
            .send()
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn internal_notes_are_never_in_a_client_answer() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let number = raised(&t, &uma).await;
    let notes = format!("/api/tickets/{number}/notes");
    let tech = t.login("tech@northwind.example").await;
    let reply = t
        .call("POST", &notes)
        .cookie(&tech)
        .json(json!({"text": "Please try the other tray."}))
        .send()
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["from_msp"], true);
    t.clock.advance(time::Duration::seconds(1));
    let internal = t
        .call("POST", &notes)
        .cookie(&tech)
        .json(json!({"text": "SECRET-INTERNAL: fuser is worn", "internal": true}))
        .send()
        .await;
    assert_eq!(internal.status, 201);
    t.clock.advance(time::Duration::seconds(1));
    let client_note = t
        .call("POST", &notes)
        .cookie(&uma)
        .json(json!({"text": "Tried it, same."}))
        .send()
        .await;
    assert_eq!(client_note.status, 201);
    // A client cannot write an internal note.
    let sneaky = t
        .call("POST", &notes)
        .cookie(&uma)
        .json(json!({"text": "x", "internal": true}))
        .send()
        .await;
    assert_eq!(sneaky.problem(403), "/problems/forbidden");

    for email in [
        "user@acme.example",
        "fulladmin@acme.example",
        "ticketmanager@acme.example",
    ] {
        let detail = t
            .get(&format!("/api/tickets/{number}"), &t.login(email).await)
            .await;
        assert_eq!(detail.status, 200);
        assert!(
            !detail.text.contains("SECRET-INTERNAL"),
            "{email} saw an internal note"
        );
        let texts: Vec<&str> = detail.body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            texts,
            ["Please try the other tray.", "Tried it, same."],
            "{email}: oldest first"
        );
    }
    let staff_view = t.get(&format!("/api/tickets/{number}"), &tech).await;
    assert!(staff_view.text.contains("SECRET-INTERNAL"));
    assert_eq!(
        staff_view.body["ticket"]["version"], 4,
        "each note touched the ticket"
    );
}

#[tokio::test]
async fn bad_notes_and_closed_tickets_are_refused_and_write_nothing() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let number = raised(&t, &uma).await;
    let notes = format!("/api/tickets/{number}/notes");
    assert_eq!(
        t.call("POST", &notes)
            .cookie(&uma)
            .json(json!({"text": "  "}))
            .send()
            .await
            .problem(422),
        "/problems/validation"
    );
    assert_eq!(
        t.call("POST", &notes)
            .cookie(&uma)
            .json(json!({"text": "n".repeat(10_001)}))
            .send()
            .await
            .status,
        422
    );
    assert_eq!(
        t.call("POST", &notes)
            .cookie(&uma)
            .json(json!({"body": "x"}))
            .send()
            .await
            .status,
        400
    );
    assert_eq!(
        ticket_items(&t, "acme-dental").await,
        1,
        "only the ticket itself"
    );

    // Cancel it, then try again.
    let cancel = t
        .call("PATCH", &format!("/api/tickets/{number}"))
        .cookie(&uma)
        .json(json!({"status": "cancelled", "note": "No longer needed.", "version": 1}))
        .send()
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.text);
    let answer = t
        .call("POST", &notes)
        .cookie(&uma)
        .json(json!({"text": "Hello?"}))
        .send()
        .await;
    assert_eq!(answer.problem(409), "/problems/ticket-closed");
    assert!(
        answer.body["title"]
            .as_str()
            .unwrap()
            .contains("raise a new ticket")
    );
    assert_eq!(
        ticket_items(&t, "acme-dental").await,
        2,
        "only the note that came with the cancellation; the refused one was not stored"
    );
}

// ---- lists ---------------------------------------------------------------------------------------

async fn numbers(t: &TestApp, path: &str, cookie: &str) -> Vec<u64> {
    let answer = t.get(path, cookie).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn lists_show_each_role_exactly_the_tickets_it_may_see() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let fiona = t.login("fulladmin@acme.example").await;
    let tomas = t.login("ticketmanager@acme.example").await;
    let gus = t.login("fulladmin@globex.example").await;
    let uma_id = portal_admin::seed::demo_user_id("user@acme.example").to_string();
    let n = |a: portal_tests::Answer| a.body["number"].as_u64().unwrap();
    let u1 = n(t.post("/api/tickets", &uma, new_ticket()).await);
    let f1 = n(t.post("/api/tickets", &fiona, new_ticket()).await);
    let mut on_behalf = new_ticket();
    on_behalf["contact_id"] = json!(uma_id);
    let u2 = n(t.post("/api/tickets", &tomas, on_behalf).await);
    let g1 = n(t.post("/api/tickets", &gus, new_ticket()).await);

    assert_eq!(
        numbers(&t, "/api/tickets", &uma).await,
        [u2, u1],
        "own tickets, newest first"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?contact=anyone", &uma).await,
        [u2, u1],
        "own-only users cannot widen the list"
    );
    assert_eq!(
        numbers(&t, "/api/tickets", &t.login("readonly@acme.example").await).await,
        Vec::<u64>::new()
    );
    assert_eq!(numbers(&t, "/api/tickets", &fiona).await, [u2, f1, u1]);
    assert_eq!(
        numbers(&t, &format!("/api/tickets?contact={uma_id}"), &fiona).await,
        [u2, u1]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?order=asc", &tomas).await,
        [u1, f1, u2]
    );
    assert_eq!(numbers(&t, "/api/tickets", &gus).await, [g1]);
    assert_eq!(
        t.get("/api/tickets?company=globex-logistics", &fiona)
            .await
            .problem(404),
        "/problems/not-found"
    );

    let tech = t.login("tech@northwind.example").await;
    assert_eq!(
        numbers(&t, "/api/tickets", &tech).await,
        [g1, u2, f1, u1],
        "the MSP queue spans companies"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?company=acme-dental", &tech).await,
        [u2, f1, u1]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?assignee=none", &tech).await.len(),
        4,
        "all unassigned"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?tab=closed", &tech).await,
        Vec::<u64>::new()
    );

    // A note moves its ticket to the top of "last updated".
    t.clock.advance(time::Duration::minutes(5));
    let note = t
        .call("POST", &format!("/api/tickets/{u1}/notes"))
        .cookie(&uma)
        .json(json!({"text": "Any news?"}))
        .send()
        .await;
    assert_eq!(note.status, 201);
    assert_eq!(
        numbers(&t, "/api/tickets?sort=updated", &fiona).await[0],
        u1
    );
    assert_eq!(
        numbers(&t, "/api/tickets?sort=updated", &uma).await,
        [u1, u2]
    );
    assert_eq!(numbers(&t, "/api/tickets?sort=updated", &tech).await[0], u1);
    assert_eq!(
        numbers(&t, "/api/tickets?assignee=none", &tech).await[0],
        u1
    );

    // Filters apply within the page.
    assert_eq!(
        numbers(&t, "/api/tickets?status=new&priority=medium", &fiona)
            .await
            .len(),
        3
    );
    assert_eq!(
        numbers(&t, "/api/tickets?status=resolved", &fiona).await,
        Vec::<u64>::new()
    );
    let rows = t.get("/api/tickets", &fiona).await;
    assert!(
        rows.body["items"][0].get("description").is_none(),
        "rows leave the description out"
    );
}

#[tokio::test]
async fn ticket_lists_paginate_and_refuse_bad_parameters() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    for _ in 0..55 {
        assert_eq!(t.post("/api/tickets", &uma, new_ticket()).await.status, 201);
    }
    let first = t.get("/api/tickets", &uma).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = t.get(&format!("/api/tickets?cursor={cursor}"), &uma).await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 5);
    assert!(second.body["next_cursor"].is_null());
    // A list kept on the sort rows pages the same way.
    let first = t.get("/api/tickets?sort=priority", &uma).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let next = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = t
        .get(&format!("/api/tickets?sort=priority&cursor={next}"), &uma)
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 5);
    // The cursor belongs to this list only.
    let fiona = t.login("fulladmin@acme.example").await;
    for path in [
        format!("/api/tickets?cursor={cursor}&tab=closed"),
        format!("/api/tickets?cursor={cursor}&sort=updated"),
    ] {
        assert_eq!(t.get(&path, &uma).await.status, 400, "{path}");
    }
    assert_eq!(
        t.get(&format!("/api/tickets?cursor={cursor}"), &fiona)
            .await
            .problem(400),
        "/problems/bad-request"
    );
    for bad in [
        "tab=archived",
        "sort=colour",
        "order=up",
        "status=deleted",
        "priority=urgent",
        "contact=a%20b",
        "cursor=xyz",
    ] {
        let answer = t.get(&format!("/api/tickets?{bad}"), &fiona).await;
        assert_eq!(answer.problem(400), "/problems/bad-request", "{bad}");
    }
}

// ---- status, priority, technician ----------------------------------------------------------------

pub(crate) async fn patch(
    t: &TestApp,
    cookie: &str,
    number: u64,
    body: Value,
) -> portal_tests::Answer {
    t.call("PATCH", &format!("/api/tickets/{number}"))
        .cookie(cookie)
        .json(body)
        .send()
        .await
}

#[tokio::test]
async fn clients_set_only_the_statuses_the_msp_allows_and_reopen_within_the_window() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let number = raised(&t, &uma).await;
    assert_eq!(
        patch(
            &t,
            &uma,
            number,
            json!({"status": "in_progress", "version": 1})
        )
        .await
        .problem(403),
        "/problems/forbidden"
    );
    assert_eq!(
        patch(
            &t,
            &uma,
            number,
            json!({"priority": "critical", "version": 1})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        patch(&t, &uma, number, json!({"assignee_id": "", "version": 1}))
            .await
            .status,
        403
    );
    assert_eq!(
        patch(
            &t,
            &uma,
            number,
            json!({"status": "cancelled", "note": "No longer needed.", "version": 7})
        )
        .await
        .problem(409),
        "/problems/conflict"
    );
    let detail = t.get(&format!("/api/tickets/{number}"), &uma).await;
    assert_eq!(
        (
            detail.body["ticket"]["status"].clone(),
            detail.body["ticket"]["version"].clone()
        ),
        (json!("new"), json!(1)),
        "refusals changed nothing"
    );

    // The technician resolves it; the client reopens it within the window.
    let resolved = patch(
        &t,
        &tech,
        number,
        json!({"status": "resolved", "note": "Replaced the cable; it works again.", "version": 1}),
    )
    .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert!(resolved.body["closed_at"].is_string());
    assert_eq!(numbers(&t, "/api/tickets?tab=closed", &uma).await, [number]);
    t.clock.advance(time::Duration::days(6));
    // Sessions last 12 hours: sign in again after the days pass.
    let (uma, tech) = (
        t.login("user@acme.example").await,
        t.login("tech@northwind.example").await,
    );
    let reopened = patch(
        &t,
        &uma,
        number,
        json!({"status": "new", "note": "It happened again.", "version": 2}),
    )
    .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert!(reopened.body["closed_at"].is_null());
    assert_eq!(numbers(&t, "/api/tickets", &uma).await, [number]);
    // Resolved again, and now the window (7 days by default) passes.
    assert_eq!(
        patch(
            &t,
            &tech,
            number,
            json!({"status": "resolved", "note": "Replaced the cable; it works again.", "version": 3})
        )
        .await
        .status,
        200
    );
    t.clock.advance(time::Duration::days(8));
    let uma = t.login("user@acme.example").await;
    let late = patch(
        &t,
        &uma,
        number,
        json!({"status": "new", "note": "It happened again.", "version": 4}),
    )
    .await;
    assert_eq!(late.problem(409), "/problems/ticket-closed");
    assert!(late.body["title"].as_str().unwrap().contains("7 days"));
    // A closed ticket takes no other client status either.
    assert_eq!(
        patch(
            &t,
            &uma,
            number,
            json!({"status": "cancelled", "note": "No longer needed.", "version": 4})
        )
        .await
        .status,
        409
    );
}

#[tokio::test]
async fn a_client_reopens_a_ticket_they_cancelled_within_the_window_only() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let number = raised(&t, &uma).await;
    let cancel = |version: u64| json!({"status": "cancelled", "note": "No longer needed.", "version": version});
    let cancelled = patch(&t, &uma, number, cancel(1)).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert!(cancelled.body["closed_at"].is_string());
    // Cancelled by mistake: reopened the same day.
    let reopened = patch(
        &t,
        &uma,
        number,
        json!({"status": "new", "note": "It happened again.", "version": 2}),
    )
    .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert!(reopened.body["closed_at"].is_null());
    assert_eq!(numbers(&t, "/api/tickets", &uma).await, [number]);
    // Cancelled again, and the window (7 days by default) passes.
    assert_eq!(patch(&t, &uma, number, cancel(3)).await.status, 200);
    t.clock.advance(time::Duration::days(8));
    let uma = t.login("user@acme.example").await;
    let before = t.all_items().await;
    let late = patch(
        &t,
        &uma,
        number,
        json!({"status": "new", "note": "It happened again.", "version": 4}),
    )
    .await;
    assert_eq!(late.problem(409), "/problems/ticket-closed");
    assert!(
        late.body["title"]
            .as_str()
            .unwrap()
            .contains("cancelled more than 7 days ago"),
        "{}",
        late.text
    );
    assert_eq!(t.all_items().await, before, "the refusal wrote nothing");
}

#[tokio::test]
async fn staff_set_any_status_priority_and_technician_and_others_get_404() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let tech_id = portal_admin::seed::demo_user_id("tech@northwind.example").to_string();
    let number = raised(&t, &uma).await;
    let changed = patch(
        &t,
        &tech,
        number,
        json!({"status": "in_progress", "priority": "high", "assignee_id": tech_id, "version": 1}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["assignee_name"], "Theo Technician");
    assert_eq!(changed.body["priority"], "high");
    assert_eq!(
        numbers(&t, &format!("/api/tickets?assignee={tech_id}"), &tech).await,
        [number]
    );
    assert!(
        numbers(&t, "/api/tickets?assignee=none", &tech)
            .await
            .is_empty()
    );
    // Only MSP technicians can be assigned.
    let client_user = portal_admin::seed::demo_user_id("fulladmin@acme.example").to_string();
    for bad in [client_user.as_str(), "nobody", "not an id"] {
        let answer = patch(&t, &tech, number, json!({"assignee_id": bad, "version": 2})).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{bad}");
    }
    assert_eq!(
        patch(&t, &tech, number, json!({"assignee_id": "", "version": 2}))
            .await
            .body["assignee_name"],
        Value::Null
    );
    // Other companies' users, and bad bodies.
    let gus = t.login("fulladmin@globex.example").await;
    assert_eq!(
        patch(
            &t,
            &gus,
            number,
            json!({"status": "cancelled", "note": "No longer needed.", "version": 3})
        )
        .await
        .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        patch(&t, &tech, number, json!({"status": "done", "version": 3}))
            .await
            .status,
        400
    );
    assert_eq!(
        patch(&t, &tech, number, json!({"status": "closed"}))
            .await
            .status,
        400
    );
    assert_eq!(
        patch(&t, &tech, number, json!({"summary": "x", "version": 3}))
            .await
            .status,
        400
    );
    assert_eq!(
        t.get(&format!("/api/tickets/{number}"), &tech).await.body["ticket"]["version"],
        3
    );
}

// ---- statistics ------------------------------------------------------------------------------------

#[tokio::test]
async fn ticket_counts_are_kept_on_write_per_company_and_per_contact() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let fiona = t.login("fulladmin@acme.example").await;
    let gus = t.login("fulladmin@globex.example").await;
    let first = raised(&t, &uma).await;
    t.post("/api/tickets", &uma, new_ticket()).await;
    t.post("/api/tickets", &fiona, new_ticket()).await;
    t.post("/api/tickets", &gus, new_ticket()).await;
    assert_eq!(
        patch(
            &t,
            &uma,
            first,
            json!({"status": "cancelled", "note": "No longer needed.", "version": 1})
        )
        .await
        .status,
        200
    );

    let company = t.get("/api/tickets/stats", &fiona).await;
    assert_eq!(company.status, 200, "{}", company.text);
    assert_eq!(
        (
            company.body["open"].clone(),
            company.body["this_month"].clone(),
            company.body["this_year"].clone()
        ),
        (json!(2), json!(3), json!(3))
    );
    let months = company.body["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[11]["created"], 3);
    assert!(months[..11].iter().all(|m| m["created"] == 0));
    let own = t.get("/api/tickets/stats", &uma).await;
    assert_eq!(
        (own.body["open"].clone(), own.body["this_month"].clone()),
        (json!(1), json!(2)),
        "own tickets only"
    );
    assert_eq!(
        t.get(
            "/api/tickets/stats",
            &t.login("readonly@acme.example").await
        )
        .await
        .body["open"],
        0
    );
    assert_eq!(t.get("/api/tickets/stats", &gus).await.body["open"], 1);
    assert_eq!(
        t.get("/api/tickets/stats?company=globex-logistics", &fiona)
            .await
            .problem(404),
        "/problems/not-found"
    );
    let tech = t.login("tech@northwind.example").await;
    assert_eq!(
        t.get("/api/tickets/stats", &tech).await.problem(404),
        "/problems/company-needed"
    );
    assert_eq!(
        t.get("/api/tickets/stats?company=acme-dental", &tech)
            .await
            .body,
        company.body
    );

    // Reopening counts it as open again.
    let tech_reopen = patch(
        &t,
        &tech,
        first,
        json!({"status": "in_progress", "version": 2}),
    )
    .await;
    assert_eq!(tech_reopen.status, 200);
    assert_eq!(t.get("/api/tickets/stats", &fiona).await.body["open"], 3);
    // A month later the new month starts at zero and last month is still counted.
    t.clock.advance(time::Duration::days(31));
    let fiona = t.login("fulladmin@acme.example").await;
    let later = t.get("/api/tickets/stats", &fiona).await;
    assert_eq!(later.body["this_month"], 0);
    assert_eq!(later.body["months"][10]["created"], 3);
}

// ---- search and export ---------------------------------------------------------------------------

async fn raise_about(t: &TestApp, cookie: &str, summary: &str) -> u64 {
    let mut body = new_ticket();
    body["summary"] = json!(summary);
    let answer = t.post("/api/tickets", cookie, body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body["number"].as_u64().unwrap()
}

#[tokio::test]
async fn search_by_number_or_words_shows_only_what_each_role_may_see() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let fiona = t.login("fulladmin@acme.example").await;
    let gus = t.login("fulladmin@globex.example").await;
    let tech = t.login("tech@northwind.example").await;
    let printer = raise_about(&t, &uma, "Printer in reception jams").await;
    let printers = raise_about(&t, &fiona, "Both printers offline").await;
    let outlook = raise_about(&t, &uma, "Outlook keeps asking for password").await;
    let globex = raise_about(&t, &gus, "Printer toner empty").await;

    assert_eq!(
        numbers(&t, "/api/tickets?q=print", &fiona).await,
        [printers, printer],
        "a word prefix, newest first"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=PRINTER+jams", &fiona).await,
        [printer],
        "every word must match"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=print", &uma).await,
        [printer],
        "own-only users find only theirs"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=print", &gus).await,
        [globex],
        "another company's never"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=print&order=asc", &tech).await,
        [printer, printers, globex],
        "the MSP searches across companies"
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=print&company=globex-logistics", &tech).await,
        [globex]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=print&tab=closed", &fiona).await,
        Vec::<u64>::new()
    );

    // By number: any tab, but only tickets one may see.
    assert_eq!(
        numbers(&t, &format!("/api/tickets?q=%23{outlook}"), &uma).await,
        [outlook]
    );
    assert_eq!(
        numbers(&t, &format!("/api/tickets?q={printers}"), &uma).await,
        Vec::<u64>::new(),
        "a colleague's ticket is not found by an own-only user"
    );
    assert_eq!(
        numbers(&t, &format!("/api/tickets?q={globex}"), &fiona).await,
        Vec::<u64>::new()
    );
    assert_eq!(
        numbers(&t, &format!("/api/tickets?q={globex}&tab=closed"), &tech).await,
        [globex]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=99999999999999999999", &tech).await,
        Vec::<u64>::new()
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=%21+a", &fiona).await,
        Vec::<u64>::new(),
        "a search with no word of two characters finds nothing"
    );
    // A search cursor is not a list cursor.
    let list = t.get("/api/tickets?q=print", &fiona).await;
    assert!(list.body["next_cursor"].is_null());
}

#[tokio::test]
async fn search_pages_follow_the_word_index() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    for i in 0..55 {
        raise_about(&t, &uma, &format!("Laptop {i} needs a battery")).await;
    }
    let first = t.get("/api/tickets?q=laptop", &uma).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = t
        .get(&format!("/api/tickets?q=laptop&cursor={cursor}"), &uma)
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        t.get(&format!("/api/tickets?cursor={cursor}"), &uma)
            .await
            .problem(400),
        "/problems/bad-request",
        "a search cursor does not fit the plain list"
    );
}

#[tokio::test]
async fn the_csv_export_follows_the_filters_and_neutralises_formulas() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let fiona = t.login("fulladmin@acme.example").await;
    let first = raise_about(&t, &uma, "=HYPERLINK(\"http://evil.example\",\"click\")").await;
    let second = raise_about(&t, &fiona, "Monitor, flickering \"badly\"").await;
    let staff_note = t
        .call("POST", &format!("/api/tickets/{first}/notes"))
        .cookie(&t.login("tech@northwind.example").await)
        .json(json!({"text": "SECRET internal remark", "internal": true}))
        .send()
        .await;
    assert_eq!(staff_note.status, 201);

    let csv = t.get("/api/tickets/export", &fiona).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{}", csv.text);
    assert!(lines[0].starts_with("\"Number\",\"Summary\""));
    assert!(lines[1].starts_with(&format!(
        "\"{second}\",\"Monitor, flickering \"\"badly\"\"\""
    )));
    assert!(
        lines[2].starts_with(&format!(
            "\"{first}\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""
        )),
        "{}",
        lines[2]
    );
    assert!(
        !csv.text.contains("SECRET"),
        "no internal note in an export"
    );

    let own = t.get("/api/tickets/export", &uma).await;
    assert_eq!(own.text.split("\r\n").filter(|l| !l.is_empty()).count(), 2);
    assert!(
        !own.text.contains("Monitor"),
        "own-only users export only theirs"
    );
    let searched = t.get("/api/tickets/export?q=monitor", &fiona).await;
    assert_eq!(searched.text.matches("Monitor").count(), 1);
    let closed = t.get("/api/tickets/export?tab=closed", &fiona).await;
    assert_eq!(
        closed.text.split("\r\n").filter(|l| !l.is_empty()).count(),
        1
    );

    let staff = t
        .get(
            "/api/tickets/export",
            &t.login("tech@northwind.example").await,
        )
        .await;
    assert!(staff.text.starts_with("\"Number\",\"Company\""));
    assert!(staff.text.contains("\"acme-dental\""));
    assert_eq!(
        t.get(
            "/api/tickets/export?company=acme-dental",
            &t.login("user@globex.example").await
        )
        .await
        .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        t.get("/api/tickets/export?tab=all", &fiona)
            .await
            .problem(400),
        "/problems/bad-request"
    );
    assert_eq!(
        t.get(
            "/api/tickets/export",
            &t.login("readonly@acme.example").await
        )
        .await
        .text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .count(),
        1
    );
}

// ---- attachments ---------------------------------------------------------------------------------

/// Ask for an upload; the grant.
async fn grant(t: &TestApp, cookie: &str, number: u64, body: Value) -> portal_tests::Answer {
    t.call("POST", &format!("/api/tickets/{number}/uploads"))
        .cookie(cookie)
        .json(body)
        .send()
        .await
}

async fn confirm(t: &TestApp, cookie: &str, number: u64, token: &Value) -> portal_tests::Answer {
    t.call("POST", &format!("/api/tickets/{number}/attachments"))
        .cookie(cookie)
        .json(json!({ "token": token }))
        .send()
        .await
}

/// Upload a file the whole way; the confirm's answer.
async fn attach(
    t: &TestApp,
    cookie: &str,
    number: u64,
    name: &str,
    bytes: &[u8],
    internal: bool,
) -> portal_tests::Answer {
    let g = grant(
        t,
        cookie,
        number,
        json!({"file_name": name, "content_type": "text/plain", "size": bytes.len(), "internal": internal}),
    )
    .await;
    assert_eq!(g.status, 201, "{}", g.text);
    assert!(post_file(&g.body, "text/plain", bytes.to_vec()).await < 300);
    confirm(t, cookie, number, &g.body["token"]).await
}

#[tokio::test]
async fn files_are_listed_after_a_confirmed_upload_and_downloaded_as_attachments() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let number = raised(&t, &uma).await;
    let g = grant(
        &t,
        &uma,
        number,
        json!({"file_name": "C:\\scans\\error.txt", "content_type": "text/plain", "size": 11}),
    )
    .await;
    assert_eq!(g.status, 201, "{}", g.text);
    assert_eq!(g.body["max_bytes"], 25 * 1024 * 1024);
    let fields = &g.body["upload"]["fields"];
    let key = fields["key"].as_str().unwrap();
    assert!(
        key.starts_with(&format!("pending/acme-dental/tickets/{number}/")),
        "uploads wait under pending/ until confirmed: {key}"
    );
    assert_eq!(fields["Content-Type"], "text/plain");
    assert!(
        t.get(&format!("/api/tickets/{number}"), &uma).await.body["attachments"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing listed before the confirm"
    );
    // Confirming before the upload arrives: refused, nothing written.
    let early = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!(early.problem(422), "/problems/validation", "{}", early.text);
    assert!(post_file(&g.body, "text/plain", b"hello world".to_vec()).await < 300);
    let done = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.body["file_name"], "error.txt");
    assert_eq!(done.body["size"], 11);
    let again = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!((again.status, &again.body["id"]), (200, &done.body["id"]));

    let detail = t.get(&format!("/api/tickets/{number}"), &uma).await;
    let listed = detail.body["attachments"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    let id = listed[0]["id"].as_str().unwrap();
    let download = t
        .get(&format!("/api/tickets/{number}/attachments/{id}"), &uma)
        .await;
    assert_eq!(download.status, 303, "{}", download.text);
    let location = download.headers["location"].to_str().unwrap();
    assert!(location.contains("X-Amz-Signature"), "{location}");
    assert!(!location.to_ascii_lowercase().contains("x-amzn-trace-id"));
    let file = reqwest::get(location).await.unwrap();
    assert_eq!(
        file.headers()["content-disposition"],
        "attachment; filename=\"error.txt\"; filename*=UTF-8''error.txt"
    );
    assert_eq!(file.text().await.unwrap(), "hello world");
    // The confirm moved the file out of the presigned POST's reach: posting again (the form is
    // still valid) lands in pending/ and changes nothing anyone downloads.
    assert!(post_file(&g.body, "text/plain", b"HELLO WORLD".to_vec()).await < 300);
    let again = t
        .get(&format!("/api/tickets/{number}/attachments/{id}"), &uma)
        .await;
    let location = again.headers["location"].to_str().unwrap();
    assert_eq!(
        reqwest::get(location).await.unwrap().text().await.unwrap(),
        "hello world"
    );

    // Colleagues who see the company's tickets see it; other companies get 404.
    let fiona = t.login("fulladmin@acme.example").await;
    assert_eq!(
        t.get(&format!("/api/tickets/{number}/attachments/{id}"), &fiona)
            .await
            .status,
        303
    );
    let gus = t.login("fulladmin@globex.example").await;
    for path in [
        format!("/api/tickets/{number}/attachments/{id}"),
        format!("/api/tickets/{number}/attachments/nope"),
    ] {
        assert_eq!(t.get(&path, &gus).await.problem(404), "/problems/not-found");
    }
    // What is not an attachment id names no file, and never reaches a key: too long for one, a
    // `#` that would leave the attachment's range, the id in capitals.
    for bad in ["a".repeat(2000), format!("X%23A%23{id}"), id.to_uppercase()] {
        let path = format!("/api/tickets/{number}/attachments/{bad}");
        assert_eq!(
            t.get(&path, &fiona).await.problem(404),
            "/problems/not-found"
        );
    }
    assert_eq!(
        grant(&t, &gus, number, json!({"file_name": "a.txt", "size": 1}))
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        confirm(&t, &gus, number, &g.body["token"])
            .await
            .problem(404),
        "/problems/not-found"
    );
}

#[tokio::test]
async fn internal_files_are_staff_only_and_bad_uploads_write_nothing() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let number = raised(&t, &uma).await;
    let public = attach(&t, &tech, number, "fix.txt", b"steps", false).await;
    assert_eq!(public.status, 201, "{}", public.text);
    assert_eq!(public.body["from_msp"], true);
    let internal = attach(&t, &tech, number, "SECRET-notes.txt", b"internal", true).await;
    assert_eq!(internal.status, 201, "{}", internal.text);
    let secret_id = internal.body["id"].as_str().unwrap();

    let staff_view = t.get(&format!("/api/tickets/{number}"), &tech).await;
    assert_eq!(staff_view.body["attachments"].as_array().unwrap().len(), 2);
    for email in ["user@acme.example", "fulladmin@acme.example"] {
        let cookie = t.login(email).await;
        let view = t.get(&format!("/api/tickets/{number}"), &cookie).await;
        assert_eq!(view.body["attachments"].as_array().unwrap().len(), 1);
        assert!(!view.text.contains("SECRET"), "{email}");
        assert_eq!(
            t.get(
                &format!("/api/tickets/{number}/attachments/{secret_id}"),
                &cookie
            )
            .await
            .problem(404),
            "/problems/not-found"
        );
    }
    assert_eq!(
        grant(
            &t,
            &uma,
            number,
            json!({"file_name": "a.txt", "size": 1, "internal": true})
        )
        .await
        .problem(403),
        "/problems/forbidden"
    );
    assert_eq!(
        grant(
            &t,
            &t.login("readonly@acme.example").await,
            number,
            json!({"file_name": "a.txt", "size": 1})
        )
        .await
        .problem(403),
        "/problems/forbidden"
    );

    // Bad requests for an upload.
    for (body, field) in [
        (json!({"file_name": "", "size": 1}), "file_name"),
        (json!({"file_name": "a.txt", "size": 0}), "size"),
        (
            json!({"file_name": "a.txt", "size": 26 * 1024 * 1024}),
            "size",
        ),
        (
            json!({"file_name": "a.txt", "size": 1, "content_type": "nonsense"}),
            "content_type",
        ),
        // Only documents, images (not SVG), text, archives and mail; a type must fit the name.
        (json!({"file_name": "logo.svg", "size": 1}), "file_name"),
        (json!({"file_name": "setup.exe", "size": 1}), "file_name"),
        (
            json!({"file_name": "page.html", "size": 1, "content_type": "text/html"}),
            "file_name",
        ),
        (json!({"file_name": "README", "size": 1}), "file_name"),
        (
            json!({"file_name": "invoice.pdf", "size": 1, "content_type": "text/html"}),
            "content_type",
        ),
    ] {
        let answer = grant(&t, &uma, number, body.clone()).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{body}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{body}");
    }

    // A forged or foreign token, and an upload of the wrong size.
    assert_eq!(
        confirm(&t, &uma, number, &json!("forged.token"))
            .await
            .problem(400),
        "/problems/bad-request"
    );
    let g = grant(
        &t,
        &uma,
        number,
        json!({"file_name": "big.txt", "content_type": "text/plain", "size": 5}),
    )
    .await;
    let other = raised(&t, &uma).await;
    assert_eq!(
        confirm(&t, &uma, other, &g.body["token"])
            .await
            .problem(400),
        "/problems/bad-request",
        "a token is for its ticket only"
    );
    assert_eq!(
        confirm(
            &t,
            &t.login("fulladmin@acme.example").await,
            number,
            &g.body["token"]
        )
        .await
        .problem(400),
        "/problems/bad-request",
        "and for its uploader only"
    );
    assert!(post_file(&g.body, "text/plain", b"much more than five".to_vec()).await < 300);
    let wrong = confirm(&t, &uma, number, &g.body["token"]).await;
    assert_eq!(wrong.problem(422), "/problems/validation");
    let key = g.body["upload"]["fields"]["key"].as_str().unwrap();
    assert!(
        t.s3()
            .head_object()
            .bucket(&t.app.config.table_name)
            .key(key)
            .send()
            .await
            .is_err(),
        "the wrong upload was removed"
    );
    // An expired token.
    let late = grant(
        &t,
        &uma,
        number,
        json!({"file_name": "late.txt", "content_type": "text/plain", "size": 4}),
    )
    .await;
    assert!(post_file(&late.body, "text/plain", b"late".to_vec()).await < 300);
    t.clock.advance(time::Duration::hours(2));
    // (Two idle hours ended the sessions too: the same people sign in again.)
    let (uma, tech) = (
        t.login("user@acme.example").await,
        t.login("tech@northwind.example").await,
    );
    assert_eq!(
        confirm(&t, &uma, number, &late.body["token"])
            .await
            .problem(400),
        "/problems/bad-request"
    );
    let view = t.get(&format!("/api/tickets/{number}"), &uma).await;
    assert_eq!(
        view.body["attachments"].as_array().unwrap().len(),
        1,
        "nothing written by any refused confirm"
    );

    // Closed tickets take no files.
    let closed = patch(
        &t,
        &tech,
        number,
        json!({"status": "resolved", "note": "Replaced the cable; it works again.", "version": view.body["ticket"]["version"]}),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(
        grant(&t, &uma, number, json!({"file_name": "a.txt", "size": 1}))
            .await
            .problem(409),
        "/problems/ticket-closed"
    );
}

// ---- email -------------------------------------------------------------------------------------

#[tokio::test]
async fn emails_go_to_support_and_the_contact_and_never_carry_internal_notes() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let number = raised(&t, &uma).await;
    let note = |cookie: String, text: &'static str, internal: bool| {
        let t = &t;
        async move {
            let a = t
                .call("POST", &format!("/api/tickets/{number}/notes"))
                .cookie(&cookie)
                .json(json!({"text": text, "internal": internal}))
                .send()
                .await;
            assert_eq!(a.status, 201, "{}", a.text);
        }
    };
    note(uma.clone(), "It jams on A3 paper too.", false).await;
    note(tech.clone(), "SECRET: the fuser is worn, order one.", true).await;
    note(
        tech.clone(),
        "We will replace the fuser on Thursday.",
        false,
    )
    .await;
    let version =
        t.get(&format!("/api/tickets/{number}"), &tech).await.body["ticket"]["version"].clone();
    assert_eq!(
        patch(
            &t,
            &tech,
            number,
            json!({"status": "scheduled", "version": version})
        )
        .await
        .status,
        200
    );
    // The contact's own change sends them nothing.
    let version =
        t.get(&format!("/api/tickets/{number}"), &uma).await.body["ticket"]["version"].clone();
    assert_eq!(
        patch(
            &t,
            &uma,
            number,
            json!({"status": "cancelled", "note": "No longer needed.", "version": version})
        )
        .await
        .status,
        200
    );

    let mail = t.mail().await;
    let summary: Vec<(String, String)> = mail
        .iter()
        .map(|m| {
            (
                m["destinations"]["ToAddresses"][0]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let n = number;
    assert_eq!(
        summary,
        [
            (
                portal_tests::SUPPORT_EMAIL.to_owned(),
                format!("New ticket #{n} from Acme Dental: Printer in reception jams")
            ),
            (
                "user@acme.example".to_owned(),
                format!("Ticket #{n} received: Printer in reception jams")
            ),
            (
                portal_tests::SUPPORT_EMAIL.to_owned(),
                format!("Ticket #{n} – note from Uma User")
            ),
            (
                "user@acme.example".to_owned(),
                format!("Ticket #{n} – reply from Theo Technician")
            ),
            (
                "user@acme.example".to_owned(),
                format!("Ticket #{n} is now Scheduled")
            ),
            // The client's cancellation: the MSP hears of it.
            (
                portal_tests::SUPPORT_EMAIL.to_owned(),
                format!("Ticket #{n} cancelled by Acme Dental")
            ),
        ],
        "{mail:#?}"
    );
    assert!(
        mail[1]["body"].as_str().unwrap().starts_with(&format!(
            "We received your ticket: #{n} (Printer in reception jams)."
        )),
        "{}",
        mail[1]["body"]
    );
    assert!(
        mail[5]["body"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Uma User (Acme Dental) cancelled ticket #{n}")),
        "{}",
        mail[5]["body"]
    );
    for m in &mail {
        let body = m["body"].as_str().unwrap();
        assert!(
            !body.contains("SECRET"),
            "an internal note was mailed: {body}"
        );
        assert!(
            body.contains(&format!(
                "{}/tickets/view/?number={n}",
                portal_tests::ORIGIN
            )),
            "{body}"
        );
    }
    assert!(
        mail[3]["body"]
            .as_str()
            .unwrap()
            .contains("replace the fuser on Thursday")
    );
}

#[tokio::test]
async fn a_ticket_raised_for_a_colleague_confirms_to_them_as_their_preferences_say() {
    let t = TestApp::new().await;
    let tomas = t.login("ticketmanager@acme.example").await;
    let uma_id = portal_admin::seed::demo_user_id("user@acme.example").to_string();
    let mut body = new_ticket();
    body["contact_id"] = json!(uma_id);
    let raised = t.post("/api/tickets", &tomas, body.clone()).await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let n = raised.body["number"].as_u64().unwrap();
    let to_uma: Vec<Value> = t
        .mail()
        .await
        .into_iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == "user@acme.example")
        .collect();
    assert_eq!(to_uma.len(), 1);
    assert_eq!(
        to_uma[0]["subject"],
        format!(
            "Ticket #{n} received: {}",
            body["summary"].as_str().unwrap()
        )
    );
    assert!(
        to_uma[0]["body"]
            .as_str()
            .unwrap()
            .starts_with("Tomas Manning raised a ticket for you: ")
    );
    // Uma turns confirmations off: the next one raised for her sends her nothing.
    let uma = t.login("user@acme.example").await;
    let me = t.get("/api/me", &uma).await.body;
    let mut notify = me["user"]["notify"].clone();
    assert_eq!(notify["ticket_confirmations"], true, "on unless turned off");
    notify["ticket_confirmations"] = json!(false);
    let saved = t.patch("/api/me", &uma, json!({"notify": notify})).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(t.post("/api/tickets", &tomas, body).await.status, 201);
    let after = t
        .mail()
        .await
        .into_iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == "user@acme.example")
        .count();
    assert_eq!(after, 1, "no second confirmation");
}

#[tokio::test]
async fn pickers_list_active_people_of_a_company_the_caller_may_name() {
    let t = TestApp::new().await;
    let names = |a: portal_tests::Answer| -> Vec<String> {
        assert_eq!(a.status, 200, "{}", a.text);
        a.body
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let tomas = t.login("ticketmanager@acme.example").await;
    let acme = names(t.get("/api/tickets/people", &tomas).await);
    assert_eq!(acme.len(), 5);
    assert!(acme.contains(&"Uma User".to_owned()));
    let tech = t.login("tech@northwind.example").await;
    assert_eq!(
        names(t.get("/api/tickets/people", &tech).await),
        ["Nadia Admin", "Theo Technician"]
    );
    assert_eq!(
        names(
            t.get("/api/tickets/people?company=globex-logistics", &tech)
                .await
        )
        .len(),
        2
    );
    assert_eq!(
        t.get("/api/tickets/people?company=globex-logistics", &tomas)
            .await
            .problem(404),
        "/problems/not-found"
    );
    for email in ["user@acme.example", "billing@acme.example"] {
        assert_eq!(
            t.get("/api/tickets/people", &t.login(email).await)
                .await
                .problem(403),
            "/problems/forbidden",
            "{email}"
        );
    }
}

#[tokio::test]
async fn demo_tickets_are_seeded_once_with_consistent_counts() {
    let t = TestApp::new().await;
    let files = portal_admin::seed::seed_tickets(&t.app.store, t.app.now())
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert!(
        portal_admin::seed::seed_tickets(&t.app.store, t.app.now())
            .await
            .unwrap()
            .is_empty(),
        "a second run adds nothing"
    );
    let fiona = t.login("fulladmin@acme.example").await;
    let open = numbers(&t, "/api/tickets", &fiona).await;
    let closed = numbers(&t, "/api/tickets?tab=closed", &fiona).await;
    assert!(open.len() >= 4 && closed.len() >= 15, "{open:?} {closed:?}");
    let stats = t.get("/api/tickets/stats", &fiona).await;
    assert_eq!(stats.body["open"], open.len());
    let per_month: u64 = stats.body["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["created"].as_u64().unwrap())
        .sum();
    assert_eq!(per_month as usize, open.len() + closed.len());
    let tech = t.login("tech@northwind.example").await;
    let queue = numbers(&t, "/api/tickets?assignee=none", &tech).await;
    assert_eq!(queue.len(), 1);
    let jam = numbers(&t, "/api/tickets?q=paper+jam+none", &tech).await;
    assert_eq!(jam.len(), 1);
    let with_file = t.get(&format!("/api/tickets/{}", jam[0]), &tech).await;
    assert!(
        with_file.body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["internal"] == true)
    );
    assert_eq!(
        with_file.body["attachments"][0]["file_name"],
        "printer-log.txt"
    );
    assert_eq!(
        files[0].bytes.len() as u64,
        with_file.body["attachments"][0]["size"].as_u64().unwrap()
    );
}

// ---- every ticket endpoint × every role ---------------------------------------------------------

#[tokio::test]
async fn every_ticket_endpoint_answers_each_role_as_the_role_table_says() {
    let t = TestApp::new().await;
    let cookies = sign_in_everyone(&t).await;
    let uma = &cookies[6];
    // Uma's ticket at Acme Dental, with one file.
    let number = raised(&t, uma).await;
    let file = attach(&t, uma, number, "log.txt", b"log", false).await;
    let file_id = file.body["id"].as_str().unwrap().to_owned();
    let token = grant(
        &t,
        uma,
        number,
        json!({"file_name": "b.txt", "content_type": "text/plain", "size": 1}),
    )
    .await
    .body["token"]
        .clone();

    let n = number;
    //                                               nadia theo fiona tomas bella rory  uma  gus  gu
    let get = |path: String| {
        let t = &t;
        async move |c: &str| t.get(&path, c).await
    };
    expect(
        "GET /api/tickets/{n}",
        each(&cookies, get(format!("/api/tickets/{n}"))).await,
        [200, 200, 200, 200, 404, 404, 200, 404, 404],
    );
    let note = async |c: &str| {
        t.call("POST", &format!("/api/tickets/{n}/notes"))
            .cookie(c)
            .json(json!({"text": "x"}))
            .send()
            .await
    };
    expect(
        "POST notes",
        each(&cookies, note).await,
        [201, 201, 201, 201, 404, 403, 201, 404, 404],
    );
    let upload = async |c: &str| grant(&t, c, n, json!({"file_name": "a.txt", "size": 1})).await;
    expect(
        "POST uploads",
        each(&cookies, upload).await,
        [201, 201, 201, 201, 404, 403, 201, 404, 404],
    );
    // Uma's token, never uploaded: hers is a 422 (nothing arrived); others' is not theirs (400).
    expect(
        "POST attachments",
        each(&cookies, async |c: &str| confirm(&t, c, n, &token).await).await,
        [400, 400, 400, 400, 404, 403, 422, 404, 404],
    );
    expect(
        "GET attachment",
        each(
            &cookies,
            get(format!("/api/tickets/{n}/attachments/{file_id}")),
        )
        .await,
        [303, 303, 303, 303, 404, 404, 303, 404, 404],
    );
    expect(
        "PATCH (stale version)",
        each(&cookies, async |c: &str| {
            patch(&t, c, n, json!({"version": 0})).await
        })
        .await,
        [409, 409, 409, 409, 404, 403, 409, 404, 404],
    );
    expect(
        "POST /api/tickets",
        each(&cookies, async |c: &str| {
            t.post("/api/tickets", c, new_ticket()).await
        })
        .await,
        [422, 422, 201, 201, 201, 403, 201, 201, 201],
    );

    for (path, want) in [
        (
            "/api/tickets",
            [200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/tickets/export",
            [200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/tickets?company=acme-dental",
            [200, 200, 200, 200, 200, 200, 200, 404, 404],
        ),
        (
            "/api/tickets/export?company=acme-dental",
            [200, 200, 200, 200, 200, 200, 200, 404, 404],
        ),
        (
            "/api/tickets/stats",
            [404, 404, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/tickets/stats?company=acme-dental",
            [200, 200, 200, 200, 200, 200, 200, 404, 404],
        ),
        (
            "/api/tickets/people",
            [200, 200, 200, 200, 403, 403, 403, 200, 403],
        ),
        (
            "/api/tickets/people?company=acme-dental",
            [200, 200, 200, 200, 403, 403, 403, 404, 403],
        ),
        (
            "/api/tickets/settings",
            [200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
    ] {
        expect(path, each(&cookies, get(path.to_owned())).await, want);
    }
    // Nothing of Acme's leaked into Globex's export. A client's export has no company column, so
    // the ticket numbers are compared: Globex's rows are Globex's tickets, none of them Acme's.
    let numbers = |csv: &str| -> Vec<u64> {
        csv.lines()
            .skip(1)
            .filter_map(|row| row.split(',').next()?.trim_matches('"').parse().ok())
            .collect()
    };
    let acme = numbers(&t.get("/api/tickets/export", &cookies[2]).await.text);
    let globex = numbers(&t.get("/api/tickets/export", &cookies[7]).await.text);
    assert!(
        acme.contains(&n),
        "Uma's ticket is in Acme's export: {acme:?}"
    );
    assert!(!globex.is_empty(), "Globex's demo tickets are exported");
    assert!(
        globex.iter().all(|number| !acme.contains(number)),
        "Globex {globex:?}, Acme {acme:?}"
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_raises_one_ticket() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let send = |cookie: &str, key: &str| {
        t.call("POST", "/api/tickets")
            .cookie(cookie)
            .header("idempotency-key", key)
            .json(new_ticket())
            .send()
    };
    let first = send(&uma, "form-1").await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = send(&uma, "form-1").await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["number"], first.body["number"]);
    assert_eq!(ticket_items(&t, "acme-dental").await, 1, "one ticket");
    let stats = t.get("/api/tickets/stats", &uma).await;
    assert_eq!(stats.body["open"], 1, "counted once");
    // The key is the user's: a colleague's same key is another ticket, and so is a new key.
    let fiona = t.login("fulladmin@acme.example").await;
    let other = send(&fiona, "form-1").await;
    assert_ne!(other.body["number"], first.body["number"]);
    assert_ne!(
        send(&uma, "form-2").await.body["number"],
        first.body["number"]
    );
    assert_eq!(
        send(&uma, "bad key with spaces").await.problem(400),
        "/problems/bad-request"
    );
    assert_eq!(ticket_items(&t, "acme-dental").await, 3);
}
