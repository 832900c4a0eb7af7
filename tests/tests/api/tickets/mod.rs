//! Ticket API tests over the real `tickets` handler against moto_server, by subject; the helpers the
//! other ticket suites share.

use portal::domain::tickets::{Ticket, TicketSettings, TicketStatus};
use portal_tests::files::post_file;
use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, TestApp};
use serde_json::{Value, json};

pub(crate) const STAFF_ADMIN: &str = "admin@northwind.example";
/// Every demo user's email, in `DemoUser::ALL` order.
pub(crate) fn everyone() -> [&'static str; 9] {
    DemoUser::ALL.map(DemoUser::email)
}

mod attachments;
mod changes;
mod email;
mod lists;
mod raising;
mod roles;
mod settings;

pub(crate) fn new_ticket() -> Value {
    json!({
        "request_type": "Problem",
        "summary": "Printer in reception jams",
        "description": "Every second page jams since Monday.",
        "priority": "medium",
    })
}

/// Raise the standard test ticket; its number.
pub(crate) async fn raised(t: &TestApp, cookie: &str) -> u64 {
    let answer = t.post("/api/tickets", cookie, new_ticket()).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json::<Ticket>().number
}

pub(crate) async fn ticket_items(t: &TestApp, company: &str) -> usize {
    t.items_in(&format!("CO#{company}"))
        .await
        .iter()
        .filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("TICKET#")))
        .count()
}

pub(crate) async fn numbers(t: &TestApp, path: &str, cookie: &str) -> Vec<u64> {
    let answer = t.get(path, cookie).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect()
}

pub(crate) async fn patch(
    t: &TestApp,
    cookie: &str,
    number: u64,
    body: Value,
) -> portal_tests::Answer {
    t.call("PATCH", &format!("/api/tickets/{number}"))
        .cookie(cookie)
        .json(body)
        .send()
        .await
}

/// Raise a ticket about `summary` (its description names nothing a search looks for); its number.
pub(crate) async fn raise_about(t: &TestApp, cookie: &str, summary: &str) -> u64 {
    raise_described(t, cookie, summary, "See the summary.").await
}

/// Raise a ticket with this summary and description; its number.
pub(crate) async fn raise_described(
    t: &TestApp,
    cookie: &str,
    summary: &str,
    description: &str,
) -> u64 {
    let mut body = new_ticket();
    body["summary"] = json!(summary);
    body["description"] = json!(description);
    let answer = t.post("/api/tickets", cookie, body).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body["number"].as_u64().unwrap()
}

/// Ask for an upload; the grant.
pub(crate) async fn grant(
    t: &TestApp,
    cookie: &str,
    number: u64,
    body: Value,
) -> portal_tests::Answer {
    t.call("POST", &format!("/api/tickets/{number}/uploads"))
        .cookie(cookie)
        .json(body)
        .send()
        .await
}

pub(crate) async fn confirm(
    t: &TestApp,
    cookie: &str,
    number: u64,
    token: &Value,
) -> portal_tests::Answer {
    t.call("POST", &format!("/api/tickets/{number}/attachments"))
        .cookie(cookie)
        .json(json!({ "token": token }))
        .send()
        .await
}

/// Upload a file the whole way; the confirm's answer.
pub(crate) async fn attach(
    t: &TestApp,
    cookie: &str,
    number: u64,
    name: &str,
    bytes: &[u8],
    internal: bool,
) -> portal_tests::Answer {
    let g = grant(
        t,
        cookie,
        number,
        json!({"file_name": name, "content_type": "text/plain", "size": bytes.len(), "internal": internal}),
    )
    .await;
    assert_eq!(g.status, 201, "{}", g.text);
    assert!(post_file(&g.body, "text/plain", bytes.to_vec()).await < 300);
    confirm(t, cookie, number, &g.body["token"]).await
}
