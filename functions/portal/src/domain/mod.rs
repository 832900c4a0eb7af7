//! The domain layer: records and rules — ids, email, company and user records, roles and
//! capabilities, audit entries, tickets, billing. It names neither HTTP nor DynamoDB; the layers
//! above (`store`, `auth`/`aws`, `web`, `app`) build on it, never the other way round.

pub mod access;
pub mod account;
pub mod agreements;
pub mod audit;
pub mod billing;
pub mod branding;
pub mod clock;
pub mod configurations;
pub mod documents;
pub mod email;
pub mod encoding;
mod error;
pub mod files;
mod ids;
pub mod kb;
pub mod labels;
pub mod money;
pub mod passkeys;
pub mod projects;
pub mod quotes;
pub mod reports;
pub mod roles;
pub mod sign_in;
pub mod tickets;
pub mod validate;

pub use account::{CompanyKind, NotifyPrefs, SignInMethod, Theme, UserStatus};
pub use clock::Clock;
pub use email::{Email, Outgoing};
pub use encoding::{hex, percent_encode, sha256_hex};
pub use error::{DomainError, FieldError};
pub use ids::{
    ArticleId, AuditId, CompanyId, ConfigurationId, DocumentId, SessionId, UserId, display_date,
    iso_date, random_hex,
};
