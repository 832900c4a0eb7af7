//! The AWS layer: configuration and secrets read once at cold start, the SES mailer, and S3
//! presigned uploads. It builds on `domain` and `store` only.

pub mod config;
pub mod mail;
pub mod s3;
pub mod secrets;
pub mod upload;
