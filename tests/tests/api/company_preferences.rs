//! Company preferences for client Full Admins (issue 22): the company's profile and its new users'
//! email preferences, and which colleagues see every ticket of the company; what the MSP keeps is
//! refused — over the real `accounts` handler against moto_server.

use portal_tests::TestApp;
use serde_json::{Value, json};

const PREFS: &str = "/api/companies/acme-dental/preferences";

fn user_path(email: &str) -> String {
    format!(
        "/api/companies/acme-dental/users/{}",
        portal_admin::seed::demo_user_id(email)
    )
}

async fn company(t: &TestApp, cookie: &str) -> Value {
    t.get("/api/companies/acme-dental", cookie).await.body
}

#[tokio::test]
async fn full_admins_keep_their_company_profile_and_new_users_email_preferences() {
    let t = TestApp::new().await;
    let fiona = t.login("fulladmin@acme.example").await;
    let v = company(&t, &fiona).await["version"].clone();
    let before = company(&t, &fiona).await;
    // Refused, nothing changed: other roles, another company, what the MSP keeps, bad values.
    let tomas = t.login("ticketmanager@acme.example").await;
    assert_eq!(
        t.patch(PREFS, &tomas, json!({"phone": "1", "version": v}))
            .await
            .problem(403),
        "/problems/forbidden"
    );
    let gus = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.patch(PREFS, &gus, json!({"phone": "1", "version": v}))
            .await
            .status,
        404
    );
    for kept in [
        json!({"tax_rate_bp": 0, "version": v}),
        json!({"name": "Acme", "version": v}),
        json!({"mfa_required": false, "version": v}),
    ] {
        assert_eq!(
            t.patch(PREFS, &fiona, kept.clone()).await.problem(400),
            "/problems/bad-request",
            "{kept}"
        );
    }
    assert_eq!(
        t.patch(PREFS, &fiona, json!({"time_zone": "london", "version": v}))
            .await
            .problem(422),
        "/problems/validation"
    );
    assert_eq!(
        t.patch(
            PREFS,
            &fiona,
            json!({"billing_email": "not mail", "version": v})
        )
        .await
        .status,
        422
    );
    assert_eq!(
        t.patch(
            PREFS,
            &fiona,
            json!({"phone": "+1 555 0111", "version": 999})
        )
        .await
        .problem(409),
        "/problems/conflict"
    );
    assert_eq!(company(&t, &fiona).await, before, "nothing written");

    let quiet = json!({"ticket_confirmations": true, "ticket_replies": true, "status_changes": false,
        "invoices": false, "project_updates": false, "expiry_digest": true, "executive_report": false});
    let saved = t.patch(PREFS, &fiona, json!({
        "address": "1 Elm Street\nSpringfield", "phone": "+1 555 0111", "billing_email": "accounts@acme.example",
        "time_zone": "Europe/London", "default_notify": quiet, "version": v,
    })).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let after = company(&t, &fiona).await;
    assert_eq!(
        (after["time_zone"].as_str(), after["phone"].as_str()),
        (Some("Europe/London"), Some("+1 555 0111"))
    );
    assert_eq!(
        after["tax_rate_bp"], before["tax_rate_bp"],
        "the MSP's settings untouched"
    );
    // A user invited now starts with those preferences.
    let invited = t.post("/api/companies/acme-dental/users", &fiona, json!({"name": "Nell New", "email": "nell@acme.example", "phone": "", "role": "standard_user"})).await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(invited.body["notify"], quiet);
    // MSP admins may change them too.
    let admin = t.login("admin@northwind.example").await;
    let v = after["version"].clone();
    assert_eq!(
        t.patch(PREFS, &admin, json!({"phone": "+1 555 0112", "version": v}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_full_admin_lets_a_colleague_see_every_ticket_of_the_company() {
    let t = TestApp::new().await;
    let fiona = t.login("fulladmin@acme.example").await;
    let uma = t.login("user@acme.example").await;
    let theirs = t.post("/api/tickets", &fiona, json!({"request_type": "Problem", "summary": "Fiona's", "description": "x", "priority": "low"})).await;
    let n = theirs.body["number"].as_u64().unwrap();
    assert_eq!(t.get(&format!("/api/tickets/{n}"), &uma).await.status, 404);
    let set = async |sees: bool| {
        let path = user_path("user@acme.example");
        let v = t.get(&path, &fiona).await.body["version"].clone();
        t.patch(
            &path,
            &fiona,
            json!({"sees_company_tickets": sees, "version": v}),
        )
        .await
    };
    let answer = set(true).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(t.get(&format!("/api/tickets/{n}"), &uma).await.status, 200);
    let me = t.get("/api/me", &uma).await;
    assert!(
        me.body["capabilities"]
            .as_array()
            .unwrap()
            .contains(&json!("view_company_tickets"))
    );
    let listed = t.get("/api/tickets", &uma).await;
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["number"] == n)
    );
    // Back to their own.
    assert_eq!(set(false).await.status, 200);
    assert_eq!(t.get(&format!("/api/tickets/{n}"), &uma).await.status, 404);
    // Staff see everything already; others may not set it.
    let admin = t.login("admin@northwind.example").await;
    let tech = "/api/companies/northwind-it/users/".to_owned()
        + &portal_admin::seed::demo_user_id("tech@northwind.example").to_string();
    let v = t.get(&tech, &admin).await.body["version"].clone();
    assert_eq!(
        t.patch(
            &tech,
            &admin,
            json!({"sees_company_tickets": true, "version": v})
        )
        .await
        .problem(422),
        "/problems/validation"
    );
    let tomas = t.login("ticketmanager@acme.example").await;
    let path = user_path("user@acme.example");
    let v = t.get(&path, &fiona).await.body["version"].clone();
    assert_eq!(
        t.patch(
            &path,
            &tomas,
            json!({"sees_company_tickets": true, "version": v})
        )
        .await
        .status,
        403
    );
}
