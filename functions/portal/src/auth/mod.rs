//! The auth layer: passwords, TOTP second factors, session tokens, sealed tokens, the sign-in use
//! cases, and invitation and reset links. It builds on `domain` and `store` (not on `aws`, its
//! sibling); `web` turns its outcomes into cookies and answers.

pub mod confirm;
pub mod keys;
pub mod links;
pub mod passkey_sign_in;
pub mod passkeys;
pub mod password;
pub mod seal;
pub mod signin;
pub mod sso;
pub mod throttle;
pub mod token;
pub mod totp;
