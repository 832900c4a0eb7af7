//! The emails tickets send: the MSP's support mailbox hears of new tickets, client notes and the
//! statuses clients set (resolved, cancelled, reopened); the ticket's contact gets a confirmation
//! of a new ticket and hears of public replies from the MSP and of status changes made by someone
//! else, each as their email preferences say. Internal notes and files never cause an email. Each
//! email links to the ticket.

use portal::App;
use portal::aws::mail::Outgoing;
use portal::domain::Email;
use portal::domain::account::User;
use portal::domain::tickets::{Note, Ticket, TicketStatus};

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
        .map(|d| format!("\nDue: {}", portal::domain::display_date(d)))
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

/// To the contact: their new ticket is in, with its number (raised by them, or for them by `by`).
pub async fn confirmation(app: &App, ticket: &Ticket, by: &User, contact: Email) {
    let raised = if by.id == ticket.contact_id {
        "We received your ticket".to_owned()
    } else {
        format!("{} raised a ticket for you", by.name)
    };
    app.send_mail(&Outgoing {
        to: vec![contact],
        subject: format!("Ticket #{} received: {}", ticket.number, ticket.summary),
        text: format!(
            "{raised}: #{} ({}). Its number is {0}; mention it when you call us about it. We will reply on the ticket.{}",
            ticket.number,
            ticket.summary,
            footer(app, ticket.number)
        ),
        html: None,
    })
    .await;
}

/// To the MSP's support mailbox: a client resolved, cancelled or reopened a ticket.
pub async fn client_status(app: &App, ticket: &Ticket, by: &str, company_name: &str) {
    let Some(support) = app.config.support_email.clone() else {
        return;
    };
    let did = match ticket.status {
        TicketStatus::Resolved => "marked as resolved".to_owned(),
        TicketStatus::Cancelled => "cancelled".to_owned(),
        TicketStatus::New => "reopened".to_owned(),
        other => format!("set to {}", other.label()),
    };
    app.send_mail(&Outgoing {
        to: vec![support],
        subject: format!("Ticket #{} {did} by {company_name}", ticket.number),
        text: format!(
            "{by} ({company_name}) {did} ticket #{} ({}).{}",
            ticket.number,
            ticket.summary,
            footer(app, ticket.number)
        ),
        html: None,
    })
    .await;
}
