//! Limits on guessing secrets (sign-in, second factor, current password) under parallel requests,
//! from many places, and from one; the client's address as CloudFront tells it; idle sessions;
//! reset links outlived by a password change.

use futures::future::join_all;
use portal::auth::throttle::{
    CHALLENGE_ATTEMPTS, EMAIL_FREE_ATTEMPTS, EMAIL_PLACE_ATTEMPTS, MFA_ATTEMPTS, PLACE_ATTEMPTS,
    WINDOW_SECS,
};
use portal_tests::{Answer, CLIENT_IP, DemoUser, PASSWORD, TestApp};
use serde_json::{Value, json};
use time::Duration;

const VICTIM: &str = "user@acme.example";

async fn login_from(t: &TestApp, ip: &str, email: &str, password: &str) -> Answer {
    t.call("POST", "/api/auth/login")
        .from_ip(ip)
        .json(json!({"email": email, "password": password}))
        .send()
        .await
}

/// The company's trail entries of `action`, as its Full Admin sees them.
async fn entries(t: &TestApp, action: &str) -> Vec<Value> {
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let answer = admin
        .get(&format!("/api/companies/acme-dental/audit?action={action}"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["items"].as_array().unwrap().clone()
}

/// A test app whose clock stands at the start of a counting window, so no window ends mid-test.
async fn at_window_start() -> TestApp {
    let t = TestApp::new().await;
    let into = t.app.now().unix_timestamp().rem_euclid(WINDOW_SECS);
    t.clock.advance(Duration::seconds(WINDOW_SECS - into + 1));
    t
}

fn statuses(answers: &[Answer]) -> (usize, usize) {
    let count = |s| answers.iter().filter(|a| a.status == s).count();
    assert_eq!(
        count(401) + count(429),
        answers.len(),
        "only 401 and 429: {:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    (count(401), count(429))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_checked_at_most_the_limit_times() {
    let t = at_window_start().await;
    let guesses = (0..40).map(|i| {
        let t = &t;
        async move { login_from(t, CLIENT_IP, VICTIM, &format!("guess number {i}")).await }
    });
    let answers = join_all(guesses).await;
    let (checked, refused) = statuses(&answers);
    assert_eq!(checked as i64, EMAIL_FREE_ATTEMPTS, "{refused} refused");
    // Each checked guess is in the trail; the refused ones never reached argon2.
    assert_eq!(
        entries(&t, "sign_in_failed").await.len() as i64,
        EMAIL_FREE_ATTEMPTS
    );
    let throttled = answers.iter().find(|a| a.status == 429).unwrap();
    assert_eq!(throttled.problem(429), "/problems/too-many-attempts");
    assert!(throttled.header("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_codes_are_checked_at_most_the_limit_times() {
    let t = at_window_start().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let (secret, _) = crate::accounts::enrol(&t, &user.cookie).await;
    t.clock.advance(Duration::seconds(30));
    let first = t.try_login(VICTIM, PASSWORD).await;
    let challenge = first.body["challenge"].as_str().unwrap().to_owned();
    let guesses = (0..30).map(|i| {
        let (t, challenge) = (&t, &challenge);
        async move {
            t.post(
                "/api/auth/login/mfa",
                "",
                json!({"challenge": challenge, "code": format!("{:06}", 100_000 + i)}),
            )
            .await
        }
    });
    let answers = join_all(guesses).await;
    let (checked, _) = statuses(&answers);
    assert_eq!(checked as i64, CHALLENGE_ATTEMPTS);
    assert_eq!(
        entries(&t, "mfa_challenge_failed").await.len() as i64,
        CHALLENGE_ATTEMPTS
    );
    // The challenge is used up: even the right code needs the password again.
    let right = portal::auth::totp::code(
        &secret,
        portal::auth::totp::step_at(t.app.now().unix_timestamp()),
    );
    let again = t
        .post(
            "/api/auth/login/mfa",
            "",
            json!({"challenge": challenge, "code": right}),
        )
        .await;
    assert_eq!(again.problem(429), "/problems/too-many-attempts");
    // A new challenge has the user's remaining attempts, then the user's window is spent.
    let left = MFA_ATTEMPTS - CHALLENGE_ATTEMPTS;
    let fresh = t.try_login(VICTIM, PASSWORD).await.body["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..left {
        let wrong = json!({"challenge": fresh, "code": "000000"});
        assert_eq!(t.post("/api/auth/login/mfa", "", wrong).await.status, 401);
    }
    let fresh = t.try_login(VICTIM, PASSWORD).await.body["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let right = json!({"challenge": fresh, "code": right});
    assert_eq!(t.post("/api/auth/login/mfa", "", right).await.status, 429);
}

#[tokio::test]
async fn guessing_from_one_place_does_not_lock_the_owner_out_elsewhere() {
    let t = at_window_start().await;
    let attacker = "203.0.113.66";
    let mut refused_at = None;
    for i in 0..EMAIL_PLACE_ATTEMPTS + 3 {
        let answer = login_from(&t, attacker, VICTIM, "not the password").await;
        if answer.status == 429 {
            // Past the free attempts each try waits; the attacker waits too.
            let wait: i64 = answer.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
            refused_at.get_or_insert(i);
            t.clock.advance(Duration::seconds(wait));
            let retried = login_from(&t, attacker, VICTIM, "not the password").await;
            if retried.status == 429 {
                break;
            }
        }
    }
    assert_eq!(
        refused_at,
        Some(EMAIL_FREE_ATTEMPTS),
        "slowed after the free attempts"
    );
    // The attacker's place is now refused for the email, even with the right password…
    t.clock.advance(Duration::seconds(60));
    let from_attacker = login_from(&t, attacker, VICTIM, PASSWORD).await;
    assert_eq!(from_attacker.problem(429), "/problems/too-many-attempts");
    let wait: i64 = from_attacker
        .header("retry-after")
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 60, "the rest of the window: {wait}");
    // …while the owner, elsewhere, signs in (after at most a minute's wait).
    let owner = login_from(&t, "198.51.100.7", VICTIM, PASSWORD).await;
    assert_eq!(owner.status, 204, "{}", owner.text);
    // Success cleared the email's counters: the next mistake is free again.
    assert_eq!(
        login_from(&t, "198.51.100.7", VICTIM, "typo").await.status,
        401
    );
}

#[tokio::test]
async fn one_place_spraying_many_emails_is_refused_after_the_place_limit() {
    let t = at_window_start().await;
    let sprayer = "2001:db8:5:6:1::9";
    for i in 0..PLACE_ATTEMPTS {
        let email = format!("someone{i}@acme.example");
        let answer = login_from(&t, sprayer, &email, "Summer2026!").await;
        assert_eq!(answer.status, 401, "guess {i}: {}", answer.text);
    }
    // The same /64 is the same place.
    let next = login_from(&t, "2001:db8:5:6:ffff::1", "another@acme.example", "x").await;
    assert_eq!(next.problem(429), "/problems/too-many-attempts");
    // Another place is not affected, and a right password from the sprayer's network is refused
    // until the window ends.
    assert_eq!(
        login_from(&t, "198.51.100.8", VICTIM, PASSWORD)
            .await
            .status,
        204
    );
    assert_eq!(login_from(&t, sprayer, VICTIM, PASSWORD).await.status, 429);
    t.clock.advance(Duration::seconds(WINDOW_SECS));
    assert_eq!(login_from(&t, sprayer, VICTIM, PASSWORD).await.status, 204);
}

#[tokio::test]
async fn right_passwords_give_back_the_places_attempts() {
    let t = at_window_start().await;
    // An office behind one address: many people signing in is not an attack.
    for _ in 0..PLACE_ATTEMPTS + 5 {
        assert_eq!(
            login_from(&t, "198.51.100.20", VICTIM, PASSWORD)
                .await
                .status,
            204
        );
    }
}

#[tokio::test]
async fn the_current_password_is_throttled_like_sign_in() {
    let t = at_window_start().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let change = |current: &str| json!({"current_password": current, "new_password": "a quiet river at dawn"});
    for _ in 0..EMAIL_FREE_ATTEMPTS {
        let wrong = user.post("/api/me/password", change("guess")).await;
        assert_eq!(wrong.status, 422, "{}", wrong.text);
    }
    let throttled = user.post("/api/me/password", change(PASSWORD)).await;
    assert_eq!(throttled.problem(429), "/problems/too-many-attempts");
    // The same counters as sign-in: the email is slowed there too.
    assert_eq!(t.try_login(VICTIM, PASSWORD).await.status, 429);
    t.clock.advance(Duration::seconds(5));
    assert_eq!(
        user.post("/api/me/password", change(PASSWORD)).await.status,
        204
    );
}

#[tokio::test]
async fn turning_mfa_off_needs_the_password_and_a_current_code() {
    let t = at_window_start().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let (secret, _) = crate::accounts::enrol(&t, &user.cookie).await;
    t.clock.advance(Duration::seconds(30));
    let code = portal::auth::totp::code(
        &secret,
        portal::auth::totp::step_at(t.app.now().unix_timestamp()),
    );
    let off = |password: &str, code: &str| json!({"current_password": password, "code": code});
    let missing = user
        .post("/api/me/mfa/disable", json!({"current_password": PASSWORD}))
        .await;
    assert_eq!(missing.status, 400, "{}", missing.text);
    assert_eq!(
        user.post("/api/me/mfa/disable", off(PASSWORD, "000000"))
            .await
            .problem(401),
        "/problems/invalid-code"
    );
    assert_eq!(
        user.post("/api/me/mfa/disable", off("wrong", &code))
            .await
            .status,
        422
    );
    let me = user.get("/api/me").await;
    assert_eq!(me.body["user"]["mfa_enabled"], true, "still on");
    assert_eq!(
        user.post("/api/me/mfa/disable", off(PASSWORD, &code))
            .await
            .status,
        204
    );
    assert_eq!(user.get("/api/me").await.body["user"]["mfa_enabled"], false);
}

#[tokio::test]
async fn sessions_end_when_idle_unless_remembered() {
    let t = at_window_start().await;
    let idle = t.login(VICTIM).await;
    let busy = t.login(VICTIM).await;
    let remembered = t
        .call("POST", "/api/auth/login")
        .json(json!({"email": VICTIM, "password": PASSWORD, "remember": true}))
        .send()
        .await
        .session_cookie()
        .unwrap();
    // A request every 20 minutes keeps a session alive for hours.
    let mut busy = busy;
    for _ in 0..6 {
        t.clock.advance(Duration::minutes(20));
        let answer = t.get("/api/me", &busy).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        if let Some(refreshed) = answer.session_cookie() {
            busy = refreshed;
        }
    }
    assert_eq!(
        t.get("/api/me", &idle).await.problem(401),
        "/problems/unauthenticated"
    );
    assert_eq!(t.get("/api/me", &remembered).await.status, 200);
    // The sessions page no longer lists the idle one, and says which is remembered.
    let sessions = t.get("/api/me/sessions", &busy).await;
    let items = sessions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:#?}");
    assert_eq!(items.iter().filter(|s| s["remember"] == true).count(), 1);
}

#[tokio::test]
async fn a_reset_link_dies_when_the_password_changes_another_way() {
    let t = at_window_start().await;
    let ask = || t.post("/api/auth/password-reset", "", json!({"email": VICTIM}));
    assert_eq!(ask().await.status, 202);
    let older = t.token_mailed_to(VICTIM).await;
    assert_eq!(ask().await.status, 202);
    let newer = t.token_mailed_to(VICTIM).await;
    assert_ne!(older, newer);
    let confirm = |token: &str, password: &str| {
        t.post(
            "/api/auth/password-reset/confirm",
            "",
            json!({"token": token, "password": password}),
        )
    };
    assert_eq!(confirm(&newer, "a quiet river at dawn").await.status, 204);
    assert_eq!(
        confirm(&older, "someone else's choice").await.problem(400),
        "/problems/invalid-token",
        "an older link dies once a newer one is used"
    );
    // A link asked for before a password change from the account page dies with it.
    assert_eq!(ask().await.status, 202);
    let pending = t.token_mailed_to(VICTIM).await;
    let cookie = t
        .call("POST", "/api/auth/login")
        .json(json!({"email": VICTIM, "password": "a quiet river at dawn"}))
        .send()
        .await
        .session_cookie()
        .unwrap();
    let changed = t
        .post(
            "/api/me/password",
            &cookie,
            json!({"current_password": "a quiet river at dawn", "new_password": "lanterns over the bay"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    assert_eq!(
        confirm(&pending, "someone else's choice")
            .await
            .problem(400),
        "/problems/invalid-token"
    );
}

#[tokio::test]
async fn requests_around_cloudfront_are_refused_and_the_viewer_address_is_recorded() {
    let t = at_window_start().await;
    let around = t
        .call("POST", "/api/auth/login")
        .around_cloudfront()
        .json(json!({"email": VICTIM, "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(around.problem(403), "/problems/not-through-portal");
    let forged = t
        .call("GET", "/api/me")
        .around_cloudfront()
        .header("x-origin-verify", "a guess")
        .send()
        .await;
    assert_eq!(forged.problem(403), "/problems/not-through-portal");
    // Through CloudFront, the viewer's address (IPv6 too) is what sessions and the trail record.
    let ok = login_from(&t, "2001:db8:77::1", VICTIM, PASSWORD).await;
    assert_eq!(ok.status, 204);
    let cookie = ok.session_cookie().unwrap();
    let sessions = t.get("/api/me/sessions", &cookie).await;
    assert_eq!(sessions.body["items"][0]["source_ip"], "2001:db8:77::1");
    let signed_in = entries(&t, "sign_in").await;
    assert!(
        signed_in.iter().any(|e| e["source_ip"] == "2001:db8:77::1"),
        "{signed_in:#?}"
    );
}
