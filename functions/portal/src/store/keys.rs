//! Every DynamoDB key format, in one place. Nothing else spells `CO#…` or `USER#…`.
//!
//! | item        | pk                      | sk                | gsi1pk      | gsi1sk            |
//! |-------------|-------------------------|-------------------|-------------|-------------------|
//! | company     | `CO#{company}`          | `COMPANY`         | `COMPANIES` | `{name lc}#{id}`  |
//! | user        | `CO#{company}`          | `USER#{user}`     |             |                   |
//! | session     | `CO#{company}`          | `SESSION#{user}#{id}` |         |                   |
//! | MFA         | `CO#{company}`          | `MFA#{user}`      |             |                   |
//! | audit entry | `CO#{company}`          | `AUDIT#{time}#{id}` | `AUD#{c}#U#{actor}` (gsi3) | `{time}#{id}` |
//! | token       | `TOKEN#{sha256}`        | `TOKEN`           |             |                   |
//! | MFA fails   | `MFAFAIL#{user}`        | `W#{window}`      |             |                   |
//! | reset reqs  | `RESETREQ#{email}`      | `W#{window}`      |             |                   |
//! | credential  | `LOGIN#{email}`         | `LOGIN`           |             |                   |
//! | login fails | `LOGINFAIL#{email}`     | `W#{window}`      |             |                   |
//! | settings    | `SETTINGS`              | `TICKETS`         |             |                   |
//! | ticket      | `CO#{company}`          | `TICKET#{n:010}`  | `TK#{c}#{tab}` | `{n:010}`     |
//! | note        | `CO#{company}`          | `TICKET#{n:010}#N|X#{created}#{id}` |  |              |
//! | ticket no.  | `TICKETNO#{n}`          | `TICKETNO`        |             |                   |
//! | counter     | `COUNTER`               | `{name}`          |             |                   |
//! | invoice     | `CO#{company}`          | `INVOICE#{id}`    | `INV#{c}#{tab}` | `{due}#{id}` (gsi2: `INVQ#{tab}`, `{due}#{c}#{id}`) |
//! | invoice no. | `INVOICENO#{n}`         | `INVOICENO`       |             |                   |
//! | payment     | `CO#{company}`          | `PAYMENT#{id}`    | `PAY#{c}` (once succeeded) | `{paid}#{id}` |
//! | billing acct| `CO#{company}`          | `BILLING`         |             |                   |
//! | pay method  | `CO#{company}`          | `PAYMETHOD#{pm}`  | `PMEXP#{yyyy-mm}` | `{c}#{pm}`  |
//! | Stripe cust.| `STRIPECUS#{cus}`       | `STRIPECUS`       |             |                   |
//! | Stripe event| `STRIPEEVT#{evt}`       | `STRIPEEVT`       |             |                   |
//! | tkt stats   | `CO#{company}`          | `STATS#T#C#OPEN`, `STATS#T#C#M#{yyyy-mm}`, and `STATS#T#U#{user}#…` per contact | | |
//!
//! The ticket layout is explained in docs/tickets.md.
//!
//! Everything a client company owns lives under its `CO#` partition. The credential and
//! failure-counter items are the exception: sign-in starts from an email address, before the
//! company is known, and an email must be unique across the whole portal. Settings are the MSP's,
//! not any one client's.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

use crate::domain::{CompanyId, Email, SessionId, UserId};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";

/// Every global secondary index, with its key attributes: `gsiN` on `gsiNpk`/`gsiNsk` (all string,
/// projection ALL). Which items use which index is in docs/tickets.md and the table above.
pub const INDEXES: [(&str, &str, &str); 7] = [
    ("gsi1", "gsi1pk", "gsi1sk"),
    ("gsi2", "gsi2pk", "gsi2sk"),
    ("gsi3", "gsi3pk", "gsi3sk"),
    ("gsi4", "gsi4pk", "gsi4sk"),
    ("gsi5", "gsi5pk", "gsi5sk"),
    ("gsi6", "gsi6pk", "gsi6sk"),
    ("gsi7", "gsi7pk", "gsi7sk"),
];
pub const TTL: &str = "ttl";

/// A primary key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn to_item(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }
}

pub fn company_partition(company: &CompanyId) -> String {
    format!("CO#{company}")
}

pub fn company(company: &CompanyId) -> Key {
    Key {
        pk: company_partition(company),
        sk: "COMPANY".into(),
    }
}

/// The company directory (GSI1) that MSP staff list and search.
pub const COMPANY_DIRECTORY: &str = "COMPANIES";

pub fn company_directory_sort(name: &str, company: &CompanyId) -> String {
    format!("{}#{company}", name.to_lowercase())
}

pub const USER_PREFIX: &str = "USER#";

pub fn user(company: &CompanyId, user: &UserId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{USER_PREFIX}{user}"),
    }
}

/// A session, under its user, so one Query lists a user's sessions.
pub fn session(company: &CompanyId, user: &UserId, session: &SessionId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}{session}", session_prefix(user)),
    }
}

pub fn session_prefix(user: &UserId) -> String {
    format!("SESSION#{user}#")
}

/// A user's second factor (TOTP enrolment and recovery codes).
pub fn mfa(company: &CompanyId, user: &UserId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("MFA#{user}"),
    }
}

/// Failed second-factor codes of one user in one time window.
pub fn mfa_failures(user: &UserId, window: i64) -> Key {
    Key {
        pk: format!("MFAFAIL#{user}"),
        sk: format!("W#{window}"),
    }
}

/// Password-reset requests for one email in one time window (a mailbox is not flooded).
pub fn reset_requests(email: &Email, window: i64) -> Key {
    Key {
        pk: format!("RESETREQ#{email}"),
        sk: format!("W#{window}"),
    }
}

/// An invitation or password-reset token, by the SHA-256 of its secret (the secret itself is never
/// stored). Expires by TTL; single use by deletion.
pub fn account_token(hash: &str) -> Key {
    Key {
        pk: format!("TOKEN#{hash}"),
        sk: "TOKEN".into(),
    }
}

pub const AUDIT_PREFIX: &str = "AUDIT#";

/// An audit entry in its company's trail, in time order.
pub fn audit(company: &CompanyId, at: time::OffsetDateTime, id: &crate::domain::AuditId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{AUDIT_PREFIX}{}", audit_sort(at, id)),
    }
}

pub fn audit_sort(at: time::OffsetDateTime, id: &crate::domain::AuditId) -> String {
    format!("{}#{id}", sortable_time(at))
}

/// One actor's entries in a company's trail: gsi3, sorted by `audit_sort`.
pub fn audit_actor(company: &CompanyId, actor: &UserId) -> String {
    format!("AUD#{company}#U#{actor}")
}

pub fn credential(email: &Email) -> Key {
    Key {
        pk: format!("LOGIN#{email}"),
        sk: "LOGIN".into(),
    }
}

/// Failed sign-ins for one email in one fixed time window (`window` = seconds since epoch / window
/// length).
pub fn login_failures(email: &Email, window: i64) -> Key {
    Key {
        pk: format!("LOGINFAIL#{email}"),
        sk: format!("W#{window}"),
    }
}

/// A ticket; its attachments and notes sort right after it (see docs/tickets.md).
pub fn ticket(company: &CompanyId, number: u64) -> Key {
    Key {
        pk: company_partition(company),
        sk: ticket_sk(number),
    }
}

pub fn ticket_sk(number: u64) -> String {
    format!("TICKET#{number:010}")
}

/// A note on a ticket: public notes (`N`) sort before internal ones (`X`), so a client's detail
/// Query can stop before any internal note.
pub fn ticket_note(
    company: &CompanyId,
    number: u64,
    created: &str,
    id: &str,
    internal: bool,
) -> Key {
    let kind = if internal { "X" } else { "N" };
    Key {
        pk: company_partition(company),
        sk: format!("{}#{kind}#{created}#{id}", ticket_sk(number)),
    }
}

/// A confirmed attachment of a ticket. Public ones sort between the ticket and its public notes;
/// internal ones (MSP staff only) after the internal notes, so the client's detail range never
/// reaches them.
pub fn ticket_attachment(company: &CompanyId, number: u64, id: &str, internal: bool) -> Key {
    let kind = if internal { "X#A" } else { "A" };
    Key {
        pk: company_partition(company),
        sk: format!("{}#{kind}#{id}", ticket_sk(number)),
    }
}

/// Whether a sort key within a ticket's range is an attachment's.
pub fn is_ticket_attachment(sk: &str) -> bool {
    sk.contains("#A#")
}

/// The S3 object key of an attachment: under the company's prefix, never from the file name.
pub fn attachment_object(company: &CompanyId, number: u64, id: &str) -> String {
    format!("{company}/tickets/{number}/{id}")
}

/// The last sort key a client's detail Query may reach: the ticket, its attachments and public notes.
pub fn ticket_public_end(number: u64) -> String {
    format!("{}#N#\u{ffff}", ticket_sk(number))
}

/// Which company ticket `number` belongs to (staff open tickets by number alone).
pub fn ticket_number(number: u64) -> Key {
    Key {
        pk: format!("TICKETNO#{number}"),
        sk: "TICKETNO".into(),
    }
}

/// Atomic counters for human numbers (`TICKET`, later `INVOICE`).
pub fn counter(name: &str) -> Key {
    Key {
        pk: "COUNTER".into(),
        sk: name.into(),
    }
}

fn tab(open: bool) -> &'static str {
    if open { "open" } else { "closed" }
}

/// A company's tickets in one tab (`open`/`closed`): the partition of gsi1 (by number) and gsi2
/// (by last update).
pub fn ticket_tab(company: &CompanyId, open: bool) -> String {
    format!("TK#{company}#{}", tab(open))
}

/// One contact's tickets in one tab: gsi3 (by number) and gsi4 (by last update).
pub fn ticket_contact_tab(
    company: &CompanyId,
    contact: &crate::domain::UserId,
    open: bool,
) -> String {
    format!("TK#{company}#U#{contact}#{}", tab(open))
}

/// The MSP's queue across companies in one tab: gsi5 (by number) and gsi6 (by last update).
pub fn ticket_queue(open: bool) -> String {
    format!("TQ#{}", tab(open))
}

/// The queue of one technician (or `none`: unassigned) in one tab, by last update: gsi7.
pub fn ticket_assignee_queue(assignee: Option<&crate::domain::UserId>, open: bool) -> String {
    format!(
        "TQ#A#{}#{}",
        assignee.map_or("none", |a| a.as_str()),
        tab(open)
    )
}

/// Sort keys of the ticket indexes.
pub fn by_number(number: u64) -> String {
    format!("{number:010}")
}

pub fn by_updated(updated: time::OffsetDateTime, number: u64) -> String {
    format!("{}#{number:010}", sortable_time(updated))
}

/// A UTC time as a fixed-width string that sorts in time order (RFC 3339 with all nine fraction
/// digits; plain RFC 3339 formatting drops trailing zeros, which breaks lexical order).
pub fn sortable_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond()
    )
}

/// Whose ticket statistics: the whole company's, or one contact's (for roles that see only their
/// own tickets).
pub fn ticket_stats_scope(contact: Option<&crate::domain::UserId>) -> String {
    match contact {
        None => "STATS#T#C#".into(),
        Some(user) => format!("STATS#T#U#{user}#"),
    }
}

/// The open-ticket count of a scope. Sorts after its month items (`M` < `O`), so one Query from a
/// month to `OPEN` reads both.
pub fn ticket_stats_open(company: &CompanyId, contact: Option<&crate::domain::UserId>) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}OPEN", ticket_stats_scope(contact)),
    }
}

/// Tickets raised in month `yyyy-mm` in a scope.
pub fn ticket_stats_month(
    company: &CompanyId,
    contact: Option<&crate::domain::UserId>,
    month: &str,
) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}M#{month}", ticket_stats_scope(contact)),
    }
}

/// One word of a ticket's summary (search): under the company, `TW#{word}#{n:010}`, so a
/// prefix Query on `TW#{prefix}` finds a company's tickets by word.
pub fn ticket_word(company: &CompanyId, word: &str, number: u64) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}#{number:010}", ticket_word_prefix(word)),
    }
}

/// The sort-key prefix of every word index item starting with `prefix`.
pub fn ticket_word_prefix(prefix: &str) -> String {
    format!("TW#{prefix}")
}

/// The same word across companies, for the MSP queue's search: gsi1 partition by the word's first
/// two characters (search terms have at least two), sort key `{word}#{n:010}`.
pub fn ticket_word_queue(word: &str) -> String {
    format!("TWQ#{}", word.chars().take(2).collect::<String>())
}

/// A create a user may retry: the `Idempotency-Key` they sent, remembered for a day (TTL).
pub fn idempotency(user: &crate::domain::UserId, key: &str) -> Key {
    Key {
        pk: format!("IDEM#{user}#{key}"),
        sk: "IDEM".into(),
    }
}

/// An invoice. Its list keys come from `invoice_tab`/`invoice_queue` and `invoice_sort`.
pub fn invoice(company: &CompanyId, id: &crate::domain::billing::BillingId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("INVOICE#{id}"),
    }
}

/// A company's invoices in one tab (`draft`, `open`, `closed`): gsi1, sorted by `invoice_sort`.
pub fn invoice_tab(company: &CompanyId, tab: &str) -> String {
    format!("INV#{company}#{tab}")
}

/// Every company's invoices in one tab (the MSP's view): gsi2, sorted by `invoice_queue_sort`.
pub fn invoice_queue(tab: &str) -> String {
    format!("INVQ#{tab}")
}

/// Invoices sort by due date (drafts without one first), then id.
pub fn invoice_sort(due: Option<time::Date>, id: &crate::domain::billing::BillingId) -> String {
    format!(
        "{}#{id}",
        due.map_or_else(|| "0000-00-00".into(), |d| d.to_string())
    )
}

pub fn invoice_queue_sort(
    due: Option<time::Date>,
    company: &CompanyId,
    id: &crate::domain::billing::BillingId,
) -> String {
    format!(
        "{}#{company}#{id}",
        due.map_or_else(|| "0000-00-00".into(), |d| d.to_string())
    )
}

/// Which company and invoice carry number `n` (search by number; unique numbers).
pub fn invoice_number(number: u64) -> Key {
    Key {
        pk: format!("INVOICENO#{number}"),
        sk: "INVOICENO".into(),
    }
}

pub fn payment(company: &CompanyId, id: &crate::domain::billing::BillingId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("PAYMENT#{id}"),
    }
}

/// A company's succeeded payments, newest first: gsi1 partition (sort: `sortable_time(paid)#id`).
pub fn payment_history(company: &CompanyId) -> String {
    format!("PAY#{company}")
}

/// A company's billing account (Stripe customer, default method, autopay).
pub fn billing_account(company: &CompanyId) -> Key {
    Key {
        pk: company_partition(company),
        sk: "BILLING".into(),
    }
}

pub const PAYMENT_METHOD_PREFIX: &str = "PAYMETHOD#";

pub fn payment_method(company: &CompanyId, id: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{PAYMENT_METHOD_PREFIX}{id}"),
    }
}

/// Cards expiring in month `yyyy-mm`, across companies (reminders): gsi1 partition.
pub fn card_expiry(month: &str) -> String {
    format!("PMEXP#{month}")
}

/// Which company a Stripe customer is.
pub fn stripe_customer(customer: &str) -> Key {
    Key {
        pk: format!("STRIPECUS#{customer}"),
        sk: "STRIPECUS".into(),
    }
}

/// Marks that `invoice`'s reminder for being `days` days overdue was sent (each one once).
pub fn overdue_reminder(
    company: &CompanyId,
    id: &crate::domain::billing::BillingId,
    days: u32,
) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("OVERDUE#{id}#{days}"),
    }
}

/// A Stripe event already applied (webhooks are delivered at least once). Expires by TTL.
pub fn stripe_event(event: &str) -> Key {
    Key {
        pk: format!("STRIPEEVT#{event}"),
        sk: "STRIPEEVT".into(),
    }
}

/// The MSP's ticket settings.
pub fn ticket_settings() -> Key {
    Key {
        pk: "SETTINGS".into(),
        sk: "TICKETS".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_formats_are_pinned() {
        let co = CompanyId::parse("acme-dental").unwrap();
        let user_id = UserId::parse("u1").unwrap();
        let email = Email::parse("A@Acme.example").unwrap();
        assert_eq!(
            company(&co),
            Key {
                pk: "CO#acme-dental".into(),
                sk: "COMPANY".into()
            }
        );
        assert_eq!(
            user(&co, &user_id),
            Key {
                pk: "CO#acme-dental".into(),
                sk: "USER#u1".into()
            }
        );
        assert_eq!(
            session(&co, &user_id, &SessionId::parse("s1").unwrap()).sk,
            "SESSION#u1#s1"
        );
        assert_eq!(credential(&email).pk, "LOGIN#a@acme.example");
        assert_eq!(login_failures(&email, 7).sk, "W#7");
        assert_eq!(
            company_directory_sort("Acme Dental", &co),
            "acme dental#acme-dental"
        );
    }
}
