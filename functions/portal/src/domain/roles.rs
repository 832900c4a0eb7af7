//! Roles and capabilities: DESIGN.md's capability table as code. Handlers ask for a capability
//! (`Principal::require`), never for a role name.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::CompanyKind;

/// The one role a portal user holds. Client roles exist only in client companies, staff roles
/// only in the MSP's own company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    FullAdmin,
    TicketManager,
    BillingAdmin,
    TicketReadOnly,
    StandardUser,
    MspAdmin,
    Technician,
}

/// What a principal may do. Serialised in `GET /api/me` so the site can show only what is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Raise a ticket for oneself.
    SubmitTicket,
    /// Raise a ticket naming a colleague as its contact.
    SubmitOnBehalf,
    /// See every ticket of the company (otherwise only one's own).
    ViewCompanyTickets,
    /// See the tickets one is the contact of.
    ViewOwnTickets,
    /// Add notes and set the statuses clients may set, on tickets one can see.
    AddNotes,
    /// See and pay invoices; manage payment methods.
    ViewInvoices,
    /// See the company's quotes and approve or decline them; answer tickets waiting for the
    /// client's approval (issue 19). MSP admins see quotes through `ManageBilling`.
    ApproveQuotes,
    /// See projects.
    ViewProjects,
    /// MSP staff: create projects and plan their phases, for any client company.
    ManageProjects,
    /// See the company's agreements with their terms, balances and usage.
    ViewAgreements,
    /// See how many prepaid hours are left (Ticket Managers decide whether to raise work by it).
    ViewHoursLeft,
    /// MSP staff: log time on tickets.
    LogTime,
    /// See every configuration of the company (otherwise only those one is the contact of).
    ViewCompanyConfigurations,
    /// MSP staff: record, change and import configurations for any client company.
    ManageConfigurations,
    /// Upload documents and new versions, and file them (client Full Admins: their company's,
    /// never internal ones; MSP staff: every company's). A client who holds it also reads the
    /// documents for admins only.
    ManageDocuments,
    /// Manage the company's portal users and roles.
    ManageUsers,
    /// MSP staff: act across every client company.
    AllCompanies,
    /// MSP admin: onboard and edit client companies.
    ManageCompanies,
    /// MSP admin: billing settings, invoices.
    ManageBilling,
    /// MSP admin: portal settings (branding, allowed statuses, …).
    ManageSettings,
    /// Read the company's audit trail (every company's, for MSP staff).
    ViewAudit,
    /// Read the knowledge base: the published articles shown to every client or to one's
    /// company (MSP staff: every article).
    ReadKnowledgeBase,
    /// MSP staff: write, publish and pin knowledge base articles.
    ManageKnowledgeBase,
    /// See the company's reports (MSP staff: any company's, and every company's together).
    ViewReports,
}

use Capability::*;

impl Role {
    pub const CLIENT_ROLES: [Role; 5] = [
        Role::FullAdmin,
        Role::TicketManager,
        Role::BillingAdmin,
        Role::TicketReadOnly,
        Role::StandardUser,
    ];
    pub const STAFF_ROLES: [Role; 2] = [Role::MspAdmin, Role::Technician];

    /// The capability table of DESIGN.md.
    pub fn capabilities(self) -> &'static [Capability] {
        match self {
            Role::FullAdmin => &[
                SubmitTicket,
                SubmitOnBehalf,
                ViewCompanyTickets,
                AddNotes,
                ViewInvoices,
                ApproveQuotes,
                ViewProjects,
                ViewAgreements,
                ViewHoursLeft,
                ViewCompanyConfigurations,
                ManageDocuments,
                ManageUsers,
                ViewAudit,
                ReadKnowledgeBase,
                ViewReports,
            ],
            Role::TicketManager => &[
                SubmitTicket,
                SubmitOnBehalf,
                ViewCompanyTickets,
                AddNotes,
                ViewProjects,
                ViewHoursLeft,
                ViewCompanyConfigurations,
                ReadKnowledgeBase,
                ViewReports,
            ],
            Role::BillingAdmin => &[
                SubmitTicket,
                ViewOwnTickets,
                AddNotes,
                ViewInvoices,
                ApproveQuotes,
                ViewProjects,
                ViewAgreements,
                ViewHoursLeft,
                ReadKnowledgeBase,
            ],
            Role::TicketReadOnly => &[ViewOwnTickets, ReadKnowledgeBase],
            Role::StandardUser => &[SubmitTicket, ViewOwnTickets, AddNotes, ReadKnowledgeBase],
            Role::MspAdmin => &[
                SubmitTicket,
                SubmitOnBehalf,
                ViewCompanyTickets,
                AddNotes,
                ViewInvoices,
                ViewProjects,
                ManageProjects,
                ViewAgreements,
                ViewHoursLeft,
                LogTime,
                ViewCompanyConfigurations,
                ManageConfigurations,
                ManageDocuments,
                ManageUsers,
                AllCompanies,
                ManageCompanies,
                ManageBilling,
                ManageSettings,
                ViewAudit,
                ReadKnowledgeBase,
                ManageKnowledgeBase,
                ViewReports,
            ],
            Role::Technician => &[
                SubmitTicket,
                SubmitOnBehalf,
                ViewCompanyTickets,
                AddNotes,
                ViewProjects,
                ManageProjects,
                ViewAgreements,
                ViewHoursLeft,
                LogTime,
                ViewCompanyConfigurations,
                ManageConfigurations,
                ManageDocuments,
                AllCompanies,
                ViewAudit,
                ReadKnowledgeBase,
                ManageKnowledgeBase,
                ViewReports,
            ],
        }
    }

    pub fn can(self, capability: Capability) -> bool {
        self.capabilities().contains(&capability)
    }

    /// Which kind of company may hold this role.
    pub fn company_kind(self) -> CompanyKind {
        if Self::STAFF_ROLES.contains(&self) {
            CompanyKind::Msp
        } else {
            CompanyKind::Client
        }
    }

    /// The role that manages a company's users: Full Admin for clients, MSP Admin for the MSP.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::FullAdmin | Role::MspAdmin)
    }

    /// The roles a company of `kind` may give.
    pub fn for_kind(kind: CompanyKind) -> &'static [Role] {
        match kind {
            CompanyKind::Client => &Self::CLIENT_ROLES,
            CompanyKind::Msp => &Self::STAFF_ROLES,
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::FullAdmin => "Full Admin",
            Role::TicketManager => "Ticket Manager",
            Role::BillingAdmin => "Billing Admin",
            Role::TicketReadOnly => "Ticket Read-Only",
            Role::StandardUser => "Standard User",
            Role::MspAdmin => "MSP Admin",
            Role::Technician => "Technician",
        }
    }

    /// What the role allows, in one line (the client roles in the words of the portal guides that
    /// clients know).
    pub fn description(self) -> &'static str {
        match self {
            Role::FullAdmin => {
                "Full functionality for all administrative features: tickets, invoices and payments, users, the audit trail."
            }
            Role::TicketManager => {
                "Creates tickets for other users, comments on the company's tickets and views projects."
            }
            Role::BillingAdmin => "Pays invoices, submits their own tickets and views projects.",
            Role::TicketReadOnly => "Reads their own tickets only, and cannot create them.",
            Role::StandardUser => "Creates their own tickets and comments on them.",
            Role::MspAdmin => {
                "Everything, for every client company: invoices, settings, companies and users."
            }
            Role::Technician => {
                "Works every client's tickets and projects and reads their audit trails; no billing or settings."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_staff_roles_reach_across_companies() {
        for role in Role::CLIENT_ROLES {
            assert!(!role.can(AllCompanies), "{role:?}");
            assert_eq!(role.company_kind(), CompanyKind::Client);
        }
        for role in Role::STAFF_ROLES {
            assert!(role.can(AllCompanies), "{role:?}");
        }
    }

    #[test]
    fn only_full_admins_among_clients_manage_users_and_technicians_see_no_billing() {
        let managers: Vec<_> = Role::CLIENT_ROLES
            .into_iter()
            .filter(|r| r.can(ManageUsers))
            .collect();
        assert_eq!(managers, vec![Role::FullAdmin]);
        assert!(!Role::Technician.can(ManageBilling));
        assert!(!Role::Technician.can(ViewInvoices));
    }

    #[test]
    fn full_admins_ticket_managers_and_staff_see_reports() {
        let seeing: Vec<_> = Role::CLIENT_ROLES
            .into_iter()
            .filter(|r| r.can(ViewReports))
            .collect();
        assert_eq!(seeing, [Role::FullAdmin, Role::TicketManager]);
        assert!(Role::STAFF_ROLES.iter().all(|r| r.can(ViewReports)));
    }

    #[test]
    fn everyone_reads_the_knowledge_base_and_only_staff_write_it() {
        for role in Role::CLIENT_ROLES {
            assert!(
                role.can(ReadKnowledgeBase) && !role.can(ManageKnowledgeBase),
                "{role:?}"
            );
        }
        for role in Role::STAFF_ROLES {
            assert!(
                role.can(ReadKnowledgeBase) && role.can(ManageKnowledgeBase),
                "{role:?}"
            );
        }
    }
}
