//! The sign-in settings route by role, company and input, and a portal without providers.

use super::world;
use portal_tests::{DemoUser, TestApp};
use serde_json::{Value, json};

#[tokio::test]
async fn sign_in_settings_by_role_company_and_input() {
    let w = world().await;
    let path = "/api/companies/acme-dental/sign-in";
    let good = |version: &Value| {
        json!({
            "sign_in_methods": ["password", "google"], "microsoft_tenants": [],
            "domains": ["acme.example"], "just_in_time": true,
            "default_role": "standard_user", "trust_provider_mfa": false, "access_requests": false, "version": version,
        })
    };
    for user in DemoUser::ALL {
        let s = w.t.signed_in(user).await;
        let read = s.get(path).await;
        let allowed = matches!(user, DemoUser::MspAdmin | DemoUser::AcmeFullAdmin);
        let want = match user {
            _ if allowed => 200,
            DemoUser::GlobexFullAdmin | DemoUser::GlobexUser => 404,
            _ => 403,
        };
        assert_eq!(read.status, want, "GET as {user:?}");
        let version =
            w.t.signed_in(DemoUser::MspAdmin).await.get(path).await.body["version"].clone();
        let put = s.put(path, good(&version)).await;
        assert_eq!(put.status, want, "PUT as {user:?}: {}", put.text);
    }
    let msp = w.t.signed_in(DemoUser::MspAdmin).await;
    let before = msp.get(path).await;
    let version = &before.body["version"];
    let bad = |change: fn(&mut Value)| {
        let mut body = good(version);
        change(&mut body);
        body
    };
    for (body, field) in [
        (
            bad(|b| b["microsoft_tenants"] = json!(["not-a-guid"])),
            "microsoft_tenants",
        ),
        (bad(|b| b["domains"] = json!(["localhost"])), "domains"),
        (
            bad(|b| b["default_role"] = json!("full_admin")),
            "default_role",
        ),
        (
            bad(|b| b["default_role"] = json!("msp_admin")),
            "default_role",
        ),
        (bad(|b| b["sign_in_methods"] = json!([])), "sign_in_methods"),
        (
            bad(|b| b["sign_in_methods"] = json!(["microsoft"])),
            "microsoft_tenants",
        ),
        (
            bad(|b| {
                b["domains"] = json!([]);
                b["just_in_time"] = json!(true);
            }),
            "just_in_time",
        ),
    ] {
        let answer = msp.put(path, body.clone()).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{body}");
        assert!(answer.text.contains(field), "{field}: {}", answer.text);
    }
    for body in [
        bad(|b| b["sign_in_methods"] = json!(["passkey"])),
        bad(|b| b["extra"] = json!(1)),
        json!({"sign_in_methods": ["password"]}),
    ] {
        assert!(
            matches!(msp.put(path, body.clone()).await.status, 400 | 422),
            "{body}"
        );
    }
    assert_eq!(msp.get(path).await.body, before.body, "nothing written");
    // A stale version, and the MSP company with just-in-time access.
    let mut stale = good(version);
    stale["version"] = json!(0);
    assert_eq!(msp.put(path, stale).await.status, 409);
    let own = msp.get("/api/companies/northwind-it/sign-in").await;
    let mut jit = good(&own.body["version"]);
    jit["domains"] = json!(["northwind.example"]);
    assert_eq!(
        msp.put("/api/companies/northwind-it/sign-in", jit)
            .await
            .problem(422),
        "/problems/validation"
    );
    // Acme's domain is Acme's: Globex cannot link it.
    let globex = w.t.signed_in(DemoUser::GlobexFullAdmin).await;
    let gpath = "/api/companies/globex-logistics/sign-in";
    let gversion = globex.get(gpath).await.body["version"].clone();
    let taken = globex.put(gpath, good(&gversion)).await;
    assert_eq!(taken.problem(409), "/problems/link-taken");
    assert!(taken.text.contains("acme.example"), "{}", taken.text);
    // Unlinking frees it.
    let mut unlink = good(&before.body["version"]);
    unlink["domains"] = json!([]);
    unlink["just_in_time"] = json!(false);
    assert_eq!(msp.put(path, unlink).await.status, 200);
    assert_eq!(globex.put(gpath, good(&gversion)).await.status, 200);
    assert!(
        w.t.items_in("IDPLINK#domain#acme.example").await[0]["company_id"]
            .as_s()
            .unwrap()
            == "globex-logistics"
    );
}

#[tokio::test]
async fn without_client_ids_there_are_no_buttons() {
    let t = TestApp::new().await;
    let providers = t.call("GET", "/api/auth/providers").send().await;
    assert_eq!(providers.body["providers"], json!([]));
    for provider in ["microsoft", "google"] {
        let start = t
            .call("GET", &format!("/api/auth/sso/{provider}"))
            .send()
            .await;
        assert_eq!(
            start.problem(503),
            "/problems/sign-in-provider-not-set-up",
            "{provider}"
        );
    }
    let unknown = t.call("GET", "/api/auth/sso/github").send().await;
    assert_eq!(unknown.problem(404), "/problems/not-found");
}
