//! Invitation and password-reset links. A token is `{company}.{user}.{secret}`: 256 random bits of
//! secret, of which only the SHA-256 is stored (`TOKEN#{hash}`), with its kind, owner and expiry.
//! Redeeming checks every part — the stored owner must be the one the token names, the kind the
//! one the page asks for, the expiry in the future — and spending deletes the item in the same
//! transaction as the change it makes, so a token works once.
//!
//! Links carry the token in the fragment (`#token=…`): browsers never send fragments to servers or
//! in `Referer` headers, so tokens stay out of access logs.

use time::{Duration, OffsetDateTime};

use crate::domain::account::{TokenKind, TokenRecord, User};
use crate::domain::{CompanyId, Outgoing, UserId, random_hex};
use crate::store::Store;

pub const INVITATION_TTL: Duration = Duration::days(7);
pub const RESET_TTL: Duration = Duration::hours(1);
/// How long a link confirming a new login email works.
pub const EMAIL_CHANGE_TTL: Duration = Duration::hours(24);

/// A token to send: the secret link part, and what is stored.
pub struct Issued {
    pub token: String,
    pub hash: String,
    pub record: TokenRecord,
}

/// The hex SHA-256 of `s`: how one-time secrets are stored and looked up.
pub fn sha256_hex(s: &str) -> String {
    crate::domain::sha256_hex(s.as_bytes(), 32)
}

pub fn issue(kind: TokenKind, user: &User, now: OffsetDateTime) -> Issued {
    let secret = random_hex(32);
    let ttl = match kind {
        TokenKind::Invitation => INVITATION_TTL,
        TokenKind::PasswordReset => RESET_TTL,
        TokenKind::EmailChange => EMAIL_CHANGE_TTL,
    };
    Issued {
        token: format!("{}.{}.{secret}", user.company_id, user.id),
        hash: sha256_hex(&secret),
        record: TokenRecord {
            kind,
            company_id: user.company_id.clone(),
            user_id: user.id.clone(),
            expires_at: now + ttl,
            epoch: (kind == TokenKind::PasswordReset).then_some(user.session_epoch),
            new_email: None,
        },
    }
}

/// The user a token of `kind` belongs to and the token's hash, if the token is genuine, of that
/// kind, unexpired and unspent; `None` for every other token, alike (the page says the link does not
/// work). (Two DynamoDB reads: the token, the user.)
pub async fn redeem(
    store: &Store,
    now: OffsetDateTime,
    token: &str,
    kind: TokenKind,
) -> anyhow::Result<Option<(User, String)>> {
    Ok(redeem_record(store, now, token, kind)
        .await?
        .map(|(user, hash, _)| (user, hash)))
}

/// `redeem`, with the token's record.
pub async fn redeem_record(
    store: &Store,
    now: OffsetDateTime,
    token: &str,
    kind: TokenKind,
) -> anyhow::Result<Option<(User, String, TokenRecord)>> {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(company), Some(user), Some(secret)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let (Ok(company), Ok(user)) = (CompanyId::parse(company), UserId::parse(user)) else {
        return Ok(None);
    };
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = sha256_hex(secret);
    let Some(record) = store.get_token(&hash).await? else {
        return Ok(None);
    };
    if record.kind != kind
        || record.company_id != company
        || record.user_id != user
        || record.expires_at <= now
    {
        return Ok(None);
    }
    Ok(store
        .get_user(&company, &user)
        .await?
        .filter(|user| kind != TokenKind::PasswordReset || record.epoch == Some(user.session_epoch))
        .map(|user| (user, hash, record)))
}

/// The page link for `token` on the portal at `origin`.
pub fn link(origin: &str, kind: TokenKind, token: &str) -> String {
    let page = match kind {
        TokenKind::Invitation => "accept-invite",
        TokenKind::PasswordReset => "reset-password",
        TokenKind::EmailChange => "confirm-email",
    };
    format!("{origin}/{page}/#token={token}")
}

/// The invitation email.
pub fn invitation_mail(
    origin: &str,
    user: &User,
    company_name: &str,
    inviter: &str,
    token: &str,
) -> Outgoing {
    Outgoing {
        to: vec![user.email.clone()],
        subject: format!("You are invited to the {company_name} support portal"),
        text: format!(
            "Hello {name},\n\n{inviter} invited you to the support portal of {company_name}, where you can raise and follow support tickets.\n\nSet your password here (the link works once and for {days} days):\n{link}\n\nIf you did not expect this email, you can ignore it.\n",
            name = user.name,
            days = INVITATION_TTL.whole_days(),
            link = link(origin, TokenKind::Invitation, token),
        ),
        html: None,
    }
}

/// The password-reset email.
/// The answer to a reset request from a user whose company signs in with Microsoft or Google
/// only: there is no password to reset.
pub fn no_password_mail(origin: &str, user: &User, company: &str) -> Outgoing {
    Outgoing {
        to: vec![user.email.clone()],
        subject: "Signing in to the portal".into(),
        text: format!(
            "Hello {name},\n\nSomeone (we hope you) asked to reset the password of your portal account. {company} signs in with Microsoft or Google, not a password, so there is none to reset: use the \"Sign in with\" button on the sign-in page.\n{origin}/login/\n",
            name = user.name,
        ),
        html: None,
    }
}

pub fn reset_mail(origin: &str, user: &User, token: &str) -> Outgoing {
    Outgoing {
        to: vec![user.email.clone()],
        subject: "Reset your portal password".into(),
        text: format!(
            "Hello {name},\n\nSomeone (we hope you) asked to reset the password of your portal account.\n\nChoose a new password here (the link works once and for {minutes} minutes):\n{link}\n\nSetting a new password signs you out everywhere else. If you did not ask for this, ignore this email: your password stays as it is.\n",
            name = user.name,
            minutes = RESET_TTL.whole_minutes(),
            link = link(origin, TokenKind::PasswordReset, token),
        ),
        html: None,
    }
}

/// To the new address: confirm it as the login email of `user` (the link works once, for a day).
pub fn email_change_mail(
    origin: &str,
    user: &User,
    new_email: &crate::domain::Email,
    token: &str,
) -> Outgoing {
    Outgoing {
        to: vec![new_email.clone()],
        subject: "Confirm your new portal login email".into(),
        text: format!(
            "Hello {name},\n\nYou asked to sign in to the portal with this address instead of {old}. Confirm it here (the link works once and for {hours} hours):\n{link}\n\nUntil you do, you sign in with {old}. If you did not ask for this, ignore this email.\n",
            name = user.name,
            old = user.email,
            hours = EMAIL_CHANGE_TTL.whole_hours(),
            link = link(origin, TokenKind::EmailChange, token),
        ),
        html: None,
    }
}

/// To the current address: a change to `new_email` was asked for, or (`done`) made.
pub fn email_change_notice(user: &User, new_email: &crate::domain::Email, done: bool) -> Outgoing {
    let (subject, what) = if done {
        (
            "Your portal login email was changed",
            format!("Your portal login email is now {new_email}: sign in with it from now on."),
        )
    } else {
        (
            "A change of your portal login email was asked for",
            format!(
                "Someone signed in as you asked to change your portal login email to {new_email}. It changes only once that address confirms it."
            ),
        )
    };
    Outgoing {
        to: vec![user.email.clone()],
        subject: subject.into(),
        text: format!(
            "Hello {name},\n\n{what}\n\nIf this was not you, change your password and tell your administrator or the support team at once.\n",
            name = user.name,
        ),
        html: None,
    }
}
