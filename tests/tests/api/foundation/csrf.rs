//! Requests from other origins and bad input: refused, nothing changed; unknown routes are problems.

use super::*;

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
