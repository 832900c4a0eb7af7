//! Passkeys (docs/passkeys.md): WebAuthn credentials a user registers in My account and signs in
//! with, on their own (a discoverable credential: no email typed) or as the second factor after a
//! password. Plain records: `auth::passkeys` runs the ceremonies, the store keeps them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{CompanyId, FieldError, UserId};

/// At most this many passkeys per user.
pub const MAX_PASSKEYS: u32 = 10;
/// A passkey's name is at most this many characters.
pub const MAX_NAME_CHARS: usize = 60;

/// A registered passkey: what the server keeps of the credential (never a secret: the public key
/// and the authenticator's last reported state), with the user's name for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Passkey {
    /// The credential id, base64url without padding.
    pub id: String,
    pub company_id: CompanyId,
    pub user_id: UserId,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// The credential's public key and registration extensions, as the relying-party library
    /// encodes them (base64url).
    pub public_key: String,
    /// The authenticator's state after its last use (signature counter, user verification,
    /// backup flags), as the library encodes it (base64url). Updated under a condition on the
    /// value read, so two uses at once cannot both pass.
    pub state: String,
    /// The passkey may be synced between devices (its backup-eligible flag).
    #[serde(default)]
    pub synced: bool,
}

/// A passkey as My account lists it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PasskeyView {
    /// The credential id (base64url).
    pub id: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it last signed in; `null` if never.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<OffsetDateTime>,
    /// A synced passkey (in a password manager or a phone's keychain) rather than one bound to a
    /// single device or security key.
    pub synced: bool,
}

impl From<&Passkey> for PasskeyView {
    fn from(p: &Passkey) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            created_at: p.created_at,
            last_used_at: p.last_used_at,
            synced: p.synced,
        }
    }
}

/// A passkey's name, trimmed: 1 to 60 characters, no control characters.
pub fn check_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "Give the passkey a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(
            "name",
            format!("Passkey names are at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            "Passkey names cannot contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// Whether a credential id as a client sends it (base64url, no padding) can be one: 16 to 1023
/// bytes (WebAuthn) encoded, so a key built from it stays small.
pub fn is_credential_id(raw: &str) -> bool {
    (22..=1364).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  YubiKey 5 ").unwrap(), "YubiKey 5");
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(61)).is_err());
        assert!(check_name("tab\there").is_err());
        assert!(check_name(&"é".repeat(60)).is_ok());
    }

    #[test]
    fn credential_ids_are_base64url_of_a_sane_length() {
        assert!(is_credential_id("AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(!is_credential_id("short"));
        assert!(!is_credential_id("AAAAAAAAAAAAAAAAAAAAAA=="));
        assert!(!is_credential_id("AAAAAAAAAAA/AAAAAAAAAA"));
    }
}
