//! The CSV import: all rows or none, each bad row named by its line, idempotent under retries
//! and races.

use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::json;

use super::{ACME, body, recorded};

const TECH: DemoUser = DemoUser::Technician;

/// `rows` PCs as an RMM exports them (with a column the portal does not know).
fn export(rows: usize) -> String {
    let mut csv = String::from(
        "Device Name,Type,Serial #,Asset Tag,Warranty Expires,Contact,Agent version\r\n",
    );
    for i in 0..rows {
        let contact = if i % 100 == 0 {
            "user@acme.example"
        } else {
            ""
        };
        csv.push_str(&format!(
            "PC-{i:04},Workstation,SN{i:05},TAG{i:05},2028-01-{:02},{contact},7.4\r\n",
            i % 28 + 1
        ));
    }
    csv
}

async fn import(who: &SignedIn<'_>, csv: &str, key: Option<&str>) -> portal_tests::Answer {
    let mut call = who
        .call("POST", &format!("/api/configurations/import{ACME}"))
        .raw(Some("text/csv"), csv.to_owned());
    if let Some(key) = key {
        call = call.header("idempotency-key", key);
    }
    call.send().await
}

async fn count(who: &SignedIn<'_>) -> usize {
    let csv = who.get(&format!("/api/configurations/export{ACME}")).await;
    csv.text.lines().count() - 1
}

#[tokio::test]
async fn a_good_file_is_imported_whole_and_a_retry_answers_the_same() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let csv = export(300);
    let first = import(&tech, &csv, Some("import-1")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(
        first.body,
        json!({"imported": 300, "ignored_columns": ["Agent version"]})
    );
    assert_eq!(count(&tech).await, 300);
    let again = import(&tech, &csv, Some("import-1")).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body, first.body);
    assert_eq!(count(&tech).await, 300, "a retry imports nothing more");
    // The rows are searchable by each field, and their contacts found by email.
    let found = tech
        .get(&format!("/api/configurations{ACME}&serial=sn00042"))
        .await;
    assert_eq!(found.body["items"][0]["name"], "PC-0042");
    assert_eq!(found.body["items"][0]["expires"], "2028-01-15");
    let mine = t.signed_in(DemoUser::AcmeUser).await;
    let theirs = mine.get("/api/configurations").await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 3);
    // Without a key, the same file again is refused row by row: every serial is taken.
    let twice = import(&tech, &csv, None).await;
    assert_eq!(twice.problem(422), "/problems/import-rejected");
    assert_eq!(twice.body["rows"][0]["line"], 2);
    assert_eq!(twice.body["rows"][0]["column"], "serial");
    assert_eq!(
        twice.body["rows"].as_array().unwrap().len(),
        100,
        "at most 100 listed"
    );
    assert!(
        twice.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("300 rows")
    );
    // Only MSP staff import.
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let refused = admin
        .call("POST", "/api/configurations/import")
        .raw(Some("text/csv"), csv.clone())
        .send()
        .await;
    refused.problem(403);
}

#[tokio::test]
async fn a_file_with_any_bad_row_writes_nothing_and_names_each() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    recorded(
        &tech,
        body(
            "Existing",
            "Server",
            serde_json::json!({"serial": "TAKEN-1"}),
        ),
    )
    .await;
    let before = t.all_items().await;
    // A bad date on line 812 of 1,000.
    let mut csv = export(999);
    csv = csv.replace(
        "PC-0810,Workstation,SN00810,TAG00810,2028-01-27",
        "PC-0810,Workstation,SN00810,TAG00810,2028-02-30",
    );
    let bad = import(&tech, &csv, None).await;
    assert_eq!(bad.problem(422), "/problems/import-rejected");
    assert_eq!(
        bad.body["rows"],
        json!([{"line": 812, "column": "expires", "message": "Use a date like 2026-12-31"}])
    );
    // A serial the company has, a serial twice in the file, an unknown contact, an unknown type.
    let csv = "Name,Type,Serial,Contact\n\
               A,Server,taken-1,\n\
               B,Server,X-1,\n\
               C,Server,x-1,\n\
               D,Server,,nobody@acme.example\n\
               E,Toaster,,\n\
               F,Server,,fulladmin@globex.example\n";
    let bad = import(&tech, csv, None).await;
    assert_eq!(bad.problem(422), "/problems/import-rejected");
    let rows: Vec<(u64, String)> = bad.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(u64, String)> = [
        (2, "serial"),
        (4, "serial"),
        (5, "contact"),
        (6, "type"),
        (7, "contact"),
    ]
    .into_iter()
    .map(|(l, c)| (l, c.to_owned()))
    .collect();
    assert_eq!(rows, want, "{}", bad.text);
    // Missing columns, no rows, too many rows, too large, not CSV.
    import(&tech, "Serial,Model\nA,B\n", None)
        .await
        .problem(422);
    import(&tech, "Name,Type\n", None).await.problem(422);
    let many = import(&tech, &export(5_001), None).await;
    assert_eq!(many.problem(422), "/problems/import-rejected");
    assert!(many.text.contains("at most 5000 rows"), "{}", many.text);
    let huge = format!(
        "Name,Type,Notes\n{}",
        format!("A,Server,{}\n", "x".repeat(4_000)).repeat(1_100)
    );
    import(&tech, &huge, None).await.problem(413);
    let json = tech
        .call("POST", &format!("/api/configurations/import{ACME}"))
        .raw(Some("application/json"), "{}".into())
        .send()
        .await;
    json.problem(415);
    let elsewhere = tech
        .call("POST", "/api/configurations/import?company=no-such-co")
        .raw(Some("text/csv"), export(2))
        .send()
        .await;
    elsewhere.problem(404);
    assert_eq!(t.all_items().await, before, "nothing written");
}

#[tokio::test]
async fn the_same_import_sent_twice_at_once_imports_once() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let csv = export(150);
    let (a, b) = tokio::join!(
        import(&tech, &csv, Some("raced")),
        import(&tech, &csv, Some("raced"))
    );
    assert_eq!((a.status, b.status), (201, 201), "{} / {}", a.text, b.text);
    assert_eq!(a.body, b.body);
    assert_eq!(count(&tech).await, 150);
    // Two different imports of one file at once: one wins, the other writes nothing.
    let csv = export(400)
        .replace("PC-", "Other-")
        .replace(",SN", ",ZZ")
        .replace(",TAG", ",YY");
    let (a, b) = tokio::join!(import(&tech, &csv, None), import(&tech, &csv, None));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert!(
        statuses == [201, 409] || statuses == [201, 422],
        "{} / {}",
        a.text,
        b.text
    );
    assert_eq!(count(&tech).await, 550);
}
