//! Asking for access (docs/sso.md, "Asking for access"): the same answer whatever the address,
//! the request only where a company takes requests from its domain, its Full Admins told, the
//! throttles per address and per domain, and the company's answer (approve with a role: an
//! invitation; refuse) by role and company.

use portal_tests::{Answer, DemoUser, TestApp};
use serde_json::{Value, json};

async fn ask(t: &TestApp, email: &str, name: &str) -> Answer {
    t.call("POST", "/api/auth/access-request")
        .json(json!({"email": email, "name": name}))
        .send()
        .await
}

async fn ask_from(t: &TestApp, ip: &str, email: &str) -> Answer {
    t.call("POST", "/api/auth/access-request")
        .from_ip(ip)
        .json(json!({"email": email, "name": "Someone"}))
        .send()
        .await
}

async fn requests(t: &TestApp) -> Vec<Value> {
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let list = admin
        .get("/api/companies/acme-dental/access-requests")
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn everyone_reads_the_same_answer_and_only_a_taking_company_hears() {
    let t = TestApp::new().await;
    let mut answers = Vec::new();
    for email in [
        "nobody@unknown.example",  // no company has the domain
        "user@globex.example",     // Globex linked no domain (and the address has a user)
        "fulladmin@acme.example",  // Acme's, but the address has a user
        "asha.asker@acme.example", // Acme takes requests from acme.example
        "asha.asker@acme.example", // asked already: nothing new
    ] {
        let calls = t.app.dynamo_calls.get();
        let answer = ask(&t, email, "Asha Asker").await;
        assert_eq!(answer.status, 202, "{email}: {}", answer.text);
        assert!(
            t.app.dynamo_calls.get() - calls <= 3,
            "{email}: at most three calls"
        );
        answers.push(answer.body);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "one answer: {answers:?}"
    );
    assert_eq!(
        answers[0]["message"],
        "Thank you. If your company uses this portal, its administrator has been told and will invite you."
    );
    let waiting = requests(&t).await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["email"], "asha.asker@acme.example");
    assert_eq!(waiting[0]["name"], "Asha Asker");
    let mail = t.mail().await;
    let told: Vec<&Value> = mail
        .iter()
        .filter(|m| m["subject"] == "Asha Asker asked for access to the portal")
        .collect();
    assert_eq!(told.len(), 1, "told once");
    assert_eq!(
        told[0]["destinations"]["ToAddresses"],
        json!(["fulladmin@acme.example"])
    );
    let trail = t.items_in("CO#acme-dental").await;
    assert!(trail.iter().any(|i| {
        i.get("summary")
            .and_then(|s| s.as_s().ok())
            .is_some_and(|s| s == "Asha Asker <asha.asker@acme.example> asked for access")
    }));

    // A company that stops taking requests hears nothing more.
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let mut settings = admin.get("/api/companies/acme-dental/sign-in").await.body;
    settings["access_requests"] = json!(false);
    assert_eq!(
        admin
            .put("/api/companies/acme-dental/sign-in", settings)
            .await
            .status,
        200
    );
    // (From another address: this one has asked five times in the window.)
    assert_eq!(
        ask_from(&t, "198.51.100.9", "bo@acme.example").await.status,
        202
    );
    assert_eq!(requests(&t).await.len(), 1);

    // Bad input is a 422 and writes nothing.
    for body in [
        json!({"email": "not an address", "name": "X"}),
        json!({"email": "x@acme.example", "name": "   "}),
        json!({"email": "x@acme.example"}),
    ] {
        let answer = t
            .call("POST", "/api/auth/access-request")
            .json(body.clone())
            .send()
            .await;
        assert!(
            matches!(answer.status, 400 | 422),
            "{body}: {}",
            answer.status
        );
    }
}

#[tokio::test]
async fn requests_are_throttled_per_address_and_per_domain() {
    let t = TestApp::new().await;
    // Five from one address in a window; the sixth is answered the same and dropped.
    for i in 0..6 {
        let answer = ask_from(&t, "198.51.100.7", &format!("p{i}@acme.example")).await;
        assert_eq!(answer.status, 202);
    }
    assert_eq!(requests(&t).await.len(), 5);
    // Ten per domain in a window, from any number of addresses.
    for i in 0..6 {
        ask_from(&t, &format!("203.0.113.{i}"), &format!("q{i}@acme.example")).await;
    }
    assert_eq!(requests(&t).await.len(), 10);
    // A new window.
    t.clock.advance(time::Duration::minutes(16));
    ask_from(&t, "198.51.100.7", "later@acme.example").await;
    assert_eq!(requests(&t).await.len(), 11);
}

#[tokio::test]
async fn a_full_admin_approves_with_a_role_or_refuses() {
    let t = TestApp::new().await;
    ask(&t, "asha.asker@acme.example", "Asha Asker").await;
    ask(&t, "otto@acme.example", "Otto Other").await;
    let waiting = requests(&t).await;
    let id = |email: &str| {
        waiting.iter().find(|r| r["email"] == email).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (asha, otto) = (id("asha.asker@acme.example"), id("otto@acme.example"));
    let approve =
        |request: &str| format!("/api/companies/acme-dental/access-requests/{request}/approve");
    let refuse = |request: &str| format!("/api/companies/acme-dental/access-requests/{request}");

    // Roles: Acme's Full Admin and the MSP admin; others refused; Globex's never see Acme's.
    for user in DemoUser::ALL {
        let s = t.signed_in(user).await;
        let want = match user {
            DemoUser::AcmeFullAdmin | DemoUser::MspAdmin => 200,
            DemoUser::GlobexFullAdmin | DemoUser::GlobexUser => 404,
            _ => 403,
        };
        assert_eq!(
            s.get("/api/companies/acme-dental/access-requests")
                .await
                .status,
            want,
            "{user:?}"
        );
        if want != 200 {
            let body = json!({"role": "standard_user"});
            assert_eq!(s.post(&approve(&asha), body).await.status, want, "{user:?}");
            assert_eq!(s.delete(&refuse(&otto)).await.status, want, "{user:?}");
        }
    }
    let globex = t.signed_in(DemoUser::GlobexFullAdmin).await;
    let theirs = globex
        .post(
            &format!("/api/companies/globex-logistics/access-requests/{asha}/approve"),
            json!({"role": "standard_user"}),
        )
        .await;
    assert_eq!(
        theirs.problem(404),
        "/problems/not-found",
        "another company's request"
    );
    assert_eq!(requests(&t).await.len(), 2, "nothing answered yet");

    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    // Bad input: a role of the MSP, no role, a malformed id.
    for body in [
        json!({"role": "technician"}),
        json!({"role": "owner"}),
        json!({}),
    ] {
        let answer = admin.post(&approve(&asha), body.clone()).await;
        assert!(
            matches!(answer.status, 400 | 422),
            "{body}: {}",
            answer.text
        );
    }
    assert_eq!(
        admin
            .post(&approve("../../x"), json!({"role": "standard_user"}))
            .await
            .status,
        404
    );
    assert_eq!(requests(&t).await.len(), 2, "nothing written");

    let invited = admin
        .post(&approve(&asha), json!({"role": "ticket_manager"}))
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(invited.body["status"], "invited");
    assert_eq!(invited.body["role"], "ticket_manager");
    assert_eq!(invited.body["name"], "Asha Asker");
    // The invitation works: they choose a password and are in.
    let token = t.token_mailed_to("asha.asker@acme.example").await;
    let accepted = t
        .call("POST", "/api/auth/invitation/accept")
        .json(json!({"token": token, "password": "a long enough passphrase 7"}))
        .send()
        .await;
    assert_eq!(accepted.status, 204, "{}", accepted.text);
    // Answered once.
    assert_eq!(
        admin
            .post(&approve(&asha), json!({"role": "standard_user"}))
            .await
            .status,
        404
    );

    assert_eq!(admin.delete(&refuse(&otto)).await.status, 204);
    assert_eq!(admin.delete(&refuse(&otto)).await.status, 404);
    assert!(requests(&t).await.is_empty());
    let mail = t.mail().await;
    assert!(
        !mail
            .iter()
            .any(|m| m["destinations"]["ToAddresses"][0] == "otto@acme.example"),
        "a refusal tells the person nothing"
    );
}
