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

/// Mail `text` about ticket `number` to `to`, with the link to the ticket at its foot.
async fn send(app: &App, to: Email, subject: String, text: String, number: u64) {
    app.send_mail(&Outgoing {
        to: vec![to],
        subject,
        text: format!("{text}{}", footer(app, number)),
        html: None,
    })
    .await;
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
        "{company_name} raised ticket #{n}.\n\nSummary: {summary}\nType: {kind}\nPriority: {priority:?}{emergency}{due}\nContact: {contact}\n\n{description}",
        n = ticket.number,
        summary = ticket.summary,
        kind = ticket.request_type,
        priority = ticket.priority,
        emergency = if ticket.emergency { " (EMERGENCY)" } else { "" },
        contact = ticket.contact_name,
        description = ticket.description,
    );
    let subject = format!(
        "{}New ticket #{} from {company_name}: {}",
        if ticket.emergency { "[EMERGENCY] " } else { "" },
        ticket.number,
        ticket.summary
    );
    send(app, support, subject, text, ticket.number).await;
}

/// A public note, mailed to `to`: "{author} {verb} ticket #n (summary): text".
async fn note_mail(app: &App, ticket: &Ticket, note: &Note, to: Email, subject: &str, verb: &str) {
    if note.internal {
        return; // internal notes are never mailed
    }
    let n = ticket.number;
    send(
        app,
        to,
        format!("Ticket #{n} – {subject} {}", note.author_name),
        format!(
            "{} {verb} ticket #{n} ({}):\n\n{}",
            note.author_name, ticket.summary, note.text
        ),
        n,
    )
    .await;
}

/// To the MSP's support mailbox: a client added a note.
pub async fn client_note(app: &App, ticket: &Ticket, note: &Note) {
    if let Some(support) = app.config.support_email.clone() {
        note_mail(app, ticket, note, support, "note from", "added a note to").await;
    }
}

/// To the contact (`own`) or a watcher: someone else changed the ticket's status (`status`: its
/// name as the MSP's settings say it). The contact of a resolved ticket is asked how it went.
pub async fn status_changed(
    app: &App,
    (ticket, status): (&Ticket, &str),
    by: &str,
    note: Option<&Note>,
    (to, own): (Email, bool),
) {
    let n = ticket.number;
    let whose = if own { "your ticket" } else { "ticket" };
    let ask = if own && ticket.status == TicketStatus::Resolved {
        "\n\nHow did we do? Rate the work on the ticket's page: good or bad, with a comment if you like."
    } else {
        ""
    };
    send(
        app,
        to,
        format!("Ticket #{n} is now {status}"),
        format!(
            "{by} set {whose} #{n} ({}) to {status}.{}{ask}",
            ticket.summary,
            with_note(note)
        ),
        n,
    )
    .await;
}

/// To the contact (`own`: the MSP replied) or a watcher (someone added a note): a public note.
pub async fn public_note(app: &App, ticket: &Ticket, note: &Note, (to, own): (Email, bool)) {
    if own {
        note_mail(app, ticket, note, to, "reply from", "replied to your").await;
    } else {
        note_mail(app, ticket, note, to, "note from", "added a note to").await;
    }
}

/// The public note written with a status change, to quote in its email.
fn with_note(note: Option<&Note>) -> String {
    note.map(|n| format!("\n\n{}\n", n.text))
        .unwrap_or_default()
}

/// To the contact: their new ticket is in, with its number (raised by them, or for them by `by`).
pub async fn confirmation(app: &App, ticket: &Ticket, by: &User, contact: Email) {
    let raised = if by.id == ticket.contact_id {
        "We received your ticket".to_owned()
    } else {
        format!("{} raised a ticket for you", by.name)
    };
    let n = ticket.number;
    send(
        app,
        contact,
        format!("Ticket #{n} received: {}", ticket.summary),
        format!(
            "{raised}: #{n} ({}). Its number is {n}; mention it when you call us about it. We will reply on the ticket.",
            ticket.summary
        ),
        n,
    )
    .await;
}

/// To the MSP's support mailbox: a client resolved, cancelled or reopened a ticket, or set another
/// status (`status`: its name as the MSP's settings say it).
pub async fn client_status(
    app: &App,
    (ticket, status): (&Ticket, &str),
    by: &str,
    company_name: &str,
    note: Option<&Note>,
) {
    let Some(support) = app.config.support_email.clone() else {
        return;
    };
    let did = match ticket.status {
        TicketStatus::Resolved => "marked as resolved".to_owned(),
        TicketStatus::Cancelled => "cancelled".to_owned(),
        TicketStatus::New => "reopened".to_owned(),
        _ => format!("set to {status}"),
    };
    let n = ticket.number;
    send(
        app,
        support,
        format!("Ticket #{n} {did} by {company_name}"),
        format!(
            "{by} ({company_name}) {did} ticket #{n} ({}).{}",
            ticket.summary,
            with_note(note)
        ),
        n,
    )
    .await;
}

/// To the company's approvers: a technician asks them to approve the work on `ticket`.
pub async fn approval_requested(app: &App, ticket: &Ticket) {
    let Some(asked) = &ticket.approval else {
        return;
    };
    let to = app
        .recipients(&ticket.company_id, |u| {
            u.role.can(portal::domain::roles::Capability::ApproveQuotes)
        })
        .await;
    let n = ticket.number;
    for approver in to {
        send(
            app,
            approver,
            format!("Ticket #{n} needs your approval: {}", ticket.summary),
            format!(
                "{} asks for your approval before working on ticket #{n} ({}):\n\n{}\n\nApprove or reject it on the ticket's page.",
                asked.requested_by_name, ticket.summary, asked.message
            ),
            n,
        )
        .await;
    }
}

/// To the technician who asked and the support mailbox: an approver answered.
pub async fn approval_answered(app: &App, ticket: &Ticket, company_name: &str) {
    let Some(a) = &ticket.approval else {
        return;
    };
    let verb = match a.state {
        portal::domain::tickets::ApprovalState::Approved => "approved",
        _ => "rejected",
    };
    let mut to: Vec<Email> = app.config.support_email.iter().cloned().collect();
    if let Ok(Some(asker)) = app
        .store
        .get_user(&a.requested_by_company, &a.requested_by_id)
        .await
        && asker.status == portal::domain::UserStatus::Active
    {
        to.push(asker.email);
    }
    to.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    to.dedup();
    let n = ticket.number;
    let comment = a
        .comment
        .as_ref()
        .map(|c| format!("\n\nTheir comment: {c}"))
        .unwrap_or_default();
    for recipient in to {
        send(
            app,
            recipient,
            format!("Ticket #{n} {verb} by {company_name}"),
            format!(
                "{} ({company_name}) {verb} the work on ticket #{n} ({}).{comment}",
                a.answered_by_name.as_deref().unwrap_or("An approver"),
                ticket.summary
            ),
            n,
        )
        .await;
    }
}

/// To the MSP's support mailbox and the technician: the client signed a resolved ticket off.
pub async fn signed_off(app: &App, ticket: &Ticket, company_name: &str) {
    let Some(s) = &ticket.work.signoff else {
        return;
    };
    let Some(support) = app.config.support_email.clone() else {
        return;
    };
    let n = ticket.number;
    send(
        app,
        support,
        format!("Ticket #{n} signed off by {company_name}"),
        format!(
            "{} ({company_name}) signed off ticket #{n} ({}) as “{}”. The ticket is closed; the signed form is on the ticket.",
            s.user_name, ticket.summary, s.name
        ),
        n,
    )
    .await;
}

/// To the technician (if any) and the support mailbox: the contact rated the work bad.
pub async fn bad_rating(app: &App, ticket: &Ticket, company_name: &str, technician: Option<Email>) {
    let Some(r) = &ticket.work.rating else {
        return;
    };
    let mut to: Vec<Email> = app.config.support_email.iter().cloned().collect();
    to.extend(technician);
    to.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    to.dedup();
    let n = ticket.number;
    let comment = if r.comment.is_empty() {
        "They left no comment.".to_owned()
    } else {
        format!("Their comment:\n\n{}", r.comment)
    };
    for recipient in to {
        send(
            app,
            recipient,
            format!("Ticket #{n} rated bad by {company_name}"),
            format!(
                "{} ({company_name}) rated the work on ticket #{n} ({}) bad. {comment}",
                r.by_name, ticket.summary
            ),
            n,
        )
        .await;
    }
}
