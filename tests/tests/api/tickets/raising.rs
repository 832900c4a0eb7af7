//! Raising tickets, reading them back, notes: who may, for whom, what each role sees.

use super::*;

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
