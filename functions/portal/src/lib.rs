//! The portal's shared library. Every Lambda function is a thin binary over this crate: it owns the
//! domain types, the DynamoDB key formats, the store, sessions and roles, and the HTTP plumbing
//! (request parsing, CSRF, the one error-to-HTTP mapper).

pub mod account_links;
pub mod app;
pub mod audit;
pub mod billing;
pub mod branding;
pub mod config;
pub mod csv;
pub mod cursor;
pub mod domain;
pub mod email;
pub mod error;
pub mod files;
pub mod gzip;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod password;
pub mod roles;
pub mod seed;
pub mod session;
pub mod store;
pub mod table;
pub mod tickets;
pub mod token;
pub mod totp;
pub mod upload;
pub mod validate;

pub use app::{App, Clock, SystemClock};
pub use error::ApiError;
