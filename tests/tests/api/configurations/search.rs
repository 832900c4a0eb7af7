//! Searching configurations by each field, paging, and the MSP's list of types.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, TestApp};
use serde_json::json;

use super::{ACME, body, day, names, recorded};

const TECH: DemoUser = DemoUser::Technician;

#[tokio::test]
async fn each_search_is_answered_and_pages_follow() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let user = DemoUser::AcmeUser.id();
    recorded(
        &tech,
        body(
            "Server A",
            "Server",
            json!({"serial": "ab-1", "tag": "TAG-1", "model": "T350", "expires": day(10)}),
        ),
    )
    .await;
    recorded(
        &tech,
        body(
            "Server B",
            "Server",
            json!({"serial": "AB-2", "model": "t350", "status": "inactive", "expires": day(-10)}),
        ),
    )
    .await;
    recorded(
        &tech,
        body(
            "Laptop C",
            "Laptop",
            json!({"serial": "AB-3", "contact_id": user.as_str(), "expires": day(100)}),
        ),
    )
    .await;
    recorded(&tech, body("Licence D", "Licence", json!({}))).await;
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let search = async |q: &str| {
        let got = admin.get(&format!("/api/configurations?{q}")).await;
        assert_eq!(got.status, 200, "{q}: {}", got.text);
        names(&got.body)
    };
    assert_eq!(search("q=serv").await, ["Server A", "Server B"]);
    assert_eq!(search("status=inactive").await, ["Server B"]);
    assert_eq!(search("type=SERVER&status=active").await, ["Server A"]);
    assert_eq!(search(&format!("contact={user}")).await, ["Laptop C"]);
    assert_eq!(search("serial=AB-1").await, ["Server A"], "any case");
    assert_eq!(
        search("serial=ab-1&status=inactive").await,
        Vec::<String>::new()
    );
    assert_eq!(search("tag=tag-1").await, ["Server A"]);
    assert_eq!(search("model=T350").await, ["Server A", "Server B"]);
    assert_eq!(
        search(&format!("expires_before={}", day(50))).await,
        ["Server B", "Server A"]
    );
    assert_eq!(
        search(&format!("expires_after={}", day(0))).await,
        ["Server A", "Laptop C"]
    );
    assert_eq!(
        search("sort=expires").await,
        ["Server B", "Server A", "Laptop C", "Licence D"],
        "none last"
    );
    assert_eq!(
        search("sort=expires&order=desc&type=server").await,
        ["Server A", "Server B"]
    );
    assert_eq!(
        search("order=desc").await,
        ["Server B", "Server A", "Licence D", "Laptop C"]
    );
    // Malformed filters are 400s.
    for q in [
        "status=broken",
        "sort=colour",
        "expires_before=31/12/2026",
        "contact=a%20b",
    ] {
        let got = admin.get(&format!("/api/configurations?{q}")).await;
        got.problem(400);
    }

    // Paging: 120 more, read 50 at a time, each once; a cursor of another search is refused.
    let acme = portal::domain::CompanyId::parse("acme-dental").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let more: Vec<_> = (0..120)
        .map(|i| portal::domain::configurations::Configuration {
            id: portal::domain::ConfigurationId::parse(&format!("bulk-{i:03}")).unwrap(),
            company_id: acme.clone(),
            fields: portal::domain::configurations::ConfigurationFields {
                name: format!("Bulk {i:03}"),
                kind: if i % 2 == 0 { "Workstation" } else { "Printer" }.into(),
                status: portal::domain::configurations::ConfigurationStatus::Active,
                manufacturer: String::new(),
                model: String::new(),
                serial: format!("BULK{i}"),
                tag: String::new(),
                contact_id: None,
                location: String::new(),
                purchase_date: None,
                expires: None,
                notes: String::new(),
                internal_notes: String::new(),
            },
            contact_name: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
        .collect();
    t.app.store.load_configurations(&more).await.unwrap();
    let mut seen = Vec::new();
    let mut path = "/api/configurations?q=bulk&type=printer".to_owned();
    loop {
        let page = admin.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seen.extend(names(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/configurations?q=bulk&type=printer&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 60);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "by name, each once");
    let first = admin.get("/api/configurations?q=bulk").await;
    assert_eq!(names(&first.body).len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let wrong = admin
        .get(&format!(
            "/api/configurations?q=bulk&type=printer&cursor={cursor}"
        ))
        .await;
    wrong.problem(400);
    let csv = admin.get("/api/configurations/export?q=bulk").await;
    assert_eq!(csv.text.lines().count(), 121, "every page in the export");
}

#[tokio::test]
async fn the_msp_admin_edits_the_type_list() {
    let t = TestApp::new().await;
    let cookies = sign_in_everyone(&t).await;
    let got = each(&cookies, async |c| {
        t.get("/api/configuration-types", c).await
    })
    .await;
    expect("GET types", got, [200; 9]);
    let tech = t.signed_in(TECH).await;
    let kept = recorded(&tech, body("Old VoIP box", "Other", json!({}))).await;
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let list = admin.get("/api/configuration-types").await;
    assert_eq!(list.body["version"], 0);
    assert!(list.body["types"].as_array().unwrap().len() > 5);
    let saved = tech
        .put(
            "/api/configuration-types",
            json!({"types": ["Server"], "version": 0}),
        )
        .await;
    saved.problem(403);
    let saved = admin
        .put(
            "/api/configuration-types",
            json!({"types": ["Server", " ", "server", "Phone system"], "version": 0}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(
        saved.body,
        json!({"types": ["Server", "Phone system"], "version": 1})
    );
    let stale = admin
        .put(
            "/api/configuration-types",
            json!({"types": ["Server"], "version": 0}),
        )
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    let empty = admin
        .put(
            "/api/configuration-types",
            json!({"types": [" "], "version": 1}),
        )
        .await;
    empty.problem(422);
    // A configuration keeps a retired type; a change must choose one of the list.
    let id = kept["id"].as_str().unwrap();
    let shown = tech.get(&format!("/api/configurations/{id}{ACME}")).await;
    assert_eq!(shown.body["configuration"]["type"], "Other");
    let change = tech
        .patch(
            &format!("/api/configurations/{id}{ACME}"),
            body("Old VoIP box", "Other", json!({"version": 1})),
        )
        .await;
    change.problem(422);
    let change = tech
        .patch(
            &format!("/api/configurations/{id}{ACME}"),
            body("Old VoIP box", "phone system", json!({"version": 1})),
        )
        .await;
    assert_eq!(change.body["type"], "Phone system");
    let by_type = tech
        .get(&format!("/api/configurations{ACME}&type=Phone%20System"))
        .await;
    assert_eq!(names(&by_type.body), ["Old VoIP box"]);
}
