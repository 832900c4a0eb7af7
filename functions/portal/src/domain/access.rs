//! Asking for access (docs/sso.md, "Asking for access"): someone without a portal user leaves
//! their email and name on the sign-in page; if the address's domain is one a client company
//! linked and that company takes requests, its Full Admins are told and approve the request (the
//! role they choose, and an invitation) or refuse it. The person always reads the same answer.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::domain::{CompanyId, Email, FieldError, validate};

/// What the person is told, whatever the address: no answer tells whether it has a company.
pub const ANSWER: &str = "Thank you. If your company uses this portal, its administrator has been told and will invite you.";
/// A request waits this long for an answer, then goes.
pub const KEPT: time::Duration = time::Duration::days(30);
/// Requests per address a window (15 minutes) may send; more are answered the same and dropped.
pub const MAX_PER_PLACE: i64 = 5;
/// Requests per email domain a window may send.
pub const MAX_PER_DOMAIN: i64 = 10;

/// A request waiting in a company, keyed by a hash of its address (`AccessRequest::id_of`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccessRequest {
    /// Names the request in its company's routes.
    pub id: String,
    pub company_id: CompanyId,
    #[schema(value_type = String)]
    pub email: Email,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub asked_at: OffsetDateTime,
    /// Where the request came from.
    #[serde(default)]
    pub source_ip: Option<String>,
}

impl AccessRequest {
    /// The id of an address's request: 16 hex digits of its SHA-256.
    pub fn id_of(email: &Email) -> String {
        super::sha256_hex(email.as_str().as_bytes(), 8)
    }

    /// Whether `id` has the shape of a request id (anything else is no request).
    pub fn is_id(id: &str) -> bool {
        id.len() == 16
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    }
}

/// What `POST /api/auth/access-request` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequestBody {
    #[schema(schema_with = validate::schema::email)]
    pub email: String,
    #[schema(schema_with = validate::schema::name)]
    pub name: String,
}

impl AccessRequestBody {
    /// The address and the name, checked; each field's error otherwise.
    pub fn check(&self) -> Result<(Email, String), Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(&self.email)
            .map_err(|m| errors.push(FieldError::new("email", m)))
            .ok();
        let name = validate::name("name", &self.name, &mut errors);
        match email {
            Some(email) if errors.is_empty() => Ok((email, name)),
            _ => Err(errors),
        }
    }
}

/// The domain of an address (`acme.example` of `pat@acme.example`).
pub fn domain_of(email: &Email) -> &str {
    email.as_str().rsplit_once('@').map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_named_by_their_address_and_bodies_checked() {
        let email = Email::parse("Pat@Acme.example").unwrap();
        let id = AccessRequest::id_of(&email);
        assert!(AccessRequest::is_id(&id));
        assert_eq!(
            id,
            AccessRequest::id_of(&Email::parse("pat@acme.example").unwrap())
        );
        assert!(!AccessRequest::is_id("../../x"));
        assert_eq!(domain_of(&email), "acme.example");
        let bad = AccessRequestBody {
            email: "nope".into(),
            name: " ".into(),
        };
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["email", "name"]);
        let good = AccessRequestBody {
            email: "pat@acme.example".into(),
            name: "Pat Example".into(),
        };
        assert_eq!(good.check().unwrap().1, "Pat Example");
    }
}
