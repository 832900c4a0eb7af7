//! The home page's account overview: what is owed, what is overdue and since when, and what is
//! due next — an overdue invoice is never "next".

use super::*;

#[tokio::test]
async fn overdue_and_next_due_are_two_different_invoices() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let billing = t.login("billing@acme.example").await;
    let overview = async |cookie: &str| {
        let answer = t.get("/api/billing/overview", cookie).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body
    };
    // The demo data may hold Acme invoices already: measure against what is there.
    let before = overview(&billing).await;
    let first = issued(&t, &staff, 10_000).await;
    let now = overview(&billing).await;
    let due = |o: &Value, field: &str| o[field]["label"].as_str().map(str::to_owned);
    // Days pass until every invoice issued today is overdue (payment terms are at most 365 days).
    let days = (time::Date::parse(
        first["due_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap()
        - portal::domain::billing::today(t.app.now()))
    .whole_days();
    assert!(days > 0, "issued invoices are due in the future");
    // The issue email writes the due date as the pages do ("Dec 5, 2026"), not ISO.
    let due_date = time::Date::parse(
        first["due_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    let label = first["label"].as_str().unwrap();
    let mail = t.mail().await;
    let issued_mail = mail
        .iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Invoice {label}:"))
        })
        .expect("the issue email");
    assert!(
        issued_mail["subject"]
            .as_str()
            .unwrap()
            .ends_with(&format!("due {}", portal::domain::display_date(due_date))),
        "{}",
        issued_mail["subject"]
    );
    assert!(
        due(&now, "oldest_overdue") == due(&before, "oldest_overdue"),
        "a new invoice is not overdue"
    );
    t.clock.advance(time::Duration::days(days + 1));
    let staff = t.login(STAFF).await;
    let second = issued(&t, &staff, 5_000).await;
    let billing = t.login("billing@acme.example").await;
    let later = overview(&billing).await;
    let first_label = first["label"].as_str().unwrap();
    assert_ne!(
        due(&later, "next_due").as_deref(),
        Some(first_label),
        "{later}"
    );
    assert_eq!(
        due(&later, "next_due").as_deref(),
        second["label"].as_str(),
        "{later}"
    );
    let late = &later["oldest_overdue"];
    assert!(late.is_object(), "{later}");
    assert!(
        late["due_date"].as_str().unwrap() <= first["due_date"].as_str().unwrap(),
        "the longest overdue: {later}"
    );
    assert!(later["balances"][0]["overdue"].as_i64().unwrap() >= 11_000);
}
