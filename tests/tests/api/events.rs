//! Real API Gateway HTTP API events (payload format 2.0), as Lambda hands them to a function, through
//! the runtime's own conversion (`lambda_http::request::from_str`), of requests CloudFront forwarded:
//! the client's address comes from `cloudfront-viewer-address` (the request context's is CloudFront's
//! edge), the session cookie from the event's `cookies`, the query from `rawQueryString`. The other
//! tests build requests by hand; these pin what AWS really sends.

use portal_tests::{Answer, PASSWORD, TestApp};

fn event(template: &str, replace: &[(&str, &str)]) -> lambda_http::Request {
    let json = replace
        .iter()
        .fold(template.to_owned(), |json, (from, to)| {
            json.replace(from, to)
        });
    lambda_http::request::from_str(&json).expect("an API Gateway v2 event")
}

#[tokio::test]
async fn api_gateway_v2_events_carry_the_source_ip_cookies_and_query_string() {
    let t = TestApp::new().await;
    portal_admin::seed::seed_tickets(&t.app.store, t.app.now())
        .await
        .unwrap();

    // Sign in: the session and the audit entry record the viewer's address (not the edge's) and
    // browser.
    let login = event(
        include_str!("../data/apigw_v2_login.json"),
        &[("PASSWORD", PASSWORD)],
    );
    let answer = Answer::from(auth::handle(&t.app, login).await);
    assert_eq!(answer.status, 204, "{}", answer.text);
    let cookie = answer.session_cookie().expect("a session cookie");
    let acme = t.items_in("CO#acme-dental").await;
    let session = acme
        .iter()
        .find(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("SESSION#")))
        .expect("a session item");
    assert_eq!(session["source_ip"].as_s().unwrap(), "203.0.113.7");
    assert!(session["user_agent"].as_s().unwrap().contains("Safari"));
    let signed_in = acme
        .iter()
        .find(|i| i.get("action").and_then(|a| a.as_s().ok()) == Some(&"sign_in".to_owned()))
        .expect("a sign-in audit entry");
    assert_eq!(signed_in["source_ip"].as_s().unwrap(), "203.0.113.7");

    // A list: the cookie arrives in `cookies` (with another cookie), the filters in the raw query
    // string, and the answer is gzipped because the event accepts it.
    let list = event(
        include_str!("../data/apigw_v2_ticket_list.json"),
        &[("COOKIE", &cookie)],
    );
    let answer = Answer::from(tickets::handle(&t.app, list).await);
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.header("content-encoding"), Some("gzip"));
    let items = answer.body["items"].as_array().expect("items");
    assert!(!items.is_empty(), "the demo user has closed tickets");
    let user = portal_admin::seed::demo_user_id("user@acme.example").to_string();
    let mut updated = Vec::new();
    for ticket in items {
        assert!(
            ["resolved", "closed", "cancelled"].contains(&ticket["status"].as_str().unwrap()),
            "tab=closed: {ticket}"
        );
        assert_eq!(ticket["contact_id"], user.as_str(), "a standard user's own");
        updated.push(
            time::OffsetDateTime::parse(
                ticket["updated_at"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap(),
        );
    }
    let mut sorted = updated.clone();
    sorted.sort();
    assert_eq!(updated, sorted, "sort=updated&order=asc");
}
