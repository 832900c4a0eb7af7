//! The auth layer: passwords, TOTP second factors, session tokens, and invitation and reset links.
//! It builds on `domain` and `store`; `web` turns its outcomes into cookies and answers.

pub mod links;
pub mod password;
pub mod seal;
pub mod signin;
pub mod token;
pub mod totp;
