//! Accounts: companies, users and roles, invitations, password reset, own account, MFA and the
//! audit trail, over the real functions and the local AWS stand-in.

use portal_tests::users::base32_decode;
use portal_tests::{PASSWORD, TestApp};
use serde_json::{Value, json};

pub(crate) const ACME_ADMIN: &str = "fulladmin@acme.example";
pub(crate) const NEW_PASSWORD: &str = "a quiet river at dawn";

pub(crate) async fn invite(
    t: &TestApp,
    cookie: &str,
    email: &str,
    role: &str,
) -> portal_tests::Answer {
    t.post(
        "/api/companies/acme-dental/users",
        cookie,
        json!({"name": "Nina New", "email": email, "phone": "+1 555 0100", "role": role}),
    )
    .await
}

pub(crate) fn user_path(company: &str, email: &str) -> String {
    format!(
        "/api/companies/{company}/users/{}",
        portal_admin::seed::demo_user_id(email)
    )
}

/// The actions in a company's trail, newest first, as `fulladmin`-like `cookie` sees them.
pub(crate) async fn trail(t: &TestApp, company: &str, cookie: &str, query: &str) -> Vec<String> {
    let answer = t
        .get(&format!("/api/companies/{company}/audit{query}"), cookie)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

mod companies;
mod mfa;
mod own;
mod users;

/// Enrol `cookie`'s user in MFA; the secret and the recovery codes.
pub(crate) async fn enrol(t: &TestApp, cookie: &str) -> (Vec<u8>, Vec<String>) {
    let start = t.post("/api/me/mfa", cookie, json!({})).await;
    assert_eq!(start.status, 200, "{}", start.text);
    assert!(start.body["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(
        start.body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Northwind%20IT:")
    );
    let secret = base32_decode(start.body["secret"].as_str().unwrap());
    let wrong = t
        .post("/api/me/mfa/confirm", cookie, json!({"code": "000000"}))
        .await;
    assert_eq!(wrong.status, 401);
    let code = portal::auth::totp::code(&secret, step(t));
    let done = t
        .post("/api/me/mfa/confirm", cookie, json!({"code": code}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let codes: Vec<String> = done.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

pub(crate) fn step(t: &TestApp) -> u64 {
    portal::auth::totp::step_at(t.app.now().unix_timestamp())
}

pub(crate) async fn challenge(t: &TestApp, email: &str) -> String {
    let first = t.try_login(email, PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(
        first.session_cookie().is_none(),
        "no session before the second factor"
    );
    first.body["challenge"].as_str().unwrap().to_owned()
}
