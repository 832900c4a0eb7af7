//! The emails tickets send: the MSP's support mailbox hears of new tickets and client notes; the
//! ticket's contact hears of public replies from the MSP and of status changes made by someone
//! else. Internal notes and files never cause an email. Each email links to the ticket.

use portal::App;
use portal::aws::mail::Outgoing;
use portal::domain::Email;
use portal::domain::tickets::{Note, Ticket};

/// The ticket's page on the portal.
pub fn ticket_link(app: &App, number: u64) -> String {
    format!("{}/tickets/view/?number={number}", app.config.origin)
}

fn footer(app: &App, number: u64) -> String {
    format!(
        "\n\nOpen the ticket: {}\n\nYou get this email because of your part in this ticket on the support portal.",
        ticket_link(app, number)
    )
}

/// To the MSP's support mailbox: a client raised a ticket.
pub async fn new_ticket(app: &App, ticket: &Ticket, company_name: &str) {
    let Some(support) = app.config.support_email.clone() else {
        return;
    };
    let due = ticket
        .due_date
        .map(|d| format!("\nDue: {d}"))
        .unwrap_or_default();
    let text = format!(
        "{company_name} raised ticket #{n}.\n\nSummary: {summary}\nType: {kind}\nPriority: {priority:?}{emergency}{due}\nContact: {contact}\n\n{description}{footer}",
        n = ticket.number,
        summary = ticket.summary,
        kind = ticket.request_type,
        priority = ticket.priority,
        emergency = if ticket.emergency { " (EMERGENCY)" } else { "" },
        contact = ticket.contact_name,
        description = ticket.description,
        footer = footer(app, ticket.number),
    );
    app.send_mail(&Outgoing {
        to: vec![support],
        subject: format!(
            "{}New ticket #{} from {company_name}: {}",
            if ticket.emergency { "[EMERGENCY] " } else { "" },
            ticket.number,
            ticket.summary
        ),
        text,
        html: None,
    })
    .await;
}

/// A public note, mailed to `to`: "{author} {verb} ticket #n (summary): text".
async fn note_mail(app: &App, ticket: &Ticket, note: &Note, to: Email, subject: &str, verb: &str) {
    if note.internal {
        return; // internal notes are never mailed
    }
    app.send_mail(&Outgoing {
        to: vec![to],
        subject: format!("Ticket #{} – {subject} {}", ticket.number, note.author_name),
        text: format!(
            "{} {verb} ticket #{} ({}):\n\n{}{}",
            note.author_name,
            ticket.number,
            ticket.summary,
            note.text,
            footer(app, ticket.number)
        ),
        html: None,
    })
    .await;
}

/// To the MSP's support mailbox: a client added a note.
pub async fn client_note(app: &App, ticket: &Ticket, note: &Note) {
    if let Some(support) = app.config.support_email.clone() {
        note_mail(app, ticket, note, support, "note from", "added a note to").await;
    }
}

/// To the contact: the MSP replied (public notes only).
pub async fn msp_reply(app: &App, ticket: &Ticket, note: &Note, contact: Email) {
    note_mail(app, ticket, note, contact, "reply from", "replied to your").await;
}

/// To the contact: someone else changed the ticket's status.
pub async fn status_changed(app: &App, ticket: &Ticket, by: &str, contact: Email) {
    app.send_mail(&Outgoing {
        to: vec![contact],
        subject: format!("Ticket #{} is now {}", ticket.number, ticket.status.label()),
        text: format!(
            "{by} set your ticket #{} ({}) to {}.{}",
            ticket.number,
            ticket.summary,
            ticket.status.label(),
            footer(app, ticket.number)
        ),
        html: None,
    })
    .await;
}
