//! The ticket list's sorts and its summary view (issue 22): by priority, status, due date and
//! contact as well as number and update, in a company's list, a contact's and the MSP's queue; the
//! latest public note on each row, never an internal one.

use crate::tickets::patch;
use portal_tests::TestApp;
use serde_json::{Value, json};

/// Raise a ticket as `cookie` (for `contact`, when given); its number.
async fn raise(
    t: &TestApp,
    cookie: &str,
    summary: &str,
    priority: &str,
    due: Option<&str>,
    contact: Option<&str>,
) -> u64 {
    let mut body = json!({"request_type": "Problem", "summary": summary, "description": "x", "priority": priority});
    if let Some(due) = due {
        body["due_date"] = json!(due);
    }
    if let Some(contact) = contact {
        body["contact_id"] = json!(portal_admin::seed::demo_user_id(contact).to_string());
    }
    let answer = t.post("/api/tickets", cookie, body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body["number"].as_u64().unwrap()
}

async fn listed(t: &TestApp, cookie: &str, query: &str) -> Vec<u64> {
    let answer = t.get(&format!("/api/tickets?{query}"), cookie).await;
    assert_eq!(answer.status, 200, "{query}: {}", answer.text);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_u64().unwrap())
        .collect()
}

fn day(offset: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(offset)).to_string()
}

#[tokio::test]
async fn lists_sort_by_priority_status_due_date_and_contact() {
    let t = TestApp::new().await;
    let fiona = t.login("fulladmin@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let uma = t.login("user@acme.example").await;
    // Contacts: Fiona Fuller, Tomas Manning, Uma User.
    let a = raise(
        &t,
        &fiona,
        "Alpha",
        "low",
        Some(&day(9)),
        Some("user@acme.example"),
    )
    .await;
    let b = raise(&t, &fiona, "Bravo", "critical", None, None).await;
    let c = raise(
        &t,
        &fiona,
        "Charlie",
        "medium",
        Some(&day(2)),
        Some("ticketmanager@acme.example"),
    )
    .await;
    let d = raise(&t, &uma, "Delta", "high", Some(&day(5)), None).await;
    assert_eq!(
        patch(&t, &tech, c, json!({"status": "in_progress", "version": 1}))
            .await
            .status,
        200
    );
    assert_eq!(
        patch(&t, &tech, d, json!({"status": "scheduled", "version": 1}))
            .await
            .status,
        200
    );

    for (cookie, scope) in [(&fiona, ""), (&tech, "company=acme-dental&")] {
        let sorted = async |q: &str| listed(&t, cookie, &format!("{scope}{q}")).await;
        assert_eq!(
            sorted("sort=priority").await,
            [b, d, c, a],
            "most urgent first"
        );
        assert_eq!(sorted("sort=priority&order=asc").await, [a, c, d, b]);
        assert_eq!(
            sorted("sort=status&order=asc").await,
            [a, b, c, d],
            "new, new, in progress, scheduled"
        );
        assert_eq!(
            sorted("sort=due&order=asc").await,
            [c, d, a, b],
            "none last"
        );
        assert_eq!(
            sorted("sort=contact&order=asc").await,
            [b, c, a, d],
            "Fiona, Tomas, Uma (by number)"
        );
        // A filter applies to the sorted list too.
        assert_eq!(sorted("sort=priority&status=new").await, [b, a]);
        assert_eq!(sorted("sort=due&order=asc&priority=high").await, [d]);
    }
    // The MSP's queue across companies, and one contact's own list.
    let gus = t.login("fulladmin@globex.example").await;
    let g = raise(&t, &gus, "Globex", "critical", Some(&day(1)), None).await;
    assert_eq!(
        listed(&t, &tech, "sort=due&order=asc").await[..3],
        [g, c, d]
    );
    assert_eq!(
        listed(&t, &tech, "sort=priority").await[..2],
        [g, b],
        "critical first (newest first among equals)"
    );
    assert_eq!(
        listed(&t, &uma, "sort=priority").await,
        [d, a],
        "Uma's own: high, low"
    );
    assert_eq!(listed(&t, &uma, "sort=due&order=asc").await, [d, a]);
    // Moving a ticket moves its sorted rows: closed, it leaves the open tab's sorts.
    let v = t.get(&format!("/api/tickets/{b}"), &tech).await.body["ticket"]["version"].clone();
    let close = json!({"status": "closed", "version": v});
    assert_eq!(patch(&t, &tech, b, close).await.status, 200);
    assert_eq!(listed(&t, &fiona, "sort=priority").await, [d, c, a]);
    assert_eq!(listed(&t, &fiona, "sort=priority&tab=closed").await, [b]);
    // Unknown sorts are refused.
    assert_eq!(t.get("/api/tickets?sort=colour", &fiona).await.status, 400);
}

#[tokio::test]
async fn rows_carry_the_latest_public_note_and_the_task_count_never_an_internal_note() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let n = raise(&t, &uma, "Summary view", "low", None, None).await;
    let note = |cookie: &str, body: Value| {
        let path = format!("/api/tickets/{n}/notes");
        let cookie = cookie.to_owned();
        let t = &t;
        async move { t.post(&path, &cookie, body).await }
    };
    assert_eq!(
        note(&tech, json!({"text": "We will swap it on Friday."}))
            .await
            .status,
        201
    );
    assert_eq!(
        note(
            &tech,
            json!({"text": "INTERNAL: spare in van 2", "internal": true})
        )
        .await
        .status,
        201
    );
    t.post(
        &format!("/api/tickets/{n}/tasks"),
        &tech,
        json!({"text": "Swap"}),
    )
    .await;
    for cookie in [&uma, &tech] {
        let list = t.get("/api/tickets", cookie).await;
        let row = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["number"] == n)
            .unwrap()
            .clone();
        assert_eq!(row["last_note"]["text"], "We will swap it on Friday.");
        assert_eq!(row["last_note"]["author_name"], "Theo Technician");
        assert_eq!(
            (row["tasks_done"].as_u64(), row["tasks_total"].as_u64()),
            (Some(0), Some(1))
        );
        assert!(
            !list.text.contains("INTERNAL"),
            "no internal note in any list"
        );
    }
    // A status change's note is the latest too.
    let v = t.get(&format!("/api/tickets/{n}"), &uma).await.body["ticket"]["version"].clone();
    let cancel = json!({"status": "cancelled", "note": "Sorted it myself.", "version": v});
    assert_eq!(patch(&t, &uma, n, cancel).await.status, 200);
    let closed = t.get("/api/tickets?tab=closed", &uma).await;
    assert_eq!(
        closed.body["items"][0]["last_note"]["text"],
        "Sorted it myself."
    );
}

#[tokio::test]
async fn reindexing_writes_the_sort_rows_and_words_of_tickets_that_predate_them() {
    let t = TestApp::new().await;
    let fiona = t.login("fulladmin@acme.example").await;
    let low = raise(&t, &fiona, "Old low", "low", None, None).await;
    let high = raise(&t, &fiona, "Old high", "high", None, None).await;
    // As a table written before the sort rows and the indexed words: the tickets without them.
    for item in t.items_in("CO#acme-dental").await {
        if item["sk"]
            .as_s()
            .is_ok_and(|sk| sk.starts_with("TSORT#") || sk.starts_with("TW#"))
        {
            t.app
                .store
                .db
                .delete_item()
                .table_name(&t.app.store.table)
                .key("pk", item["pk"].clone())
                .key("sk", item["sk"].clone())
                .send()
                .await
                .expect("delete");
        }
    }
    assert!(listed(&t, &fiona, "sort=priority").await.is_empty());
    assert!(listed(&t, &fiona, "q=old").await.is_empty(), "no words");
    assert_eq!(
        listed(&t, &fiona, "").await,
        [high, low],
        "the ticket's own lists are whole"
    );
    let company = portal::domain::CompanyId::parse("acme-dental").unwrap();
    assert_eq!(t.app.store.reindex_tickets(&company).await.unwrap(), 2);
    assert_eq!(listed(&t, &fiona, "sort=priority").await, [high, low]);
    assert_eq!(listed(&t, &fiona, "q=old").await, [high, low]);
    assert_eq!(
        t.app.store.reindex_tickets(&company).await.unwrap(),
        2,
        "again: the same"
    );
    assert_eq!(
        listed(&t, &fiona, "sort=priority&order=asc").await,
        [low, high]
    );
}
