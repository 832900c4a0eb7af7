//! Demo data: the companies and users every local run and browser test starts from. Seeding is
//! idempotent: ids are derived from the demo data itself and every write is a put, so running it
//! again restores the demo state (and the current demo password).

use time::OffsetDateTime;

use crate::domain::{CompanyId, CompanyKind, Email, UserId, UserStatus};
use crate::password;
use crate::roles::Role;
use crate::store::{Company, Store, User};

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

/// A stable id for a demo user, derived from their email.
pub fn demo_user_id(email: &str) -> UserId {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("demo-user:{email}").as_bytes(),
    );
    let hex: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    UserId::parse(&hex).unwrap_or_else(|_| UserId::generate())
}

/// Write every demo company and user with `password`.
pub async fn seed(store: &Store, password: &str, now: OffsetDateTime) -> anyhow::Result<()> {
    // One hash for all demo users: they share the password, and hashing is deliberately slow.
    let hash = password::hash(password)?;
    for demo in COMPANIES {
        let company_id =
            CompanyId::parse(demo.id).map_err(|_| anyhow::anyhow!("bad demo id {}", demo.id))?;
        let company = Company {
            id: company_id.clone(),
            name: demo.name.into(),
            kind: demo.kind,
            created_at: now,
        };
        store.put_company(&company).await?;
        for u in demo.users {
            let user = User {
                id: demo_user_id(u.email),
                company_id: company_id.clone(),
                email: Email::parse(u.email).map_err(anyhow::Error::msg)?,
                name: u.name.into(),
                role: u.role,
                status: UserStatus::Active,
                created_at: now,
            };
            store.put_user(&user, &hash, false).await?;
        }
    }
    Ok(())
}
