//! Demo data: the companies and users every local run and browser test starts from. Seeding is
//! idempotent: ids are derived from the demo data itself and every write is a put, so running it
//! again restores the demo state (and the current demo password).

use anyhow::Context;
use time::OffsetDateTime;

use portal::auth::password;
use portal::domain::account::{Company, User};
use portal::domain::roles::Role;
use portal::domain::sign_in::SsoSettings;
use portal::domain::tickets::{Attachment, Note, Priority, Ticket, TicketStatus};
use portal::domain::{CompanyId, CompanyKind, Email, SignInMethod, UserId, UserStatus};
use portal::store::Store;

pub const DEFAULT_PASSWORD: &str = "portal-demo";

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
}

pub struct DemoCompany {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: CompanyKind,
    pub users: &'static [DemoUser],
}

pub const COMPANIES: &[DemoCompany] = &[
    DemoCompany {
        id: "northwind-it",
        name: "Northwind IT",
        kind: CompanyKind::Msp,
        users: &[
            DemoUser {
                email: "admin@northwind.example",
                name: "Nadia Admin",
                role: Role::MspAdmin,
            },
            DemoUser {
                email: "tech@northwind.example",
                name: "Theo Technician",
                role: Role::Technician,
            },
        ],
    },
    DemoCompany {
        id: "acme-dental",
        name: "Acme Dental",
        kind: CompanyKind::Client,
        users: &[
            DemoUser {
                email: "fulladmin@acme.example",
                name: "Fiona Fuller",
                role: Role::FullAdmin,
            },
            DemoUser {
                email: "ticketmanager@acme.example",
                name: "Tomas Manning",
                role: Role::TicketManager,
            },
            DemoUser {
                email: "billing@acme.example",
                name: "Bella Billings",
                role: Role::BillingAdmin,
            },
            DemoUser {
                email: "readonly@acme.example",
                name: "Rory Reed",
                role: Role::TicketReadOnly,
            },
            DemoUser {
                email: "user@acme.example",
                name: "Uma User",
                role: Role::StandardUser,
            },
        ],
    },
    DemoCompany {
        id: "globex-logistics",
        name: "Globex Logistics",
        kind: CompanyKind::Client,
        users: &[
            DemoUser {
                email: "fulladmin@globex.example",
                name: "Gus Fulton",
                role: Role::FullAdmin,
            },
            DemoUser {
                email: "user@globex.example",
                name: "Greta User",
                role: Role::StandardUser,
            },
        ],
    },
];

/// Acme Dental's Entra tenant in the demo (the local sign-in stand-in, infra/idp_double.py, signs
/// its accounts in from it).
pub const ACME_TENANT: &str = "3f2c9a61-7d4e-4b8a-9c15-2e6f8d0a4b7c";

/// A stable id for a demo user, derived from their email.
pub fn demo_user_id(email: &str) -> UserId {
    let hex = portal::domain::sha256_hex(format!("demo-user:{email}").as_bytes(), 16);
    UserId::parse(&hex).unwrap_or_else(|_| UserId::generate())
}

/// Write every demo company and user with `password`.
pub async fn seed(store: &Store, password: &str, now: OffsetDateTime) -> anyhow::Result<()> {
    // One hash for all demo users: they share the password, and hashing is deliberately slow.
    let hash = password::hash(password)?;
    for demo in COMPANIES {
        let company_id =
            CompanyId::parse(demo.id).map_err(|_| anyhow::anyhow!("bad demo id {}", demo.id))?;
        let mut company = Company::new(company_id.clone(), demo.name, demo.kind, now);
        company.admins = demo.users.iter().filter(|u| u.role.is_admin()).count() as u32;
        company.billing_email = demo
            .users
            .iter()
            .find(|u| u.role.is_admin())
            .and_then(|u| Email::parse(u.email).ok());
        if demo.kind == CompanyKind::Client {
            // The demo invoices carry 8.25 % (seed::invoices): new ones start with it too.
            company.tax_rate_bp = 825;
        }
        if demo.id == "acme-dental" {
            // Acme signs in with its Microsoft 365 tenant or Google Workspace too, newcomers of
            // either get a Standard User at their first sign-in, and people at acme.example may ask
            // for access (docs/sso.md).
            company.sign_in_methods = vec![
                SignInMethod::Password,
                SignInMethod::Microsoft,
                SignInMethod::Google,
            ];
            company.sso = SsoSettings {
                microsoft_tenants: vec![ACME_TENANT.into()],
                domains: vec!["acme.example".into()],
                just_in_time: true,
                access_requests: true,
                ..SsoSettings::default()
            };
        }
        store.put_company(&company).await?;
        store.put_idp_links(&company).await?;
        for u in demo.users {
            let mut user = User::new(
                company_id.clone(),
                Email::parse(u.email).map_err(anyhow::Error::msg)?,
                u.name,
                u.role,
                UserStatus::Active,
                now,
            );
            user.id = demo_user_id(u.email);
            store.put_user(&user, &hash, false).await?;
        }
    }
    Ok(())
}

/// Summaries of the demo tickets, oldest first: (client company, contact email, summary, request
/// type, priority).
const DEMO_TICKETS: &[(&str, &str, &str, &str, Priority)] = &[
    (
        "acme-dental",
        "user@acme.example",
        "Reception printer jams on every second page",
        "Problem",
        Priority::Medium,
    ),
    (
        "globex-logistics",
        "user@globex.example",
        "Warehouse scanner will not pair with the tablet",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "New starter: dental nurse on Monday",
        "New starter",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "X-ray workstation slow after update",
        "Problem",
        Priority::High,
    ),
    (
        "globex-logistics",
        "fulladmin@globex.example",
        "Add two users to the dispatch shared mailbox",
        "Change request",
        Priority::Low,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Outlook keeps asking for my password",
        "Problem",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "Quote for three new laptops",
        "Question",
        Priority::Low,
    ),
    (
        "globex-logistics",
        "user@globex.example",
        "Label printer prints blank labels",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "Wi-Fi drops in surgery room 2",
        "Problem",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Cannot open patient letters template",
        "Problem",
        Priority::Low,
    ),
    (
        "globex-logistics",
        "fulladmin@globex.example",
        "Leaver: remove access for J. Smith",
        "Leaver",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "Backup failed notification",
        "Problem",
        Priority::Critical,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Second monitor for the front desk",
        "Change request",
        Priority::Low,
    ),
    (
        "globex-logistics",
        "user@globex.example",
        "VPN disconnects every hour",
        "Problem",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "Card reader not recognised at reception",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "Renew the practice domain name",
        "Question",
        Priority::Medium,
    ),
    (
        "globex-logistics",
        "fulladmin@globex.example",
        "New starter: two warehouse operatives",
        "New starter",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Phone system voicemail not emailing",
        "Problem",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "Imaging software licence expired warning",
        "Problem",
        Priority::High,
    ),
    (
        "globex-logistics",
        "user@globex.example",
        "Forklift terminal shows wrong time",
        "Problem",
        Priority::Low,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "Set up MFA for all staff",
        "Change request",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Scanner saves to the wrong folder",
        "Problem",
        Priority::Low,
    ),
    (
        "globex-logistics",
        "fulladmin@globex.example",
        "Dispatch PC blue screen",
        "Problem",
        Priority::Critical,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "Printer toner order",
        "Question",
        Priority::Low,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Email signature update for new logo",
        "Change request",
        Priority::Low,
    ),
    (
        "globex-logistics",
        "user@globex.example",
        "Shared drive full warning",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "Website contact form not sending",
        "Problem",
        Priority::Medium,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Teams camera not detected",
        "Problem",
        Priority::Medium,
    ),
    (
        "globex-logistics",
        "fulladmin@globex.example",
        "Quote for a rugged tablet",
        "Question",
        Priority::Low,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "Appointment reminders not sent by SMS",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Keyboard sticky keys at desk 4",
        "Problem",
        Priority::Low,
    ),
    (
        "globex-logistics",
        "user@globex.example",
        "Route planner will not start",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "fulladmin@acme.example",
        "Door entry system offline",
        "Problem",
        Priority::Critical,
    ),
    (
        "acme-dental",
        "user@acme.example",
        "Printer in reception says paper jam but none",
        "Problem",
        Priority::Medium,
    ),
    (
        "globex-logistics",
        "fulladmin@globex.example",
        "Laptop battery swelling",
        "Problem",
        Priority::High,
    ),
    (
        "acme-dental",
        "ticketmanager@acme.example",
        "Password reset for locum dentist",
        "Question",
        Priority::Medium,
    ),
];

/// A file the demo tickets refer to, to be put in the attachments bucket.
pub struct DemoFile {
    pub key: String,
    pub content_type: &'static str,
    pub bytes: std::borrow::Cow<'static, [u8]>,
}

/// Write the demo tickets (a few dozen for Acme Dental and Globex, over the last year, across
/// statuses and contacts, with replies, one internal note and one attachment), unless tickets
/// exist already. Returns the files to put in the attachments bucket.
pub async fn seed_tickets(store: &Store, now: OffsetDateTime) -> anyhow::Result<Vec<DemoFile>> {
    if store.ticket_company(1).await?.is_some() {
        return Ok(Vec::new());
    }
    let theo_id = demo_user_id("tech@northwind.example");
    let total = DEMO_TICKETS.len() as i64;
    let mut files = Vec::new();
    for (i, (company, contact, summary, kind, priority)) in DEMO_TICKETS.iter().enumerate() {
        let i = i as i64;
        let company_id = CompanyId::parse(company).map_err(anyhow::Error::msg)?;
        let contact_user = find(contact)?;
        let created =
            now - time::Duration::days((total - i) * 9 - 3) - time::Duration::hours(i % 7);
        let number = store.next_number("TICKET").await?;
        let mut ticket = Ticket {
            number,
            company_id: company_id.clone(),
            summary: (*summary).into(),
            description: format!(
                "{summary}. It started recently and affects our work; please take a look."
            ),
            request_type: (*kind).into(),
            priority: *priority,
            emergency: *priority == Priority::Critical,
            due_date: None,
            po_number: (*kind == "Question").then(|| format!("PO-{}", 4000 + i)),
            status: TicketStatus::New,
            contact_id: demo_user_id(contact),
            contact_name: contact_user.name.into(),
            created_by_id: demo_user_id(contact),
            created_at: created,
            updated_at: created,
            closed_at: None,
            invoices: Vec::new(),
            approval: None,
            work: Default::default(),
            assignee_company: None,
            assignee_id: None,
            assignee_name: None,
            project: None,
            configuration: None,
            version: 1,
        };
        store.create_ticket(&ticket).await?;
        let note = |author: &str, text: String, internal: bool, at: OffsetDateTime| {
            let author = find(author)?;
            anyhow::Ok(Note {
                id: portal::domain::random_hex(8),
                ticket_number: number,
                internal,
                author_id: demo_user_id(author.email),
                author_name: author.name.into(),
                from_msp: author.email.ends_with("@northwind.example"),
                text,
                created_at: at,
            })
        };
        let reply = note(
            "tech@northwind.example",
            "Thanks for raising this. I am looking into it now and will update you here.".into(),
            false,
            created + time::Duration::hours(2),
        )?;
        post(store, &mut ticket, &reply).await?;
        if i == 0 || i == total - 3 {
            let internal = note(
                "tech@northwind.example",
                "Internal: the fuser unit is worn. Order a replacement before quoting.".into(),
                true,
                created + time::Duration::hours(3),
            )?;
            post(store, &mut ticket, &internal).await?;
        }
        if i % 3 == 0 {
            let answer = note(
                contact,
                "Thank you. It happened again this morning, if that helps.".into(),
                false,
                created + time::Duration::hours(5),
            )?;
            post(store, &mut ticket, &answer).await?;
        }
        if i == total - 3 {
            let id = "demo0log0file".to_owned();
            files.push(DemoFile {
                key: portal::store::keys::attachment_object(&company_id, number, &id),
                content_type: "text/plain",
                bytes: std::borrow::Cow::Borrowed(
                    b"09:14 paper jam tray 2\n09:15 paper jam tray 2\n09:20 error E-102\n",
                ),
            });
            store
                .add_attachment(
                    &company_id,
                    &Attachment {
                        id,
                        ticket_number: number,
                        file_name: "printer-log.txt".into(),
                        content_type: "text/plain".into(),
                        size: 64,
                        internal: false,
                        uploaded_by_id: ticket.contact_id.clone(),
                        uploaded_by_name: ticket.contact_name.clone(),
                        from_msp: false,
                        created_at: created + time::Duration::minutes(1),
                    },
                    None,
                )
                .await?;
        }
        // Older tickets are done; the last ones are still open in various states.
        let from_end = total - i;
        let status = match from_end {
            1 | 2 | 5 => TicketStatus::New,
            3 | 7 => TicketStatus::InProgress,
            4 => TicketStatus::WaitingOnClient,
            6 => TicketStatus::Scheduled,
            _ if i % 11 == 5 => TicketStatus::Cancelled,
            _ if i % 2 == 0 => TicketStatus::Closed,
            _ => TicketStatus::Resolved,
        };
        let before = ticket.clone();
        ticket.status = status;
        if from_end != 1 {
            ticket.assignee_id = Some(theo_id.clone());
            ticket.assignee_name = Some("Theo Technician".into());
            ticket.assignee_company = CompanyId::parse("northwind-it").ok();
        }
        if !status.is_open() {
            ticket.closed_at = Some(ticket.updated_at + time::Duration::days(1));
            ticket.updated_at = ticket.closed_at.unwrap_or(ticket.updated_at);
            if status != TicketStatus::Cancelled {
                ticket.work.resolved_at = ticket.closed_at;
            }
        }
        if ticket != before {
            ticket.version += 1;
            store.save_ticket(&ticket, &before, None, None).await?;
        }
    }
    Ok(files)
}

/// Add `note` to `ticket`, which becomes the ticket with the note.
async fn post(store: &Store, ticket: &mut Ticket, note: &Note) -> anyhow::Result<()> {
    let touched = ticket.with_note(note);
    store.add_note(ticket, &touched, note, None).await?;
    *ticket = touched;
    Ok(())
}

pub(crate) fn find(email: &str) -> anyhow::Result<&'static DemoUser> {
    COMPANIES
        .iter()
        .flat_map(|c| c.users.iter())
        .find(|u| u.email == email)
        .ok_or_else(|| anyhow::anyhow!("no demo user {email}"))
}

mod agreements;
mod closing;
mod configurations;
mod documents;
mod invoices;
mod kb;
mod projects;
mod quotes;
mod targets;
pub use agreements::seed_agreements;
pub use closing::seed_ticket_closing;
pub use configurations::seed_configurations;
pub use documents::seed_documents;
pub use invoices::seed_invoices;
pub use kb::{demo_articles, seed_articles};
pub use projects::seed_projects;
pub use quotes::seed_quotes;
pub use targets::seed_targets;
