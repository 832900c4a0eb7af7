//! The OpenAPI document against the code and the functions; compression.

use super::*;

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
    assert_eq!(checked, 167, "operations in the document");
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
