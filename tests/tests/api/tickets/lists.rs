//! Ticket lists, search and the CSV export: each role sees exactly what it may.

use super::*;

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
    let crashes = raise_described(
        &t,
        &uma,
        "Email trouble",
        "Outlook 365 crashes whenever I open an attachment.",
    )
    .await;

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
    // Words of the description find a ticket too, alone or with the summary's.
    assert_eq!(
        numbers(&t, "/api/tickets?q=attach", &fiona).await,
        [crashes]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=outlook", &uma).await,
        [crashes, outlook]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=email+crashes", &uma).await,
        [crashes]
    );
    assert_eq!(
        numbers(&t, "/api/tickets?q=attach", &gus).await,
        Vec::<u64>::new(),
        "another company's never"
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
