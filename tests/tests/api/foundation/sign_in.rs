//! Sign-in, sessions and their tokens.

use super::*;

#[tokio::test]
async fn login_sets_a_hardened_session_cookie_and_me_names_user_and_company() {
    let t = TestApp::new().await;
    let answer = t.try_login(ACME_ADMIN, PASSWORD).await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    let set = answer.set_cookies().join("\n");
    for attr in [
        "__Host-portal_session=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(set.contains(attr), "cookie lacks {attr}: {set}");
    }
    assert!(
        !set.contains("Max-Age"),
        "a session without 'remember me' ends with the browser: {set}"
    );

    let me = t.get("/api/me", &answer.session_cookie().unwrap()).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["user"]["email"], ACME_ADMIN);
    assert_eq!(me.body["user"]["role"], "full_admin");
    assert_eq!(me.body["company"]["name"], "Acme Dental");
    assert_eq!(me.body["company"]["kind"], "client");
}

#[tokio::test]
async fn remember_me_makes_a_persistent_and_longer_session() {
    let t = TestApp::new().await;
    let answer = t
        .call("POST", "/api/auth/login")
        .json(json!({"email": ACME_ADMIN, "password": PASSWORD, "remember": true}))
        .send()
        .await;
    assert_eq!(answer.status, 204);
    let set = answer.set_cookies().join("\n");
    assert!(set.contains("Max-Age=2592000"), "{set}");
    let me = t.get("/api/me", &answer.session_cookie().unwrap()).await;
    let expires = time::OffsetDateTime::parse(
        me.body["session_expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expires - t.app.now() > time::Duration::days(29));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer_in_the_same_time_class() {
    let t = TestApp::new().await;
    let mut wrong_times = Vec::new();
    let mut unknown_times = Vec::new();
    let mut answers = Vec::new();
    // Five each: within the per-email allowance, so none is slowed or refused.
    for _ in 0..5 {
        let started = Instant::now();
        let wrong = t.try_login(ACME_ADMIN, "not the password").await;
        wrong_times.push(started.elapsed());
        let started = Instant::now();
        let unknown = t.try_login("nobody@acme.example", "not the password").await;
        unknown_times.push(started.elapsed());
        answers.push((wrong, unknown));
    }
    for (wrong, unknown) in &answers {
        assert_eq!(wrong.problem(401), "/problems/invalid-credentials");
        assert_eq!(wrong.status, unknown.status);
        assert_eq!(wrong.text, unknown.text, "bodies differ");
        assert!(unknown.set_cookies().is_empty() && wrong.set_cookies().is_empty());
    }
    // Both paths run one argon2id verification: their fastest times (what each costs, without
    // the other tests running beside it in this binary) are within a factor of two.
    let fastest = |v: &[std::time::Duration]| *v.iter().min().unwrap();
    let (w, u) = (fastest(&wrong_times), fastest(&unknown_times));
    let ratio = w.as_secs_f64() / u.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "wrong password {w:?} vs unknown email {u:?}"
    );
}

#[tokio::test]
async fn an_invited_user_without_a_password_is_answered_like_a_wrong_password() {
    let t = TestApp::new().await;
    let admin = t.signed_in(portal_tests::DemoUser::AcmeFullAdmin).await;
    let invited = admin
        .post(
            "/api/companies/acme-dental/users",
            serde_json::json!({"name": "Ivy Invited", "email": "ivy@acme.example", "role": "standard_user"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    // (That the empty hash still costs one argon2 verification is `password`'s unit test.)
    let pending = t.try_login("ivy@acme.example", "not the password").await;
    let wrong = t.try_login(ACME_ADMIN, "not the password").await;
    assert_eq!(pending.problem(401), "/problems/invalid-credentials");
    assert_eq!((pending.status, &pending.text), (wrong.status, &wrong.text));
    assert!(pending.set_cookies().is_empty());
}

#[tokio::test]
async fn repeated_failures_slow_the_email_down_even_with_the_right_password() {
    use portal::auth::throttle::{EMAIL_FREE_ATTEMPTS, delay_after};
    let t = TestApp::new().await;
    for _ in 0..EMAIL_FREE_ATTEMPTS {
        assert_eq!(t.try_login(ACME_ADMIN, "wrong password!").await.status, 401);
    }
    let throttled = t.try_login(ACME_ADMIN, PASSWORD).await;
    assert_eq!(throttled.problem(429), "/problems/too-many-attempts");
    let wait = delay_after(EMAIL_FREE_ATTEMPTS);
    assert_eq!(
        throttled.header("retry-after"),
        Some(wait.to_string().as_str())
    );
    assert_eq!(
        throttled.body["detail"],
        format!("Try again in {wait} seconds.")
    );
    // An unknown email is throttled the same way, so throttling tells nothing about who exists.
    for _ in 0..EMAIL_FREE_ATTEMPTS {
        t.try_login("ghost@acme.example", "wrong password!").await;
    }
    assert_eq!(
        t.try_login("ghost@acme.example", "wrong password!")
            .await
            .status,
        429
    );
    // Other accounts are unaffected.
    assert_eq!(t.try_login("user@acme.example", PASSWORD).await.status, 204);
    // Once the wait has passed, the right password works again.
    t.clock.advance(time::Duration::seconds(wait));
    assert_eq!(t.try_login(ACME_ADMIN, PASSWORD).await.status, 204);
}

#[tokio::test]
async fn expired_session_is_refused_and_its_cookie_cleared() {
    let t = TestApp::new().await;
    let mut cookie = t.login(ACME_ADMIN).await;
    // In use every half hour, a session lives its whole lifetime (12 hours)…
    for _ in 0..23 {
        t.clock.advance(time::Duration::minutes(30));
        let answer = t.get("/api/me", &cookie).await;
        assert_eq!(answer.status, 200, "a live session: {}", answer.text);
        if let Some(refreshed) = answer.session_cookie() {
            cookie = refreshed;
        }
    }
    // …and not a minute more.
    t.clock.advance(time::Duration::minutes(30));
    let answer = t.get("/api/me", &cookie).await;
    assert_eq!(answer.problem(401), "/problems/unauthenticated");
    assert!(
        answer.set_cookies().iter().any(|c| c.contains("Max-Age=0")),
        "cookie not cleared"
    );
}

#[tokio::test]
async fn tampered_token_is_refused() {
    let t = TestApp::new().await;
    let cookie = t.login("user@acme.example").await;
    let (name, token) = cookie.split_once('=').unwrap();
    let other = portal_admin::seed::demo_user_id(ACME_ADMIN).to_string();
    let forged = forge(token, |c| c["sub"] = Value::String(other.clone()));
    assert_eq!(
        t.get("/api/me", &format!("{name}={forged}"))
            .await
            .problem(401),
        "/problems/unauthenticated"
    );
    let truncated = &token[..token.len() - 3];
    assert_eq!(
        t.get("/api/me", &format!("{name}={truncated}"))
            .await
            .status,
        401
    );
    assert_eq!(
        t.get("/api/me", &format!("{name}=garbage")).await.status,
        401
    );
}

#[tokio::test]
async fn token_with_another_algorithm_is_refused() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let t = TestApp::new().await;
    let cookie = t.login("user@acme.example").await;
    let (name, token) = cookie.split_once('=').unwrap();
    let claims = forge(token, |_| {});
    let claims: Value = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
        serde_json::from_slice(&B64.decode(claims.split('.').nth(1).unwrap()).unwrap()).unwrap()
    };
    // HS256 keyed with something an attacker might know, and the unsigned `none` algorithm.
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(ORIGIN.as_bytes()),
    )
    .unwrap();
    assert_eq!(t.get("/api/me", &format!("{name}={hs}")).await.status, 401);
    let none = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
        format!(
            "{}.{}.",
            B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            B64.encode(claims.to_string())
        )
    };
    assert_eq!(
        t.get("/api/me", &format!("{name}={none}")).await.status,
        401
    );
    // And the genuine token still works.
    assert_eq!(t.get("/api/me", &cookie).await.status, 200);
}

#[tokio::test]
async fn logout_ends_the_session_for_the_next_request() {
    let t = TestApp::new().await;
    let cookie = t.login(ACME_ADMIN).await;
    let out = t
        .call("POST", "/api/auth/logout")
        .cookie(&cookie)
        .send()
        .await;
    assert_eq!(out.status, 204);
    assert!(out.set_cookies().iter().any(|c| c.contains("Max-Age=0")));
    assert_eq!(
        t.get("/api/me", &cookie).await.status,
        401,
        "the old cookie must not work any more"
    );
    assert_eq!(
        t.session_count("acme-dental").await,
        0,
        "the session item is gone"
    );
}

#[tokio::test]
async fn deactivated_user_cannot_sign_in_and_their_live_session_ends() {
    let t = TestApp::new().await;
    let cookie = t.login("user@acme.example").await;
    let company = portal::domain::CompanyId::parse("acme-dental").unwrap();
    let mut user = t
        .app
        .store
        .get_user(
            &company,
            &portal_admin::seed::demo_user_id("user@acme.example"),
        )
        .await
        .unwrap()
        .unwrap();
    user.status = portal::domain::UserStatus::Deactivated;
    t.app
        .store
        .put_user(
            &user,
            &portal::auth::password::hash(PASSWORD).unwrap(),
            false,
        )
        .await
        .unwrap();
    assert_eq!(t.get("/api/me", &cookie).await.status, 401);
    assert_eq!(
        t.try_login("user@acme.example", PASSWORD)
            .await
            .problem(401),
        "/problems/invalid-credentials"
    );
}
