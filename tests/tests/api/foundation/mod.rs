//! Sign-in, sessions, CSRF, roles across routes, pagination, DynamoDB cost, stored layout, OpenAPI
//! and compression: over the real functions' handlers, with the real AWS SDK against moto_server.

use portal_tests::{ORIGIN, PASSWORD, TestApp};
use serde_json::{Value, json};
use std::time::Instant;

pub(crate) const ACME_ADMIN: &str = "fulladmin@acme.example";

mod contract;
mod cost;
mod csrf;
mod layout;
mod roles;
mod sign_in;

pub(crate) fn forge(token: &str, edit: impl Fn(&mut Value)) -> String {
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

pub(crate) async fn portal_tests_staff(t: &TestApp) -> String {
    t.login("admin@northwind.example").await
}
