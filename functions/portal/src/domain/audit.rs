//! The audit trail: who did what, when, from where. An entry is written in the same DynamoDB
//! transaction as the change it records (or alone, for events that change nothing else, such as a
//! failed sign-in), under the company it concerns. No API edits or deletes entries.
//!
//! Which company's trail: account events go to the company of the user or company they touch;
//! ticket events go to the acting user's company, so a client's trail never mentions the MSP's
//! internal notes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::domain::account::User;
use crate::domain::{AuditId, CompanyId, Email, UserId};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    MfaChallengeFailed,
    RecoveryCodeUsed,
    PasswordChanged,
    PasswordResetRequested,
    PasswordReset,
    SessionsRevoked,
    MfaEnabled,
    MfaDisabled,
    MfaReset,
    PasskeyAdded,
    PasskeyRemoved,
    ProfileUpdated,
    UserInvited,
    InvitationResent,
    InvitationAccepted,
    RoleChanged,
    UserUpdated,
    UserDeactivated,
    UserReactivated,
    CompanyCreated,
    CompanyUpdated,
    TicketCreated,
    TicketNoteAdded,
    TicketUpdated,
    TicketStatusChanged,
    AttachmentAdded,
    InvoiceCreated,
    InvoiceUpdated,
    InvoiceDeleted,
    InvoiceIssued,
    InvoiceVoided,
    PaymentStarted,
    PaymentReceived,
    PaymentFailed,
    PaymentRecorded,
    PaymentMethodAdded,
    PaymentMethodChanged,
    PaymentMethodRemoved,
    AutopayChanged,
    ProjectCreated,
    ProjectUpdated,
    ProjectPlanChanged,
    ConfigurationCreated,
    ConfigurationChanged,
    ConfigurationsImported,
    ConfigurationTypesChanged,
    DocumentAdded,
    DocumentChanged,
    DocumentDeleted,
    ArticleWritten,
    ArticleChanged,
    ArticlePublished,
    ArticleUnpublished,
    ArticlePinned,
    AgreementCreated,
    AgreementUpdated,
    TimeLogged,
    TimeChanged,
    TimeDeleted,
    CreditNoteIssued,
    CreditApplied,
    QuoteCreated,
    QuoteChanged,
    QuoteSent,
    QuoteRevised,
    QuoteApproved,
    QuoteDeclined,
    QuoteDeleted,
    QuoteRenewalAsked,
    TicketApprovalRequested,
    TicketApprovalAnswered,
    UserCreatedAtSignIn,
    SignInSettingsChanged,
    AccessRequested,
    AccessRequestRefused,
    TicketSignedOff,
    EmailChanged,
    RecoveryCodesReplaced,
}

impl AuditAction {
    pub const ALL: [AuditAction; 80] = [
        Self::SignIn,
        Self::SignInFailed,
        Self::MfaChallengeFailed,
        Self::RecoveryCodeUsed,
        Self::PasswordChanged,
        Self::PasswordResetRequested,
        Self::PasswordReset,
        Self::SessionsRevoked,
        Self::MfaEnabled,
        Self::MfaDisabled,
        Self::MfaReset,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::ProfileUpdated,
        Self::UserInvited,
        Self::InvitationResent,
        Self::InvitationAccepted,
        Self::RoleChanged,
        Self::UserUpdated,
        Self::UserDeactivated,
        Self::UserReactivated,
        Self::CompanyCreated,
        Self::CompanyUpdated,
        Self::TicketCreated,
        Self::TicketNoteAdded,
        Self::TicketUpdated,
        Self::TicketStatusChanged,
        Self::AttachmentAdded,
        Self::InvoiceCreated,
        Self::InvoiceUpdated,
        Self::InvoiceDeleted,
        Self::InvoiceIssued,
        Self::InvoiceVoided,
        Self::PaymentStarted,
        Self::PaymentReceived,
        Self::PaymentFailed,
        Self::PaymentRecorded,
        Self::PaymentMethodAdded,
        Self::PaymentMethodChanged,
        Self::PaymentMethodRemoved,
        Self::AutopayChanged,
        Self::ProjectCreated,
        Self::ProjectUpdated,
        Self::ProjectPlanChanged,
        Self::ConfigurationCreated,
        Self::ConfigurationChanged,
        Self::ConfigurationsImported,
        Self::ConfigurationTypesChanged,
        Self::DocumentAdded,
        Self::DocumentChanged,
        Self::DocumentDeleted,
        Self::ArticleWritten,
        Self::ArticleChanged,
        Self::ArticlePublished,
        Self::ArticleUnpublished,
        Self::ArticlePinned,
        Self::AgreementCreated,
        Self::AgreementUpdated,
        Self::TimeLogged,
        Self::TimeChanged,
        Self::TimeDeleted,
        Self::CreditNoteIssued,
        Self::CreditApplied,
        Self::QuoteCreated,
        Self::QuoteChanged,
        Self::QuoteSent,
        Self::QuoteRevised,
        Self::QuoteApproved,
        Self::QuoteDeclined,
        Self::QuoteDeleted,
        Self::QuoteRenewalAsked,
        Self::TicketApprovalRequested,
        Self::TicketApprovalAnswered,
        Self::UserCreatedAtSignIn,
        Self::SignInSettingsChanged,
        Self::AccessRequested,
        Self::AccessRequestRefused,
        Self::TicketSignedOff,
        Self::EmailChanged,
        Self::RecoveryCodesReplaced,
    ];

    /// Entries about invoices, payments, payment methods and autopay: only principals who see
    /// billing may read them in a trail.
    pub fn is_billing(self) -> bool {
        matches!(
            self,
            Self::InvoiceCreated
                | Self::InvoiceUpdated
                | Self::InvoiceDeleted
                | Self::InvoiceIssued
                | Self::InvoiceVoided
                | Self::PaymentStarted
                | Self::PaymentReceived
                | Self::PaymentFailed
                | Self::PaymentRecorded
                | Self::PaymentMethodAdded
                | Self::PaymentMethodChanged
                | Self::PaymentMethodRemoved
                | Self::AutopayChanged
                | Self::AgreementCreated
                | Self::AgreementUpdated
        )
    }

    /// The wire name (`sign_in`, …).
    pub fn as_str(self) -> String {
        super::labels::wire(self)
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// Where a change came from: when, and for a request, the client's address and browser.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestMeta {
    pub at: OffsetDateTime,
    pub source_ip: Option<String>,
    /// At most 256 characters of the `User-Agent`.
    pub user_agent: Option<String>,
}

impl RequestMeta {
    /// A request from `source_ip` with `user_agent` (cut to 256 characters).
    pub fn request(
        at: OffsetDateTime,
        source_ip: Option<String>,
        user_agent: Option<&str>,
    ) -> Self {
        Self {
            at,
            source_ip,
            user_agent: user_agent.map(|ua| ua.chars().take(256).collect()),
        }
    }

    /// A change made by the portal itself (a webhook, a scheduled job, the demo seed).
    pub fn system(at: OffsetDateTime) -> Self {
        Self {
            at,
            source_ip: None,
            user_agent: None,
        }
    }
}

/// One entry of a company's trail.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditEntry {
    pub id: AuditId,
    /// Whose trail it is in.
    pub company_id: CompanyId,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub action: AuditAction,
    /// Who did it; absent when nobody was signed in (a failed sign-in names the account tried).
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    pub actor_email: Option<Email>,
    /// What it was done to: `user:{id}`, `ticket:{number}`, `company:{id}`.
    pub target: Option<String>,
    /// One human sentence.
    pub summary: String,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
}

impl AuditEntry {
    /// An entry for `action` by `actor` in `company`'s trail, stamped with the time, address and
    /// browser of `meta`.
    pub fn new(
        meta: &RequestMeta,
        company: &CompanyId,
        actor: Option<&User>,
        action: AuditAction,
        target: Option<String>,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id: AuditId::generate(),
            company_id: company.clone(),
            at: meta.at,
            action,
            actor_id: actor.map(|u| u.id.clone()),
            actor_name: actor.map_or_else(String::new, |u| u.name.clone()),
            actor_email: actor.map(|u| u.email.clone()),
            target,
            summary: summary.into(),
            source_ip: meta.source_ip.clone(),
            user_agent: meta.user_agent.clone(),
        }
    }

    /// An entry for something no signed-in user did, done by `who` (Stripe, Autopay).
    pub fn by_system(
        meta: &RequestMeta,
        company: &CompanyId,
        who: &str,
        action: AuditAction,
        target: Option<String>,
        summary: impl Into<String>,
    ) -> Self {
        let mut entry = Self::new(meta, company, None, action, target, summary);
        entry.actor_name = who.into();
        entry
    }

    /// `user:{id}`
    pub fn user_target(user: &UserId) -> Option<String> {
        Some(format!("user:{user}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(&action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::SignInFailed.as_str(), "sign_in_failed");
        assert_eq!(AuditAction::parse("drop_table"), None);
    }
}
