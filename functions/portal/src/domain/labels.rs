//! What people read for each value of the enums the API sends: the one source of those labels. The
//! prerenderer writes `labels()` into every page (`#portal-labels`), where the site's scripts read
//! them, and renders its own selects from the same tables; nothing else keeps a copy.

use serde::Serialize;
use std::collections::BTreeMap;

use super::UserStatus;
use super::agreements::{AgreementKind, AgreementStatus, BillingCycle, WorkType};
use super::audit::AuditAction;
use super::billing::{InvoiceStatus, PaymentStatus};
use super::configurations::ConfigurationStatus;
use super::documents::Visibility;
use super::kb::{ArticleStatus, ArticleVisibility};
use super::projects::{PhaseStatus, ProjectStatus};
use super::quotes::{QuoteStatus, Recurrence};
use super::roles::Role;
use super::tickets::{Priority, TicketStatus};

/// An enum whose values people read: every value, and each one's label.
pub trait Labelled: Copy + Serialize + 'static {
    const ALL: &'static [Self];
    fn label(self) -> &'static str;
}

/// The wire name of `value` (`in_progress`, `full_admin`, …): how the API spells it.
pub fn wire<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `(wire name, label)` of each of `values`, in order.
pub fn table<T: Labelled>(values: &[T]) -> Vec<(String, &'static str)> {
    values.iter().map(|&v| (wire(v), v.label())).collect()
}

/// Every table, by name: what the site's pages carry.
pub fn labels() -> BTreeMap<&'static str, BTreeMap<String, &'static str>> {
    let map = |rows: Vec<(String, &'static str)>| rows.into_iter().collect();
    BTreeMap::from([
        ("client_role", map(table(&Role::CLIENT_ROLES))),
        (
            "role_description",
            <Role as Labelled>::ALL
                .iter()
                .map(|&r| (wire(r), r.description()))
                .collect(),
        ),
        ("staff_role", map(table(&Role::STAFF_ROLES))),
        ("user_status", map(table(<UserStatus as Labelled>::ALL))),
        ("ticket_status", map(table(<TicketStatus as Labelled>::ALL))),
        ("priority", map(table(<Priority as Labelled>::ALL))),
        ("audit_action", map(table(<AuditAction as Labelled>::ALL))),
        (
            "invoice_status",
            map(table(<InvoiceStatus as Labelled>::ALL)),
        ),
        (
            "payment_status",
            map(table(<PaymentStatus as Labelled>::ALL)),
        ),
        (
            "project_status",
            map(table(<ProjectStatus as Labelled>::ALL)),
        ),
        ("phase_status", map(table(<PhaseStatus as Labelled>::ALL))),
        (
            "agreement_kind",
            map(table(<AgreementKind as Labelled>::ALL)),
        ),
        (
            "agreement_status",
            map(table(<AgreementStatus as Labelled>::ALL)),
        ),
        ("billing_cycle", map(table(<BillingCycle as Labelled>::ALL))),
        ("work_type", map(table(<WorkType as Labelled>::ALL))),
        ("quote_status", map(table(<QuoteStatus as Labelled>::ALL))),
        ("recurrence", map(table(<Recurrence as Labelled>::ALL))),
        (
            "configuration_status",
            map(table(<ConfigurationStatus as Labelled>::ALL)),
        ),
        (
            "document_visibility",
            map(table(<Visibility as Labelled>::ALL)),
        ),
        (
            "article_visibility",
            map(table(<ArticleVisibility as Labelled>::ALL)),
        ),
        (
            "article_status",
            map(table(<ArticleStatus as Labelled>::ALL)),
        ),
    ])
}

impl Labelled for Role {
    const ALL: &'static [Self] = &[
        Role::FullAdmin,
        Role::TicketManager,
        Role::BillingAdmin,
        Role::TicketReadOnly,
        Role::StandardUser,
        Role::MspAdmin,
        Role::Technician,
    ];
    fn label(self) -> &'static str {
        Role::label(self)
    }
}

impl Labelled for UserStatus {
    const ALL: &'static [Self] = &[
        UserStatus::Invited,
        UserStatus::Active,
        UserStatus::Deactivated,
    ];
    fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "Invited",
            UserStatus::Active => "Active",
            UserStatus::Deactivated => "Deactivated",
        }
    }
}

impl Labelled for TicketStatus {
    const ALL: &'static [Self] = &TicketStatus::ALL;
    fn label(self) -> &'static str {
        TicketStatus::label(self)
    }
}

impl Labelled for QuoteStatus {
    const ALL: &'static [Self] = &[
        QuoteStatus::Draft,
        QuoteStatus::Sent,
        QuoteStatus::Approved,
        QuoteStatus::Declined,
        QuoteStatus::Superseded,
    ];
    fn label(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "Draft",
            QuoteStatus::Sent => "Waiting for approval",
            QuoteStatus::Approved => "Approved",
            QuoteStatus::Declined => "Declined",
            QuoteStatus::Superseded => "Superseded",
        }
    }
}

impl Labelled for Recurrence {
    const ALL: &'static [Self] = &[
        Recurrence::OneTime,
        Recurrence::Monthly,
        Recurrence::Annually,
    ];
    fn label(self) -> &'static str {
        match self {
            Recurrence::OneTime => "One-off",
            Recurrence::Monthly => "Monthly",
            Recurrence::Annually => "Annually",
        }
    }
}

impl Labelled for Priority {
    const ALL: &'static [Self] = &[
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Critical,
    ];
    fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
            Priority::Critical => "Critical",
        }
    }
}

impl Labelled for InvoiceStatus {
    const ALL: &'static [Self] = &[
        InvoiceStatus::Draft,
        InvoiceStatus::Issued,
        InvoiceStatus::Paid,
        InvoiceStatus::Void,
    ];
    fn label(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "Draft",
            InvoiceStatus::Issued => "Outstanding",
            InvoiceStatus::Paid => "Paid",
            InvoiceStatus::Void => "Void",
        }
    }
}

impl Labelled for PaymentStatus {
    const ALL: &'static [Self] = &[
        PaymentStatus::Pending,
        PaymentStatus::Succeeded,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
    ];
    fn label(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "Waiting for confirmation",
            PaymentStatus::Succeeded => "Paid",
            PaymentStatus::Failed => "Failed",
            PaymentStatus::Expired => "Not completed",
        }
    }
}

impl Labelled for ProjectStatus {
    const ALL: &'static [Self] = &ProjectStatus::ALL;
    fn label(self) -> &'static str {
        ProjectStatus::label(self)
    }
}

impl Labelled for ConfigurationStatus {
    const ALL: &'static [Self] = &ConfigurationStatus::ALL;
    fn label(self) -> &'static str {
        ConfigurationStatus::label(self)
    }
}

impl Labelled for Visibility {
    const ALL: &'static [Self] = &Visibility::ALL;
    fn label(self) -> &'static str {
        Visibility::label(self)
    }
}

impl Labelled for ArticleVisibility {
    const ALL: &'static [Self] = &[
        ArticleVisibility::AllClients,
        ArticleVisibility::Companies,
        ArticleVisibility::Internal,
    ];
    fn label(self) -> &'static str {
        match self {
            ArticleVisibility::AllClients => "Every client",
            ArticleVisibility::Companies => "Chosen companies",
            ArticleVisibility::Internal => "Internal",
        }
    }
}

impl Labelled for ArticleStatus {
    const ALL: &'static [Self] = &[ArticleStatus::Draft, ArticleStatus::Published];
    fn label(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "Draft",
            ArticleStatus::Published => "Published",
        }
    }
}

impl Labelled for PhaseStatus {
    const ALL: &'static [Self] = &PhaseStatus::ALL;
    fn label(self) -> &'static str {
        PhaseStatus::label(self)
    }
}

impl Labelled for AgreementKind {
    const ALL: &'static [Self] = &[
        AgreementKind::ManagedServices,
        AgreementKind::Block,
        AgreementKind::TimeAndMaterials,
        AgreementKind::Retainer,
    ];
    fn label(self) -> &'static str {
        match self {
            AgreementKind::ManagedServices => "Managed services",
            AgreementKind::Block => "Prepaid hours",
            AgreementKind::TimeAndMaterials => "Time and materials",
            AgreementKind::Retainer => "Retainer",
        }
    }
}

impl Labelled for AgreementStatus {
    const ALL: &'static [Self] = &[
        AgreementStatus::Active,
        AgreementStatus::Expired,
        AgreementStatus::Cancelled,
    ];
    fn label(self) -> &'static str {
        match self {
            AgreementStatus::Active => "Active",
            AgreementStatus::Expired => "Expired",
            AgreementStatus::Cancelled => "Cancelled",
        }
    }
}

impl Labelled for BillingCycle {
    const ALL: &'static [Self] = &[
        BillingCycle::Monthly,
        BillingCycle::Quarterly,
        BillingCycle::Annually,
        BillingCycle::OneTime,
    ];
    fn label(self) -> &'static str {
        match self {
            BillingCycle::Monthly => "Monthly",
            BillingCycle::Quarterly => "Quarterly",
            BillingCycle::Annually => "Annually",
            BillingCycle::OneTime => "Once",
        }
    }
}

impl Labelled for WorkType {
    const ALL: &'static [Self] = &[
        WorkType::Remote,
        WorkType::Onsite,
        WorkType::Travel,
        WorkType::Project,
        WorkType::Consulting,
    ];
    fn label(self) -> &'static str {
        match self {
            WorkType::Remote => "Remote support",
            WorkType::Onsite => "On site",
            WorkType::Travel => "Travel",
            WorkType::Project => "Project work",
            WorkType::Consulting => "Consulting",
        }
    }
}

impl Labelled for AuditAction {
    const ALL: &'static [Self] = &AuditAction::ALL;
    fn label(self) -> &'static str {
        use AuditAction::*;
        match self {
            SignIn => "Signed in",
            SignInFailed => "Sign-in failed",
            MfaChallengeFailed => "Second factor failed",
            RecoveryCodeUsed => "Recovery code used",
            PasswordChanged => "Password changed",
            PasswordResetRequested => "Password reset asked for",
            PasswordReset => "Password reset",
            SessionsRevoked => "Signed out elsewhere",
            MfaEnabled => "Two-factor turned on",
            MfaDisabled => "Two-factor turned off",
            MfaReset => "Two-factor reset",
            PasskeyAdded => "Passkey added",
            PasskeyRemoved => "Passkey removed",
            ProfileUpdated => "Profile updated",
            UserInvited => "User invited",
            InvitationResent => "Invitation resent",
            InvitationAccepted => "Invitation accepted",
            RoleChanged => "Role changed",
            UserUpdated => "User updated",
            UserDeactivated => "User deactivated",
            UserReactivated => "User reactivated",
            CompanyCreated => "Company created",
            CompanyUpdated => "Company updated",
            TicketCreated => "Ticket raised",
            TicketNoteAdded => "Ticket note added",
            TicketUpdated => "Ticket updated",
            TicketStatusChanged => "Ticket status changed",
            TicketSignedOff => "Ticket signed off",
            EmailChanged => "Login email changed",
            RecoveryCodesReplaced => "Recovery codes replaced",
            AttachmentAdded => "File attached",
            InvoiceCreated => "Invoice drafted",
            InvoiceUpdated => "Invoice draft changed",
            InvoiceDeleted => "Invoice draft deleted",
            InvoiceIssued => "Invoice issued",
            InvoiceVoided => "Invoice voided",
            PaymentStarted => "Payment started",
            PaymentReceived => "Payment received",
            PaymentFailed => "Payment failed",
            PaymentRecorded => "Payment recorded by hand",
            PaymentMethodAdded => "Payment method added",
            PaymentMethodChanged => "Payment method changed",
            PaymentMethodRemoved => "Payment method removed",
            AutopayChanged => "Autopay turned on or off",
            ProjectCreated => "Project created",
            ProjectUpdated => "Project changed",
            ProjectPlanChanged => "Project plan changed",
            ConfigurationCreated => "Configuration added",
            ConfigurationChanged => "Configuration changed",
            ConfigurationsImported => "Configurations imported",
            ConfigurationTypesChanged => "Configuration types changed",
            DocumentAdded => "Document added",
            DocumentChanged => "Document changed",
            DocumentDeleted => "Document deleted",
            ArticleWritten => "Article written",
            ArticleChanged => "Article changed",
            ArticlePublished => "Article published",
            ArticleUnpublished => "Article unpublished",
            ArticlePinned => "Article pinned or unpinned",
            AgreementCreated => "Agreement created",
            AgreementUpdated => "Agreement changed",
            TimeLogged => "Time logged",
            TimeChanged => "Time entry changed",
            TimeDeleted => "Time entry deleted",
            CreditNoteIssued => "Credit note issued",
            CreditApplied => "Store credit applied",
            QuoteCreated => "Quote drafted",
            QuoteChanged => "Quote draft changed",
            QuoteSent => "Quote sent",
            QuoteRevised => "Quote revised",
            QuoteApproved => "Quote approved",
            QuoteDeclined => "Quote declined",
            QuoteDeleted => "Draft quote deleted",
            QuoteRenewalAsked => "Quote renewal asked for",
            UserCreatedAtSignIn => "User created at sign-in",
            SignInSettingsChanged => "Sign-in settings changed",
            AccessRequested => "Access asked for",
            AccessRequestRefused => "Access request refused",
            TicketApprovalRequested => "Ticket approval asked for",
            TicketApprovalAnswered => "Ticket approval answered",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_a_label_and_its_wire_name() {
        let all = labels();
        assert_eq!(
            all["ticket_status"]["waiting_on_client"],
            "Waiting on client"
        );
        assert_eq!(all["client_role"]["ticket_read_only"], "Ticket Read-Only");
        assert_eq!(all["audit_action"].len(), AuditAction::ALL.len());
        assert_eq!(all["invoice_status"]["issued"], "Outstanding");
        for (name, table) in &all {
            assert!(!table.is_empty(), "{name}");
            for (wire, label) in table {
                assert!(
                    !wire.is_empty() && !label.is_empty(),
                    "{name}: {wire:?} {label:?}"
                );
            }
        }
    }
}
