//! One's own account: profile, preferences, password and sessions, changes sent at once.

use super::*;

/// Quick changes of one's own account land together, whichever request reads the user first: a
/// theme chosen and then another at once, or the name changed in another tab meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn my_account_changes_sent_at_once_all_land() {
    let t = TestApp::new().await;
    let here = t.login("user@acme.example").await;
    let changes = [
        json!({"theme": "dark"}),
        json!({"name": "Uma Changed"}),
        json!({"phone": "+1 555 0101"}),
        json!({"notify": {"ticket_replies": false, "status_changes": true, "invoices": true, "ticket_confirmations": true}}),
    ];
    let sent = changes
        .iter()
        .map(|change| t.patch("/api/me", &here, change.clone()));
    let answers = futures::future::join_all(sent).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    let user = t.get("/api/me", &here).await.body["user"].clone();
    assert_eq!(
        (&user["theme"], &user["name"], &user["phone"]),
        (&json!("dark"), &json!("Uma Changed"), &json!("+1 555 0101"))
    );
    assert_eq!(user["notify"]["ticket_replies"], false);
    let admin = t.login(ACME_ADMIN).await;
    let entries = trail(&t, "acme-dental", &admin, "?action=profile_updated").await;
    assert_eq!(entries.len(), changes.len(), "one audit entry per change");
}

#[tokio::test]
async fn my_account_edits_profile_preferences_password_and_sessions() {
    let t = TestApp::new().await;
    let email = "user@acme.example";
    let here = t.login(email).await;
    let there = t.login(email).await;
    let changed = t.patch("/api/me", &here, json!({"name": "Uma U. User", "phone": "+44 20 7946 0000",
        "mobile": "07700 900000", "theme": "dark", "notify": {"ticket_replies": false, "status_changes": true, "invoices": false, "ticket_confirmations": false}})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["user"]["theme"], "dark");
    assert_eq!(changed.body["user"]["notify"]["ticket_replies"], false);
    assert_eq!(
        changed.body["user"]["notify"]["ticket_confirmations"],
        false
    );
    assert_eq!(
        t.patch("/api/me", &here, json!({"phone": "call me"}))
            .await
            .status,
        422
    );
    assert_eq!(
        t.patch("/api/me", &here, json!({"name": ""})).await.status,
        422
    );
    assert_eq!(
        t.patch("/api/me", &here, json!({"role": "full_admin"}))
            .await
            .status,
        400
    );
    assert_eq!(
        t.get("/api/me", &here).await.body["user"]["name"],
        "Uma U. User"
    );
    // Opted out of confirmations and reply emails: her ticket and a technician's reply send her none.
    let raised = t
        .post(
            "/api/tickets",
            &here,
            json!({"summary": "Quiet please", "description": "x",
        "request_type": "Problem", "priority": "low"}),
        )
        .await;
    let number = raised.body["number"].as_u64().unwrap();
    let tech = t.login("tech@northwind.example").await;
    t.post(
        &format!("/api/tickets/{number}/notes"),
        &tech,
        json!({"text": "On it"}),
    )
    .await;
    assert!(
        t.mail()
            .await
            .iter()
            .all(|m| m["destinations"]["ToAddresses"][0] != email)
    );

    let sessions = t.get("/api/me/sessions", &here).await;
    assert_eq!(sessions.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        sessions.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["current"] == true)
            .count(),
        1
    );
    // Change password: the current one is checked, the rules apply, other sessions end.
    let change = |current: &'static str, new: &'static str| {
        let (t, here) = (&t, here.clone());
        async move {
            t.post(
                "/api/me/password",
                &here,
                json!({"current_password": current, "new_password": new}),
            )
            .await
        }
    };
    assert_eq!(change("not my password", NEW_PASSWORD).await.status, 422);
    assert_eq!(change(PASSWORD, "qwerty123456").await.status, 422);
    assert_eq!(
        t.get("/api/me", &there).await.status,
        200,
        "nothing changed yet"
    );
    assert_eq!(change(PASSWORD, NEW_PASSWORD).await.status, 204);
    assert_eq!(t.get("/api/me", &there).await.status, 401);
    assert_eq!(
        t.get("/api/me", &here).await.status,
        200,
        "this session lives on"
    );
    // Sign out everywhere else.
    let elsewhere = t
        .try_login(email, NEW_PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    assert_eq!(
        t.post("/api/me/sessions/end-others", &here, json!({}))
            .await
            .status,
        204
    );
    assert_eq!(t.get("/api/me", &elsewhere).await.status, 401);
    assert_eq!(t.get("/api/me", &here).await.status, 200);
    assert_eq!(
        t.get("/api/me/sessions", &here).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let admin = t.login(ACME_ADMIN).await;
    let actions = trail(&t, "acme-dental", &admin, "").await;
    for action in ["profile_updated", "password_changed", "sessions_revoked"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn ending_one_session_ends_that_one_only_and_never_someone_elses() {
    let t = TestApp::new().await;
    let here = t.login("user@acme.example").await;
    let there = t.login("user@acme.example").await;
    let fiona = t.login(ACME_ADMIN).await;
    let ids = |cookie: &str| {
        let t = &t;
        let cookie = cookie.to_owned();
        async move {
            let list = t.get("/api/me/sessions", &cookie).await;
            list.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["id"].as_str().unwrap().to_owned(), s["current"] == true))
                .collect::<Vec<_>>()
        }
    };
    let mine = ids(&here).await;
    assert_eq!(mine.len(), 2, "{mine:?}");
    let other = mine.iter().find(|(_, current)| !current).unwrap().0.clone();
    let fionas = ids(&fiona).await[0].0.clone();
    let end = |cookie: &str, id: &str| {
        t.call("DELETE", &format!("/api/me/sessions/{id}"))
            .cookie(cookie)
            .send()
    };

    // Someone else's session id names nothing of the caller's: 204 ("already gone"), and it lives on.
    assert_eq!(end(&here, &fionas).await.status, 204);
    assert_eq!(t.get("/api/me", &fiona).await.status, 200);
    // Not a session id at all.
    assert_eq!(
        end(&here, "not%20an%20id").await.problem(404),
        "/problems/not-found"
    );
    // The other session of the caller's ends; this one lives on.
    assert_eq!(end(&here, &other).await.status, 204);
    assert_eq!(t.get("/api/me", &there).await.status, 401);
    assert_eq!(t.get("/api/me", &here).await.status, 200);
    assert_eq!(ids(&here).await.len(), 1);
    assert_eq!(ids(&fiona).await.len(), 1, "Fiona's session untouched");
    // Ending it again: already gone.
    assert_eq!(end(&here, &other).await.status, 204);
}
