//! Every ticket endpoint against every role; a retried create raises one ticket.

use super::*;

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
