//! Companies, users and what signing in keeps about them: sessions, credentials, invitation and
//! reset tokens, TOTP enrolments. Plain records: the store maps them to items, `auth` and `web`
//! apply the rules of signing in.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::money::Currency;
use super::roles::Role;
use super::{CompanyId, Email, SessionId, UserId};

/// Whether a company is the MSP itself or one of the client companies it supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompanyKind {
    Msp,
    Client,
}

/// Whether a portal user may sign in: invited users have not set a password yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Invited,
    Active,
    Deactivated,
}

/// A user's colour scheme: the system's, or always light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// How a user's ticket list shows its tickets: a table of facts, or each ticket with its latest
/// public note.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketView {
    #[default]
    List,
    Summary,
}

/// Which emails a user wants. Security emails (invitations, resets) are always sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyPrefs {
    /// Replies from the MSP on one's tickets.
    pub ticket_replies: bool,
    /// Status changes of one's tickets made by someone else.
    pub status_changes: bool,
    /// Invoices issued and payment receipts.
    pub invoices: bool,
    /// A confirmation, with its number and link, of each ticket raised for one (by oneself or a
    /// colleague). Accounts saved before it existed have it on.
    #[serde(default = "yes")]
    pub ticket_confirmations: bool,
    /// A project one is the client contact of: a phase completed, the expected completion moved.
    /// Accounts saved before it existed have it on.
    #[serde(default = "yes")]
    pub project_updates: bool,
    /// Full Admins: the monthly summary of the company's configurations that expire within 45
    /// days or have expired. Accounts saved before it existed have it on.
    #[serde(default = "yes")]
    pub expiry_digest: bool,
    /// Full Admins: the executive report of the month before as a PDF, on the first of each
    /// month (a subscription: off until asked for).
    #[serde(default)]
    pub executive_report: bool,
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        Self {
            ticket_replies: true,
            status_changes: true,
            invoices: true,
            ticket_confirmations: true,
            project_updates: true,
            expiry_digest: true,
            executive_report: false,
        }
    }
}

/// How the users of a company may sign in (docs/sso.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    Password,
    Microsoft,
    Google,
}

/// A company: the MSP itself or one of its clients.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub kind: CompanyKind,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Where invoices go.
    #[serde(default)]
    pub billing_email: Option<Email>,
    #[serde(default)]
    pub phone: String,
    /// Postal address, as lines.
    #[serde(default)]
    pub address: String,
    /// IANA time zone, e.g. `Europe/London`.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// ISO 4217 code, e.g. `USD`.
    #[serde(default = "Currency::usd")]
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Days from issue to due date of its invoices (when the invoice does not say).
    #[serde(default = "default_payment_terms")]
    pub payment_terms_days: u32,
    /// The tax rate its new invoices start with, in basis points (825 = 8.25 %).
    #[serde(default)]
    pub tax_rate_bp: u32,
    /// Its billing contacts are emailed when an invoice is 1, 7, 14 and 30 days overdue.
    #[serde(default = "yes")]
    pub overdue_reminders: bool,
    /// Users must enrol in MFA (at their next sign-in) before they can do anything else.
    #[serde(default)]
    pub mfa_required: bool,
    #[serde(default = "default_sign_in_methods")]
    pub sign_in_methods: Vec<SignInMethod>,
    /// Microsoft and Google sign-in: linked tenants and domains, just-in-time access.
    #[serde(default)]
    pub sso: crate::domain::sign_in::SsoSettings,
    /// Active users holding the company's admin role (Full Admin, or MSP Admin for the MSP): kept in
    /// the same transactions that change users, so the last one cannot be demoted or deactivated.
    #[serde(default)]
    pub admins: u32,
    /// The email preferences a new user of the company starts with (its Full Admins choose).
    #[serde(default)]
    pub default_notify: NotifyPrefs,
    #[serde(default)]
    pub version: u64,
}

fn default_time_zone() -> String {
    "UTC".into()
}
fn default_payment_terms() -> u32 {
    30
}
fn yes() -> bool {
    true
}
fn default_sign_in_methods() -> Vec<SignInMethod> {
    vec![SignInMethod::Password]
}

impl Company {
    /// A new company with default settings.
    pub fn new(id: CompanyId, name: &str, kind: CompanyKind, now: OffsetDateTime) -> Self {
        Self {
            id,
            name: name.into(),
            kind,
            created_at: now,
            billing_email: None,
            phone: String::new(),
            address: String::new(),
            time_zone: default_time_zone(),
            currency: Currency::usd(),
            payment_terms_days: default_payment_terms(),
            tax_rate_bp: 0,
            overdue_reminders: true,
            mfa_required: false,
            sign_in_methods: default_sign_in_methods(),
            sso: Default::default(),
            admins: 0,
            default_notify: NotifyPrefs::default(),
            version: 0,
        }
    }
}

/// A portal user. The password hash is not here: it lives on the credential item.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct User {
    pub id: UserId,
    pub company_id: CompanyId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// The name's parts as the user gave them (empty for accounts that only have `name`, which
    /// stays the name shown everywhere: first and last joined).
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// The direct phone number, and its extension (digits).
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub phone_ext: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sign_in_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub mfa_enabled: bool,
    /// How many passkeys the user has registered (kept in the transactions that add and remove
    /// them): a passkey is a second factor too.
    #[serde(default)]
    pub passkeys: u32,
    #[serde(default)]
    pub theme: Theme,
    /// The ticket list's view, remembered.
    #[serde(default)]
    pub ticket_view: TicketView,
    /// Sees every ticket of the company although the role sees only the user's own (the
    /// company's Full Admins choose who).
    #[serde(default)]
    pub sees_company_tickets: bool,
    #[serde(default)]
    pub notify: NotifyPrefs,
    /// Sessions started under another epoch are dead: bumping it signs the user out everywhere.
    #[serde(default)]
    #[schema(ignore)]
    pub session_epoch: u64,
    #[serde(default)]
    pub version: u64,
}

impl User {
    /// A new user with default preferences.
    pub fn new(
        company_id: CompanyId,
        email: Email,
        name: &str,
        role: Role,
        status: UserStatus,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: UserId::generate(),
            company_id,
            email,
            name: name.into(),
            role,
            status,
            created_at: now,
            first_name: String::new(),
            last_name: String::new(),
            phone: String::new(),
            phone_ext: String::new(),
            mobile: String::new(),
            last_sign_in_at: None,
            mfa_enabled: false,
            passkeys: 0,
            theme: Theme::System,
            ticket_view: TicketView::List,
            sees_company_tickets: false,
            notify: NotifyPrefs::default(),
            session_epoch: 0,
            version: 0,
        }
    }

    /// Whether this user holds `capability`: their role's, and the company's tickets where the
    /// Full Admins let them see those.
    pub fn can(&self, capability: crate::domain::roles::Capability) -> bool {
        use crate::domain::roles::Capability::ViewCompanyTickets;
        self.role.can(capability)
            || (capability == ViewCompanyTickets
                && self.sees_company_tickets
                && self
                    .role
                    .can(crate::domain::roles::Capability::ViewOwnTickets))
    }

    /// Every capability this user holds.
    pub fn capabilities(&self) -> Vec<crate::domain::roles::Capability> {
        let mut all = self.role.capabilities().to_vec();
        let extra = crate::domain::roles::Capability::ViewCompanyTickets;
        if self.can(extra) && !all.contains(&extra) {
            all.push(extra);
        }
        all
    }

    /// First and last name: as given, or for an account with only `name`, its first word and
    /// the rest.
    pub fn name_parts(&self) -> (String, String) {
        if !self.first_name.is_empty() || !self.last_name.is_empty() {
            return (self.first_name.clone(), self.last_name.clone());
        }
        match self.name.trim().split_once(char::is_whitespace) {
            Some((first, last)) => (first.to_owned(), last.trim().to_owned()),
            None => (self.name.trim().to_owned(), String::new()),
        }
    }

    /// Whether this user counts towards the company's admins (see `Company::admins`).
    pub fn counts_as_admin(&self) -> bool {
        self.status == UserStatus::Active && self.role.is_admin()
    }
}

/// A signed-in session. Deleting the item ends the session at once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub id: SessionId,
    pub company_id: CompanyId,
    pub user_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub remember: bool,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The user's `session_epoch` when the session started.
    #[serde(default)]
    pub epoch: u64,
    /// When a request last used the session, to within `Session::TOUCH_EVERY` (none: not since it
    /// started).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_seen_at: Option<OffsetDateTime>,
}

impl Session {
    /// How stale `last_seen_at` may get before a request writes it again.
    pub const TOUCH_EVERY: time::Duration = time::Duration::minutes(5);

    pub fn last_seen(&self) -> OffsetDateTime {
        self.last_seen_at.unwrap_or(self.created_at)
    }

    /// Whether the session has ended by `now`: past its lifetime, or — without "remember me",
    /// whose sessions last their whole lifetime — unused for `idle`.
    pub fn ended(&self, now: OffsetDateTime, idle: time::Duration) -> bool {
        self.expires_at <= now || (!self.remember && now - self.last_seen() >= idle)
    }
}

/// What sign-in looks up by email.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Credential {
    pub email: Email,
    pub company_id: CompanyId,
    pub user_id: UserId,
    /// Empty until an invited user sets a password (an empty hash never verifies).
    pub password_hash: String,
    /// Sign-in asks for a second factor: an authenticator code.
    #[serde(default)]
    pub mfa: bool,
    /// Passkeys the user has: sign-in with a password asks for one (or a code) as second factor.
    #[serde(default)]
    pub passkeys: u32,
    /// The hash of the one invitation token that may still set the first password.
    #[serde(default)]
    pub invite_hash: Option<String>,
}

impl Credential {
    /// Sign-in asks for a second factor after the first: an authenticator code or a passkey.
    pub fn needs_second_factor(&self) -> bool {
        self.mfa || self.passkeys > 0
    }

    /// The credential of `user` with `password_hash` (empty: none yet) and the invitation that
    /// may still set the first password, if any.
    pub fn of(user: &User, password_hash: &str, invite_hash: Option<&str>) -> Self {
        Self {
            email: user.email.clone(),
            company_id: user.company_id.clone(),
            user_id: user.id.clone(),
            password_hash: password_hash.to_owned(),
            mfa: false,
            passkeys: 0,
            invite_hash: invite_hash.map(str::to_owned),
        }
    }
}

/// What an invitation or reset token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Invitation,
    PasswordReset,
    /// Confirms a new login email, sent to that address.
    EmailChange,
}

/// The stored side of a token: found by the hash of its secret.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TokenRecord {
    pub kind: TokenKind,
    pub company_id: CompanyId,
    pub user_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// A reset link's: the user's `session_epoch` when it was sent. Any password change (with
    /// this link, a newer one, or from the account page) moves the epoch on, and the link dies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// An email change's: the address it confirms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_email: Option<Email>,
}

/// A user's TOTP enrolment. The secret is not stored: it is derived from the server's key and
/// `nonce` (see `totp::secret`), so a copy of the table alone cannot produce codes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MfaRecord {
    pub nonce: String,
    /// `false` while enrolment awaits its first code.
    pub enabled: bool,
    /// The last time step a code was accepted for: codes of that step or earlier are refused.
    pub last_step: u64,
    /// SHA-256 hashes of the unused recovery codes.
    pub recovery: Vec<String>,
}
