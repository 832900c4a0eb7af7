//! The ticket's PDF (its facts, resolution, tasks, public conversation, attachment names and time)
//! and its sign-off form (what was done, the resolution, the time, and the signature or the
//! sentence to sign) — drawn with the portal's PDF machinery. Only what the client sees goes in:
//! the callers hand over the public range of the ticket, never internal notes or files.

use portal::domain::account::Company;
use portal::domain::agreements::{TicketTime, format_minutes};
use portal::domain::branding::Branding;
use portal::domain::tickets::{Attachment, Note, Ticket, TicketStatus};
use portal_pdf::{BAD, GOOD, Layout, Letter, MUTED, section};
use time::OffsetDateTime;

/// What the client may see of a ticket: the public part of its page.
pub struct Public<'a> {
    pub ticket: &'a Ticket,
    /// Its status as the MSP names it.
    pub status: &'a str,
    pub notes: &'a [Note],
    pub attachments: &'a [Attachment],
    /// With internal entries' notes already cleared.
    pub time: &'a TicketTime,
}

fn stamp(ticket: &Ticket) -> Option<(&'static str, (f32, f32, f32))> {
    match ticket.status {
        _ if ticket.work.signoff.is_some() => Some(("SIGNED OFF", GOOD)),
        TicketStatus::Resolved => Some(("RESOLVED", GOOD)),
        TicketStatus::Closed => Some(("CLOSED", MUTED)),
        TicketStatus::Cancelled => Some(("CANCELLED", BAD)),
        _ => None,
    }
}

fn when(at: OffsetDateTime) -> String {
    format!(
        "{} {:02}:{:02} UTC",
        portal::domain::display_date(at.date()),
        at.hour(),
        at.minute()
    )
}

fn facts(ticket: &Ticket, status: &str) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Ticket", format!("#{}", ticket.number)),
        (
            "Opened",
            portal::domain::display_date(ticket.created_at.date()),
        ),
        ("Status", status.to_owned()),
    ];
    if let Some(closed) = ticket.closed_at {
        facts.push(("Closed", portal::domain::display_date(closed.date())));
    }
    facts.push((
        "Technician",
        ticket
            .assignee_name
            .clone()
            .unwrap_or_else(|| "Not assigned".into()),
    ));
    facts
}

/// The summary, the request's facts and its description.
fn about(l: &mut Layout, ticket: &Ticket) {
    section(l, "Summary", std::slice::from_ref(&ticket.summary));
    let mut details = vec![
        format!("Request type: {}", ticket.request_type),
        format!("Priority: {:?}", ticket.priority),
        format!("Contact: {}", ticket.contact_name),
    ];
    if let Some(due) = ticket.due_date {
        details.push(format!("Due: {}", portal::domain::display_date(due)));
    }
    if let Some(po) = &ticket.po_number {
        details.push(format!("PO number: {po}"));
    }
    if let Some(c) = &ticket.configuration {
        details.push(format!("Configuration: {}", c.name));
    }
    section(l, "Details", &details);
    section(l, "Description", std::slice::from_ref(&ticket.description));
}

fn resolution(l: &mut Layout, ticket: &Ticket) {
    if let Some(r) = &ticket.work.resolution {
        section(
            l,
            "Resolution",
            &[
                r.text.clone(),
                format!("— {}, {}", r.author_name, when(r.at)),
            ],
        );
    }
}

fn tasks(l: &mut Layout, ticket: &Ticket) {
    if ticket.work.tasks.is_empty() {
        return;
    }
    let (done, all) = ticket.task_progress();
    let items: Vec<String> = ticket
        .work
        .tasks
        .iter()
        .map(|t| format!("{} {}", if t.done { "[done]" } else { "[ ]" }, t.text))
        .collect();
    section(l, &format!("Tasks ({done} of {all} done)"), &items);
}

fn time_spent(l: &mut Layout, time: &TicketTime) {
    if time.entries.is_empty() {
        return;
    }
    let mut lines: Vec<String> = time
        .entries
        .iter()
        .map(|e| {
            let note = if e.note.is_empty() {
                String::new()
            } else {
                format!(": {}", e.note)
            };
            format!(
                "{} · {} · {:?} · {}{note}",
                portal::domain::display_date(e.date),
                format_minutes(e.minutes),
                e.work_type,
                e.by_name
            )
        })
        .collect();
    lines.push(format!("Total: {}", format_minutes(time.total_minutes)));
    section(l, "Time spent", &lines);
}

fn signature(l: &mut Layout, ticket: &Ticket, company: &Company) {
    match &ticket.work.signoff {
        Some(s) => section(
            l,
            "Signed off",
            &[
                format!(
                    "Signed “{}” by {} on {} from {}:",
                    s.name,
                    s.user_name,
                    when(s.at),
                    s.ip
                ),
                s.consent.clone(),
            ],
        ),
        None => section(
            l,
            "Sign-off",
            &[
                "Not signed yet. Sign it off on the ticket's sign-off page in the client portal, which records this sentence with your typed name:".into(),
                ticket.signoff_consent(&company.name),
            ],
        ),
    }
}

/// The ticket as a PDF.
pub fn render_ticket(
    brand: &Branding,
    client: &Company,
    page: &Public<'_>,
) -> anyhow::Result<Vec<u8>> {
    let ticket = page.ticket;
    let mut l = portal_pdf::begin(
        brand,
        client,
        &Letter {
            title: "TICKET",
            facts: facts(ticket, page.status),
            to: "FOR",
            stamp: stamp(ticket),
        },
    )?;
    about(&mut l, ticket);
    resolution(&mut l, ticket);
    tasks(&mut l, ticket);
    for note in page.notes {
        let side = if note.from_msp {
            brand.name.as_str()
        } else {
            client.name.as_str()
        };
        section(
            &mut l,
            &format!("{} ({side}) · {}", note.author_name, when(note.created_at)),
            std::slice::from_ref(&note.text),
        );
    }
    if !page.attachments.is_empty() {
        let names: Vec<String> = page
            .attachments
            .iter()
            .map(|a| format!("{} ({} KB)", a.file_name, a.size.div_ceil(1024)))
            .collect();
        section(&mut l, "Attachments", &names);
    }
    time_spent(&mut l, page.time);
    if ticket.work.signoff.is_some() {
        signature(&mut l, ticket, client);
    }
    portal_pdf::finish(l, brand, &format!("Ticket #{}", ticket.number))
}

/// The ticket's sign-off form: signed (with the signature) or waiting for one.
pub fn render_signoff(
    brand: &Branding,
    client: &Company,
    page: &Public<'_>,
) -> anyhow::Result<Vec<u8>> {
    let ticket = page.ticket;
    let stamp = if ticket.work.signoff.is_some() {
        Some(("SIGNED", GOOD))
    } else {
        Some(("TO SIGN", MUTED))
    };
    let mut l = portal_pdf::begin(
        brand,
        client,
        &Letter {
            title: "SERVICE SIGN-OFF",
            facts: facts(ticket, page.status),
            to: "FOR",
            stamp,
        },
    )?;
    about(&mut l, ticket);
    resolution(&mut l, ticket);
    tasks(&mut l, ticket);
    time_spent(&mut l, page.time);
    signature(&mut l, ticket, client);
    portal_pdf::finish(l, brand, &format!("Sign-off of ticket #{}", ticket.number))
}
