//! Identifiers: parsing is the only way in, so a value of these types is always valid. A string
//! that is not an id names nothing, so parsing fails with `DomainError::NotFound`.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

use super::DomainError;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Identifier of a ", $what, ": 1-64 characters of `a-z`, `A-Z`, `0-9`, `-`, `_`.")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(try_from = "String", into = "String")]
        #[schema(value_type = String)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                if is_id(raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(DomainError::NotFound)
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
id_type!(ConfigurationId, "configuration");
id_type!(DocumentId, "document");
id_type!(ArticleId, "knowledge base article");

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
    super::hex(&buf)
}

// Dates (due dates, invoice dates) travel as `YYYY-MM-DD`.
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

/// A date as emails write it, the way the pages do in English: `Dec 15, 2026` (CSV keeps ISO).
pub fn display_date(date: time::Date) -> String {
    let format = time::macros::format_description!("[month repr:short] [day padding:none], [year]");
    date.format(&format).unwrap_or_else(|_| date.to_string())
}

#[cfg(test)]
mod display_date_tests {
    #[test]
    fn dates_read_as_on_the_pages() {
        let date = time::macros::date!(2026 - 12 - 05);
        assert_eq!(super::display_date(date), "Dec 5, 2026");
    }
}
