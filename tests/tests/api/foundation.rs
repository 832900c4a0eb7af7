//! Sign-in, sessions, CSRF, roles across routes, pagination, DynamoDB cost, stored layout, OpenAPI
//! and compression: over the real functions' handlers, with the real AWS SDK against moto_server.

use portal_tests::{ORIGIN, PASSWORD, TestApp};
use serde_json::{Value, json};
use std::time::Instant;

const ACME_ADMIN: &str = "fulladmin@acme.example";

// ---- sign-in -------------------------------------------------------------------------------

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

fn forge(token: &str, edit: impl Fn(&mut Value)) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    edit(&mut claims);
    format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(claims.to_string()),
        parts[2]
    )
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

// ---- CSRF ------------------------------------------------------------------------------------

#[tokio::test]
async fn state_changing_requests_without_the_portal_origin_are_refused_and_change_nothing() {
    let t = TestApp::new().await;
    let body = json!({"email": ACME_ADMIN, "password": PASSWORD});
    let bare = t
        .call_without_origin("POST", "/api/auth/login")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(bare.problem(403), "/problems/cross-site");
    assert!(bare.set_cookies().is_empty());
    let evil = t
        .call_without_origin("POST", "/api/auth/login")
        .header("origin", "https://evil.example")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(evil.status, 403);
    let evil_referer = t
        .call_without_origin("POST", "/api/auth/login")
        .header("referer", "https://portal.test.evil.example/login/")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(evil_referer.status, 403);
    assert_eq!(
        t.session_count("acme-dental").await,
        0,
        "no session was stored"
    );

    // A logout forged from elsewhere does not end the session.
    let cookie = t.login(ACME_ADMIN).await;
    let forged = t
        .call_without_origin("POST", "/api/auth/logout")
        .cookie(&cookie)
        .send()
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(t.get("/api/me", &cookie).await.status, 200);

    // A Referer from the portal itself is accepted when Origin is missing.
    let by_referer = t
        .call_without_origin("POST", "/api/auth/login")
        .header("referer", &format!("{ORIGIN}/login/"))
        .json(body)
        .send()
        .await;
    assert_eq!(by_referer.status, 204);
}

#[tokio::test]
async fn every_state_changing_operation_of_the_document_refuses_other_origins() {
    let t = TestApp::with_stripe("http://127.0.0.1:9").await;
    let cookies = [
        t.login("admin@northwind.example").await,
        t.login(ACME_ADMIN).await,
    ];
    let doc: Value = serde_json::from_str(&portal_tests::openapi_json()).unwrap();
    // Path parameters get plausible values: the origin is checked before anything is looked up.
    let fill = |path: &str| {
        path.replace("{number}", "1")
            .replace("{company_id}", "acme-dental")
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    "0123456789abcdef01234567"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let before = t.all_items().await;
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            // The webhook is exempt (Stripe sends no Origin) and signature-checked, below.
            if item.get(method).is_none() || path == "/api/payments/webhook" {
                continue;
            }
            let concrete = fill(path);
            for cookie in &cookies {
                for from in [
                    None,
                    Some(("origin", "https://evil.example")),
                    Some(("origin", "null")),
                    Some(("referer", "https://portal.test.evil.example/login/")),
                ] {
                    let mut call = t
                        .call_without_origin(&method.to_uppercase(), &concrete)
                        .cookie(cookie);
                    if let Some((name, value)) = from {
                        call = call.header(name, value);
                    }
                    let answer = call.json(json!({})).send().await;
                    assert_eq!(
                        answer.problem(403),
                        "/problems/cross-site",
                        "{method} {concrete} from {from:?}: {}",
                        answer.text
                    );
                }
            }
            operations.push(format!("{method} {path}"));
        }
    }
    assert!(operations.len() >= 30, "{operations:?}");
    assert!(
        t.all_items().await == before,
        "a refused request wrote something"
    );
    // The webhook takes no Origin, but nothing without Stripe's signature.
    let forged = t
        .webhook_signed(
            r#"{"id": "evt_1", "type": "checkout.session.completed"}"#,
            "t=1,v1=00",
        )
        .await;
    assert_eq!(forged.status, 400, "{}", forged.text);
    assert!(t.all_items().await == before);
}

// ---- bad input -------------------------------------------------------------------------------

#[tokio::test]
async fn bad_login_bodies_get_clear_problems_and_write_nothing() {
    let t = TestApp::new().await;
    let cases: Vec<(&str, Option<&str>, String, u16)> = vec![
        (
            "malformed JSON",
            Some("application/json"),
            "{\"email\": ".into(),
            400,
        ),
        (
            "missing password",
            Some("application/json"),
            json!({"email": ACME_ADMIN}).to_string(),
            400,
        ),
        (
            "unknown field",
            Some("application/json"),
            json!({"email": ACME_ADMIN, "password": PASSWORD, "admin": true}).to_string(),
            400,
        ),
        (
            "wrong types",
            Some("application/json"),
            json!({"email": 42, "password": []}).to_string(),
            400,
        ),
        (
            "empty fields",
            Some("application/json"),
            json!({"email": " ", "password": ""}).to_string(),
            422,
        ),
        (
            "huge body",
            Some("application/json"),
            format!(
                "{{\"email\":\"{}\",\"password\":\"x\"}}",
                "a".repeat(100_000)
            ),
            413,
        ),
        ("not JSON", Some("text/plain"), "email=a".into(), 415),
        (
            "no content type",
            None,
            json!({"email": ACME_ADMIN, "password": PASSWORD}).to_string(),
            415,
        ),
    ];
    for (what, content_type, body, status) in cases {
        let answer = t
            .call("POST", "/api/auth/login")
            .raw(content_type, body)
            .send()
            .await;
        let kind = answer.problem(status);
        assert!(!kind.is_empty(), "{what}");
        assert!(answer.set_cookies().is_empty(), "{what}");
        if status == 422 {
            let fields: Vec<&str> = answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, ["email", "password"], "{what}");
        }
        if what == "unknown field" {
            assert!(
                answer.body["detail"].as_str().unwrap().contains("admin"),
                "the message names the field: {}",
                answer.text
            );
        }
    }
    // Nothing was written: no session, no failure counter.
    assert!(
        t.items_in("LOGINFAIL#fulladmin@acme.example")
            .await
            .is_empty()
    );
    assert_eq!(
        t.session_count("acme-dental").await,
        0,
        "no session was stored"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let t = TestApp::new().await;
    let cookie = t.login(ACME_ADMIN).await;
    assert_eq!(
        t.get("/api/auth/nothing", &cookie).await.problem(404),
        "/problems/not-found"
    );
    let wrong = t.get("/api/auth/login", &cookie).await;
    assert_eq!(wrong.problem(405), "/problems/method-not-allowed");
    assert_eq!(wrong.header("allow"), Some("POST"));
    // Every documented path answers its other methods with 405 and the methods it has (read from
    // the OpenAPI document, so the two cannot drift), before anything else runs.
    let delete = t
        .call("DELETE", "/api/companies/acme-dental")
        .cookie(&cookie)
        .send()
        .await;
    assert_eq!(
        (delete.status, delete.header("allow")),
        (405, Some("GET, PATCH"))
    );
    let stats = t
        .call("PATCH", "/api/tickets/stats")
        .cookie(&cookie)
        .send()
        .await;
    assert_eq!((stats.status, stats.header("allow")), (405, Some("GET")));
    let doc = portal_tests::openapi();
    for (path, item) in &doc.paths.paths {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let documented = [
            ("GET", item.get.is_some()),
            ("PUT", item.put.is_some()),
            ("POST", item.post.is_some()),
            ("DELETE", item.delete.is_some()),
            ("PATCH", item.patch.is_some()),
        ];
        for (method, has) in documented {
            if has || path == "/api/payments/webhook" {
                continue;
            }
            let answer = t.call(method, &concrete).cookie(&cookie).send().await;
            assert_eq!(answer.status, 405, "{method} {concrete}: {}", answer.text);
            let allow = answer.header("allow").unwrap_or_default().to_owned();
            for (m, has) in documented {
                assert_eq!(allow.contains(m), has, "{method} {path}: Allow {allow}");
            }
        }
    }
    assert_eq!(
        t.get(
            "/api/companies?cursor=forged.cursor",
            &portal_tests_staff(&t).await
        )
        .await
        .problem(400),
        "/problems/bad-request"
    );
}

async fn portal_tests_staff(t: &TestApp) -> String {
    t.login("admin@northwind.example").await
}

// ---- roles -------------------------------------------------------------------------------------

#[tokio::test]
async fn me_gives_each_demo_role_its_capabilities() {
    let t = TestApp::new().await;
    let expected: &[(&str, &str, &[&str])] = &[
        (
            "admin@northwind.example",
            "msp_admin",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_invoices",
                "view_projects",
                "manage_projects",
                "view_agreements",
                "view_hours_left",
                "log_time",
                "view_company_configurations",
                "manage_configurations",
                "manage_documents",
                "manage_users",
                "all_companies",
                "manage_companies",
                "manage_billing",
                "manage_settings",
                "view_audit",
                "read_knowledge_base",
                "manage_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "tech@northwind.example",
            "technician",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_projects",
                "manage_projects",
                "view_agreements",
                "view_hours_left",
                "log_time",
                "view_company_configurations",
                "manage_configurations",
                "manage_documents",
                "all_companies",
                "view_audit",
                "read_knowledge_base",
                "manage_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "fulladmin@acme.example",
            "full_admin",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_invoices",
                "approve_quotes",
                "view_projects",
                "view_agreements",
                "view_hours_left",
                "view_company_configurations",
                "manage_documents",
                "manage_users",
                "view_audit",
                "read_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "ticketmanager@acme.example",
            "ticket_manager",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_projects",
                "view_hours_left",
                "view_company_configurations",
                "read_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "billing@acme.example",
            "billing_admin",
            &[
                "submit_ticket",
                "view_own_tickets",
                "add_notes",
                "view_invoices",
                "approve_quotes",
                "view_projects",
                "view_agreements",
                "view_hours_left",
                "read_knowledge_base",
            ],
        ),
        (
            "readonly@acme.example",
            "ticket_read_only",
            &["view_own_tickets", "read_knowledge_base"],
        ),
        (
            "user@acme.example",
            "standard_user",
            &[
                "submit_ticket",
                "view_own_tickets",
                "add_notes",
                "read_knowledge_base",
            ],
        ),
        (
            "fulladmin@globex.example",
            "full_admin",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_invoices",
                "approve_quotes",
                "view_projects",
                "view_agreements",
                "view_hours_left",
                "view_company_configurations",
                "manage_documents",
                "manage_users",
                "view_audit",
                "read_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "user@globex.example",
            "standard_user",
            &[
                "submit_ticket",
                "view_own_tickets",
                "add_notes",
                "read_knowledge_base",
            ],
        ),
    ];
    for (email, role, capabilities) in expected {
        let me = t.get("/api/me", &t.login(email).await).await;
        assert_eq!(me.status, 200, "{email}");
        assert_eq!(me.body["user"]["role"], *role, "{email}");
        let got: Vec<&str> = me.body["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(&got, capabilities, "{email}");
    }
}

const CLIENTS: [&str; 7] = [
    "fulladmin@acme.example",
    "ticketmanager@acme.example",
    "billing@acme.example",
    "readonly@acme.example",
    "user@acme.example",
    "fulladmin@globex.example",
    "user@globex.example",
];

#[tokio::test]
async fn client_users_cannot_reach_msp_staff_routes_and_staff_can() {
    let t = TestApp::new().await;
    for email in CLIENTS {
        let answer = t.get("/api/companies", &t.login(email).await).await;
        assert_eq!(answer.problem(403), "/problems/forbidden", "{email}");
    }
    for email in ["admin@northwind.example", "tech@northwind.example"] {
        let answer = t.get("/api/companies", &t.login(email).await).await;
        assert_eq!(answer.status, 200, "{email}");
        let names: Vec<&str> = answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Acme Dental", "Globex Logistics", "Northwind IT"],
            "{email}"
        );
    }
    assert_eq!(
        t.call("GET", "/api/companies").send().await.problem(401),
        "/problems/unauthenticated"
    );
}

#[tokio::test]
async fn only_full_admins_and_msp_admins_see_a_companys_users() {
    let t = TestApp::new().await;
    for (email, status) in [
        ("fulladmin@acme.example", 200),
        ("ticketmanager@acme.example", 403),
        ("billing@acme.example", 403),
        ("readonly@acme.example", 403),
        ("user@acme.example", 403),
        ("admin@northwind.example", 200),
        ("tech@northwind.example", 403),
    ] {
        let answer = t
            .get("/api/companies/acme-dental/users", &t.login(email).await)
            .await;
        assert_eq!(answer.status, status, "{email}: {}", answer.text);
        if status == 200 {
            let emails: Vec<&str> = answer.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap())
                .collect();
            assert_eq!(emails.len(), 5);
            assert!(emails.iter().all(|e| e.ends_with("@acme.example")));
            assert!(
                !answer.text.contains("argon2"),
                "no password hashes in answers"
            );
        }
    }
}

// ---- company isolation -------------------------------------------------------------------------

#[tokio::test]
async fn requests_naming_another_companys_ids_get_404() {
    let t = TestApp::new().await;
    let acme_admin = t.login("fulladmin@acme.example").await;
    let acme_user = t.login("user@acme.example").await;
    let globex_user = portal_admin::seed::demo_user_id("user@globex.example");
    let acme_user_id = portal_admin::seed::demo_user_id("user@acme.example");

    for cookie in [&acme_admin, &acme_user] {
        assert_eq!(
            t.get("/api/companies/globex-logistics", cookie)
                .await
                .problem(404),
            "/problems/not-found"
        );
        assert_eq!(
            t.get("/api/companies/globex-logistics/users", cookie)
                .await
                .status,
            404
        );
        assert_eq!(
            t.get(
                &format!("/api/companies/globex-logistics/users/{globex_user}"),
                cookie
            )
            .await
            .status,
            404
        );
        assert_eq!(
            t.get("/api/companies/northwind-it", cookie).await.status,
            404
        );
        // Another company's user id under one's own company is simply not there.
        assert_eq!(
            t.get(
                &format!("/api/companies/acme-dental/users/{globex_user}"),
                &acme_admin
            )
            .await
            .status,
            404
        );
        // And the answer is the same as for a company that does not exist at all.
        assert_eq!(
            t.get("/api/companies/no-such-company", cookie).await.text,
            t.get("/api/companies/globex-logistics", cookie).await.text
        );
    }
    // One's own company and users are there.
    assert_eq!(
        t.get("/api/companies/acme-dental", &acme_user).await.body["name"],
        "Acme Dental"
    );
    assert_eq!(
        t.get(
            &format!("/api/companies/acme-dental/users/{acme_user_id}"),
            &acme_admin
        )
        .await
        .body["email"],
        "user@acme.example"
    );
    // MSP staff see every company.
    let staff = t.login("tech@northwind.example").await;
    assert_eq!(
        t.get("/api/companies/globex-logistics", &staff).await.body["name"],
        "Globex Logistics"
    );
    let admin = t.login("admin@northwind.example").await;
    assert_eq!(
        t.get(
            &format!("/api/companies/globex-logistics/users/{globex_user}"),
            &admin
        )
        .await
        .body["email"],
        "user@globex.example"
    );
    // Ids that are not ids at all are 404 too, never 500.
    assert_eq!(
        t.get("/api/companies/..%2F..%2Fetc/users", &admin)
            .await
            .status,
        404
    );
}

// ---- pagination, cost, layout -----------------------------------------------------------------

#[tokio::test]
async fn user_lists_paginate_with_signed_cursors() {
    let t = TestApp::new().await;
    let company = portal::domain::CompanyId::parse("acme-dental").unwrap();
    let hash = portal::auth::password::hash(PASSWORD).unwrap();
    for i in 0..60 {
        let user = portal::domain::account::User::new(
            company.clone(),
            portal::domain::Email::parse(&format!("staff{i}@acme.example")).unwrap(),
            &format!("Staff {i}"),
            portal::domain::roles::Role::StandardUser,
            portal::domain::UserStatus::Active,
            t.app.now(),
        );
        t.app.store.put_user(&user, &hash, true).await.unwrap();
    }
    let cookie = t.login(ACME_ADMIN).await;
    let first = t.get("/api/companies/acme-dental/users", &cookie).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = t
        .get(
            &format!("/api/companies/acme-dental/users?cursor={cursor}"),
            &cookie,
        )
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 15);
    assert!(second.body["next_cursor"].is_null());
    // A cursor from another company's list is refused outright (400), not replayed.
    let globex_admin = t.login("fulladmin@globex.example").await;
    let replay = t
        .get(
            &format!("/api/companies/globex-logistics/users?cursor={cursor}"),
            &globex_admin,
        )
        .await;
    assert_eq!(replay.problem(400), "/problems/bad-request");
    let staff = t.login("admin@northwind.example").await;
    assert_eq!(
        t.get(&format!("/api/companies?cursor={cursor}"), &staff)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn every_route_makes_a_small_fixed_number_of_dynamodb_calls() {
    // Every operation of the OpenAPI document has a row (checked by the next test), on its success
    // path unless the label names another case. The session check is one call; most routes add one more. Sign-in reads the credential with
    // its attempt counters, reserves the attempt (before argon2), then reads the user (for the
    // session epoch and the audit entry) and writes; a wrong password writes its audit entry
    // instead. Raising a ticket also takes a number from the counter and reads settings; staff
    // find a ticket's company through its number.
    let expected: &[(&str, u16, u64)] = &[
        ("POST /api/auth/login (success)", 204, 4),
        ("POST /api/auth/login (wrong password)", 401, 3),
        ("GET /api/me", 200, 1),
        ("GET /api/companies", 200, 2),
        ("GET /api/companies/{company_id}", 200, 2),
        ("PATCH /api/companies/{company_id}", 200, 3),
        // The company read consistently, one transaction with the audit entry.
        ("PATCH /api/companies/{company_id}/preferences", 200, 3),
        ("GET /api/companies/{company_id}/sign-in", 200, 1),
        // The company with the pointers of the tenants and domains to link; the transaction.
        ("PUT /api/companies/{company_id}/sign-in", 200, 3),
        // The email's credential with its domain's pointer; the request stored with its counters
        // and the company's consent checked; the company's users listed for the Full Admins.
        ("POST /api/auth/access-request", 202, 3),
        ("GET /api/companies/{company_id}/access-requests", 200, 2),
        // The request; the invitation's transaction (the request goes in it).
        (
            "POST /api/companies/{company_id}/access-requests/{request_id}/approve",
            201,
            3,
        ),
        ("POST /api/auth/access-request (one to refuse)", 202, 3),
        (
            "GET /api/companies/{company_id}/access-requests (the one to refuse)",
            200,
            2,
        ),
        (
            "DELETE /api/companies/{company_id}/access-requests/{request_id}",
            204,
            2,
        ),
        ("GET /api/auth/providers", 200, 0),
        ("GET /api/auth/sso/{provider} (not set up)", 503, 0),
        (
            "GET /api/auth/sso/{provider}/callback (no sign-in started)",
            303,
            0,
        ),
        ("POST /api/companies", 201, 2),
        ("GET /api/companies/{company_id}/users", 200, 2),
        ("GET /api/companies/{company_id}/users/{user_id}", 200, 2),
        ("GET /api/tickets/settings", 200, 2),
        ("PUT /api/tickets/settings", 200, 2),
        ("GET /api/tickets/people", 200, 2),
        ("POST /api/tickets", 201, 4),
        ("GET /api/tickets", 200, 2),
        // One Query of the sort rows, one BatchGetItem of the tickets they name.
        (
            "GET /api/tickets (sort=priority, through the sort rows)",
            200,
            3,
        ),
        // The same for the queue by the nearest target (its queue sort rows).
        (
            "GET /api/tickets (sort=target, the MSP queue by the nearest target)",
            200,
            3,
        ),
        ("GET /api/tickets/stats", 200, 2),
        ("POST /api/tickets/{number}/notes", 201, 3),
        // The ticket alone, however long its conversation, then the settings (the size limit).
        ("POST /api/tickets/{number}/uploads", 201, 3),
        (
            "POST /api/tickets/{number}/attachments (nothing uploaded)",
            422,
            2,
        ),
        (
            "GET /api/tickets/{number}/attachments/{id} (no such file)",
            404,
            2,
        ),
        // The ticket and the file's item, in one BatchGetItem.
        ("GET /api/tickets/{number} (client)", 200, 2),
        ("GET /api/tickets/{number} (MSP staff)", 200, 3),
        ("GET /api/tickets (q={number}, client)", 200, 2),
        ("GET /api/tickets (q={number}, MSP staff)", 200, 3),
        ("GET /api/tickets (q=bench, words)", 200, 3),
        ("GET /api/tickets/export", 200, 2),
        // Staff find the ticket's company by its number, read it, then one transaction (the
        // ticket, the company's count waiting for approval, the audit entry); then the approvers
        // to email (the company's users).
        ("POST /api/tickets/{number}/approval-request", 200, 5),
        // The ticket, one transaction; then the technician who asked (the email).
        ("POST /api/tickets/{number}/approval", 200, 4),
        // The ticket with the settings (what clients may set, the statuses, the targets) and the
        // company's agreements (their targets) in one BatchGetItem, one transaction with the note.
        ("PATCH /api/tickets/{number}", 200, 3),
        // The public part of the ticket in one Query (the client's company is the principal's).
        ("GET /api/tickets/{number}/pdf", 303, 2),
        (
            "GET /api/tickets/{number}/signoff/pdf (the form to sign)",
            303,
            2,
        ),
        // That Query, then one transaction (the ticket, its counts, the audit entry).
        ("POST /api/tickets/{number}/signoff", 200, 3),
        ("GET /api/tickets/{number}/signoff/pdf (signed)", 303, 2),
        // The ticket, one transaction (a bad rating of an assigned ticket then reads the
        // technician, for their email: 4; this one has none).
        ("POST /api/tickets/{number}/rating", 200, 3),
        // Staff find the ticket through its number, read it with the user in one BatchGetItem,
        // save it under its version.
        ("POST /api/tickets/{number}/watchers", 200, 4),
        ("DELETE /api/tickets/{number}/watchers/{user_id}", 200, 4),
        // Staff find the ticket through its number, read it, save it under its version.
        ("POST /api/tickets/{number}/tasks", 201, 4),
        ("PATCH /api/tickets/{number}/tasks/{id}", 200, 4),
        ("DELETE /api/tickets/{number}/tasks/{id}", 200, 4),
        // Staff find the ticket's company, read it with the settings and the company's
        // agreements (the targets of the new priority) in one BatchGetItem, one transaction.
        (
            "PATCH /api/tickets/{number} (MSP staff: the priority, its targets planned anew)",
            200,
            4,
        ),
        // Projects: the session check, then at most three calls. A create reads the company,
        // manager and contact in one BatchGetItem, takes a number, then one transaction; staff
        // find a project's company through its number; a plan or change reads the project
        // (with its phase counters) and saves it under its version.
        ("POST /api/projects", 201, 4),
        ("PUT /api/projects/{number}/phases", 200, 4),
        ("PATCH /api/projects/{number}", 200, 4),
        // A ticket in a phase also reads the project (the phase must be one of its plan); its
        // row and the phase counters go in the ticket's own transaction.
        (
            "POST /api/tickets (in a project's phase, MSP staff)",
            201,
            5,
        ),
        // Staff find the ticket through its number; its contact's preferences decide the email.
        (
            "PATCH /api/tickets/{number} (closing a project's ticket, MSP staff)",
            200,
            5,
        ),
        ("GET /api/projects", 200, 2),
        ("GET /api/projects (q=bench, words)", 200, 2),
        // The open count and the first project by next milestone (an index of its own).
        ("GET /api/projects/summary", 200, 3),
        ("GET /api/projects/{number} (client)", 200, 2),
        ("GET /api/projects/{number} (MSP staff)", 200, 3),
        // Configurations: the types with the company and contact in one BatchGetItem, then the
        // transaction (item, serial and tag pointers, audit entry). A search is one Query of the
        // index made for it; a serial or tag reads its pointer, then the configuration; the page
        // reads the configuration and its ticket rows in one Query. The import is the exception to
        // the call budget (docs/decisions.md): the types and company, the serial and tag pointers
        // (one BatchGetItem per 100), then one transaction per 100 items.
        ("GET /api/configuration-types", 200, 2),
        ("PUT /api/configuration-types", 200, 2),
        ("POST /api/configurations", 201, 3),
        ("POST /api/configurations (a serial taken: refused)", 409, 3),
        ("PATCH /api/configurations/{id}", 200, 3),
        ("POST /api/configurations/import", 201, 4),
        ("GET /api/configurations", 200, 2),
        (
            "GET /api/configurations (serial=bench-2, through its pointer)",
            200,
            3,
        ),
        (
            "GET /api/configurations (q=bench&type=server, one index)",
            200,
            2,
        ),
        (
            "GET /api/configurations (sort=expires&status=active, filtered)",
            200,
            2,
        ),
        ("GET /api/configurations/export", 200, 2),
        ("GET /api/configurations/expiring", 200, 2),
        ("GET /api/configurations/{id} (client)", 200, 2),
        ("GET /api/configurations/{id} (MSP staff)", 200, 2),
        ("POST /api/tickets (about a configuration)", 201, 4),
        // Documents: an upload grant reads the file rules and the company (or the document) in one
        // BatchGetItem; a confirm reads the document (new: none yet), then one transaction with
        // its folder's counts and the audit entry. A list is one Query of its audience's index.
        ("POST /api/documents/uploads", 201, 2),
        ("POST /api/documents", 201, 3),
        ("POST /api/documents/{id}/uploads", 201, 2),
        ("POST /api/documents/{id}/versions", 201, 3),
        ("PATCH /api/documents/{id}", 200, 3),
        ("GET /api/documents", 200, 2),
        (
            "GET /api/documents (folder=bench&q=notes, one folder's index, filtered)",
            200,
            2,
        ),
        ("GET /api/documents/folders", 200, 2),
        ("GET /api/documents/{id}", 200, 2),
        ("GET /api/documents/{id}/versions/{n}", 303, 2),
        // A delete reads the document, then one transaction (the item with its list entries, the
        // folder's counts, the audit entry); its files go from S3 after.
        ("DELETE /api/documents/{id}", 204, 3),
        // Knowledge base: a save is one transaction (article, revision, card, category counts,
        // word index, audit) after reading the article (and the companies it names) in one
        // BatchGetItem; a client's list or search adds the one Query of the articles shown to
        // their company by name; a search or suggestions look up each of its (up to three) most
        // telling words; a vote or deflection reads the article, its counters and the vote or
        // mark in one BatchGetItem and writes in one transaction.
        ("POST /api/kb/articles", 201, 2),
        ("PATCH /api/kb/articles/{id}", 200, 3),
        ("PUT /api/kb/articles/{id}/status", 200, 3),
        ("PUT /api/kb/articles/{id}/pin", 200, 3),
        ("GET /api/kb/articles/{id}/revisions", 200, 2),
        ("GET /api/kb/articles/{id}/revisions/{n}", 200, 2),
        ("POST /api/kb/articles/{id}/images", 201, 2),
        ("POST /api/kb/articles/{id}/images/confirm", 200, 1),
        ("GET /api/kb/images/{id}/{file}", 200, 2),
        ("GET /api/kb/articles (MSP staff: every article)", 200, 2),
        (
            "GET /api/kb/articles (a client: every client's and their company's)",
            200,
            3,
        ),
        ("GET /api/kb/articles (category=bench)", 200, 3),
        (
            "GET /api/kb/articles (q=bench printer, search: each word)",
            200,
            4,
        ),
        ("GET /api/kb/categories", 200, 3),
        ("GET /api/kb/suggestions (three words looked up)", 200, 5),
        ("GET /api/kb/top", 200, 3),
        ("GET /api/kb/articles/{id}", 200, 2),
        ("PUT /api/kb/articles/{id}/vote", 200, 3),
        ("POST /api/kb/articles/{id}/deflections", 204, 3),
        // Reports: the session, then one Query of the month items (24 at most).
        ("GET /api/reports/trends", 200, 2),
        ("GET /api/reports/trends (MSP staff: every company)", 200, 2),
        ("GET /api/reports/trends/export", 200, 2),
        ("GET /api/reports/responsiveness", 200, 2),
        // The executive PDF adds the company with its agreements (one BatchGetItem).
        ("GET /api/reports/executive", 200, 3),
        // Agreements: a company's agreements are one record (with its hour counters), read with
        // the company and the ticket settings in one BatchGetItem, saved under its version.
        ("POST /api/agreements", 201, 3),
        ("PATCH /api/agreements/{id}", 200, 3),
        // Staff find the ticket through its number; the ticket, the agreements (and the entry)
        // in one BatchGetItem; then one transaction: the entry, the counters, the audit entry.
        ("POST /api/tickets/{number}/time", 201, 4),
        ("PATCH /api/tickets/{number}/time/{id}", 200, 4),
        ("GET /api/agreements", 200, 2),
        ("GET /api/agreements/{id}", 200, 2),
        // The agreements (is it the company's?), then one page of its index.
        ("GET /api/agreements/{id}/time", 200, 3),
        ("DELETE /api/tickets/{number}/time/{id}", 204, 4),
        ("GET /api/me/sessions", 200, 2),
        ("POST /api/me/sessions/end-others", 204, 2),
        (
            "DELETE /api/me/sessions/{session_id} (none of the caller's)",
            204,
            2,
        ),
        // The password check (credential and attempt counters, reserve, settle: as for a password
        // change), then the token in one transaction that checks the new address is free.
        ("POST /api/me/email", 202, 5),
        // The token's item: not there.
        (
            "POST /api/auth/email-change/confirm (a link that does not work)",
            400,
            1,
        ),
        ("PATCH /api/me", 200, 2),
        ("POST /api/companies/{company_id}/users (invite)", 201, 2),
        (
            "POST /api/companies/{company_id}/users/{user_id}/invitation (resend)",
            204,
            3,
        ),
        ("POST /api/auth/invitation", 200, 3),
        ("POST /api/auth/invitation/accept", 204, 3),
        ("PATCH /api/companies/{company_id}/users/{user_id}", 200, 3),
        ("GET /api/companies/{company_id}/audit", 200, 2),
        ("GET /api/companies/{company_id}/audit (user=)", 200, 2),
        ("GET /api/companies/{company_id}/audit/export", 200, 2),
        ("GET /api/companies (q=acme)", 200, 2),
        ("POST /api/me/mfa", 200, 2),
        ("POST /api/me/mfa/confirm", 200, 5),
        ("POST /api/auth/login (second factor due)", 200, 3),
        ("POST /api/auth/login/mfa (recovery code)", 204, 4),
        ("POST /api/me/mfa/disable", 204, 8),
        // Passkeys: the session, then one Query (options, list), one transaction (add, with the
        // owner pointer, both counts and the audit entry; remove) or one update (rename).
        ("POST /api/me/passkeys/options", 200, 2),
        ("POST /api/me/passkeys", 201, 2),
        ("GET /api/me/passkeys", 200, 2),
        ("PATCH /api/me/passkeys/{passkey_id}", 204, 2),
        // Signing in with a passkey: nothing to start (the state is sealed in the ceremony); the
        // owner pointer, one BatchGetItem (company, user, passkey), the session's transaction.
        ("POST /api/auth/passkey/options", 200, 0),
        ("POST /api/auth/passkey", 204, 3),
        ("POST /api/auth/login (second factor: a passkey)", 200, 3),
        ("POST /api/auth/login/mfa/passkey/options", 200, 1),
        ("POST /api/auth/login/mfa/passkey", 204, 2),
        ("DELETE /api/me/passkeys/{passkey_id}", 204, 2),
        (
            "DELETE /api/companies/{company_id}/users/{user_id}/mfa",
            204,
            4,
        ),
        // Credential, user, request counter, then token + audit entry: as many for an unknown
        // address as far as the counter; the answer waits for a fixed floor either way.
        ("POST /api/auth/password-reset", 202, 4),
        ("POST /api/auth/password-reset/confirm", 204, 3),
        // The company, then the invoice with its audit entry.
        ("POST /api/invoices", 201, 3),
        // Draft, company, counter, then one transaction (counter, invoice, number, audit), then
        // the billing account (autopay?), and the billing contacts for the email (its users).
        ("POST /api/invoices/{id}/issue", 200, 7),
        ("GET /api/invoices", 200, 2),
        ("GET /api/invoices/{id}", 200, 2),
        ("GET /api/invoices (q=)", 200, 3),
        ("GET /api/invoices/export", 200, 2),
        ("GET /api/invoices/{id}/pdf", 303, 3),
        ("POST /api/payments/checkout", 201, 7),
        // The company and its agreements in one batch, whether this purchase was made before, the
        // invoice counter, the issue (one transaction), then as any Checkout: whether the payment
        // was started before, the billing account (the Stripe customer), the payment.
        ("POST /api/agreements/{id}/purchase", 201, 8),
        ("POST /api/invoices/{id}/payments", 201, 5),
        ("GET /api/payments", 200, 2),
        ("GET /api/payments/{id}", 200, 2),
        ("POST /api/invoices (a draft to change and void)", 201, 3),
        ("PATCH /api/invoices/{id}", 200, 3),
        ("POST /api/invoices/{id}/issue (the second)", 200, 7),
        ("POST /api/invoices/{id}/void", 200, 3),
        ("POST /api/invoices (a draft to delete)", 201, 3),
        ("DELETE /api/invoices/{id}", 204, 3),
        (
            "POST /api/tickets/{number}/time (no agreement, to invoice)",
            201,
            4,
        ),
        // The company and its agreements in one batch, then one page of its unbilled time.
        ("GET /api/invoices/unbilled", 200, 3),
        // The same, then one transaction: the draft, each entry marked, the hours over, the audit.
        ("POST /api/invoices/from-time", 201, 4),
        (
            "POST /api/invoices/{id}/issue (an invoice of time: its ticket marked)",
            200,
            7,
        ),
        // The invoice, its tickets (one BatchGetItem), one transaction.
        (
            "POST /api/invoices/{id}/void (an invoice of time: its time back, its ticket unmarked)",
            200,
            4,
        ),
        // The company, the credit-note counter, then one transaction (counter, note, credit,
        // audit); then the billing contacts for the email (its users).
        ("POST /api/credit-notes", 201, 5),
        // A page of credit notes and the balance item.
        ("GET /api/credit-notes", 200, 3),
        ("GET /api/credit-notes/{number}", 200, 2),
        // The note, then (rendered once) the company for its address.
        ("GET /api/credit-notes/{number}/pdf", 303, 3),
        ("POST /api/invoices (a draft to pay with credit)", 201, 3),
        (
            "POST /api/invoices/{id}/issue (one to pay with credit)",
            200,
            7,
        ),
        // The invoice, the credit, one transaction (payment, invoice, credit taken, audit), then
        // the receipt's billing contacts (the company, its users).
        ("POST /api/invoices/{id}/credit", 201, 6),
        // The company and the ticket settings (request types), then one transaction (the draft,
        // its audit entry).
        ("POST /api/quotes", 201, 4),
        // One page of one tab: one Query.
        ("GET /api/quotes (drafts)", 200, 2),
        ("PATCH /api/quotes/{id} (a draft)", 200, 4),
        // The draft, the number counter, one transaction (counter, quote, number, audit), then
        // the approvers to email (the company's users).
        ("POST /api/quotes/{id}/send", 200, 5),
        ("GET /api/quotes", 200, 2),
        // The number's pointer, then its latest revision.
        ("GET /api/quotes (by number)", 200, 3),
        ("GET /api/quotes/{id}", 200, 2),
        // The quote, then (rendered once) the company for its address.
        ("GET /api/quotes/{id}/pdf", 303, 3),
        // The quote, the settings, one transaction (old superseded, new, number moved, audit),
        // then the approvers to email.
        ("PATCH /api/quotes/{id} (a revision)", 200, 5),
        // The quote; a ticket and a project number (counters); the company and the invoice
        // counter for the deposit; one transaction (the answer, the ticket with its counts, the
        // project, the deposit invoice with its number, the audit entry); then the billing
        // contacts to email the invoice to.
        (
            "POST /api/quotes/{id}/approve (a ticket, a project and a deposit invoice)",
            200,
            8,
        ),
        (
            "POST /api/quotes/{id}/renewal (not expired: refused)",
            409,
            2,
        ),
        ("POST /api/quotes (one to decline)", 201, 4),
        ("POST /api/quotes/{id}/send (one to decline)", 200, 5),
        // The quote, then one conditional write (the answer and its audit entry).
        ("POST /api/quotes/{id}/decline", 200, 3),
        ("POST /api/quotes (one to delete)", 201, 4),
        ("DELETE /api/quotes/{id}", 204, 3),
        // The open invoices; then together the account with the credit, and the count of the
        // quotes waiting (one Query with Select=COUNT).
        ("GET /api/billing/overview", 200, 4),
        ("GET /api/billing/companies", 200, 2),
        ("GET /api/payment-methods", 200, 3),
        ("POST /api/payment-methods/setup", 201, 2),
        // The signature is checked first; the customer link, the method (to keep a nickname), one
        // transaction (method, not removed, event id, audit), then the account's default method
        // (read and written).
        ("POST /api/payments/webhook (a card saved)", 200, 5),
        // Session, the invoices (one batch), the method, the account's customer, whether this
        // payment was asked for before, then one transaction (the payment and its audit entry).
        ("POST /api/payments/charge", 202, 6),
        ("PATCH /api/payment-methods/{id}", 200, 4),
        ("PUT /api/billing/autopay", 200, 3),
        ("DELETE /api/payment-methods/{id}", 204, 5),
        // Session, the credential with its attempt counters, the attempt's reservation (before
        // argon2), its settling, then one transaction: the new hash, other sessions ended, the
        // audit entry.
        ("POST /api/me/password", 204, 5),
        ("POST /api/auth/logout", 204, 1),
    ];
    let seen = portal_tests::routes::call_every_route().await;
    let seen: Vec<(&str, u16, u64)> = seen.iter().map(|(r, s, c)| (r.as_str(), *s, *c)).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_call_count_table_has_a_row_for_every_documented_operation() {
    let doc: Value = serde_json::from_str(&portal_tests::openapi_json()).unwrap();
    let mut documented = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for verb in operations.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", verb.to_uppercase()));
        }
    }
    let rows = portal_tests::routes::operations_with_a_row();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|op| !rows.contains(&op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations with no call-count row: {missing:?}"
    );
    let unknown: Vec<&&str> = rows
        .iter()
        .filter(|op| !documented.iter().any(|d| d == *op))
        .collect();
    assert!(
        unknown.is_empty(),
        "rows naming no documented operation: {unknown:?}"
    );
}

#[tokio::test]
async fn stored_items_have_the_pinned_layout() {
    let t = TestApp::new().await;
    t.login("user@acme.example").await;
    let attrs = |item: &portal::store::Item| {
        let mut names: Vec<String> = item.keys().cloned().collect();
        names.sort();
        names.join(",")
    };
    let acme = t.items_in("CO#acme-dental").await;
    let by_sk = |prefix: &str| {
        acme.iter()
            .find(|i| i["sk"].as_s().unwrap().starts_with(prefix))
            .unwrap()
    };
    assert_eq!(
        attrs(by_sk("COMPANY")),
        "address,admins,billing_email,created_at,currency,default_notify,gsi1pk,gsi1sk,id,kind,mfa_required,name,overdue_reminders,payment_terms_days,phone,pk,sign_in_methods,sk,sso,tax_rate_bp,time_zone,version"
    );
    assert_eq!(by_sk("COMPANY")["gsi1pk"].as_s().unwrap(), "COMPANIES");
    assert_eq!(
        attrs(by_sk("USER#")),
        "company_id,created_at,email,first_name,id,last_name,last_sign_in_at,mfa_enabled,mobile,name,notify,passkeys,phone,phone_ext,pk,role,sees_company_tickets,session_epoch,sk,status,theme,ticket_view,version"
    );
    assert_eq!(
        attrs(by_sk("SESSION#")),
        "company_id,created_at,epoch,expires_at,id,pk,remember,sk,source_ip,ttl,user_agent,user_id"
    );
    assert!(
        by_sk("SESSION#")["ttl"].as_n().is_ok(),
        "ttl must be a number for DynamoDB TTL"
    );
    let credential = t.items_in("LOGIN#user@acme.example").await;
    assert_eq!(
        attrs(&credential[0]),
        "company_id,email,invite_hash,mfa,passkeys,password_hash,pk,sk,user_id"
    );
    t.try_login("user@acme.example", "wrong password").await;
    let failures = t.items_in("LOGINFAIL#user@acme.example").await;
    let shapes: Vec<(String, String)> = failures
        .iter()
        .map(|c| {
            (
                c["sk"].as_s().unwrap().split('#').skip(2).collect(),
                attrs(c),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            (String::new(), "failures,next_at,pk,sk,ttl".to_owned()),
            (
                format!("FROM{}", portal_tests::CLIENT_IP),
                "failures,pk,sk,ttl".to_owned()
            )
        ],
        "per email (slowing), and per email and place"
    );
    let place = t
        .items_in(&format!("PLACEFAIL#{}", portal_tests::CLIENT_IP))
        .await;
    assert_eq!(attrs(&place[0]), "failures,pk,sk,ttl");
}

/// A stored item's shape: its key and index attributes with their values (ids, numbers, words and
/// times redacted), then every other attribute with its DynamoDB type.
fn stored_shape(item: &portal::store::Item) -> String {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let mut names: Vec<&String> = item.keys().collect();
    names.sort();
    let (mut keys, mut attrs) = (Vec::new(), Vec::new());
    for name in names {
        let value = &item[name];
        let kind = match value {
            A::S(_) => "S",
            A::N(_) => "N",
            A::Bool(_) => "BOOL",
            A::M(_) => "M",
            A::L(_) => "L",
            A::Null(_) => "NULL",
            A::Ss(_) => "SS",
            _ => "other",
        };
        match value {
            // A word-index item sorts by its word in gsi1 (`{word}#{n}`).
            A::S(s)
                if name == "gsi1sk"
                    && s.contains('#')
                    && item["sk"].as_s().is_ok_and(|sk| sk.starts_with("TW#")) =>
            {
                let (_, number) = s.split_once('#').unwrap_or_default();
                keys.push(format!("{name}={{word}}#{}", redact_key(number)))
            }
            A::S(s) if name == "pk" || name == "sk" || name.starts_with("gsi") => {
                keys.push(format!("{name}={}", redact_key(s)))
            }
            _ => attrs.push(format!("{}:{kind}", redact_attr(name))),
        }
    }
    attrs.sort();
    attrs.dedup();
    // A report month holds a counter per thing counted (`opened.type.Problem`, `response.3`, …)
    // and its contacts' names: which ones depends on the day the demo data was made.
    if item["sk"].as_s().is_ok_and(|sk| sk.starts_with("RPT#")) {
        attrs = vec!["{counter}:N".into(), "name.contact.{id}:S".into()];
    }
    format!("{} | {}", keys.join(" "), attrs.join(","))
}

/// An attribute name with the ids and months of counters (`u_{id}_{month}`) as placeholders.
fn redact_attr(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()) {
                "{id}".to_owned()
            } else if part.len() == 7
                && part
                    .split_once('-')
                    .is_some_and(|(y, m)| digits(y) && digits(m))
            {
                "{month}".to_owned()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("_")
}

/// A key value with what varies from run to run or item to item replaced by a placeholder.
fn redact_key(value: &str) -> String {
    let mut after_word_prefix = false;
    value
        .split('#')
        .map(|part| {
            let redacted = if after_word_prefix {
                "{word}".to_owned()
            } else if part.len() >= 8
                && part.bytes().all(|b| b.is_ascii_hexdigit())
                && !(part.len() == 10 && part.bytes().all(|b| b.is_ascii_digit()))
            {
                // Random ids (16 or 32 hex digits, all digits now and then); ticket numbers are
                // ten digits.
                "{id}".to_owned()
            } else if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                "{n}".to_owned()
            } else if part.len() >= 7
                && part.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && part.as_bytes()[4] == b'-'
            {
                match part.len() {
                    7 => "{month}",
                    10 => "{date}",
                    _ => "{time}",
                }
                .to_owned()
            } else if let Some(rest) = part.split_once('_').filter(|(p, _)| p.len() <= 4) {
                format!("{}_{{id}}", rest.0)
            } else {
                part.to_owned()
            };
            after_word_prefix = part == "TW" || part == "TWQ";
            redacted
        })
        .collect::<Vec<_>>()
        .join("#")
}

#[tokio::test]
async fn every_entity_is_stored_with_the_pinned_layout() {
    use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
    use portal::domain::billing::{BillingAccount, PaymentMethod};
    let t = TestApp::new().await;
    let store = &t.app.store;
    let now = t.app.now();
    let acme = portal::domain::CompanyId::parse("acme-dental").unwrap();
    portal_admin::seed::seed_tickets(store, now).await.unwrap();
    portal_admin::seed::seed_invoices(store, now).await.unwrap();
    portal_admin::seed::seed_projects(store, now).await.unwrap();
    portal_admin::seed::seed_agreements(store, now)
        .await
        .unwrap();
    portal_admin::seed::seed_quotes(store, now).await.unwrap();
    // Configurations: one with every index entry, one with none of the optional ones, two
    // imported with a key, the type list, and a ticket about one.
    let tech = t.login("tech@northwind.example").await;
    let made = t
        .post("/api/configurations?company=acme-dental", &tech, json!({"name": "Layout server", "type": "Server", "serial": "L-1", "tag": "LT-1", "model": "T350", "contact_id": portal_admin::seed::demo_user_id("user@acme.example").as_str(), "expires": "2027-01-15", "purchase_date": "2025-01-15"}))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let bare = t
        .post(
            "/api/configurations?company=acme-dental",
            &tech,
            json!({"name": "Layout licence", "type": "Licence", "status": "inactive"}),
        )
        .await;
    assert_eq!(bare.status, 201, "{}", bare.text);
    let imported = t
        .call("POST", "/api/configurations/import?company=acme-dental")
        .cookie(&tech)
        .header("idempotency-key", "layout-import")
        .raw(
            Some("text/csv"),
            "Name,Type\nLayout PC,Workstation\n".into(),
        )
        .send()
        .await;
    assert_eq!(imported.status, 201, "{}", imported.text);
    let admin = t.login("admin@northwind.example").await;
    let types = t
        .call("PUT", "/api/configuration-types")
        .cookie(&admin)
        .json(json!({"types": ["Server", "Licence", "Workstation"], "version": 0}))
        .send()
        .await;
    assert_eq!(types.status, 200, "{}", types.text);
    let about = t
        .post("/api/tickets", &t.login("user@acme.example").await, json!({"summary": "Layout server beeps", "description": "Since Monday.", "request_type": "problem", "priority": "medium", "configuration_id": made.body["id"]}))
        .await;
    assert_eq!(about.status, 201, "{}", about.text);
    // A document with two versions, filed admins only.
    let grant = t
        .post("/api/documents/uploads?company=acme-dental", &tech, json!({"file_name": "layout.txt", "content_type": "text/plain", "size": 6, "folder": "Layout", "visibility": "admins_only"}))
        .await;
    assert_eq!(grant.status, 201, "{}", grant.text);
    portal_tests::files::post_file(&grant.body, "text/plain", b"layout".to_vec()).await;
    let doc = t
        .post(
            "/api/documents?company=acme-dental",
            &tech,
            json!({"token": grant.body["token"]}),
        )
        .await;
    assert_eq!(doc.status, 201, "{}", doc.text);
    // What the seed does not write: a retried ticket's key, a card, a Stripe customer and event, an
    // overdue reminder, ticket settings.
    let cookie = t.login("user@acme.example").await;
    let raised = t
        .call("POST", "/api/tickets")
        .cookie(&cookie)
        .header("idempotency-key", "layout-1")
        .json(json!({"summary": "Printer jams on tray two", "description": "Since Monday.", "request_type": "problem", "priority": "medium"}))
        .send()
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let audit = AuditEntry::by_system(
        &RequestMeta::system(now),
        &acme,
        "Stripe",
        AuditAction::PaymentMethodAdded,
        None,
        "layout",
    );
    let card = PaymentMethod {
        id: "pm_layout".into(),
        company_id: acme.clone(),
        kind: "card".into(),
        brand: "visa".into(),
        last4: "4242".into(),
        exp_month: Some(12),
        exp_year: Some(2030),
        nickname: String::new(),
        added_at: now,
        reminded_for: None,
    };
    assert!(
        store
            .put_payment_method(&card, "evt_layout", now, &audit)
            .await
            .unwrap()
    );
    let account = BillingAccount {
        stripe_customer: Some("cus_layout".into()),
        default_method: Some("pm_layout".into()),
        autopay: None,
        version: 1,
    };
    assert!(
        store
            .save_billing_account(&acme, &account, 0, Some("cus_layout"), None)
            .await
            .unwrap()
    );
    let invoice = store.all_invoices(Some(&acme), "open", 10).await.unwrap();
    let invoice = invoice.first().expect("an open demo invoice");
    assert!(store.mark_overdue_reminder(invoice, 7, now).await.unwrap());
    let settings = store.ticket_settings().await.unwrap();
    let mut saved = settings.clone();
    saved.version += 1;
    assert!(store.put_ticket_settings(&saved).await.unwrap());

    let mut partitions = vec![
        "CO#acme-dental".to_owned(),
        "CO#northwind-it".to_owned(),
        "LOGIN#user@acme.example".to_owned(),
        "COUNTER".to_owned(),
        "SETTINGS".to_owned(),
        "TICKETNO#1".to_owned(),
        "INVOICENO#1".to_owned(),
        "PROJECTNO#1".to_owned(),
        "QUOTENO#1".to_owned(),
        "STRIPECUS#cus_layout".to_owned(),
        "STRIPEEVT#evt_layout".to_owned(),
    ];
    let user = portal_admin::seed::demo_user_id("user@acme.example");
    partitions.push(format!("IDEM#{user}#layout-1"));
    let staff = t.login("tech@northwind.example").await;
    let project = t
        .call("POST", "/api/projects")
        .cookie(&staff)
        .header("idempotency-key", "layout-p")
        .json(json!({"company_id": "globex-logistics", "name": "Layout", "manager_id": portal_admin::seed::demo_user_id("tech@northwind.example").as_str(), "start": "2027-01-04", "expected_completion": "2027-02-01"}))
        .send()
        .await;
    assert_eq!(project.status, 201, "{}", project.text);
    let tech = portal_admin::seed::demo_user_id("tech@northwind.example");
    partitions.push(format!("IDEM#{tech}#project#layout-p"));
    let mut shapes = std::collections::BTreeSet::new();
    for pk in &partitions {
        let items = t.items_in(pk).await;
        assert!(!items.is_empty(), "nothing stored under {pk}");
        shapes.extend(items.iter().map(stored_shape));
    }
    let shapes: String = shapes.into_iter().map(|s| s + "\n").collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/stored-layout.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &shapes).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        pinned == shapes,
        "the stored layout changed: compare tests/snapshots/stored-layout.txt with\n{shapes}\n\
         (a deliberate change: UPDATE_SNAPSHOTS=1 cargo test -p portal-tests --test api every_entity)"
    );
}

#[test]
fn openapi_document_matches_the_code() {
    let committed = std::fs::read_to_string(portal_tests::openapi_path()).unwrap_or_default();
    assert!(
        committed == portal_tests::openapi_json(),
        "docs/openapi.json is out of date: run `cargo run -p portal-tests --bin openapi -- --write`"
    );
}

#[tokio::test]
async fn every_documented_operation_is_served_by_its_function() {
    let t = TestApp::new().await;
    let doc = serde_json::to_value(portal_tests::openapi()).unwrap();
    let user_id = portal_admin::seed::demo_user_id("user@acme.example").to_string();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{company_id}", "acme-dental")
            .replace("{user_id}", &user_id)
            .replace("{provider}", "microsoft")
            .replace("{request_id}", "0123456789abcdef")
            .replace("{passkey_id}", "AAAAAAAAAAAAAAAAAAAAAA");
        for method in item.as_object().unwrap().keys() {
            let answer = t
                .call(&method.to_uppercase(), &concrete)
                .json(json!({}))
                .send()
                .await;
            // Without a session every operation answers for itself (401, or 400/204 for sign-in and
            // sign-out), never the router's "no such route" 404 or 405.
            assert!(
                ![404, 405].contains(&answer.status),
                "{method} {path} answered {}: {}",
                answer.status,
                answer.text
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 166, "operations in the document");
}

// ---- compression ---------------------------------------------------------------------------

#[tokio::test]
async fn text_answers_are_gzipped_for_clients_that_accept_it() {
    let t = TestApp::new().await;
    let cookie = t.login(ACME_ADMIN).await;
    let ask = |accept: Option<&'static str>, path: &'static str| {
        let call = t.call("GET", path).cookie(&cookie);
        async move {
            match accept {
                Some(a) => call.header("accept-encoding", a).send().await,
                None => call.send().await,
            }
        }
    };

    // A user list (some 2 KB of JSON): the same JSON, a fraction of the bytes.
    let plain = ask(None, "/api/companies/acme-dental/users").await;
    assert_eq!(plain.status, 200, "{}", plain.text);
    assert!(
        plain.wire_len > 1024,
        "the list is {} bytes",
        plain.wire_len
    );
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("accept-encoding"));
    let gzipped = ask(
        Some("gzip, deflate, br, zstd"),
        "/api/companies/acme-dental/users",
    )
    .await;
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert_eq!(gzipped.header("vary"), Some("accept-encoding"));
    assert_eq!(gzipped.content_type(), "application/json");
    assert_eq!(gzipped.body, plain.body);
    assert!(
        gzipped.wire_len * 3 < plain.wire_len,
        "{} gzipped of {}",
        gzipped.wire_len,
        plain.wire_len
    );

    // CSV exports too (a dozen sign-ins make the audit trail's some KB); but not for a client that
    // refuses gzip (q=0) or names only other codings.
    for _ in 0..12 {
        t.login(ACME_ADMIN).await;
    }
    let csv = ask(Some("gzip"), "/api/companies/acme-dental/audit/export").await;
    assert_eq!(csv.header("content-encoding"), Some("gzip"));
    assert!(csv.text.lines().count() > 1, "{}", csv.text);
    for refusing in ["gzip;q=0", "br, zstd", "identity"] {
        let answer = ask(Some(refusing), "/api/companies/acme-dental/users").await;
        assert_eq!(answer.header("content-encoding"), None, "{refusing}");
        assert_eq!(answer.body, plain.body, "{refusing}");
    }

    // Small answers (under 1 KB) go as they are.
    let me = ask(Some("gzip"), "/api/me").await;
    assert_eq!(me.status, 200);
    assert!(me.wire_len < 1024, "{}", me.wire_len);
    assert_eq!(me.header("content-encoding"), None);
}
