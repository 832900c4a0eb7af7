//! Demo tickets' endings (issue 22): every resolved or closed Acme ticket gets its resolution; Uma's latest resolved ticket waits for her sign-off; an earlier closed one was
//! signed off by Fiona (its signed form rendered as the portal renders it, into the attachments
//! bucket) and rated good; the earliest closed one was rated bad, with a comment; an open one
//! carries a checklist of tasks, two of four done, and Tomas watches it. Skipped when the signed
//! ticket exists already.

use time::Duration;

use portal::domain::agreements::TicketTime;
use portal::domain::branding::Branding;
use portal::domain::tickets::{Note, Rating, Resolution, Signoff, Task, TicketStatus, Watcher};
use portal::domain::{CompanyId, random_hex};
use portal::store::Store;
use tickets::pdf::{Public, render_signoff};

use super::{DemoFile, demo_user_id, find};

const FIXES: [&str; 4] = [
    "Replaced the worn part and tested it with you on the phone; it works again.",
    "Reset the settings to our standard configuration and cleared the cached credentials.",
    "Installed the vendor's update, rebooted, and confirmed the fault is gone.",
    "Reconnected the device to the right network port and relabelled the cable.",
];

/// The demo tickets' resolutions, one signed sign-off and one checklist; the signed form to store.
pub async fn seed_ticket_closing(store: &Store) -> anyhow::Result<Vec<DemoFile>> {
    let acme = CompanyId::parse("acme-dental").map_err(anyhow::Error::msg)?;
    let mut tickets = Vec::new();
    for number in 1..=super::DEMO_TICKETS.len() as u64 {
        if let Some(t) = store.get_ticket(&acme, number).await? {
            tickets.push(t);
        }
    }
    if tickets.iter().any(|t| t.work.signoff.is_some()) {
        return Ok(Vec::new());
    }
    let theo = find("tech@northwind.example")?;
    // Resolutions on every resolved or closed ticket.
    for (i, ticket) in tickets.iter_mut().enumerate() {
        if !matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
            continue;
        }
        let at = ticket.closed_at.unwrap_or(ticket.updated_at) - Duration::hours(1);
        let note = Note {
            id: random_hex(8),
            ticket_number: ticket.number,
            internal: false,
            author_id: demo_user_id(theo.email),
            author_name: theo.name.into(),
            from_msp: true,
            text: FIXES[i % FIXES.len()].into(),
            created_at: at,
        };
        let mut touched = ticket.with_note(&note);
        touched.updated_at = ticket.updated_at;
        touched.work.resolution = Some(Resolution::of(&note));
        store.add_note(ticket, &touched, &note, None).await?;
        *ticket = touched;
    }
    // Fiona signed off the latest closed one with a resolution.
    let mut files = Vec::new();
    if let Some(ticket) = tickets
        .iter()
        .rev()
        .find(|t| t.status == TicketStatus::Closed && t.work.resolution.is_some())
    {
        let fiona = find("fulladmin@acme.example")?;
        let mut signed = ticket.clone();
        signed.version = ticket.version + 1;
        signed.work.rating = Some(Rating {
            good: true,
            comment: "Quick and tidy, thank you.".into(),
            by_id: ticket.contact_id.clone(),
            by_name: ticket.contact_name.clone(),
            at: ticket.closed_at.unwrap_or(ticket.updated_at),
        });
        signed.work.signoff = Some(Signoff {
            name: fiona.name.into(),
            user_id: demo_user_id(fiona.email),
            user_name: fiona.name.into(),
            at: ticket.closed_at.unwrap_or(ticket.updated_at),
            ip: "203.0.113.24".into(),
            consent: ticket.signoff_consent("Acme Dental"),
            file_id: random_hex(8),
        });
        let company = store
            .get_company(&acme)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo company acme-dental"))?;
        let page = store
            .ticket_detail(&acme, ticket.number, false)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo ticket {}", ticket.number))?;
        let time = TicketTime::for_client(page.time);
        let settings = store.ticket_settings().await?;
        let bytes = render_signoff(
            &Branding::embedded()?,
            &company,
            &Public {
                ticket: &signed,
                status: &signed.status_name(Some(&settings)),
                notes: &page.notes,
                attachments: &page.attachments,
                time: &time,
            },
        )?;
        let file_id = signed.work.signoff.as_ref().map(|s| s.file_id.clone());
        files.push(DemoFile {
            key: portal::store::keys::signoff_object(
                &acme,
                ticket.number,
                &file_id.unwrap_or_default(),
            ),
            content_type: "application/pdf",
            bytes: bytes.into(),
        });
        store.save_ticket(&signed, ticket, None, None).await?;
    }
    // A bad rating on the earliest closed one, with its comment.
    if let Some(ticket) = tickets.iter().find(|t| {
        t.status == TicketStatus::Closed && t.work.resolution.is_some() && t.work.signoff.is_none()
    }) {
        let mut rated = ticket.clone();
        rated.work.rating = Some(Rating {
            good: false,
            comment: "It took three visits before anyone checked the cabling.".into(),
            by_id: ticket.contact_id.clone(),
            by_name: ticket.contact_name.clone(),
            at: ticket.closed_at.unwrap_or(ticket.updated_at),
        });
        rated.version += 1;
        store.save_ticket(&rated, ticket, None, None).await?;
    }
    // Uma's latest resolved ticket waits for her sign-off (it has its resolution above); the
    // newest in-progress ticket has a checklist.
    if let Some(ticket) = tickets
        .iter()
        .rev()
        .find(|t| t.status == TicketStatus::InProgress)
    {
        let mut next = ticket.clone();
        let tomas = find("ticketmanager@acme.example")?;
        if ticket.contact_id != demo_user_id(tomas.email) {
            next.work.watchers.push(Watcher {
                user_id: demo_user_id(tomas.email),
                name: tomas.name.into(),
            });
        }
        for (i, text) in [
            "Check the event log for the fault's start",
            "Order the replacement part",
            "Fit the part on site",
            "Test with the client and close",
        ]
        .iter()
        .enumerate()
        {
            next.work.tasks.push(Task {
                id: random_hex(4),
                text: (*text).into(),
                done: i < 2,
                done_by: (i < 2).then(|| theo.name.into()),
                done_at: (i < 2).then_some(ticket.updated_at),
            });
        }
        next.version += 1;
        store.save_ticket(&next, ticket, None, None).await?;
    }
    Ok(files)
}
