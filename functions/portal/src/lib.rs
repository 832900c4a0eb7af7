//! The portal's shared library. Every Lambda function is a thin binary over this crate. Its layers
//! are folders, and imports point one way only (`tests/layers.rs` checks it):
//!
//! `domain` ← `store` ← `auth` / `aws` ← `web` ← `app`
//!
//! - `domain`: records and rules (ids, email, company, user, roles, audit, tickets, billing);
//! - `store`: the one DynamoDB `Store`, every key and index (`store::keys`), one file per area;
//! - `auth`: passwords, TOTP, session tokens, invitation and reset links;
//! - `aws`: configuration and secrets, the SES mailer, S3 presigned uploads;
//! - `web`: the request context and pipeline, the one problem+json mapper, the principal;
//! - `app`: the state a function builds at cold start, and the Lambda loop.

pub mod app;
pub mod auth;
pub mod aws;
pub mod domain;
pub mod store;
pub mod web;

pub use app::{App, Clock, SystemClock};
pub use web::error::ApiError;
