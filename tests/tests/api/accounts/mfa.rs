//! Multi-factor sign-in: wrong, replayed and reused codes, throttles, companies that require it.

use super::*;

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
async fn new_recovery_codes_replace_the_old_ones_exactly_once() {
    let t = TestApp::new().await;
    let email = "user@acme.example";
    let cookie = t.login(email).await;
    let path = "/api/me/mfa/recovery-codes";
    let ask = |password: &str, code: &str| {
        let (t, cookie) = (&t, &cookie);
        let body = json!({"current_password": password, "code": code});
        async move { t.post(path, cookie, body).await }
    };
    assert_eq!(
        ask(PASSWORD, "123456").await.problem(409),
        "/problems/mfa-not-on"
    );
    let (secret, old) = enrol(&t, &cookie).await;
    t.clock.advance(time::Duration::seconds(30));
    let code = portal::auth::totp::code(&secret, step(&t));

    // Refused, nothing changed: a wrong password, a wrong code, a body without the code.
    let wrong = ask("not my password at all", &code).await;
    assert_eq!(wrong.problem(422), "/problems/validation");
    assert!(wrong.text.contains("current_password"), "{}", wrong.text);
    assert_eq!(
        ask(PASSWORD, "000000").await.problem(401),
        "/problems/invalid-code"
    );
    t.post(path, &cookie, json!({"current_password": PASSWORD}))
        .await
        .problem(400);
    assert_eq!(
        trail(&t, "acme-dental", &t.login(ACME_ADMIN).await, "")
            .await
            .iter()
            .filter(|a| *a == "recovery_codes_replaced")
            .count(),
        0
    );

    // The same code twice at once: one new set; the other is refused.
    let (a, b) = tokio::join!(ask(PASSWORD, &code), ask(PASSWORD, &code));
    let (made, refused) = if a.status == 200 { (a, b) } else { (b, a) };
    assert_eq!(made.status, 200, "{}", made.text);
    assert!(
        [401, 429].contains(&refused.status),
        "{}: {}",
        refused.status,
        refused.text
    );
    let new: Vec<String> = made.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)), "{new:?} / {old:?}");
    // The code is spent.
    assert_eq!(ask(PASSWORD, &code).await.status, 401);

    // The old codes no longer sign in; the new ones do, once each.
    let second = |body: Value| {
        let t = &t;
        async move { t.post("/api/auth/login/mfa", "", body).await }
    };
    let c = challenge(&t, email).await;
    assert_eq!(
        second(json!({"challenge": c, "recovery_code": old[0]}))
            .await
            .problem(401),
        "/problems/invalid-code"
    );
    let ok = second(json!({"challenge": c, "recovery_code": new[0]})).await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    let actions = trail(&t, "acme-dental", &t.login(ACME_ADMIN).await, "").await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "recovery_codes_replaced")
            .count(),
        1,
        "{actions:?}"
    );
}
