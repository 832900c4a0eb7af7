//! Status, priority and technician changes, and the counts kept on write.

use super::*;

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
