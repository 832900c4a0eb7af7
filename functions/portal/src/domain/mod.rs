//! The domain layer: records and rules — ids, email, company and user records, roles and
//! capabilities, audit entries, tickets, billing. It names neither HTTP nor DynamoDB; the layers
//! above (`store`, `auth`/`aws`, `web`, `app`) build on it, never the other way round.
//!
//! Domain newtypes: parsing is the only way in, so a value of these types is always valid.

pub mod audit;
pub mod billing;
pub mod branding;
pub mod roles;
pub mod tickets;
pub mod validate;

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

use crate::web::error::ApiError;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Identifier of a ", $what, ": 1-64 characters of `a-z`, `A-Z`, `0-9`, `-`, `_`.")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(try_from = "String", into = "String")]
        #[schema(value_type = String)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ApiError> {
                if is_id(raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(ApiError::NotFound)
                }
            }
            /// A new random identifier (128 bits, hex).
            pub fn generate() -> Self {
                Self(random_hex(16))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                if is_id(&s) { Ok(Self(s)) } else { Err(format!("invalid {}", $what)) }
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(CompanyId, "company");
id_type!(UserId, "user");
id_type!(SessionId, "session");
id_type!(AuditId, "audit entry");

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `n` random bytes from the system CSPRNG, hex encoded.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // aws-lc-rs's system RNG only fails if the OS cannot supply entropy, which no request can cause.
    aws_lc_rs::rand::fill(&mut buf).expect("system random number generator failed");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// An email address, trimmed and lower-cased: the form used for uniqueness and sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = Email)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_lowercase();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !domain.contains('@')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(s))
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

/// Whether a company is the MSP itself or one of the client companies it supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompanyKind {
    Msp,
    Client,
}

/// Whether a portal user may sign in: invited users have not set a password yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Invited,
    Active,
    Deactivated,
}

/// A user's colour scheme: the system's, or always light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Which emails a user wants. Security emails (invitations, resets) are always sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyPrefs {
    /// Replies from the MSP on one's tickets.
    pub ticket_replies: bool,
    /// Status changes of one's tickets made by someone else.
    pub status_changes: bool,
    /// Invoices issued and payment receipts.
    pub invoices: bool,
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        Self {
            ticket_replies: true,
            status_changes: true,
            invoices: true,
        }
    }
}

/// How the users of a company may sign in. Only `password` exists today; the others are accepted
/// in a company's settings only alongside it (see docs/accounts.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    Password,
    Microsoft,
    Google,
}

// Dates (due dates, invoice dates) travel as `YYYY-MM-DD`.
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");
