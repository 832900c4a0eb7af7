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

use crate::domain::tickets::Ticket;
use crate::domain::{CompanyId, Email, SessionId, UserId};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// A global secondary index: its name and key attributes (`gsiN` on `gsiNpk`/`gsiNsk`, all strings,
/// projection ALL). Only this module spells those names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

impl Index {
    /// Put `item` into this index at partition `pk`, sorted by `sk`.
    pub fn put(self, item: &mut HashMap<String, AttributeValue>, pk: String, sk: String) {
        item.insert(self.pk.to_owned(), AttributeValue::S(pk));
        item.insert(self.sk.to_owned(), AttributeValue::S(sk));
    }
}

const fn gsi(name: &'static str, pk: &'static str, sk: &'static str) -> Index {
    Index { name, pk, sk }
}

/// Every global secondary index the table has.
pub const INDEXES: [Index; 7] = [
    gsi("gsi1", "gsi1pk", "gsi1sk"),
    gsi("gsi2", "gsi2pk", "gsi2sk"),
    gsi("gsi3", "gsi3pk", "gsi3sk"),
    gsi("gsi4", "gsi4pk", "gsi4sk"),
    gsi("gsi5", "gsi5pk", "gsi5sk"),
    gsi("gsi6", "gsi6pk", "gsi6sk"),
    gsi("gsi7", "gsi7pk", "gsi7sk"),
];

// Which index each list lives in. Writers and readers both name these, never a number.

/// MSP staff's directory of companies, by lower-cased name.
pub const COMPANY_DIRECTORY_INDEX: Index = INDEXES[0];
/// The search index across companies: word items by word and ticket number.
pub const TICKET_WORDS_INDEX: Index = INDEXES[0];
/// A company's audit entries by actor, by time.
pub const AUDIT_BY_ACTOR_INDEX: Index = INDEXES[2];
/// A company's invoices in one tab, by due date.
pub const INVOICE_TABS_INDEX: Index = INDEXES[0];
/// Every company's invoices in one tab (the MSP's view), by due date.
pub const INVOICE_QUEUE_INDEX: Index = INDEXES[1];
/// A company's succeeded payments, by time.
pub const PAYMENT_HISTORY_INDEX: Index = INDEXES[0];
/// Cards by expiry month, across companies.
pub const CARD_EXPIRY_INDEX: Index = INDEXES[0];

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

/// The S3 object key of an invoice's PDF, one per version of the invoice.
pub fn invoice_pdf_object(
    company: &CompanyId,
    id: &crate::domain::billing::BillingId,
    version: u64,
) -> String {
    format!("{company}/invoices/{id}/v{version}.pdf")
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

/// How a ticket list is sorted: by number, or by last update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketOrder {
    Number,
    Updated,
}

/// A list of tickets, one tab (open or closed) of it. Each list lives in its own index; the writer
/// (`TicketList::of`) and the reader (`Store::list_tickets`) both ask the list which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketList {
    /// A company's tickets: gsi1 by number, gsi2 by last update.
    Company {
        company: CompanyId,
        open: bool,
        order: TicketOrder,
    },
    /// One contact's tickets: gsi3 by number, gsi4 by last update.
    Contact {
        company: CompanyId,
        contact: UserId,
        open: bool,
        order: TicketOrder,
    },
    /// The MSP's queue across companies: gsi5 by number, gsi6 by last update.
    Queue { open: bool, order: TicketOrder },
    /// One technician's queue (`None`: unassigned), by last update: gsi7.
    Assignee {
        assignee: Option<UserId>,
        open: bool,
    },
}

impl TicketList {
    /// Every list `ticket` is in.
    pub fn of(ticket: &Ticket) -> [TicketList; 7] {
        let open = ticket.status.is_open();
        let company = |order| TicketList::Company {
            company: ticket.company_id.clone(),
            open,
            order,
        };
        let contact = |order| TicketList::Contact {
            company: ticket.company_id.clone(),
            contact: ticket.contact_id.clone(),
            open,
            order,
        };
        [
            company(TicketOrder::Number),
            company(TicketOrder::Updated),
            contact(TicketOrder::Number),
            contact(TicketOrder::Updated),
            TicketList::Queue {
                open,
                order: TicketOrder::Number,
            },
            TicketList::Queue {
                open,
                order: TicketOrder::Updated,
            },
            TicketList::Assignee {
                assignee: ticket.assignee_id.clone(),
                open,
            },
        ]
    }

    pub fn order(&self) -> TicketOrder {
        match self {
            Self::Company { order, .. }
            | Self::Contact { order, .. }
            | Self::Queue { order, .. } => *order,
            Self::Assignee { .. } => TicketOrder::Updated,
        }
    }

    /// The index this list lives in.
    pub fn index(&self) -> Index {
        use TicketOrder::{Number, Updated};
        match (self, self.order()) {
            (Self::Company { .. }, Number) => INDEXES[0],
            (Self::Company { .. }, Updated) => INDEXES[1],
            (Self::Contact { .. }, Number) => INDEXES[2],
            (Self::Contact { .. }, Updated) => INDEXES[3],
            (Self::Queue { .. }, Number) => INDEXES[4],
            (Self::Queue { .. }, Updated) => INDEXES[5],
            (Self::Assignee { .. }, _) => INDEXES[6],
        }
    }

    /// The list's partition in its index.
    pub fn partition(&self) -> String {
        match self {
            Self::Company { company, open, .. } => format!("TK#{company}#{}", tab(*open)),
            Self::Contact {
                company,
                contact,
                open,
                ..
            } => format!("TK#{company}#U#{contact}#{}", tab(*open)),
            Self::Queue { open, .. } => format!("TQ#{}", tab(*open)),
            Self::Assignee { assignee, open } => format!(
                "TQ#A#{}#{}",
                assignee.as_ref().map_or("none", |a| a.as_str()),
                tab(*open)
            ),
        }
    }

    /// Where `ticket` sorts in this list.
    pub fn sort_key(&self, ticket: &Ticket) -> String {
        match self.order() {
            TicketOrder::Number => by_number(ticket.number),
            TicketOrder::Updated => by_updated(ticket.updated_at, ticket.number),
        }
    }

    /// The list's name, which its cursors are bound to: `{index}#{partition}`.
    pub fn name(&self) -> String {
        format!("{}#{}", self.index().name, self.partition())
    }
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
/// Where a word item sorts in the search index across companies.
pub fn ticket_word_sort(word: &str, number: u64) -> String {
    format!("{word}#{}", by_number(number))
}

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

    #[test]
    fn every_ticket_list_has_an_index_of_its_own_and_a_ticket_is_in_each() {
        use crate::domain::tickets::{Priority, TicketStatus};
        let at = time::macros::datetime!(2026-11-30 09:15:00 UTC);
        let ticket = Ticket {
            number: 42,
            company_id: CompanyId::parse("acme-dental").unwrap(),
            summary: "Printer jams".into(),
            description: String::new(),
            request_type: "problem".into(),
            priority: Priority::Medium,
            emergency: false,
            due_date: None,
            po_number: None,
            status: TicketStatus::New,
            contact_id: UserId::parse("u1").unwrap(),
            contact_name: "Una".into(),
            created_by_id: UserId::parse("u1").unwrap(),
            created_at: at,
            updated_at: at,
            closed_at: None,
            assignee_id: None,
            assignee_name: None,
            version: 1,
        };
        let lists = TicketList::of(&ticket);
        let mut indexes: Vec<&str> = lists.iter().map(|l| l.index().name).collect();
        indexes.sort();
        let all: Vec<&str> = INDEXES.iter().map(|i| i.name).collect();
        assert_eq!(indexes, all, "each list in its own index, every index used");
        let named: Vec<(String, String)> = lists
            .iter()
            .map(|l| (l.name(), l.sort_key(&ticket)))
            .collect();
        let stamp = "2026-11-30T09:15:00.000000000Z#0000000042";
        assert_eq!(
            named,
            [
                ("gsi1#TK#acme-dental#open", "0000000042"),
                ("gsi2#TK#acme-dental#open", stamp),
                ("gsi3#TK#acme-dental#U#u1#open", "0000000042"),
                ("gsi4#TK#acme-dental#U#u1#open", stamp),
                ("gsi5#TQ#open", "0000000042"),
                ("gsi6#TQ#open", stamp),
                ("gsi7#TQ#A#none#open", stamp),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }
}
