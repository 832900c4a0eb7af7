//! Passkeys (docs/passkeys.md) with a software authenticator: registering, naming, listing and
//! removing them in My account; signing in with one alone and as the second factor; every check
//! of the answers (origin, RP id, user verification, signature, counter, the ceremony's owner and
//! age) refused; an answer good once, even sent twice at once; the company's
//! phishing-resistant rule and its MFA requirement.

use portal_tests::authenticator::{SoftPasskey, UP};
use portal_tests::{Answer, DemoUser, ORIGIN, PASSWORD, SignedIn, TestApp};
use serde_json::{Value, json};

mod refusals;

/// Register a new passkey for `user` named `name`: the answer to `POST /api/me/passkeys`.
async fn register(user: &SignedIn<'_>, passkey: &mut SoftPasskey, name: &str) -> Answer {
    let started = user.post("/api/me/passkeys/options", json!({})).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let credential = passkey.create(&started.body["options"]);
    user.post(
        "/api/me/passkeys",
        json!({"ceremony": started.body["ceremony"], "credential": credential, "name": name}),
    )
    .await
}

/// A passkey registered for `user`.
async fn registered(user: &SignedIn<'_>, name: &str) -> SoftPasskey {
    let mut passkey = SoftPasskey::new(ORIGIN);
    let answer = register(user, &mut passkey, name).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    passkey
}

/// Start a passkey sign-in: the ceremony and the options.
async fn sign_in_options(t: &TestApp) -> (Value, Value) {
    let started = t.post("/api/auth/passkey/options", "", json!({})).await;
    assert_eq!(started.status, 200, "{}", started.text);
    (
        started.body["ceremony"].clone(),
        started.body["options"].clone(),
    )
}

/// Sign in with `passkey` (a fresh ceremony): the answer.
async fn sign_in(t: &TestApp, passkey: &mut SoftPasskey) -> Answer {
    let (ceremony, options) = sign_in_options(t).await;
    let credential = passkey.get(&options);
    t.post(
        "/api/auth/passkey",
        "",
        json!({"ceremony": ceremony, "credential": credential}),
    )
    .await
}

async fn list(user: &SignedIn<'_>) -> Vec<Value> {
    let answer = user.get("/api/me/passkeys").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_passkey_is_registered_named_listed_used_to_sign_in_and_removed() {
    let t = TestApp::new().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let mut passkey = registered(&user, "  Work laptop ").await;

    let items = list(&user).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], passkey.id());
    assert_eq!(items[0]["name"], "Work laptop");
    assert_eq!(items[0]["last_used_at"], Value::Null);
    assert_eq!(items[0]["synced"], false);
    assert_eq!(user.get("/api/me").await.body["user"]["passkeys"], 1);

    // Signing in with it needs no email: the session is the user's own.
    let answer = sign_in(&t, &mut passkey).await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    let cookie = answer.session_cookie().expect("session cookie");
    let me = t.get("/api/me", &cookie).await;
    assert_eq!(me.body["user"]["email"], DemoUser::AcmeUser.email());
    assert!(list(&user).await[0]["last_used_at"].is_string());
    let audit = t
        .get(
            "/api/companies/acme-dental/audit",
            &t.login(DemoUser::AcmeFullAdmin.email()).await,
        )
        .await;
    let summaries: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .collect();
    assert!(
        summaries.contains(&"Signed in with a passkey"),
        "{summaries:?}"
    );
    assert!(summaries.contains(&"Added the passkey \"Work laptop\""));

    // Renamed; a blank or long name, or a passkey that is not one's own, refused.
    let path = format!("/api/me/passkeys/{}", passkey.id());
    assert_eq!(
        user.patch(&path, json!({"name": "Laptop"})).await.status,
        204
    );
    assert_eq!(list(&user).await[0]["name"], "Laptop");
    let blank = user.patch(&path, json!({"name": " "})).await;
    assert_eq!(blank.problem(422), "/problems/validation");
    let long = user.patch(&path, json!({"name": "x".repeat(61)})).await;
    assert_eq!(long.problem(422), "/problems/validation");
    let colleague = t.signed_in(DemoUser::AcmeFullAdmin).await;
    assert_eq!(
        colleague.patch(&path, json!({"name": "Mine"})).await.status,
        404
    );
    assert_eq!(colleague.delete(&path).await.status, 404);
    assert_eq!(list(&user).await[0]["name"], "Laptop");

    // Removed: it signs nobody in any more.
    assert_eq!(user.delete(&path).await.status, 204);
    assert!(list(&user).await.is_empty());
    assert_eq!(user.get("/api/me").await.body["user"]["passkeys"], 0);
    assert_eq!(user.delete(&path).await.status, 404);
    let answer = sign_in(&t, &mut passkey).await;
    assert_eq!(answer.problem(401), "/problems/passkey-refused");
    // And a password sign-in asks for no second factor again.
    assert_eq!(
        t.try_login(DemoUser::AcmeUser.email(), PASSWORD)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn a_passkey_is_the_second_factor_after_a_password() {
    let t = TestApp::new().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let mut passkey = registered(&user, "Phone").await;
    let other = t.signed_in(DemoUser::AcmeReadOnly).await;
    let mut others = registered(&other, "Theirs").await;

    let first = t.try_login(DemoUser::AcmeUser.email(), PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["factors"], json!(["passkey"]));
    let challenge = first.body["challenge"].clone();
    let started = t
        .post(
            "/api/auth/login/mfa/passkey/options",
            "",
            json!({"challenge": challenge}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.text);
    let allowed = &started.body["options"]["allowCredentials"];
    assert_eq!(allowed.as_array().unwrap().len(), 1);
    assert_eq!(allowed[0]["id"], passkey.id());
    assert_eq!(started.body["options"]["userVerification"], "required");

    // Someone else's passkey does not answer for this user.
    let wrong = t
        .post(
            "/api/auth/login/mfa/passkey",
            "",
            json!({"challenge": challenge, "ceremony": started.body["ceremony"],
                   "credential": others.get(&started.body["options"])}),
        )
        .await;
    assert_eq!(wrong.problem(401), "/problems/passkey-refused");

    let answer = t
        .post(
            "/api/auth/login/mfa/passkey",
            "",
            json!({"challenge": challenge, "ceremony": started.body["ceremony"],
                   "credential": passkey.get(&started.body["options"])}),
        )
        .await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    let cookie = answer.session_cookie().expect("session cookie");
    assert_eq!(
        t.get("/api/me", &cookie).await.body["user"]["email"],
        DemoUser::AcmeUser.email()
    );

    // A user with no passkey has none to be asked for.
    let mfa_less = t
        .try_login(DemoUser::AcmeBillingAdmin.email(), PASSWORD)
        .await;
    assert_eq!(mfa_less.status, 204);
}

#[tokio::test]
async fn one_answer_signs_in_once_even_sent_twice_at_once() {
    let t = TestApp::new().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let mut passkey = registered(&user, "Key").await;
    let sessions_before = t.session_count("acme-dental").await;
    let (ceremony, options) = sign_in_options(&t).await;
    let body = json!({"ceremony": ceremony, "credential": passkey.get(&options)});
    let (a, b) = tokio::join!(
        t.post("/api/auth/passkey", "", body.clone()),
        t.post("/api/auth/passkey", "", body.clone()),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [204, 401], "{} / {}", a.text, b.text);
    // And once more, later: still refused.
    let again = t.post("/api/auth/passkey", "", body).await;
    assert_eq!(again.problem(401), "/problems/passkey-refused");
    assert_eq!(t.session_count("acme-dental").await, sessions_before + 1);
}

#[tokio::test]
async fn a_company_can_require_phishing_resistant_sign_in() {
    let t = TestApp::new().await;
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let read = admin.get("/api/companies/acme-dental/sign-in").await;
    let mut settings = read.body.clone();
    settings["phishing_resistant"] = json!(true);
    // Without Microsoft or Google, people without a passkey would be locked out.
    let mut password_only = settings.clone();
    password_only["sign_in_methods"] = json!(["password"]);
    let refused = admin
        .put("/api/companies/acme-dental/sign-in", password_only)
        .await;
    assert_eq!(refused.problem(422), "/problems/validation");
    assert!(
        refused.text.contains("phishing_resistant"),
        "{}",
        refused.text
    );

    let user = t.signed_in(DemoUser::AcmeUser).await;
    let mut passkey = registered(&user, "Key").await;
    let put = admin
        .put("/api/companies/acme-dental/sign-in", settings)
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["phishing_resistant"], true);

    // A password alone is refused, after it was checked; with a passkey after it, or a passkey
    // alone, the user is in.
    let password_only = t.try_login(DemoUser::AcmeReadOnly.email(), PASSWORD).await;
    assert_eq!(
        password_only.problem(409),
        "/problems/phishing-resistant-required"
    );
    let first = t.try_login(DemoUser::AcmeUser.email(), PASSWORD).await;
    assert_eq!(first.status, 200);
    let started = t
        .post(
            "/api/auth/login/mfa/passkey/options",
            "",
            json!({"challenge": first.body["challenge"]}),
        )
        .await;
    let answer = t
        .post(
            "/api/auth/login/mfa/passkey",
            "",
            json!({"challenge": first.body["challenge"], "ceremony": started.body["ceremony"],
                   "credential": passkey.get(&started.body["options"])}),
        )
        .await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    assert_eq!(sign_in(&t, &mut passkey).await.status, 204);
    // Globex did not ask for it.
    assert_eq!(
        t.try_login(DemoUser::GlobexUser.email(), PASSWORD)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn a_passkey_meets_the_company_mfa_requirement_and_the_last_one_stays() {
    let t = TestApp::new().await;
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let company = admin.get("/api/companies/acme-dental").await;
    let turned = admin
        .patch(
            "/api/companies/acme-dental",
            json!({"mfa_required": true, "version": company.body["version"]}),
        )
        .await;
    assert_eq!(turned.status, 200, "{}", turned.text);
    let user = t.signed_in(DemoUser::AcmeUser).await;
    assert_eq!(
        user.get("/api/me").await.body["user"]["must_enrol_mfa"],
        true
    );
    // Enrolling with a passkey is allowed before anything else, and is enough.
    let first = registered(&user, "First").await;
    let second = registered(&user, "Second").await;
    let me = user.get("/api/me").await;
    assert_eq!(me.body["user"]["must_enrol_mfa"], false);
    assert_eq!(user.get("/api/tickets").await.status, 200);
    assert_eq!(
        user.delete(&format!("/api/me/passkeys/{}", first.id()))
            .await
            .status,
        204
    );
    let last = user
        .delete(&format!("/api/me/passkeys/{}", second.id()))
        .await;
    assert_eq!(last.problem(409), "/problems/mfa-required");
    assert_eq!(list(&user).await.len(), 1);
}

#[tokio::test]
async fn a_deactivated_user_signs_in_with_no_passkey_and_a_passkey_counts_once() {
    let t = TestApp::new().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let mut passkey = SoftPasskey::new(ORIGIN);
    passkey.counter = 5;
    let answer = register(&user, &mut passkey, "Counting key").await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(sign_in(&t, &mut passkey).await.status, 204);
    // A counter that goes back is a cloned authenticator: refused.
    passkey.counter = 3;
    let cloned = sign_in(&t, &mut passkey).await;
    assert_eq!(cloned.problem(401), "/problems/passkey-refused");
    passkey.counter = 10;
    assert_eq!(sign_in(&t, &mut passkey).await.status, 204);

    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let id = DemoUser::AcmeUser.id();
    let read = admin
        .get(&format!("/api/companies/acme-dental/users/{id}"))
        .await;
    let off = admin
        .patch(
            &format!("/api/companies/acme-dental/users/{id}"),
            json!({"status": "deactivated", "version": read.body["version"]}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let refused = sign_in(&t, &mut passkey).await;
    assert_eq!(refused.problem(401), "/problems/passkey-refused");
    // An authenticator that did not verify its user (present only) is refused.
    let colleague = t.signed_in(DemoUser::AcmeReadOnly).await;
    let mut absent = registered(&colleague, "Key").await;
    absent.flags = UP;
    assert_eq!(
        sign_in(&t, &mut absent).await.problem(401),
        "/problems/passkey-refused"
    );
}
