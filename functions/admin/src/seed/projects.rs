//! Demo projects: Acme Dental's office move in progress (four phases with sub-phases, a dozen
//! tickets, some closed, one phase late, the completion slipped with its reason) and its finished
//! Microsoft 365 migration; Globex's planned warehouse Wi-Fi. Dates are relative to `now`, so the
//! demo always reads as current. Written once (skipped when project 1 exists).

use time::{Duration, OffsetDateTime};

use portal::domain::CompanyId;
use portal::domain::projects::{
    CompletionChange, Phase, PhaseStatus, Project, ProjectStatus, TicketProject,
};
use portal::domain::tickets::{Priority, Ticket, TicketStatus};
use portal::store::Store;

use super::{demo_user_id, find};

/// A phase: id, name, start and end in days from now, status, parent id.
type PhaseRow = (
    &'static str,
    &'static str,
    i64,
    i64,
    PhaseStatus,
    Option<&'static str>,
);

/// A ticket: phase id, summary, closed.
type TicketRow = (&'static str, &'static str, bool);

struct DemoProject {
    company: &'static str,
    name: &'static str,
    description: &'static str,
    status: ProjectStatus,
    contact: Option<&'static str>,
    /// Start, planned and expected completion, in days from now.
    days: (i64, i64, i64),
    slip_reason: &'static str,
    phases: &'static [PhaseRow],
    tickets: &'static [TicketRow],
}

use PhaseStatus::{Completed, InProgress, NotStarted};

const PROJECTS: &[DemoProject] = &[
    DemoProject {
        company: "acme-dental",
        name: "Office move to Elm Street",
        description: "Move the practice, its network, phones and imaging workstations to 12 Elm Street with no lost clinic days.",
        status: ProjectStatus::InProgress,
        contact: Some("ticketmanager@acme.example"),
        days: (-40, 40, 50),
        slip_reason: "The landlord hands over the comms room ten days later than agreed.",
        phases: &[
            ("a1b2c3d4", "Survey and design", -40, -26, Completed, None),
            (
                "a1b2c3d5",
                "Site survey",
                -40,
                -33,
                Completed,
                Some("a1b2c3d4"),
            ),
            (
                "a1b2c3d6",
                "Network design",
                -32,
                -26,
                Completed,
                Some("a1b2c3d4"),
            ),
            (
                "b1b2c3d4",
                "Cabling and comms room",
                -25,
                -5,
                InProgress,
                None,
            ),
            (
                "b1b2c3d5",
                "Comms room fit-out",
                -15,
                -5,
                InProgress,
                Some("b1b2c3d4"),
            ),
            (
                "c1b2c3d4",
                "Workstations and phones",
                -4,
                30,
                InProgress,
                None,
            ),
            ("d1b2c3d4", "Cut-over weekend", 31, 50, NotStarted, None),
        ],
        tickets: &[
            ("a1b2c3d5", "Survey the new premises at 12 Elm Street", true),
            (
                "a1b2c3d6",
                "Design the network and Wi-Fi for Elm Street",
                true,
            ),
            (
                "a1b2c3d4",
                "Agree the move plan with the practice manager",
                true,
            ),
            (
                "b1b2c3d4",
                "Order structured cabling for 14 surgeries",
                true,
            ),
            ("b1b2c3d4", "Cable the reception and waiting room", true),
            ("b1b2c3d5", "Install the comms rack and UPS", false),
            (
                "b1b2c3d5",
                "Patch the comms room and label the ports",
                false,
            ),
            ("c1b2c3d4", "Order IP phones and headsets", true),
            ("c1b2c3d4", "Image six new surgery workstations", false),
            (
                "c1b2c3d4",
                "Set up the X-ray imaging PC at Elm Street",
                false,
            ),
            ("d1b2c3d4", "Move the server and test backups", false),
            ("d1b2c3d4", "Port the phone numbers to the new site", false),
        ],
    },
    DemoProject {
        company: "acme-dental",
        name: "Microsoft 365 migration",
        description: "Move mail, files and calendars from the old Exchange server to Microsoft 365.",
        status: ProjectStatus::Completed,
        contact: Some("fulladmin@acme.example"),
        days: (-200, -120, -120),
        slip_reason: "",
        phases: &[
            ("e1b2c3d4", "Mailbox migration", -200, -160, Completed, None),
            (
                "f1b2c3d4",
                "Teams and SharePoint",
                -159,
                -120,
                Completed,
                None,
            ),
        ],
        tickets: &[
            ("e1b2c3d4", "Migrate the 18 mailboxes", true),
            ("f1b2c3d4", "Move the shared drive to SharePoint", true),
        ],
    },
    DemoProject {
        company: "globex-logistics",
        name: "Warehouse Wi-Fi upgrade",
        description: "Replace the warehouse access points so the scanners roam without drops.",
        status: ProjectStatus::Planned,
        contact: Some("fulladmin@globex.example"),
        days: (14, 75, 75),
        slip_reason: "",
        phases: &[
            ("a9b2c3d4", "Wireless survey", 14, 28, NotStarted, None),
            ("b9b2c3d4", "Install and tune", 29, 75, NotStarted, None),
        ],
        tickets: &[],
    },
];

/// Write the demo projects and their tickets, unless projects exist already.
pub async fn seed_projects(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    if store.project_company(1).await?.is_some() {
        return Ok(());
    }
    let today = now.date();
    let day = |d: i64| today + Duration::days(d);
    let tech = find("tech@northwind.example")?;
    for demo in PROJECTS {
        let company = CompanyId::parse(demo.company).map_err(anyhow::Error::msg)?;
        let company_name = super::COMPANIES
            .iter()
            .find(|c| c.id == demo.company)
            .map_or(demo.company, |c| c.name);
        let contact = demo.contact.map(find).transpose()?;
        let (start, planned, expected) = demo.days;
        let number = store.next_number("PROJECT").await?;
        let created = now + Duration::days(start.min(0) - 7);
        let project = Project {
            number,
            company_id: company.clone(),
            company_name: company_name.into(),
            name: demo.name.into(),
            description: demo.description.into(),
            status: demo.status,
            manager_id: demo_user_id(tech.email),
            manager_name: tech.name.into(),
            contact_id: contact.map(|c| demo_user_id(c.email)),
            contact_name: contact.map(|c| c.name.into()),
            start: day(start),
            planned_completion: day(planned),
            expected_completion: day(expected),
            completion_changes: (planned != expected)
                .then(|| CompletionChange {
                    from: day(planned),
                    to: day(expected),
                    reason: demo.slip_reason.into(),
                    by_name: tech.name.into(),
                    at: now - Duration::days(6),
                })
                .into_iter()
                .collect(),
            phases: demo
                .phases
                .iter()
                .map(|(id, name, s, e, status, parent)| Phase {
                    id: (*id).into(),
                    name: (*name).into(),
                    start: day(*s),
                    end: day(*e),
                    status: *status,
                    parent: parent.map(String::from),
                })
                .collect(),
            created_at: created,
            updated_at: created,
            version: 2,
        };
        store.create_project(&project, None, None).await?;
        for (i, (phase, summary, closed)) in demo.tickets.iter().enumerate() {
            let at = created + Duration::days(i as i64 * 3 + 1);
            let contact = contact.unwrap_or(tech);
            let ticket = Ticket {
                number: store.next_number("TICKET").await?,
                company_id: company.clone(),
                summary: (*summary).into(),
                description: format!("{summary}, as part of the project \"{}\".", demo.name),
                request_type: "Service request".into(),
                priority: Priority::Medium,
                emergency: false,
                due_date: None,
                po_number: None,
                status: TicketStatus::InProgress,
                contact_id: demo_user_id(contact.email),
                contact_name: contact.name.into(),
                created_by_id: demo_user_id(tech.email),
                created_at: at,
                updated_at: at,
                closed_at: None,
                invoices: Vec::new(),
                approval: None,
                work: Default::default(),
                assignee_company: CompanyId::parse("northwind-it").ok(),
                assignee_id: Some(demo_user_id(tech.email)),
                assignee_name: Some(tech.name.into()),
                project: Some(TicketProject {
                    number,
                    name: demo.name.into(),
                    phase_id: (*phase).into(),
                }),
                configuration: None,
                version: 1,
            };
            store.create_ticket(&ticket).await?;
            if *closed {
                let mut done = ticket.clone();
                done.status = TicketStatus::Closed;
                done.closed_at = Some(at + Duration::days(2));
                done.work.resolved_at = done.closed_at;
                done.updated_at = at + Duration::days(2);
                done.version = 2;
                store.save_ticket(&done, &ticket, None, None).await?;
            }
        }
    }
    Ok(())
}
