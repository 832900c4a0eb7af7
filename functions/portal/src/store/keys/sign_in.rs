//! The keys of signing in with Microsoft or Google (docs/sso.md): a company's linked tenants and
//! domains, each a pointer item of its own so that one is linked to one company at most and the
//! sign-in can find the company from the token, and the mark of a spent sign-in `state`. Part of
//! `keys`, which re-exports them.

use super::*;
use crate::domain::sign_in::Provider;

/// The pointer from a Microsoft tenant id or a Google Workspace domain to the one company that
/// linked it (`company_id`).
pub fn idp_link(provider: Provider, value: &str) -> Key {
    Key {
        pk: format!("IDPLINK#{}#{value}", provider.as_str()),
        sk: "IDPLINK".into(),
    }
}

/// A sign-in `state` that has been used (by its hash), kept until it would have expired anyway.
pub fn spent_sso_state(hash: &str) -> Key {
    Key {
        pk: format!("SSOSTATE#{hash}"),
        sk: "SSOSTATE".into(),
    }
}
