//! The web layer: the request context and pipeline (`http`), the one problem+json mapper (`error`),
//! the signed-in principal and its cookies, pagination cursors, CSV and gzip answers, file downloads.
//! It builds on every layer below; only `app` and the functions build on it.

pub mod contract;
pub mod csv;
pub mod cursor;
pub mod error;
pub mod files;
pub mod gzip;
pub mod http;
pub mod principal;
pub mod routes;
pub mod state;
pub mod uploads;
