//! Demo agreements: Acme Dental's managed-services agreement and a 20-hour block with 14.5 hours
//! used across its tickets (under the block's 30 % low-balance share, so the alert shows); Globex's
//! time-and-materials agreement with billable time not yet invoiced. Dates are relative to `now`.
//! Written once (skipped when the company has agreements).

use anyhow::Context;
use time::{Duration, OffsetDateTime};

use portal::domain::CompanyId;
use portal::domain::agreements::{
    Agreement, AgreementBook, AgreementKind, BillingCycle, TimeEntry, WorkType,
};
use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
use portal::domain::billing::BillingId;
use portal::store::Store;

use super::{DEMO_TICKETS, demo_user_id, find};

/// An agreement: name, kind, fee, rate, included hours, block sizes, low-balance share.
type AgreementRow = (
    &'static str,
    AgreementKind,
    i64,
    i64,
    i64,
    &'static [u32],
    u8,
);

/// Time: minutes, work type, billable, note.
type TimeRow = (i64, WorkType, bool, &'static str);

const AGREEMENTS: &[(&str, &[AgreementRow], &[TimeRow])] = &[
    (
        "acme-dental",
        &[
            (
                "Managed workstations and server",
                AgreementKind::ManagedServices,
                250_000,
                0,
                0,
                &[],
                20,
            ),
            (
                "Prepaid support hours",
                AgreementKind::Block,
                0,
                12_000,
                20,
                &[10, 20, 40],
                30,
            ),
        ],
        &[
            (
                120,
                WorkType::Remote,
                true,
                "Traced the fault to a failed update; rolled it back.",
            ),
            (
                90,
                WorkType::Remote,
                true,
                "Reconfigured the mail connector and tested sending.",
            ),
            (
                180,
                WorkType::Onsite,
                true,
                "On site: replaced the camera driver on three chairs.",
            ),
            (
                150,
                WorkType::Remote,
                true,
                "Set up the SMS gateway again and sent test reminders.",
            ),
            (
                210,
                WorkType::Onsite,
                true,
                "Door controller replaced and re-enrolled every badge.",
            ),
            (
                120,
                WorkType::Remote,
                true,
                "Cleared the spooler and updated the printer firmware.",
            ),
        ],
    ),
    (
        "globex-logistics",
        &[(
            "Time and materials",
            AgreementKind::TimeAndMaterials,
            0,
            15_000,
            0,
            &[],
            20,
        )],
        &[
            (
                90,
                WorkType::Remote,
                true,
                "Priced three rugged tablets and sent the options.",
            ),
            (
                60,
                WorkType::Remote,
                true,
                "Reinstalled the route planner and its licence.",
            ),
            (
                120,
                WorkType::Onsite,
                true,
                "Swapped the swollen battery and recycled the old one.",
            ),
        ],
    ),
];

pub async fn seed_agreements(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    let tech = find("tech@northwind.example")?;
    let msp = CompanyId::parse("northwind-it").map_err(anyhow::Error::msg)?;
    let meta = RequestMeta::system(now);
    for (company, agreements, time) in AGREEMENTS {
        let company_id = CompanyId::parse(company).map_err(anyhow::Error::msg)?;
        if !store
            .agreement_book(&company_id)
            .await?
            .agreements
            .is_empty()
        {
            continue;
        }
        let company = store
            .get_company(&company_id)
            .await?
            .context("demo companies are seeded first")?;
        let start = now - Duration::days(365);
        let mut book = AgreementBook::default();
        for (name, kind, fee, rate, hours, sizes, low) in *agreements {
            let mut a = Agreement::blank(&company, start);
            a.id = BillingId::derived(&["demo-agreement", company.id.as_str(), name]);
            a.name = (*name).into();
            a.kind = *kind;
            a.fee = *fee;
            a.rate = *rate;
            a.included_minutes = hours * 60;
            a.block_sizes = sizes.to_vec();
            a.low_balance_percent = *low;
            a.start_date = start.date();
            a.auto_renew = *kind == AgreementKind::ManagedServices;
            a.billing_cycle = if *kind == AgreementKind::Block {
                BillingCycle::OneTime
            } else {
                BillingCycle::Monthly
            };
            book.agreements.push(a);
        }
        book.version = 1;
        let audit = AuditEntry::by_system(
            &meta,
            &msp,
            "Demo data",
            AuditAction::AgreementCreated,
            None,
            format!("Demo agreements of {}", company.name),
        );
        store.save_agreements(&company.id, &book, 0, &audit).await?;
        // The company's newest tickets take the time (counted against the last agreement:
        // the block for Acme, time and materials for Globex).
        let against = book.agreements.last().context("an agreement")?;
        let tickets = DEMO_TICKETS
            .iter()
            .enumerate()
            .filter(|(_, t)| t.0 == company.id.as_str())
            .map(|(i, _)| i as u64 + 1)
            .rev();
        let mut entries = Vec::new();
        for (n, (minutes, work_type, billable, note)) in tickets.zip(time.iter()) {
            let ticket = store
                .get_ticket(&company.id, n)
                .await?
                .context("demo tickets are seeded first")?;
            let at = (ticket.created_at + Duration::days(1)).min(now);
            entries.push(TimeEntry {
                id: BillingId::derived(&["demo-time", company.id.as_str(), &n.to_string()]),
                company_id: company.id.clone(),
                ticket_number: n,
                ticket_summary: ticket.summary.clone(),
                date: at.date(),
                minutes: *minutes,
                work_type: *work_type,
                billable: *billable,
                note: (*note).into(),
                internal: false,
                agreement_id: Some(against.id.clone()),
                agreement_name: Some(against.name.clone()),
                agreement_kind: Some(against.kind),
                by_id: demo_user_id(tech.email),
                by_name: tech.name.into(),
                billed: None,
                created_at: at,
                updated_at: at,
                version: 1,
            });
        }
        store.load_time_entries(&book, &entries, now.date()).await?;
    }
    Ok(())
}
