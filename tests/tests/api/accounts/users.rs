//! Users: invitations, password resets, role changes and deactivation, the last Full Admin.

use super::*;

#[tokio::test]
async fn invitations_set_a_password_once_and_refuse_every_bad_token() {
    let t = TestApp::new().await;
    let admin = t.login(ACME_ADMIN).await;
    let invited = invite(&t, &admin, "nina@acme.example", "standard_user").await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(invited.body["status"], "invited");
    let user_id = invited.body["id"].as_str().unwrap().to_owned();
    let token = t.token_mailed_to("nina@acme.example").await;
    assert_eq!(t.try_login("nina@acme.example", "").await.status, 422);
    // The page can show who the invitation is for.
    let look = t
        .post("/api/auth/invitation", "", json!({"token": token}))
        .await;
    assert_eq!(look.status, 200, "{}", look.text);
    assert_eq!(look.body["company_name"], "Acme Dental");

    let accept = |token: String, password: &'static str| {
        let t = &t;
        async move {
            t.post(
                "/api/auth/invitation/accept",
                "",
                json!({"token": token, "password": password}),
            )
            .await
        }
    };
    let (company, user, secret) = {
        let mut p = token.splitn(3, '.');
        (p.next().unwrap(), p.next().unwrap(), p.next().unwrap())
    };
    let other_user = portal_admin::seed::demo_user_id("user@acme.example");
    for bad in [
        format!("{company}.{user}.{}", "0".repeat(64)),
        format!("{company}.{other_user}.{secret}"),
        format!("globex-logistics.{user}.{secret}"),
        "garbage".to_owned(),
        String::new(),
    ] {
        assert_eq!(
            accept(bad.clone(), NEW_PASSWORD).await.problem(400),
            "/problems/invalid-token",
            "{bad}"
        );
    }
    // An invitation is no reset link.
    let as_reset = t
        .post(
            "/api/auth/password-reset/confirm",
            "",
            json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(as_reset.problem(400), "/problems/invalid-token");
    // Password rules: too short, too common; nothing changes.
    let short = accept(token.clone(), "short").await;
    assert_eq!(short.problem(422), "/problems/validation");
    assert_eq!(
        accept(token.clone(), "1qaz2wsx3edc").await.problem(422),
        "/problems/validation"
    );
    let still = t
        .get(
            &format!("/api/companies/acme-dental/users/{user_id}"),
            &admin,
        )
        .await;
    assert_eq!(still.body["status"], "invited");

    assert_eq!(accept(token.clone(), NEW_PASSWORD).await.status, 204);
    assert_eq!(
        accept(token.clone(), "another fine passphrase")
            .await
            .problem(400),
        "/problems/invalid-token",
        "single use"
    );
    assert_eq!(
        t.try_login("nina@acme.example", NEW_PASSWORD).await.status,
        204
    );
    assert_eq!(
        t.try_login("nina@acme.example", "another fine passphrase")
            .await
            .status,
        401
    );
    let users = t
        .get(
            &format!("/api/companies/acme-dental/users/{user_id}"),
            &admin,
        )
        .await;
    assert_eq!(users.body["status"], "active");
    assert!(users.body["last_sign_in_at"].is_string());

    // Expiry, and a resend replaces the old link.
    let second = invite(&t, &admin, "otto@acme.example", "ticket_manager").await;
    let second_id = second.body["id"].as_str().unwrap().to_owned();
    let first_token = t.token_mailed_to("otto@acme.example").await;
    let resend = t
        .post(
            &format!("/api/companies/acme-dental/users/{second_id}/invitation"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(resend.status, 204, "{}", resend.text);
    let fresh_token = t.token_mailed_to("otto@acme.example").await;
    assert_ne!(first_token, fresh_token);
    assert_eq!(
        accept(first_token, NEW_PASSWORD).await.problem(400),
        "/problems/invalid-token",
        "replaced by the resend"
    );
    t.clock.advance(time::Duration::days(8));
    assert_eq!(
        accept(fresh_token, NEW_PASSWORD).await.problem(400),
        "/problems/invalid-token",
        "expired"
    );
    // Resending to someone active is refused.
    let admin = t.login(ACME_ADMIN).await;
    assert_eq!(
        t.post(
            &format!("/api/companies/acme-dental/users/{user_id}/invitation"),
            &admin,
            json!({})
        )
        .await
        .problem(409),
        "/problems/not-invited"
    );
    // An email that already has an account cannot be invited again.
    assert_eq!(
        invite(&t, &admin, "user@globex.example", "standard_user")
            .await
            .problem(409),
        "/problems/email-taken"
    );
    let actions = trail(&t, "acme-dental", &admin, "").await;
    for action in [
        "user_invited",
        "invitation_accepted",
        "invitation_resent",
        "sign_in",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn password_reset_answers_alike_is_single_use_and_ends_every_session() {
    let t = TestApp::new().await;
    let before_a = t.login("user@acme.example").await;
    let before_b = t.login("user@acme.example").await;
    let ask = |email: &'static str| {
        let t = &t;
        async move {
            t.post("/api/auth/password-reset", "", json!({"email": email}))
                .await
        }
    };
    let known = ask("user@acme.example").await;
    let unknown = ask("nobody@acme.example").await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(
        known.text, unknown.text,
        "same answer for known and unknown"
    );
    let mail = t.mail().await;
    assert_eq!(mail.len(), 1, "only the known address gets mail: {mail:#?}");
    let token = t.token_mailed_to("user@acme.example").await;
    let confirm = |token: String, password: &'static str| {
        let t = &t;
        async move {
            t.post(
                "/api/auth/password-reset/confirm",
                "",
                json!({"token": token, "password": password}),
            )
            .await
        }
    };
    assert_eq!(confirm(token.clone(), "password1234").await.status, 422);
    assert_eq!(
        t.get("/api/me", &before_a).await.status,
        200,
        "nothing changed yet"
    );
    assert_eq!(confirm(token.clone(), NEW_PASSWORD).await.status, 204);
    assert_eq!(t.get("/api/me", &before_a).await.status, 401);
    assert_eq!(t.get("/api/me", &before_b).await.status, 401);
    assert_eq!(
        confirm(token, "yet another passphrase").await.problem(400),
        "/problems/invalid-token"
    );
    assert_eq!(t.try_login("user@acme.example", PASSWORD).await.status, 401);
    assert_eq!(
        t.try_login("user@acme.example", NEW_PASSWORD).await.status,
        204
    );
    // Expired after an hour.
    ask("billing@acme.example").await;
    let token = t.token_mailed_to("billing@acme.example").await;
    t.clock.advance(time::Duration::minutes(61));
    assert_eq!(
        confirm(token, NEW_PASSWORD).await.problem(400),
        "/problems/invalid-token"
    );
    // Three emails per address per window; more requests answer the same and send nothing.
    t.clock.advance(time::Duration::minutes(20));
    let sent_before = t.mail().await.len();
    for _ in 0..5 {
        assert_eq!(ask("readonly@acme.example").await.status, 202);
    }
    assert_eq!(t.mail().await.len(), sent_before + 3);
    assert_eq!(
        t.post(
            "/api/auth/password-reset",
            "",
            json!({"email": "not an email"})
        )
        .await
        .status,
        422
    );
    let admin = t.login(ACME_ADMIN).await;
    let actions = trail(&t, "acme-dental", &admin, "").await;
    assert!(
        actions.contains(&"password_reset".to_owned()),
        "{actions:?}"
    );
    assert!(actions.contains(&"password_reset_requested".to_owned()));
}

#[tokio::test]
async fn role_changes_apply_on_the_next_request_and_deactivation_ends_sessions_at_once() {
    let t = TestApp::new().await;
    let admin = t.login(ACME_ADMIN).await;
    let user = t.login("user@acme.example").await;
    let path = user_path("acme-dental", "user@acme.example");
    let current = t.get(&path, &admin).await;
    let version = current.body["version"].as_u64().unwrap();
    assert_eq!(t.get("/api/tickets/people", &user).await.status, 403);
    let promoted = t
        .patch(
            &path,
            &admin,
            json!({"version": version, "role": "ticket_manager"}),
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    let me = t.get("/api/me", &user).await;
    assert_eq!(me.body["user"]["role"], "ticket_manager");
    assert_eq!(t.get("/api/tickets/people", &user).await.status, 200);
    // A stale version is refused and changes nothing.
    let stale = t
        .patch(
            &path,
            &admin,
            json!({"version": version, "role": "standard_user"}),
        )
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    // Roles of the other kind of company, unknown fields, bad phones: 4xx, nothing written.
    let version = promoted.body["version"].as_u64().unwrap();
    for bad in [
        json!({"version": version, "role": "technician"}),
        json!({"version": version, "phone": "call me maybe"}),
        json!({"version": version, "status": "invited"}),
    ] {
        assert_eq!(
            t.patch(&path, &admin, bad.clone()).await.status,
            422,
            "{bad}"
        );
    }
    assert_eq!(
        t.patch(&path, &admin, json!({"version": version, "colour": "red"}))
            .await
            .status,
        400
    );
    assert_eq!(t.get(&path, &admin).await.body["version"], version);

    let off = t
        .patch(
            &path,
            &admin,
            json!({"version": version, "status": "deactivated"}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(
        t.get("/api/me", &user).await.status,
        401,
        "session ended at once"
    );
    assert_eq!(t.try_login("user@acme.example", PASSWORD).await.status, 401);
    // Tickets and history stay.
    assert_eq!(t.get("/api/tickets?tab=closed", &admin).await.status, 200);
    let version = off.body["version"].as_u64().unwrap();
    let on = t
        .patch(
            &path,
            &admin,
            json!({"version": version, "status": "active"}),
        )
        .await;
    assert_eq!(on.body["status"], "active");
    assert_eq!(
        t.get("/api/me", &user).await.status,
        401,
        "old sessions stay ended"
    );
    assert_eq!(t.try_login("user@acme.example", PASSWORD).await.status, 204);
    let actions = trail(&t, "acme-dental", &admin, "").await;
    for action in ["role_changed", "user_deactivated", "user_reactivated"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn the_last_full_admin_is_protected_and_other_companies_users_are_404() {
    let t = TestApp::new().await;
    let admin = t.login(ACME_ADMIN).await;
    let me = user_path("acme-dental", ACME_ADMIN);
    let version = t.get(&me, &admin).await.body["version"].as_u64().unwrap();
    for change in [
        json!({"role": "standard_user"}),
        json!({"status": "deactivated"}),
    ] {
        let mut body = change.clone();
        body["version"] = json!(version);
        assert_eq!(
            t.patch(&me, &admin, body).await.problem(409),
            "/problems/last-admin",
            "{change}"
        );
    }
    assert_eq!(
        t.get("/api/me", &admin).await.body["user"]["role"],
        "full_admin"
    );
    // With a second Full Admin, the first may step down.
    let manager = user_path("acme-dental", "ticketmanager@acme.example");
    let v = t.get(&manager, &admin).await.body["version"]
        .as_u64()
        .unwrap();
    assert_eq!(
        t.patch(
            &manager,
            &admin,
            json!({"version": v, "role": "full_admin"})
        )
        .await
        .status,
        200
    );
    let stepped = t
        .patch(
            &me,
            &admin,
            json!({"version": version, "role": "standard_user"}),
        )
        .await;
    assert_eq!(stepped.status, 200, "{}", stepped.text);
    assert_eq!(
        t.get(&me, &admin).await.status,
        403,
        "no longer manages users"
    );

    // Another company's users and company: 404 for every route, whatever the id.
    let globex = t.login("fulladmin@globex.example").await;
    let acme_user = user_path("acme-dental", "user@acme.example");
    assert_eq!(t.get(&acme_user, &globex).await.status, 404);
    assert_eq!(
        t.patch(
            &acme_user,
            &globex,
            json!({"version": 0, "status": "deactivated"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        invite(&t, &globex, "x@acme.example", "standard_user")
            .await
            .status,
        404
    );
    assert_eq!(
        t.post(&format!("{acme_user}/invitation"), &globex, json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        t.call("DELETE", &format!("{acme_user}/mfa"))
            .cookie(&globex)
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        t.get("/api/companies/acme-dental/audit", &globex)
            .await
            .status,
        404
    );
    // A user id of another company under one's own company: 404 too.
    let own_path_other_user = format!(
        "/api/companies/globex-logistics/users/{}",
        portal_admin::seed::demo_user_id("user@acme.example")
    );
    assert_eq!(t.get(&own_path_other_user, &globex).await.status, 404);
    // Roles without user management: 403; MSP admins manage any company's users, technicians not.
    // (The Ticket Manager was made a Full Admin above.)
    for email in [
        "billing@acme.example",
        "readonly@acme.example",
        "user@acme.example",
        "tech@northwind.example",
    ] {
        let cookie = t.login(email).await;
        assert_eq!(
            invite(&t, &cookie, "y@acme.example", "standard_user")
                .await
                .status,
            403,
            "{email}"
        );
        assert_eq!(
            t.get("/api/companies/acme-dental/users", &cookie)
                .await
                .status,
            403,
            "{email}"
        );
    }
    let staff = t.login("admin@northwind.example").await;
    assert_eq!(
        invite(&t, &staff, "z@acme.example", "full_admin")
            .await
            .status,
        201
    );
}
