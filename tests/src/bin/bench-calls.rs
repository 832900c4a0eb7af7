//! Benchmark (not a test): DynamoDB calls per request for every route, counted by the SDK
//! interceptor, against moto_server. Prints a Markdown table.

use portal_tests::{PASSWORD, TestApp};

#[tokio::main]
async fn main() {
    let t = TestApp::new().await;
    let user_id = portal::seed::demo_user_id("user@acme.example");
    let client = t.login("fulladmin@acme.example").await;
    let staff = t.login("admin@northwind.example").await;
    println!("| route | DynamoDB calls |");
    println!("|---|---|");
    let (calls, a) = t
        .count_calls(t.try_login("user@acme.example", PASSWORD))
        .await;
    println!("| POST /api/auth/login (success, {}) | {calls} |", a.status);
    let (calls, a) = t
        .count_calls(t.try_login("user@acme.example", "wrong password"))
        .await;
    println!(
        "| POST /api/auth/login (wrong password, {}) | {calls} |",
        a.status
    );
    for (path, cookie) in [
        ("/api/me".to_owned(), &client),
        ("/api/companies".to_owned(), &staff),
        ("/api/companies/acme-dental".to_owned(), &client),
        ("/api/companies/acme-dental/users".to_owned(), &client),
        (
            format!("/api/companies/acme-dental/users/{user_id}"),
            &client,
        ),
    ] {
        let (calls, a) = t.count_calls(t.get(&path, cookie)).await;
        let shown = path.replace(user_id.as_str(), "{user_id}");
        println!("| GET {shown} ({}) | {calls} |", a.status);
    }
    let (calls, a) = t
        .count_calls(t.call("POST", "/api/auth/logout").cookie(&client).send())
        .await;
    println!("| POST /api/auth/logout ({}) | {calls} |", a.status);
}
