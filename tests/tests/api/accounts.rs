//! Accounts: companies, users and roles, invitations, password reset, own account, MFA and the
//! audit trail, over the real functions and the local AWS stand-in.

use portal_tests::users::base32_decode;
use portal_tests::{PASSWORD, TestApp};
use serde_json::{Value, json};

const ACME_ADMIN: &str = "fulladmin@acme.example";
const NEW_PASSWORD: &str = "a quiet river at dawn";

async fn invite(t: &TestApp, cookie: &str, email: &str, role: &str) -> portal_tests::Answer {
    t.post(
        "/api/companies/acme-dental/users",
        cookie,
        json!({"name": "Nina New", "email": email, "phone": "+1 555 0100", "role": role}),
    )
    .await
}

fn user_path(company: &str, email: &str) -> String {
    format!(
        "/api/companies/{company}/users/{}",
        portal_admin::seed::demo_user_id(email)
    )
}

/// The actions in a company's trail, newest first, as `fulladmin`-like `cookie` sees them.
async fn trail(t: &TestApp, company: &str, cookie: &str, query: &str) -> Vec<String> {
    let answer = t
        .get(&format!("/api/companies/{company}/audit{query}"), cookie)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

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

/// Enrol `cookie`'s user in MFA; the secret and the recovery codes.
pub(crate) async fn enrol(t: &TestApp, cookie: &str) -> (Vec<u8>, Vec<String>) {
    let start = t.post("/api/me/mfa", cookie, json!({})).await;
    assert_eq!(start.status, 200, "{}", start.text);
    assert!(start.body["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(
        start.body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Northwind%20IT:")
    );
    let secret = base32_decode(start.body["secret"].as_str().unwrap());
    let wrong = t
        .post("/api/me/mfa/confirm", cookie, json!({"code": "000000"}))
        .await;
    assert_eq!(wrong.status, 401);
    let code = portal::auth::totp::code(&secret, step(t));
    let done = t
        .post("/api/me/mfa/confirm", cookie, json!({"code": code}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let codes: Vec<String> = done.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

fn step(t: &TestApp) -> u64 {
    portal::auth::totp::step_at(t.app.now().unix_timestamp())
}

async fn challenge(t: &TestApp, email: &str) -> String {
    let first = t.try_login(email, PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(
        first.session_cookie().is_none(),
        "no session before the second factor"
    );
    first.body["challenge"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn mfa_refuses_wrong_replayed_and_reused_codes_and_throttles() {
    let t = TestApp::new().await;
    let email = "user@acme.example";
    let cookie = t.login(email).await;
    let (secret, recovery) = enrol(&t, &cookie).await;
    assert_eq!(
        t.post("/api/me/mfa", &cookie, json!({})).await.problem(409),
        "/problems/mfa-already-on"
    );
    let second = |body: Value| {
        let t = &t;
        async move { t.post("/api/auth/login/mfa", "", body).await }
    };
    // The code used to confirm enrolment cannot sign in (same step).
    let c = challenge(&t, email).await;
    let enrolment_code = portal::auth::totp::code(&secret, step(&t));
    assert_eq!(
        second(json!({"challenge": c, "code": enrolment_code}))
            .await
            .problem(401),
        "/problems/invalid-code"
    );
    t.clock.advance(time::Duration::seconds(30));
    let code = portal::auth::totp::code(&secret, step(&t));
    let ok = second(json!({"challenge": c, "code": code})).await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert!(ok.session_cookie().is_some());
    // Replay of the same code in a new sign-in.
    let c = challenge(&t, email).await;
    assert_eq!(
        second(json!({"challenge": c, "code": code})).await.status,
        401
    );
    // A tampered or expired challenge.
    assert_eq!(
        second(json!({"challenge": format!("{c}x"), "code": code}))
            .await
            .status,
        409
    );
    // Recovery codes work once each.
    let r = second(json!({"challenge": c, "recovery_code": recovery[3].to_uppercase()})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let c = challenge(&t, email).await;
    assert_eq!(
        second(json!({"challenge": c, "recovery_code": recovery[3]}))
            .await
            .status,
        401
    );
    assert_eq!(second(json!({"challenge": c})).await.status, 422);
    // Throttling: three wrong codes use a challenge up; five in a window lock the step for its
    // rest, even with the right code.
    t.clock.advance(time::Duration::minutes(16));
    let c = challenge(&t, email).await;
    for _ in 0..3 {
        let wrong = second(json!({"challenge": c, "code": "123456"})).await;
        assert_eq!(wrong.status, 401);
    }
    let right = portal::auth::totp::code(&secret, step(&t));
    assert_eq!(
        second(json!({"challenge": c, "code": right})).await.status,
        429,
        "the challenge is used up"
    );
    let c = challenge(&t, email).await;
    for _ in 0..2 {
        let wrong = second(json!({"challenge": c, "code": "123456"})).await;
        assert_eq!(wrong.status, 401);
    }
    let c = challenge(&t, email).await;
    assert_eq!(
        second(json!({"challenge": c, "code": right})).await.status,
        429,
        "the user's window is spent"
    );
    t.clock.advance(time::Duration::minutes(16));
    let c = challenge(&t, email).await;
    let right = portal::auth::totp::code(&secret, step(&t));
    assert_eq!(
        second(json!({"challenge": c, "code": right})).await.status,
        204
    );
    // An admin resets the MFA of a user who lost their phone: password alone again.
    let admin = t.login(ACME_ADMIN).await;
    let reset = t
        .call(
            "DELETE",
            &format!("{}/mfa", user_path("acme-dental", email)),
        )
        .cookie(&admin)
        .send()
        .await;
    assert_eq!(reset.status, 204, "{}", reset.text);
    assert_eq!(t.try_login(email, PASSWORD).await.status, 204);
    let actions = trail(&t, "acme-dental", &admin, "").await;
    for action in ["mfa_enabled", "mfa_challenge_failed", "mfa_reset"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_company_that_requires_mfa_makes_its_users_enrol_first() {
    let t = TestApp::new().await;
    let staff = t.login("admin@northwind.example").await;
    let acme = t.get("/api/companies/acme-dental", &staff).await;
    let version = acme.body["version"].as_u64().unwrap();
    let set = t
        .patch(
            "/api/companies/acme-dental",
            &staff,
            json!({"version": version, "mfa_required": true}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let user = t.login("user@acme.example").await;
    assert_eq!(
        t.get("/api/tickets", &user).await.problem(403),
        "/problems/mfa-enrolment-required"
    );
    let me = t.get("/api/me", &user).await;
    assert_eq!(me.body["user"]["must_enrol_mfa"], true);
    let (secret, _) = enrol(&t, &user).await;
    assert_eq!(t.get("/api/tickets", &user).await.status, 200);
    assert_eq!(
        t.post(
            "/api/me/mfa/disable",
            &user,
            json!({"current_password": PASSWORD, "code": "000000"})
        )
        .await
        .problem(409),
        "/problems/mfa-required"
    );
    t.clock.advance(time::Duration::seconds(30));
    let c = challenge(&t, "user@acme.example").await;
    let code = portal::auth::totp::code(&secret, step(&t));
    assert_eq!(
        t.post(
            "/api/auth/login/mfa",
            "",
            json!({"challenge": c, "code": code})
        )
        .await
        .status,
        204
    );
    // MSP staff can be required to use MFA too.
    let msp = t.get("/api/companies/northwind-it", &staff).await;
    let v = msp.body["version"].as_u64().unwrap();
    assert_eq!(
        t.patch(
            "/api/companies/northwind-it",
            &staff,
            json!({"version": v, "mfa_required": true})
        )
        .await
        .status,
        200
    );
    let tech = t.login("tech@northwind.example").await;
    assert_eq!(
        t.get("/api/tickets", &tech).await.problem(403),
        "/problems/mfa-enrolment-required"
    );
}

#[tokio::test]
async fn msp_admins_create_edit_and_search_companies_and_invite_their_first_admin() {
    let t = TestApp::new().await;
    let staff = t.login("admin@northwind.example").await;
    let body = json!({"name": "Initech", "billing_email": "ap@initech.example", "phone": "+1 555 0199",
        "address": "1 Main St\nAustin TX", "time_zone": "America/Chicago", "currency": "usd", "mfa_required": false});
    for email in ["tech@northwind.example", ACME_ADMIN] {
        let cookie = t.login(email).await;
        assert_eq!(
            t.post("/api/companies", &cookie, body.clone()).await.status,
            403,
            "{email}"
        );
    }
    for bad in [
        json!({"name": ""}),
        json!({"name": "X", "time_zone": "Mars/Olympus Mons"}),
        json!({"name": "X", "currency": "dollars"}),
        json!({"name": "X", "billing_email": "nope"}),
    ] {
        assert_eq!(
            t.post("/api/companies", &staff, bad.clone()).await.status,
            422,
            "{bad}"
        );
    }
    // Sign-in methods are set apart (`/sign-in`): the company fields do not know them.
    let unknown = json!({"name": "X", "sign_in_methods": ["google"]});
    assert_eq!(t.post("/api/companies", &staff, unknown).await.status, 400);
    let before = t.get("/api/companies", &staff).await.body["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, 3, "nothing written by the refused creates");
    let created = t.post("/api/companies", &staff, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["currency"], "USD");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("initech-"));
    let found = t.get("/api/companies?q=INI", &staff).await;
    let names: Vec<&str> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Initech"]);
    let stale = t
        .patch(
            &format!("/api/companies/{id}"),
            &staff,
            json!({"version": 7, "name": "Initrode"}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let renamed = t
        .patch(
            &format!("/api/companies/{id}"),
            &staff,
            json!({"version": 0, "name": "Initrode"}),
        )
        .await;
    assert_eq!(renamed.body["name"], "Initrode");
    assert_eq!(
        t.get("/api/companies?q=initrode", &staff).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let first = t.post(&format!("/api/companies/{id}/users"),
        &staff,
        json!({"name": "Peter Gibbons", "email": "peter@initech.example", "role": "full_admin"}),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let staff_role = t
        .post(
            &format!("/api/companies/{id}/users"),
            &staff,
            json!({"name": "Sam", "email": "sam@initech.example", "role": "technician"}),
        )
        .await;
    assert_eq!(staff_role.status, 422);
    let token = t.token_mailed_to("peter@initech.example").await;
    let accepted = t
        .post(
            "/api/auth/invitation/accept",
            "",
            json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status, 204);
    let peter = t
        .try_login("peter@initech.example", NEW_PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    let company = t.get(&format!("/api/companies/{id}"), &peter).await;
    assert_eq!(company.body["admins"], 1, "the accepted Full Admin counts");
    assert_eq!(
        t.get(&format!("/api/companies/{id}/users"), &peter)
            .await
            .status,
        200
    );
    // Clients cannot edit their company's settings (MSP admins do).
    assert_eq!(
        t.patch(
            &format!("/api/companies/{id}"),
            &peter,
            json!({"version": 1, "mfa_required": true})
        )
        .await
        .status,
        403
    );
    let actions = trail(&t, &id, &staff, "").await;
    assert!(
        actions.contains(&"company_created".to_owned())
            && actions.contains(&"company_updated".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_audit_trail_is_filtered_exported_shown_to_the_right_people_and_immutable() {
    let t = TestApp::new().await;
    assert_eq!(
        t.try_login("user@acme.example", "wrong password!")
            .await
            .status,
        401
    );
    let user = t.login("user@acme.example").await;
    let raised = t
        .post(
            "/api/tickets",
            &user,
            json!({"summary": "Audit me", "description": "x",
        "request_type": "Problem", "priority": "medium"}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let number = raised.body["number"].as_u64().unwrap();
    let tech = t.login("tech@northwind.example").await;
    let internal = t
        .post(
            &format!("/api/tickets/{number}/notes"),
            &tech,
            json!({"text": "secret", "internal": true}),
        )
        .await;
    assert_eq!(internal.status, 201);
    let admin = t.login(ACME_ADMIN).await;
    let all = trail(&t, "acme-dental", &admin, "").await;
    for action in ["sign_in_failed", "sign_in", "ticket_created"] {
        assert!(all.contains(&action.to_owned()), "{action} in {all:?}");
    }
    assert!(
        !all.contains(&"ticket_note_added".to_owned()),
        "the MSP's internal note stays in the MSP's trail"
    );
    let msp = trail(
        &t,
        "northwind-it",
        &t.login("admin@northwind.example").await,
        "",
    )
    .await;
    assert!(msp.contains(&"ticket_note_added".to_owned()));
    // Filters: by user, by action, by date.
    let uma = portal_admin::seed::demo_user_id("user@acme.example");
    let mine = t
        .get(
            &format!("/api/companies/acme-dental/audit?user={uma}"),
            &admin,
        )
        .await;
    let items = mine.body["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|e| e["actor_id"] == uma.as_str()),
        "{items:#?}"
    );
    assert_eq!(
        trail(&t, "acme-dental", &admin, "?action=ticket_created").await,
        ["ticket_created"]
    );
    let today = t.app.now().date();
    assert!(
        !trail(
            &t,
            "acme-dental",
            &admin,
            &format!("?from={today}&to={today}")
        )
        .await
        .is_empty()
    );
    assert!(
        trail(
            &t,
            "acme-dental",
            &admin,
            &format!("?to={}", today.previous_day().unwrap())
        )
        .await
        .is_empty()
    );
    for bad in [
        "?action=drop_table",
        "?from=yesterday",
        "?user=../x",
        "?cursor=forged",
    ] {
        assert_eq!(
            t.get(&format!("/api/companies/acme-dental/audit{bad}"), &admin)
                .await
                .status,
            400,
            "{bad}"
        );
    }
    let sign_in = t
        .get("/api/companies/acme-dental/audit?action=sign_in", &admin)
        .await;
    let entry = &sign_in.body["items"][0];
    assert!(
        entry["at"].is_string() && entry["actor_name"].is_string() && entry["summary"].is_string()
    );
    // Export.
    let csv = t
        .get(
            "/api/companies/acme-dental/audit/export?action=ticket_created",
            &admin,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(
        csv.text.starts_with("\"Time (UTC)\",\"Action\""),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("Audit me"));
    // Who may read it.
    for email in [
        "ticketmanager@acme.example",
        "billing@acme.example",
        "user@acme.example",
    ] {
        let cookie = t.login(email).await;
        assert_eq!(
            t.get("/api/companies/acme-dental/audit", &cookie)
                .await
                .status,
            403,
            "{email}"
        );
    }
    assert_eq!(
        t.get("/api/companies/acme-dental/audit", &tech)
            .await
            .status,
        200,
        "MSP staff"
    );
    // Nothing edits or deletes entries.
    let count = t
        .items_in("CO#acme-dental")
        .await
        .iter()
        .filter(|i| i["sk"].as_s().unwrap().starts_with("AUDIT#"))
        .count();
    for method in ["PUT", "PATCH", "DELETE", "POST"] {
        let answer = t
            .call(method, "/api/companies/acme-dental/audit")
            .cookie(&admin)
            .json(json!({}))
            .send()
            .await;
        assert_eq!(answer.status, 405, "{method}");
    }
    let after = t
        .items_in("CO#acme-dental")
        .await
        .iter()
        .filter(|i| i["sk"].as_s().unwrap().starts_with("AUDIT#"))
        .count();
    assert_eq!(count, after);
}

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
async fn technicians_do_not_read_invoices_payments_or_cards_in_the_audit_trail() {
    use portal_tests::DemoUser;
    let t = TestApp::new().await;
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let drafted = admin
        .post(
            "/api/invoices",
            json!({"company_id": "acme-dental", "lines": [{"description": "Audit check", "quantity": 1, "unit_price": 4200}]}),
        )
        .await;
    assert_eq!(drafted.status, 201, "{}", drafted.text);
    let trail = "/api/companies/northwind-it/audit";
    let actions = |answer: &portal_tests::Answer| -> Vec<String> {
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };

    // The MSP admin, who sees billing, reads the entry; the technician reads the rest of the trail
    // without it, also when asking for it by name and in the CSV export.
    let seen_by_admin = actions(&admin.get(trail).await);
    assert!(
        seen_by_admin.contains(&"invoice_created".to_owned()),
        "{seen_by_admin:?}"
    );
    let seen_by_tech = actions(&tech.get(trail).await);
    assert!(
        seen_by_tech.contains(&"sign_in".to_owned()),
        "{seen_by_tech:?}"
    );
    assert!(
        !seen_by_tech.iter().any(|a| a.starts_with("invoice_")),
        "{seen_by_tech:?}"
    );
    let asked = actions(&tech.get(&format!("{trail}?action=invoice_created")).await);
    assert!(asked.is_empty(), "{asked:?}");
    let export = format!("{trail}/export");
    assert!(admin.get(&export).await.text.contains("invoice_created"));
    let tech_csv = tech.get(&export).await.text;
    assert!(
        tech_csv.contains("sign_in") && !tech_csv.contains("invoice_created"),
        "{tech_csv}"
    );
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

#[tokio::test]
async fn a_company_keeps_the_tax_rate_its_new_invoices_start_with() {
    let t = TestApp::new().await;
    let staff = t.login("admin@northwind.example").await;
    let acme = t.get("/api/companies/acme-dental", &staff).await.body;
    assert_eq!(acme["tax_rate_bp"], 825, "the demo company's");
    let before = t.all_items().await;
    let refused = t
        .patch(
            "/api/companies/acme-dental",
            &staff,
            json!({"tax_rate_bp": 10_001, "version": acme["version"]}),
        )
        .await;
    assert_eq!(refused.problem(422), "/problems/validation");
    assert_eq!(refused.body["errors"][0]["field"], "tax_rate_bp");
    assert_eq!(t.all_items().await, before, "nothing written");
    let saved = t
        .patch(
            "/api/companies/acme-dental",
            &staff,
            json!({"tax_rate_bp": 700, "version": acme["version"]}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["tax_rate_bp"], 700);
    let trail = t.get("/api/companies/acme-dental/audit", &staff).await.body;
    assert!(trail.to_string().contains("tax rate"), "audited: {trail}");
}
