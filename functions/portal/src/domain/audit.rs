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

use crate::domain::{AuditId, CompanyId, Email, UserId};
use crate::store::User;
use crate::web::http::Ctx;

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
}

impl AuditAction {
    pub const ALL: [AuditAction; 39] = [
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
    ];

    /// The wire name (`sign_in`, …).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
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
    /// An entry for `action` by `actor` in `company`'s trail, stamped with the request's time,
    /// address and browser.
    pub fn new(
        ctx: &Ctx<'_>,
        company: &CompanyId,
        actor: Option<&User>,
        action: AuditAction,
        target: Option<String>,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id: AuditId::generate(),
            company_id: company.clone(),
            at: ctx.app.now(),
            action,
            actor_id: actor.map(|u| u.id.clone()),
            actor_name: actor.map_or_else(String::new, |u| u.name.clone()),
            actor_email: actor.map(|u| u.email.clone()),
            target,
            summary: summary.into(),
            source_ip: ctx.source_ip(),
            user_agent: ctx
                .header("user-agent")
                .map(|ua| ua.chars().take(256).collect()),
        }
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
