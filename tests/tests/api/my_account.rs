//! My account as the guides show it (issue 22): first and last name, a direct phone with its
//! extension, a mobile; the login email changed only once the new address confirms it, the old
//! address told — over the real `auth` handler against moto_server.

use portal_tests::{PASSWORD, TestApp};
use serde_json::json;

const UMA: &str = "user@acme.example";

#[tokio::test]
async fn names_in_two_parts_and_a_phone_extension() {
    let t = TestApp::new().await;
    let uma = t.login(UMA).await;
    let me = t.get("/api/me", &uma).await;
    assert_eq!(
        (
            me.body["user"]["first_name"].as_str(),
            me.body["user"]["last_name"].as_str()
        ),
        (Some("Uma"), Some("User")),
        "split from the name"
    );
    let saved = t.patch("/api/me", &uma, json!({"first_name": "Uma", "last_name": "van der User", "phone": "+1 555 0100", "phone_ext": "204", "mobile": "+1 555 0199"})).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["user"]["name"], "Uma van der User");
    assert_eq!(saved.body["user"]["last_name"], "van der User");
    assert_eq!(saved.body["user"]["phone_ext"], "204");
    // Bad input: refused, nothing changed.
    for bad in [
        json!({"first_name": " "}),
        json!({"phone_ext": "20a"}),
        json!({"phone_ext": "12345678901"}),
        json!({"last_name": "two\nlines"}),
    ] {
        assert_eq!(
            t.patch("/api/me", &uma, bad.clone()).await.problem(422),
            "/problems/validation",
            "{bad}"
        );
    }
    assert_eq!(
        t.patch("/api/me", &uma, json!({"nickname": "U"}))
            .await
            .status,
        400
    );
    let me = t.get("/api/me", &uma).await;
    assert_eq!(
        (
            me.body["user"]["name"].as_str(),
            me.body["user"]["phone_ext"].as_str()
        ),
        (Some("Uma van der User"), Some("204"))
    );
}

#[tokio::test]
async fn the_login_email_changes_once_the_new_address_confirms_it() {
    let t = TestApp::new().await;
    let uma = t.login(UMA).await;
    let new = "uma.user@acme-mail.example";
    let ask = |body| {
        let uma = uma.clone();
        let t = &t;
        async move { t.post("/api/me/email", &uma, body).await }
    };
    // Refused: a wrong password, not an address, the same one, one that signs in already.
    assert_eq!(
        ask(json!({"email": new, "current_password": "wrong one"}))
            .await
            .status,
        422
    );
    assert_eq!(
        ask(json!({"email": "not an email", "current_password": PASSWORD}))
            .await
            .problem(422),
        "/problems/validation"
    );
    assert_eq!(
        ask(json!({"email": UMA, "current_password": PASSWORD}))
            .await
            .problem(422),
        "/problems/validation"
    );
    assert_eq!(
        ask(json!({"email": "fulladmin@acme.example", "current_password": PASSWORD}))
            .await
            .problem(409),
        "/problems/email-taken"
    );
    assert_eq!(ask(json!({"address": new})).await.status, 400);

    let sent = ask(json!({"email": new, "current_password": PASSWORD})).await;
    assert_eq!(sent.status, 202, "{}", sent.text);
    let mail = t.mail().await;
    assert!(
        mail.iter()
            .any(|m| m["destinations"]["ToAddresses"][0] == UMA
                && m["subject"].as_str().unwrap().contains("was asked for")),
        "the old address is told"
    );
    let token = t.token_mailed_to(new).await;
    // Nothing changes until the link is used.
    assert_eq!(t.try_login(new, PASSWORD).await.status, 401);
    assert_eq!(t.try_login(UMA, PASSWORD).await.status, 204);
    assert_eq!(
        t.post(
            "/api/auth/email-change/confirm",
            "",
            json!({"token": "x.y.z"})
        )
        .await
        .problem(400),
        "/problems/invalid-token"
    );

    let confirmed = t
        .post(
            "/api/auth/email-change/confirm",
            "",
            json!({"token": token}),
        )
        .await;
    assert_eq!(confirmed.status, 204, "{}", confirmed.text);
    assert_eq!(
        t.try_login(new, PASSWORD).await.status,
        204,
        "signs in with the new address and the same password"
    );
    assert_eq!(t.try_login(UMA, PASSWORD).await.status, 401);
    assert_eq!(t.get("/api/me", &uma).await.body["user"]["email"], new);
    let mail = t.mail().await;
    let last_to_old = mail
        .iter()
        .rev()
        .find(|m| m["destinations"]["ToAddresses"][0] == UMA)
        .unwrap();
    assert!(
        last_to_old["subject"]
            .as_str()
            .unwrap()
            .contains("was changed")
    );
    // The link works once.
    assert_eq!(
        t.post(
            "/api/auth/email-change/confirm",
            "",
            json!({"token": token})
        )
        .await
        .problem(400),
        "/problems/invalid-token"
    );
    // The company's trail has it.
    let fiona = t.login("fulladmin@acme.example").await;
    let trail = t.get("/api/companies/acme-dental/audit", &fiona).await;
    assert!(trail.text.contains("email_changed"), "{}", trail.text);
}

#[tokio::test]
async fn two_users_asking_for_one_address_the_first_to_confirm_gets_it() {
    let t = TestApp::new().await;
    let uma = t.login(UMA).await;
    let tomas = t.login("ticketmanager@acme.example").await;
    let shared = "shared@acme-mail.example";
    let body = json!({"email": shared, "current_password": PASSWORD});
    assert_eq!(
        t.post("/api/me/email", &uma, body.clone()).await.status,
        202
    );
    let first = t.token_mailed_to(shared).await;
    assert_eq!(t.post("/api/me/email", &tomas, body).await.status, 202);
    let second = t.token_mailed_to(shared).await;
    let (a, b) = tokio::join!(
        t.post(
            "/api/auth/email-change/confirm",
            "",
            json!({"token": first})
        ),
        t.post(
            "/api/auth/email-change/confirm",
            "",
            json!({"token": second})
        ),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [204, 409], "{} / {}", a.text, b.text);
    assert_eq!(t.try_login(shared, PASSWORD).await.status, 204);
    let old_ones = [
        t.try_login(UMA, PASSWORD).await.status,
        t.try_login("ticketmanager@acme.example", PASSWORD)
            .await
            .status,
    ];
    assert!(
        old_ones.contains(&204) && old_ones.contains(&401),
        "{old_ones:?}: one kept the old address"
    );
}
