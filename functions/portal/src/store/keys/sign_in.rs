//! The keys of signing in with Microsoft or Google (docs/sso.md): a company's linked tenants and
//! domains, each a pointer item of its own so that one is linked to one company at most and the
//! sign-in can find the company from the token, and the mark of a spent sign-in `state`; passkeys
//! (docs/passkeys.md), their owner pointers and spent challenges. Part of
//! `keys`, which re-exports them.

use super::*;
use crate::domain::sign_in::LinkKind;

/// The pointer from a Microsoft tenant id or an email domain to the one company that linked it
/// (`company_id`).
pub fn idp_link(kind: LinkKind, value: &str) -> Key {
    Key {
        pk: format!("IDPLINK#{}#{value}", kind.as_str()),
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

/// The sort-key prefix of one user's passkeys in their company's partition.
pub fn passkey_prefix(user: &UserId) -> String {
    format!("PASSKEY#{user}#")
}

/// One of a user's passkeys (by credential id).
pub fn passkey(company: &CompanyId, user: &UserId, credential: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}{credential}", passkey_prefix(user)),
    }
}

/// The pointer from a credential id to the user it belongs to (`company_id`, `user_id`): a
/// passkey sign-in starts from the credential id alone. Credential ids are unique by it.
pub fn passkey_owner(credential: &str) -> Key {
    Key {
        pk: format!("PASSKEYID#{credential}"),
        sk: "PASSKEYID".into(),
    }
}

/// A WebAuthn challenge that has been answered (by hash), kept until it would have expired.
pub fn spent_passkey_challenge(hash: &str) -> Key {
    Key {
        pk: format!("PASSKEYCHAL#{hash}"),
        sk: "PASSKEYCHAL".into(),
    }
}

/// The sort-key prefix of a company's requests for access.
pub const ACCESS_REQUEST_PREFIX: &str = "ACCESSREQ#";

/// A request for access waiting in `company` (`AccessRequest::id_of` its address).
pub fn access_request(company: &CompanyId, id: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{ACCESS_REQUEST_PREFIX}{id}"),
    }
}

/// Requests for access from one place (address) in one time window.
pub fn access_requests_from(place: &str, window: i64) -> Key {
    Key {
        pk: format!("ACCESSREQ#FROM#{place}"),
        sk: format!("W#{window}"),
    }
}

/// Requests for access naming one email domain in one time window.
pub fn access_requests_to(domain: &str, window: i64) -> Key {
    Key {
        pk: format!("ACCESSREQ#TO#{domain}"),
        sk: format!("W#{window}"),
    }
}
