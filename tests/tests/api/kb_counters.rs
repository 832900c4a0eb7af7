//! What readers do with knowledge base articles, counted exactly once (votes per user,
//! deflections per user and day, under replays and races), the pins and the home page's most
//! useful, and articles' images reaching only the article's readers.

use portal_tests::files::post_file;
use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::{Value, json};

async fn write(tech: &SignedIn<'_>, title: &str, visibility: &str, companies: &[&str]) -> Value {
    let made = tech
        .post(
            "/api/kb/articles",
            json!({"title": title, "category": "Help", "body": format!("{title} explained."),
                   "visibility": visibility, "companies": companies}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.body
}

async fn publish(tech: &SignedIn<'_>, made: &Value) -> String {
    let id = made["id"].as_str().unwrap().to_owned();
    let done = tech
        .put(
            &format!("/api/kb/articles/{id}/status"),
            json!({"status": "published", "version": made["version"]}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    id
}

async fn stats(tech: &SignedIn<'_>, id: &str) -> Value {
    tech.get(&format!("/api/kb/articles/{id}")).await.body["staff"]["stats"].clone()
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn votes_count_once_per_user_even_at_once() {
    let t = TestApp::new().await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let made = write(&tech, "Map a network drive", "all_clients", &[]).await;
    let id = publish(&tech, &made).await;
    let path = format!("/api/kb/articles/{id}/vote");
    let acme = t.signed_in(DemoUser::AcmeUser).await;
    let globex = t.signed_in(DemoUser::GlobexUser).await;
    // The same answer eight times at once counts once.
    let same =
        futures::future::join_all((0..8).map(|_| acme.put(&path, json!({"helpful": true})))).await;
    assert!(
        same.iter().all(|a| a.status == 200),
        "{:?}",
        same.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    // Two users at once both count.
    let (a, b) = futures::join!(
        globex.put(&path, json!({"helpful": true})),
        tech.put(&path, json!({"helpful": false}))
    );
    assert_eq!((a.status, b.status), (200, 200));
    let s = stats(&tech, &id).await;
    assert_eq!(
        (s["helpful"].as_u64(), s["unhelpful"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    // A changed answer moves the count; the page shows the user's answer.
    acme.put(&path, json!({"helpful": false})).await;
    let s = stats(&tech, &id).await;
    assert_eq!(
        (s["helpful"].as_u64(), s["unhelpful"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        acme.get(&format!("/api/kb/articles/{id}")).await.body["my_vote"],
        false
    );
    assert_eq!(
        globex.get(&format!("/api/kb/articles/{id}")).await.body["my_vote"],
        true
    );
    // Bad answers and unread articles change nothing.
    acme.put(&path, json!({"helpful": "yes"}))
        .await
        .problem(400);
    acme.put(&path, json!({})).await.problem(400);
    let internal = write(&tech, "Internal runbook", "internal", &[]).await;
    let internal_id = internal["id"].as_str().unwrap();
    acme.put(
        &format!("/api/kb/articles/{internal_id}/vote"),
        json!({"helpful": true}),
    )
    .await
    .problem(404);
    assert_eq!(stats(&tech, internal_id).await["helpful"], 0);
    assert_eq!(stats(&tech, &id).await, s);
}

#[tokio::test]
async fn deflections_count_once_per_user_and_day_and_rank_the_most_useful() {
    let t = TestApp::new().await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let mut ids = Vec::new();
    for title in [
        "Outlook search",
        "Teams audio",
        "Printer toner",
        "Wi-Fi guest",
        "VPN",
        "Backups",
    ] {
        let made = write(&tech, title, "all_clients", &[]).await;
        ids.push(publish(&tech, &made).await);
    }
    let acme_only = write(&tech, "Acme PACS viewer", "companies", &["acme-dental"]).await;
    let acme_only = publish(&tech, &acme_only).await;
    let acme = t.signed_in(DemoUser::AcmeUser).await;
    let globex = t.signed_in(DemoUser::GlobexUser).await;
    let deflect = |id: &str| format!("/api/kb/articles/{id}/deflections");
    // Replayed at once: one deflection.
    let sent =
        futures::future::join_all((0..6).map(|_| acme.call("POST", &deflect(&ids[1])).send()))
            .await;
    assert!(sent.iter().all(|a| a.status == 204));
    assert_eq!(stats(&tech, &ids[1]).await["deflections"], 1);
    // Another day counts again; staff do not deflect; unread articles are 404.
    t.clock.advance(time::Duration::days(1));
    let acme = t.signed_in(DemoUser::AcmeUser).await;
    let globex = {
        drop(globex);
        t.signed_in(DemoUser::GlobexUser).await
    };
    let tech = t.signed_in(DemoUser::Technician).await;
    assert_eq!(
        acme.call("POST", &deflect(&ids[1])).send().await.status,
        204
    );
    assert_eq!(stats(&tech, &ids[1]).await["deflections"], 2);
    tech.call("POST", &deflect(&ids[1]))
        .send()
        .await
        .problem(403);
    globex
        .call("POST", &deflect(&acme_only))
        .send()
        .await
        .problem(404);

    // The most useful: pinned first, then yes votes and deflections less no votes; a company's
    // own articles rank among them for that company only.
    acme.put(
        &format!("/api/kb/articles/{}/vote", ids[2]),
        json!({"helpful": true}),
    )
    .await;
    acme.put(
        &format!("/api/kb/articles/{acme_only}/vote"),
        json!({"helpful": true}),
    )
    .await;
    let acme_admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    acme_admin
        .put(
            &format!("/api/kb/articles/{acme_only}/vote"),
            json!({"helpful": true}),
        )
        .await;
    globex
        .put(
            &format!("/api/kb/articles/{acme_only}/vote"),
            json!({"helpful": true}),
        )
        .await
        .problem(404);
    acme.put(
        &format!("/api/kb/articles/{acme_only}/deflections"),
        json!({}),
    )
    .await
    .problem(405);
    acme.call("POST", &deflect(&acme_only)).send().await;
    acme.put(
        &format!("/api/kb/articles/{}/vote", ids[0]),
        json!({"helpful": false}),
    )
    .await;
    let pinned = tech
        .put(
            &format!("/api/kb/articles/{}/pin", ids[5]),
            json!({"pinned": true}),
        )
        .await;
    assert_eq!(pinned.body, json!({"pinned": true}));
    let top = acme.get("/api/kb/top").await;
    let top = titles(&top.body);
    assert_eq!(top.len(), 5);
    assert_eq!(
        &top[..3],
        ["Backups", "Acme PACS viewer", "Teams audio"],
        "{top:?}"
    );
    assert_eq!(top[3], "Printer toner");
    assert!(
        !top.contains(&"Outlook search"),
        "a no vote ranks it last: {top:?}"
    );
    let theirs = globex.get("/api/kb/top").await;
    let theirs = titles(&theirs.body);
    assert!(
        !theirs.contains(&"Acme PACS viewer") && theirs[0] == "Backups",
        "{theirs:?}"
    );
    // Unpinned, it drops back among the rest.
    tech.put(
        &format!("/api/kb/articles/{}/pin", ids[5]),
        json!({"pinned": false}),
    )
    .await;
    assert_eq!(
        titles(&acme.get("/api/kb/top").await.body)[0],
        "Acme PACS viewer"
    );
    acme_admin
        .put(
            &format!("/api/kb/articles/{}/pin", ids[0]),
            json!({"pinned": true}),
        )
        .await
        .problem(403);
}

#[tokio::test]
async fn images_reach_only_the_articles_readers() {
    let t = TestApp::new().await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let made = write(&tech, "Where the reset button is", "internal", &[]).await;
    let id = made["id"].as_str().unwrap().to_owned();
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n fake image body".to_vec();
    let grant = tech
        .post(
            &format!("/api/kb/articles/{id}/images"),
            json!({"file_name": "button.png", "content_type": "image/png", "size": png.len()}),
        )
        .await;
    assert_eq!(grant.status, 201, "{}", grant.text);
    let path = grant.body["path"].as_str().unwrap().to_owned();
    assert!(path.starts_with(&format!("/api/kb/images/{id}/")), "{path}");
    // Not served before it is confirmed.
    tech.get(&path).await.problem(404);
    assert!(post_file(&grant.body, "image/png", png.clone()).await < 300);
    let confirm = format!("/api/kb/articles/{id}/images/confirm");
    let done = tech
        .post(&confirm, json!({"token": grant.body["token"]}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["path"], path);
    // Confirmed twice: the same.
    assert_eq!(
        tech.post(&confirm, json!({"token": grant.body["token"]}))
            .await
            .body["path"],
        path
    );
    let served = tech.get(&path).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.content_type(), "image/png");
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(served.text, String::from_utf8_lossy(&png));
    // A client reads it only once the article is theirs to read.
    let acme = t.signed_in(DemoUser::AcmeUser).await;
    acme.get(&path).await.problem(404);
    let mut change = json!({"title": "Where the reset button is", "category": "Help",
        "body": format!("![The button]({path})"), "visibility": "all_clients", "version": made["version"]});
    let changed = tech
        .patch(&format!("/api/kb/articles/{id}"), change.take())
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert!(
        changed.body["html"]
            .as_str()
            .unwrap()
            .contains(&format!(r#"<img src="{path}" alt="The button">"#)),
        "{}",
        changed.text
    );
    publish(&tech, &changed.body).await;
    assert_eq!(acme.get(&path).await.status, 200);
    // Other files and names are 404; only images are taken; a client asks for none.
    acme.get(&format!(
        "/api/kb/images/{id}/0123456789abcdef0123456789abcdef.png"
    ))
    .await
    .problem(404);
    acme.get(&format!("/api/kb/images/{id}/button.svg"))
        .await
        .problem(404);
    for (name, kind) in [
        ("drawing.svg", "image/svg+xml"),
        ("notes.txt", "text/plain"),
        ("big.png", "image/png"),
    ] {
        let size = if name == "big.png" {
            6 * 1024 * 1024
        } else {
            10
        };
        let got = tech
            .post(
                &format!("/api/kb/articles/{id}/images"),
                json!({"file_name": name, "content_type": kind, "size": size}),
            )
            .await;
        got.problem(422);
    }
    tech.post(&confirm, json!({"token": "forged"}))
        .await
        .problem(400);
    acme.post(
        &format!("/api/kb/articles/{id}/images"),
        json!({"file_name": "a.png", "content_type": "image/png", "size": 10}),
    )
    .await
    .problem(403);
}
