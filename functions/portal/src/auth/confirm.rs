//! A signed-in user proving a secret again before a sensitive change (a new password, MFA off, MFA
//! on): the current password or a current authenticator code, throttled exactly as sign-in is, on
//! the same counters (`throttle`), so a stolen session cannot guess them faster.

use crate::auth::signin::AuthError;
use crate::auth::throttle::Throttle;
use crate::auth::{password, totp};
use crate::domain::account::{Credential, MfaRecord};
use crate::domain::audit::RequestMeta;
use crate::domain::{CompanyId, Email, FieldError, UserId};
use crate::store::{Store, keys};

/// Check `given` is the current password of `email` (three DynamoDB calls when right: counters
/// and credential, the reservation, the counters settled; two when wrong). Wrong: 422 on
/// `current_password`.
pub async fn current_password(
    store: &Store,
    meta: &RequestMeta,
    email: &Email,
    given: &str,
) -> Result<(), AuthError> {
    if given.is_empty() || given.len() > 1024 {
        return Err(not_current());
    }
    let throttle = Throttle::password(email, meta.source_ip.as_deref(), meta.at)?;
    let (credential, seen) = store
        .load_with_attempts::<Credential>(keys::credential(email), &throttle.keys())
        .await?;
    throttle.reserve(store, &seen).await?;
    let right = match credential {
        Some(c) => password::verify(given, &c.password_hash),
        None => password::verify_dummy(given),
    };
    if !right {
        return Err(not_current());
    }
    store.settle_attempts(throttle.settle(store)?).await?;
    Ok(())
}

fn not_current() -> AuthError {
    AuthError::Validation(vec![FieldError::new(
        "current_password",
        "This is not your current password",
    )])
}

/// A code checked against a user's MFA record.
pub struct CodeCheck {
    /// The record as it was (none: enrolment never started).
    pub record: Option<MfaRecord>,
    /// The code's TOTP step, when it is a current code newer than the last one used.
    pub step: Option<u64>,
}

/// Check `code` against the user's MFA record, enabled or being enrolled (two DynamoDB calls; a
/// third settles the counters when the code is right). The caller judges the record's state.
pub async fn current_code(
    store: &Store,
    mfa_key: &[u8],
    meta: &RequestMeta,
    company: &CompanyId,
    user: &UserId,
    code: &str,
) -> Result<CodeCheck, AuthError> {
    let throttle = Throttle::second_factor(user, None, meta.at)?;
    let (record, seen) = store
        .load_with_attempts::<MfaRecord>(keys::mfa(company, user), &throttle.keys())
        .await?;
    throttle.reserve(store, &seen).await?;
    let step = record
        .as_ref()
        .and_then(|r| totp::fresh_step(mfa_key, user, r, code, meta.at.unix_timestamp()));
    if step.is_some() {
        store.settle_attempts(throttle.settle(store)?).await?;
    }
    Ok(CodeCheck { record, step })
}
