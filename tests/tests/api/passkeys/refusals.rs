//! Every check of a passkey's answers, failed on purpose: the origin, the RP id, user
//! verification, the signature, the ceremony's kind, owner and integrity, a malformed answer.
//! A refused registration writes nothing.

use super::*;

/// Options for a registration of `user`, and the answer of `passkey` to them.
async fn registration(user: &SignedIn<'_>, passkey: &mut SoftPasskey) -> (Value, Value) {
    let started = user.post("/api/me/passkeys/options", json!({})).await;
    let credential = passkey.create(&started.body["options"]);
    (started.body["ceremony"].clone(), credential)
}

#[tokio::test]
async fn a_registration_failing_a_check_is_refused_and_writes_nothing() {
    let t = TestApp::new().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let before = t.all_items().await;
    let add = |ceremony: Value, credential: Value, name: &str| {
        user.post(
            "/api/me/passkeys",
            json!({"ceremony": ceremony, "credential": credential, "name": name}),
        )
    };

    let mut elsewhere = SoftPasskey::new("https://portal.evil.example");
    let (ceremony, credential) = registration(&user, &mut elsewhere).await;
    let answer = add(ceremony, credential, "Key").await;
    assert_eq!(answer.problem(422), "/problems/validation");
    assert!(answer.text.contains("credential"), "{}", answer.text);

    let mut unverified = SoftPasskey::new(ORIGIN);
    unverified.flags = UP;
    let (ceremony, credential) = registration(&user, &mut unverified).await;
    assert_eq!(add(ceremony, credential, "Key").await.status, 422);

    let mut other_rp = SoftPasskey::new(ORIGIN);
    let started = user.post("/api/me/passkeys/options", json!({})).await;
    let mut options = started.body["options"].clone();
    options["rp"]["id"] = json!("evil.example");
    let credential = other_rp.create(&options);
    assert_eq!(
        add(started.body["ceremony"].clone(), credential, "Key")
            .await
            .status,
        422
    );

    let mut fine = SoftPasskey::new(ORIGIN);
    let (ceremony, credential) = registration(&user, &mut fine).await;
    let no_name = add(ceremony.clone(), credential.clone(), "").await;
    assert_eq!(no_name.problem(422), "/problems/validation");
    let not_one = add(ceremony.clone(), json!({"id": "x"}), "Key").await;
    assert_eq!(not_one.problem(422), "/problems/validation");
    let forged = add(json!("forged.token"), credential.clone(), "Key").await;
    assert_eq!(forged.problem(409), "/problems/challenge-expired");
    // A ceremony started for a colleague cannot register a passkey for oneself.
    let colleague = t.signed_in(DemoUser::AcmeReadOnly).await;
    let theirs = colleague
        .post(
            "/api/me/passkeys",
            json!({"ceremony": ceremony, "credential": credential, "name": "Key"}),
        )
        .await;
    assert_eq!(theirs.problem(409), "/problems/challenge-expired");
    // A sign-in ceremony is not a registration's.
    let (sign_in_ceremony, _) = sign_in_options(&t).await;
    let wrong_kind = add(sign_in_ceremony, credential, "Key").await;
    assert_eq!(wrong_kind.problem(409), "/problems/challenge-expired");

    let after = t.all_items().await;
    let new: Vec<_> = after
        .iter()
        .filter(|i| !before.contains(i))
        .filter_map(|i| i.get("sk").and_then(|v| v.as_s().ok()))
        .filter(|sk| !sk.starts_with("SESSION#") && !sk.starts_with("AUDIT#"))
        .collect();
    // Only the colleague's sign-in (its session, and the user item's sign-in time) is new.
    assert!(
        new.iter().all(|sk| sk.starts_with("USER#")),
        "written: {new:?}"
    );
    assert!(list(&user).await.is_empty());
}

#[tokio::test]
async fn a_sign_in_failing_a_check_is_refused() {
    let t = TestApp::new().await;
    let user = t.signed_in(DemoUser::AcmeUser).await;
    let mut passkey = registered(&user, "Key").await;
    let post = |body: Value| t.post("/api/auth/passkey", "", body);

    // Another origin, another RP id, no user verification, a bad signature.
    let (ceremony, options) = sign_in_options(&t).await;
    passkey.origin = "https://portal.evil.example".into();
    let credential = passkey.get(&options);
    passkey.origin = ORIGIN.into();
    let answer = post(json!({"ceremony": ceremony, "credential": credential})).await;
    assert_eq!(answer.problem(401), "/problems/passkey-refused");

    let (ceremony, mut options) = sign_in_options(&t).await;
    options["rpId"] = json!("evil.example");
    let credential = passkey.get(&options);
    let answer = post(json!({"ceremony": ceremony, "credential": credential})).await;
    assert_eq!(answer.problem(401), "/problems/passkey-refused");

    let (ceremony, options) = sign_in_options(&t).await;
    passkey.flags = UP;
    let credential = passkey.get(&options);
    passkey.flags = UP | portal_tests::authenticator::UV;
    let answer = post(json!({"ceremony": ceremony, "credential": credential})).await;
    assert_eq!(answer.problem(401), "/problems/passkey-refused");

    let (ceremony, options) = sign_in_options(&t).await;
    let mut credential = passkey.get(&options);
    let (other_ceremony, other_options) = sign_in_options(&t).await;
    credential["response"]["signature"] =
        passkey.get(&other_options)["response"]["signature"].clone();
    let answer = post(json!({"ceremony": ceremony, "credential": credential})).await;
    assert_eq!(answer.problem(401), "/problems/passkey-refused");
    // The answer to one ceremony does not answer another.
    let answer =
        post(json!({"ceremony": other_ceremony, "credential": passkey.get(&options)})).await;
    assert_eq!(answer.problem(401), "/problems/passkey-refused");

    // A ceremony that is not one, of another kind, or a credential that is not an answer.
    let (_, options) = sign_in_options(&t).await;
    let forged = post(json!({"ceremony": "x.y", "credential": passkey.get(&options)})).await;
    assert_eq!(forged.problem(409), "/problems/challenge-expired");
    let registration = user.post("/api/me/passkeys/options", json!({})).await;
    let wrong_kind = post(
        json!({"ceremony": registration.body["ceremony"], "credential": passkey.get(&options)}),
    )
    .await;
    assert_eq!(wrong_kind.problem(409), "/problems/challenge-expired");
    let (ceremony, _) = sign_in_options(&t).await;
    let malformed =
        post(json!({"ceremony": ceremony, "credential": {"rawId": passkey.id()}})).await;
    assert_eq!(malformed.problem(422), "/problems/validation");
    let no_id = post(json!({"ceremony": ceremony, "credential": {}})).await;
    assert_eq!(no_id.problem(422), "/problems/validation");
    let extra = post(json!({"ceremony": ceremony, "credential": {}, "more": 1})).await;
    assert_eq!(extra.status, 400, "{}", extra.text);

    // A second step with a challenge that is not one.
    let bad = t
        .post(
            "/api/auth/login/mfa/passkey/options",
            "",
            json!({"challenge": "nope"}),
        )
        .await;
    assert_eq!(bad.problem(409), "/problems/challenge-expired");
    // Still usable after all that.
    assert_eq!(sign_in(&t, &mut passkey).await.status, 204);
    // Signed out, the My-account routes are closed.
    assert_eq!(t.get("/api/me/passkeys", "").await.status, 401);
    assert_eq!(
        t.post("/api/me/passkeys/options", "", json!({}))
            .await
            .status,
        401
    );
}
