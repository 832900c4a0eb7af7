//! The ticket settings: read by everyone, changed by MSP admins, cleaned, versioned, checked.

use super::*;

fn new_settings(version: u64) -> Value {
    json!({
        "request_types": ["Problem", "  Printer  ", "New starter"],
        "client_statuses": ["resolved", "cancelled", "resolved"],
        "reopen_days": 14,
        "attachment_max_mb": 40,
        "version": version,
    })
}

#[tokio::test]
async fn everyone_signed_in_reads_the_ticket_settings_with_defaults_until_saved() {
    let t = TestApp::new().await;
    for user in DemoUser::ALL {
        let answer = t.signed_in(user).await.get("/api/tickets/settings").await;
        assert_eq!(answer.status, 200, "{user:?}");
        let settings: TicketSettings = answer.json();
        assert_eq!(settings.client_statuses, ["resolved", "cancelled"]);
        assert_eq!(settings.statuses.len(), TicketStatus::ALL.len());
        assert_eq!(settings.attachment_max_mb, 25);
        assert_eq!(settings.version, 0);
        assert!(settings.request_types.len() >= 3);
    }
    assert_eq!(
        t.call("GET", "/api/tickets/settings")
            .send()
            .await
            .problem(401),
        "/problems/unauthenticated"
    );
}

#[tokio::test]
async fn only_msp_admins_change_ticket_settings_and_the_change_is_cleaned_and_versioned() {
    let t = TestApp::new().await;
    for email in everyone().iter().filter(|e| **e != STAFF_ADMIN) {
        let cookie = t.login(email).await;
        let answer = t
            .call("PUT", "/api/tickets/settings")
            .cookie(&cookie)
            .json(new_settings(0))
            .send()
            .await;
        assert_eq!(answer.problem(403), "/problems/forbidden", "{email}");
    }
    let admin = t.login(STAFF_ADMIN).await;
    assert_eq!(
        t.get("/api/tickets/settings", &admin).await.body["version"],
        0,
        "refused changes wrote nothing"
    );

    let saved = t
        .call("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .json(new_settings(0))
        .send()
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    // What was left out (statuses, business hours, targets) is the defaults.
    let defaults = serde_json::to_value(TicketSettings::default()).unwrap();
    let expected = json!({
        "request_types": ["Problem", "Printer", "New starter"],
        "statuses": defaults["statuses"],
        "client_statuses": ["resolved", "cancelled"],
        "reopen_days": 14,
        "attachment_max_mb": 40,
        "business_hours": defaults["business_hours"],
        "targets": defaults["targets"],
        "version": 1,
    });
    assert_eq!(saved.body, expected);
    let client = t.login("user@acme.example").await;
    assert_eq!(t.get("/api/tickets/settings", &client).await.body, expected);
}

#[tokio::test]
async fn a_stale_settings_version_is_a_conflict_and_changes_nothing() {
    let t = TestApp::new().await;
    let admin = t.login(STAFF_ADMIN).await;
    assert_eq!(
        t.call("PUT", "/api/tickets/settings")
            .cookie(&admin)
            .json(new_settings(0))
            .send()
            .await
            .status,
        200
    );
    let mut stale = new_settings(0);
    stale["reopen_days"] = json!(3);
    let answer = t
        .call("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .json(stale)
        .send()
        .await;
    assert_eq!(answer.problem(409), "/problems/conflict");
    let now = t.get("/api/tickets/settings", &admin).await;
    assert_eq!(
        (now.body["reopen_days"].clone(), now.body["version"].clone()),
        (json!(14), json!(1))
    );
}

#[tokio::test]
async fn bad_settings_get_clear_problems_and_change_nothing() {
    let t = TestApp::new().await;
    let admin = t.login(STAFF_ADMIN).await;
    let mut cases: Vec<(&str, Value, u16, Option<&str>)> = Vec::new();
    let mut empty = new_settings(0);
    empty["request_types"] = json!(["  ", ""]);
    cases.push(("no request types", empty, 422, Some("request_types")));
    let mut dup = new_settings(0);
    dup["request_types"] = json!(["Printer", "printer"]);
    cases.push(("duplicate request types", dup, 422, Some("request_types")));
    let mut long = new_settings(0);
    long["request_types"] = json!(["x".repeat(61)]);
    cases.push(("long request type", long, 422, Some("request_types")));
    let mut zero = new_settings(0);
    zero["attachment_max_mb"] = json!(0);
    cases.push((
        "no attachments allowed",
        zero,
        422,
        Some("attachment_max_mb"),
    ));
    let mut huge = new_settings(0);
    huge["attachment_max_mb"] = json!(101);
    cases.push(("attachments too big", huge, 422, Some("attachment_max_mb")));
    let mut reopen = new_settings(0);
    reopen["reopen_days"] = json!(366);
    cases.push(("reopen window too long", reopen, 422, Some("reopen_days")));
    let mut negative = new_settings(0);
    negative["reopen_days"] = json!(-1);
    cases.push(("negative days", negative, 400, None));
    let mut status = new_settings(0);
    status["client_statuses"] = json!(["deleted"]);
    cases.push(("unknown status", status, 422, Some("client_statuses")));
    let mut unknown = new_settings(0);
    unknown["colour"] = json!("red");
    cases.push(("unknown field", unknown, 400, None));
    let mut missing = new_settings(0);
    missing.as_object_mut().unwrap().remove("version");
    cases.push(("missing version", missing, 400, None));
    for (what, body, status, field) in cases {
        let answer = t
            .call("PUT", "/api/tickets/settings")
            .cookie(&admin)
            .json(body)
            .send()
            .await;
        answer.problem(status);
        if let Some(field) = field {
            assert_eq!(
                answer.body["errors"][0]["field"], field,
                "{what}: {}",
                answer.text
            );
        }
    }
    let malformed = t
        .call("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .raw_json("{\"request_types\": [".into())
        .send()
        .await;
    malformed.problem(400);
    let cross_site = t
        .call_without_origin("PUT", "/api/tickets/settings")
        .cookie(&admin)
        .json(new_settings(0))
        .send()
        .await;
    assert_eq!(cross_site.problem(403), "/problems/cross-site");
    assert_eq!(
        t.get("/api/tickets/settings", &admin).await.body["version"],
        0,
        "nothing was saved"
    );
}
