//! Email addresses and the messages the portal sends.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Longest address and local part, in characters as sent.
pub const MAX_LEN: usize = 254;
pub const MAX_LOCAL: usize = 64;

/// An email address, trimmed and lower-cased: the form used for uniqueness and sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl utoipa::PartialSchema for Email {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::validate::schema::email().into()
    }
}
impl ToSchema for Email {}

impl Email {
    /// A trimmed address of at most `MAX_LEN` characters: a local part of 1 to `MAX_LOCAL`, `@`,
    /// and a domain of dot-separated labels (two at least), with no white space or control
    /// character anywhere. (`validate::schema::email` is the same rule as a pattern.)
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        let valid = raw.chars().count() <= MAX_LEN
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.chars().count() <= MAX_LOCAL
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !domain.contains('@')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(s.to_lowercase()))
        } else {
            Err("must be an email address like name@example.com".into())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Email> for String {
    fn from(v: Email) -> String {
        v.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One email: plain text always (every client reads it), HTML optionally.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: Vec<Email>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}
