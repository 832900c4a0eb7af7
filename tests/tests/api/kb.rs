//! The knowledge base: staff write, publish and keep revisions; each client reads only the
//! published articles shown to every client or to their company (listed, searched, suggested,
//! served: the rest is a 404); votes and deflections count once, under replays and races; images
//! reach only the article's readers; bad input writes nothing.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::{Value, json};

/// An article's fields, as the editor sends them.
fn article(title: &str, category: &str, visibility: &str, companies: &[&str], body: &str) -> Value {
    json!({"title": title, "category": category, "tags": ["how-to"], "body": body,
           "visibility": visibility, "companies": companies})
}

/// Write and publish an article as `who` (staff); its id.
async fn published(who: &SignedIn<'_>, fields: Value) -> String {
    let made = who.post("/api/kb/articles", fields).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let done = who
        .put(
            &format!("/api/kb/articles/{id}/status"),
            json!({"status": "published", "version": made.body["version"]}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    id
}

fn titles(list: &Value) -> Vec<String> {
    let items = list.get("items").unwrap_or(list);
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The four kinds of article: for every client, for Acme by name, internal, and a draft.
struct Four {
    everyone: String,
    acme: String,
    internal: String,
    draft: String,
}

async fn four(tech: &SignedIn<'_>) -> Four {
    let everyone = published(
        tech,
        article(
            "Printer offline on Windows",
            "Printing",
            "all_clients",
            &[],
            "Restart the **print spooler**, then check the printer's cable.",
        ),
    )
    .await;
    let acme = published(
        tech,
        article(
            "Acme imaging printer setup",
            "Printing",
            "companies",
            &["acme-dental"],
            "The x-ray printer in room 2 uses the imaging driver.",
        ),
    )
    .await;
    let internal = published(
        tech,
        article(
            "Printer admin passwords rotation",
            "Runbooks",
            "internal",
            &[],
            "Rotate the printer admin passwords every quarter.",
        ),
    )
    .await;
    let draft = tech
        .post(
            "/api/kb/articles",
            article(
                "Printer driver rollout",
                "Printing",
                "all_clients",
                &[],
                "Not ready yet.",
            ),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    Four {
        everyone,
        acme,
        internal,
        draft: draft.body["id"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn each_client_reads_only_what_is_published_for_them() {
    let t = TestApp::new().await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let a = four(&tech).await;
    let cookies = sign_in_everyone(&t).await;
    for (id, want) in [
        (&a.everyone, [200; 9]),
        (&a.acme, [200, 200, 200, 200, 200, 200, 200, 404, 404]),
        (&a.internal, [200, 200, 404, 404, 404, 404, 404, 404, 404]),
        (&a.draft, [200, 200, 404, 404, 404, 404, 404, 404, 404]),
    ] {
        let path = format!("/api/kb/articles/{id}");
        expect(
            &path,
            each(&cookies, async |c| t.get(&path, c).await).await,
            want,
        );
    }
    let acme = t.signed_in(DemoUser::AcmeUser).await;
    let globex = t.signed_in(DemoUser::GlobexUser).await;
    // A client's view names no other company, and has no editor's fields.
    let seen = acme.get(&format!("/api/kb/articles/{}", a.acme)).await;
    assert!(
        seen.body.get("staff").is_none() && seen.body.get("companies").is_none(),
        "{}",
        seen.text
    );
    assert!(
        seen.body["html"]
            .as_str()
            .unwrap()
            .contains("x-ray printer")
    );
    let staff_view = tech.get(&format!("/api/kb/articles/{}", a.acme)).await;
    assert_eq!(
        staff_view.body["staff"]["companies"],
        json!(["acme-dental"])
    );

    // Lists, by category and all.
    let all = acme.get("/api/kb/articles").await;
    assert_eq!(
        titles(&all.body),
        ["Acme imaging printer setup", "Printer offline on Windows"]
    );
    assert_eq!(
        titles(&globex.get("/api/kb/articles").await.body),
        ["Printer offline on Windows"]
    );
    assert_eq!(
        titles(&tech.get("/api/kb/articles?category=printing").await.body),
        [
            "Acme imaging printer setup",
            "Printer driver rollout",
            "Printer offline on Windows"
        ]
    );
    let staff_rows = tech.get("/api/kb/articles").await;
    assert_eq!(staff_rows.body["items"].as_array().unwrap().len(), 4);
    assert!(staff_rows.body["items"][0]["stats"].is_object());
    assert!(all.body["items"][0].get("stats").is_none());
    // Categories: a client counts only what it reads.
    let cats = acme.get("/api/kb/categories").await;
    assert_eq!(cats.body, json!([{"name": "Printing", "articles": 2}]));
    let cats = globex.get("/api/kb/categories").await;
    assert_eq!(cats.body, json!([{"name": "Printing", "articles": 1}]));
    let cats = tech.get("/api/kb/categories").await;
    assert_eq!(
        cats.body,
        json!([{"name": "Printing", "articles": 3}, {"name": "Runbooks", "articles": 1}])
    );

    // Search and suggestions never reach past what the reader reads.
    for (who, want) in [
        (
            &acme,
            vec!["Acme imaging printer setup", "Printer offline on Windows"],
        ),
        (&globex, vec!["Printer offline on Windows"]),
        (
            &tech,
            vec![
                "Acme imaging printer setup",
                "Printer admin passwords rotation",
                "Printer driver rollout",
                "Printer offline on Windows",
            ],
        ),
    ] {
        let found = who.get("/api/kb/articles?q=PRINT").await;
        assert_eq!(titles(&found.body), want, "{:?}", who.user);
    }
    assert_eq!(
        titles(&acme.get("/api/kb/articles?q=printer%20spool").await.body),
        ["Printer offline on Windows"],
        "every word must match (the body's telling words are indexed)"
    );
    assert!(titles(&acme.get("/api/kb/articles?q=passwords").await.body).is_empty());
    let suggested = globex
        .get("/api/kb/suggestions?q=The%20printer%20is%20offline%20again")
        .await;
    assert_eq!(titles(&suggested.body), ["Printer offline on Windows"]);
    let suggested = acme.get("/api/kb/suggestions?q=imaging%20printer").await;
    assert_eq!(
        titles(&suggested.body)[0],
        "Acme imaging printer setup",
        "the most words matched first"
    );
    assert!(titles(&acme.get("/api/kb/suggestions?q=rotation").await.body).is_empty());

    // Unpublished, it leaves every client's lists, search and pages at once.
    let version = staff_view.body["staff"]["version"].clone();
    let back = tech
        .put(
            &format!("/api/kb/articles/{}/status", a.acme),
            json!({"status": "draft", "version": version}),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(
        acme.get(&format!("/api/kb/articles/{}", a.acme))
            .await
            .status,
        404
    );
    assert_eq!(
        titles(&acme.get("/api/kb/articles?q=imaging").await.body),
        Vec::<String>::new()
    );
    assert_eq!(
        acme.get("/api/kb/categories").await.body,
        json!([{"name": "Printing", "articles": 1}])
    );
}

#[tokio::test]
async fn only_staff_write_and_bad_input_writes_nothing() {
    let t = TestApp::new().await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let id = published(
        &tech,
        article(
            "VPN setup",
            "Remote work",
            "all_clients",
            &[],
            "Install the client.",
        ),
    )
    .await;
    let cookies = sign_in_everyone(&t).await;
    let body = article("X", "Y", "internal", &[], "Z");
    let got = each(&cookies, async |c| {
        t.post("/api/kb/articles", c, body.clone()).await
    })
    .await;
    expect(
        "POST /api/kb/articles",
        got,
        [201, 201, 403, 403, 403, 403, 403, 403, 403],
    );
    for (path, method, body) in [
        (format!("/api/kb/articles/{id}"), "PATCH", json!({})),
        (
            format!("/api/kb/articles/{id}/status"),
            "PUT",
            json!({"status": "draft", "version": 99}),
        ),
        (
            format!("/api/kb/articles/{id}/pin"),
            "PUT",
            json!({"pinned": true}),
        ),
        (format!("/api/kb/articles/{id}/images"), "POST", json!({})),
    ] {
        let acme = t.signed_in(DemoUser::AcmeFullAdmin).await;
        let got = acme.call(method, &path).json(body).send().await;
        got.problem(403);
    }
    let revisions = format!("/api/kb/articles/{id}/revisions");
    expect(
        &revisions,
        each(&cookies, async |c| t.get(&revisions, c).await).await,
        [200, 200, 403, 403, 403, 403, 403, 403, 403],
    );

    let before = tech.get(&format!("/api/kb/articles/{id}")).await;
    let staff_list = tech.get("/api/kb/articles").await;
    // Field by field, every problem named at once.
    let bad = tech
        .post(
            "/api/kb/articles",
            json!({"title": " ", "category": "", "tags": ["x".repeat(31)], "body": "",
                   "visibility": "companies", "companies": []}),
        )
        .await;
    bad.problem(422);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "category", "tags", "body", "companies"]);
    for (body, field) in [
        (
            article("T", "C", "companies", &["no-such-company"], "B"),
            "companies",
        ),
        (
            article("T", "C", "companies", &["northwind-it"], "B"),
            "companies",
        ),
        (
            article(
                "T",
                "C",
                "companies",
                &(0..21)
                    .map(|i| format!("c{i}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                "B",
            ),
            "companies",
        ),
        (
            article("T", "C", "internal", &["acme-dental"], "B"),
            "companies",
        ),
        (
            article(&"t".repeat(201), "C", "internal", &[], "B"),
            "title",
        ),
        (
            article("T", "C", "internal", &[], &"b".repeat(50_001)),
            "body",
        ),
    ] {
        let got = tech.post("/api/kb/articles", body).await;
        got.problem(422);
        assert_eq!(got.body["errors"][0]["field"], field, "{}", got.text);
    }
    for raw in [
        json!({"title": "T", "category": "C", "body": "B", "visibility": "everyone"}),
        json!({"title": "T", "category": "C", "body": "B", "visibility": "internal", "html": "<b>"}),
    ] {
        tech.post("/api/kb/articles", raw).await.problem(400);
    }
    let mut change = article(
        "VPN setup v2",
        "Remote work",
        "all_clients",
        &[],
        "New text.",
    );
    change["version"] = json!(0);
    tech.patch(&format!("/api/kb/articles/{id}"), change.clone())
        .await
        .problem(409);
    change.as_object_mut().unwrap().remove("version");
    tech.patch(&format!("/api/kb/articles/{id}"), change)
        .await
        .problem(422);
    tech.patch(
        "/api/kb/articles/nope",
        article("T", "C", "internal", &[], "B"),
    )
    .await
    .problem(422);
    let mut missing = article("T", "C", "internal", &[], "B");
    missing["version"] = json!(1);
    tech.patch("/api/kb/articles/nope", missing)
        .await
        .problem(404);
    tech.put(
        &format!("/api/kb/articles/{id}/status"),
        json!({"status": "archived", "version": 2}),
    )
    .await
    .problem(400);
    tech.get(&format!("/api/kb/articles/{id}/revisions/7"))
        .await
        .problem(404);
    assert_eq!(
        tech.get(&format!("/api/kb/articles/{id}")).await.body,
        before.body
    );
    assert_eq!(
        titles(&tech.get("/api/kb/articles").await.body),
        titles(&staff_list.body),
        "nothing written by the refusals"
    );
}

#[tokio::test]
async fn changes_keep_revisions_and_rendering_is_sanitised() {
    let t = TestApp::new().await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let made = tech
        .post(
            "/api/kb/articles",
            article(
                "Reset your password",
                "Accounts",
                "all_clients",
                &[],
                "Go to [the portal](/account/).\n\n<script>alert(1)</script>\
                 <img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n\
                 <p style=\"background:url(javascript:alert(1))\">styled</p>",
            ),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let html = made.body["html"].as_str().unwrap();
    for bad in ["<script", "onerror", "javascript:", "style=", "alert"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains(r#"<a href="/account/" rel="noopener noreferrer">the portal</a>"#),
        "{html}"
    );
    let id = made.body["id"].as_str().unwrap();
    let mut change = article(
        "Reset your password",
        "Accounts",
        "all_clients",
        &[],
        "Use **Forgot password** on the sign-in page.",
    );
    change["version"] = made.body["version"].clone();
    let changed = tech
        .patch(&format!("/api/kb/articles/{id}"), change.clone())
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["revision"], 2);
    // The same content again is no new revision.
    change["version"] = changed.body["version"].clone();
    let same = tech.patch(&format!("/api/kb/articles/{id}"), change).await;
    assert_eq!(same.body["revision"], 2);
    let list = tech.get(&format!("/api/kb/articles/{id}/revisions")).await;
    let revisions: Vec<u64> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(revisions, [2, 1]);
    let first = tech
        .get(&format!("/api/kb/articles/{id}/revisions/1"))
        .await;
    assert!(
        first.body["body"]
            .as_str()
            .unwrap()
            .starts_with("Go to [the portal]")
    );
    assert_eq!(first.body["saved_by"], "Theo Technician");
    // Published, the change is what clients read; the old words leave the index.
    published_now(&tech, id).await;
    let acme = t.signed_in(DemoUser::AcmeUser).await;
    let page = acme.get(&format!("/api/kb/articles/{id}")).await;
    assert!(
        page.body["html"]
            .as_str()
            .unwrap()
            .contains("<strong>Forgot password</strong>")
    );
    assert_eq!(
        titles(&acme.get("/api/kb/articles?q=forgot").await.body),
        ["Reset your password"]
    );
    assert!(titles(&acme.get("/api/kb/articles?q=portal").await.body).is_empty());
    // A retried create (same Idempotency-Key) answers the first article, even at once.
    let body = article("Once", "Accounts", "internal", &[], "Only one.");
    let tries = futures_join(&tech, body).await;
    let ids: std::collections::HashSet<String> = tries
        .iter()
        .map(|a| a.body["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1);
    let mut statuses: Vec<u16> = tries.iter().map(|a| a.status).collect();
    statuses.sort();
    assert_eq!(statuses[0], 200);
    assert!(statuses.iter().filter(|s| **s == 201).count() <= 1);
    assert_eq!(
        titles(&tech.get("/api/kb/articles?q=once").await.body),
        ["Once"]
    );
}

async fn published_now(tech: &SignedIn<'_>, id: &str) {
    let now = tech.get(&format!("/api/kb/articles/{id}")).await;
    let done = tech
        .put(
            &format!("/api/kb/articles/{id}/status"),
            json!({"status": "published", "version": now.body["staff"]["version"]}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
}

/// Four creates with one Idempotency-Key at once.
async fn futures_join(tech: &SignedIn<'_>, body: Value) -> Vec<portal_tests::Answer> {
    let send = || {
        tech.call("POST", "/api/kb/articles")
            .header("idempotency-key", "kb-once-1")
            .json(body.clone())
            .send()
    };
    futures::future::join_all((0..4).map(|_| send())).await
}
