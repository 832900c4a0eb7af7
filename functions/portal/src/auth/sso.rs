//! Signing in with Microsoft or Google, once the provider's ID token passed every check
//! (docs/sso.md): find the portal user the identity may be, apply the company's rules, and start
//! our own session — or ask for the portal's second factor, or create the user just in time. At
//! most three DynamoDB calls (the first just-in-time sign-in of a person: four, the fourth
//! finding the Full Admins to tell). The `state` of the sign-in is marked spent in the same
//! write, so a replayed answer from the provider starts nothing.

use time::OffsetDateTime;

use crate::auth::signin::{self, AuthError, MfaChallenge, SignIn};
use crate::domain::UserStatus;
use crate::domain::account::{Company, Credential, Session, User};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::sign_in::{Identity, Refusal};

/// The spent-state mark a sign-in writes with whatever it starts.
pub struct State<'a> {
    /// The hash of the `state` the provider sent back.
    pub hash: &'a str,
    /// When the state would have expired (the mark is kept until then).
    pub expires: OffsetDateTime,
    pub remember: bool,
}

/// How a provider's sign-in ended.
pub enum SsoOutcome {
    SignedIn(Session),
    /// The portal's own second factor is still needed: go on with `POST /api/auth/login/mfa`.
    NeedsCode(MfaChallenge),
    /// A user was created just in time and signed in: their company's Full Admins are told.
    Created(Session, Box<User>, Box<Company>),
    Refused(Refusal),
}

/// Sign `identity` in (see the module's comment). A replayed state, or a user changed meanwhile,
/// is `AuthError::ChallengeExpired`: start again.
pub async fn sign_in(
    s: &SignIn<'_>,
    identity: &Identity,
    state: State<'_>,
) -> Result<SsoOutcome, AuthError> {
    let found = s.store.sso_lookup(&identity.email, identity.link()).await?;
    let spent = s.store.spend_sso_state_part(state.hash, state.expires)?;
    let Some(credential) = found.credential else {
        let Some(linked) = found.linked else {
            return Ok(SsoOutcome::Refused(Refusal::NoUser));
        };
        let (Some(company), _) = s.store.company_and_user(&linked, None).await? else {
            return Ok(SsoOutcome::Refused(Refusal::NoUser));
        };
        if !company.admits_new(identity) {
            return Ok(SsoOutcome::Refused(Refusal::NoUser));
        }
        let name = match identity.name.trim() {
            "" => identity
                .email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default(),
            name => name,
        };
        let mut user = User::new(
            company.id.clone(),
            identity.email.clone(),
            name,
            company.sso.default_role,
            UserStatus::Active,
            s.meta.at,
        );
        user.last_sign_in_at = Some(s.meta.at);
        user.notify = company.default_notify;
        let session = signin::new_session(s, &user, state.remember);
        let from = identity.link().map(|(_, v)| v).unwrap_or_default();
        let audit = AuditEntry::new(
            &s.meta,
            &company.id,
            Some(&user),
            AuditAction::UserCreatedAtSignIn,
            AuditEntry::user_target(&user.id),
            format!(
                "Signed in with {} from {from} and was given the role {} by just-in-time access",
                identity.provider.label(),
                user.role.label()
            ),
        );
        if !s
            .store
            .create_with_session(&user, company.version, &session, &audit, vec![spent])
            .await?
        {
            return Err(AuthError::ChallengeExpired);
        }
        return Ok(SsoOutcome::Created(
            session,
            Box::new(user),
            Box::new(company),
        ));
    };
    let (company, user) = s
        .store
        .company_and_user(&credential.company_id, Some(&credential.user_id))
        .await?;
    let (Some(company), Some(user)) = (company, user) else {
        return Ok(SsoOutcome::Refused(Refusal::NoUser));
    };
    if user.status == UserStatus::Deactivated {
        refused(s, &credential, identity, "the user is deactivated").await?;
        return Ok(SsoOutcome::Refused(Refusal::Deactivated));
    }
    if let Err(refusal) = company.admits(identity) {
        let why = match refusal {
            Refusal::TenantNotLinked => "the Microsoft tenant is not linked to the company",
            _ => "the company does not allow this way of signing in",
        };
        refused(s, &credential, identity, why).await?;
        return Ok(SsoOutcome::Refused(refusal));
    }
    if credential.needs_second_factor() && !company.skips_second_factor(identity) {
        if !s.store.spend_sso_state(state.hash, state.expires).await? {
            return Err(AuthError::ChallengeExpired);
        }
        return Ok(SsoOutcome::NeedsCode(signin::challenge(
            s,
            &credential,
            state.remember,
            Some(identity.provider),
        )?));
    }
    let session = signin::new_session(s, &user, state.remember);
    let provider = identity.provider.label();
    let (action, how) = match (user.status, credential.needs_second_factor()) {
        (UserStatus::Invited, _) => (
            AuditAction::InvitationAccepted,
            format!("Accepted the invitation by signing in with {provider}"),
        ),
        (_, true) => (
            AuditAction::SignIn,
            format!("Signed in with {provider}, whose second factor the company trusts"),
        ),
        _ => (AuditAction::SignIn, format!("Signed in with {provider}")),
    };
    let audit = AuditEntry::new(
        &s.meta,
        &company.id,
        Some(&user),
        action,
        AuditEntry::user_target(&user.id),
        how,
    );
    let started = if user.status == UserStatus::Invited {
        s.store
            .activate_with_session(&user, &session, &audit, vec![spent])
            .await?
    } else {
        s.store.start_session(&session, &audit, vec![spent]).await?
    };
    if !started {
        return Err(AuthError::ChallengeExpired);
    }
    tracing::info!(user_id = %session.user_id, company_id = %session.company_id, provider, "signed in");
    Ok(SsoOutcome::SignedIn(session))
}

/// Note a refused provider sign-in of a known user in their company's trail.
async fn refused(
    s: &SignIn<'_>,
    credential: &Credential,
    identity: &Identity,
    why: &str,
) -> Result<(), AuthError> {
    let mut entry = AuditEntry::new(
        &s.meta,
        &credential.company_id,
        None,
        AuditAction::SignInFailed,
        AuditEntry::user_target(&credential.user_id),
        format!("Sign-in with {} refused: {why}", identity.provider.label()),
    );
    entry.actor_id = Some(credential.user_id.clone());
    entry.actor_email = Some(credential.email.clone());
    s.store.record_audit(&entry).await?;
    Ok(())
}
