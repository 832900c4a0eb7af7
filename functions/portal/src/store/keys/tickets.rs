//! The ticket keys: tickets with their notes and attachments, number pointers, the list indexes
//! (`TicketList`), statistics items and the word index. Part of `keys`, which re-exports them.

use super::*;
use crate::domain::tickets::Ticket;

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

/// A ticket's PDF as rendered from content with this `fingerprint` (so any change renders anew).
pub fn ticket_pdf_object(
    company: &CompanyId,
    number: u64,
    form: &str,
    fingerprint: &str,
) -> String {
    format!("{company}/tickets/{number}/{form}/{fingerprint}.pdf")
}

/// The signed sign-off form of a ticket, kept as it was signed.
pub fn signoff_object(company: &CompanyId, number: u64, file_id: &str) -> String {
    format!("{company}/tickets/{number}/signed/{file_id}.pdf")
}

/// The last sort key a client's detail Query may reach: the ticket, its attachments, public notes
/// and time entries (`#T#`, after the notes), never the internal notes and files (`#X#`).
pub fn ticket_public_end(number: u64) -> String {
    format!("{}#T#\u{ffff}", ticket_sk(number))
}

/// Which company ticket `number` belongs to (staff open tickets by number alone).
pub fn ticket_number(number: u64) -> Key {
    Key {
        pk: format!("TICKETNO#{number}"),
        sk: "TICKETNO".into(),
    }
}

fn tab(open: bool) -> &'static str {
    if open { "open" } else { "closed" }
}

/// How a ticket list is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketOrder {
    Number,
    Updated,
    /// Most urgent first when descending (critical, high, medium, low), then by number.
    Priority,
    /// In the statuses' own order (New … Cancelled), then by number.
    Status,
    /// By due date, tickets without one last when ascending, then by number.
    Due,
    /// By the contact's name, then by number.
    Contact,
    /// The MSP queue only: by the nearest target not met yet (soonest first when ascending),
    /// tickets without one last, then by number.
    Target,
}

impl TicketOrder {
    /// The letter a list's partition carries for the orders kept on sort rows.
    fn letter(self) -> &'static str {
        match self {
            Self::Number | Self::Updated => "",
            Self::Priority => "P",
            Self::Status => "S",
            Self::Due => "D",
            Self::Contact => "C",
            Self::Target => "T",
        }
    }
}

/// Which item of a ticket carries a list's index attributes: the ticket's own, or one of its two
/// small sort rows (`TicketSortRow`), which name the ticket and carry what a list filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketSlot {
    Ticket,
    /// A company's and a contact's lists by priority, status, due date, contact.
    ClientSorts,
    /// The MSP queue's lists by priority, status, due date, contact.
    QueueSorts,
}

/// The key of a ticket's sort row for `slot` (outside the ticket's own range of notes and files).
pub fn ticket_sort_row(company: &CompanyId, number: u64, slot: TicketSlot) -> Key {
    let which = match slot {
        TicketSlot::QueueSorts => "Q",
        _ => "C",
    };
    Key {
        pk: company_partition(company),
        sk: format!("TSORT#{which}#{number:010}"),
    }
}

/// A list of tickets, one tab (open or closed) of it. Each list lives in its own index, on the
/// ticket's item or one of its sort rows; the writer (`TicketList::of`) and the reader
/// (`Store::list_tickets`) both ask the list which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketList {
    /// A company's tickets: gsi1 by number, gsi2 by last update (the ticket); gsi1–gsi4 by
    /// priority, status, due date, contact (its client sort row).
    Company {
        company: CompanyId,
        open: bool,
        order: TicketOrder,
    },
    /// One contact's tickets: gsi3 by number, gsi4 by last update (the ticket); gsi5–gsi7 by
    /// priority, status, due date (its client sort row; by contact is by number).
    Contact {
        company: CompanyId,
        contact: UserId,
        open: bool,
        order: TicketOrder,
    },
    /// The MSP's queue across companies: gsi5 by number, gsi6 by last update (the ticket);
    /// gsi1–gsi5 by priority, status, due date, contact, nearest target (its queue sort row).
    Queue { open: bool, order: TicketOrder },
    /// One technician's queue (`None`: unassigned), by last update: gsi7.
    Assignee {
        assignee: Option<UserId>,
        open: bool,
    },
}

impl TicketList {
    /// Every list `ticket` is in.
    pub fn of(ticket: &Ticket) -> Vec<TicketList> {
        use TicketOrder::*;
        let open = ticket.status.is_open();
        let mut lists = Vec::new();
        for order in [Number, Updated, Priority, Status, Due, Contact] {
            lists.push(TicketList::Company {
                company: ticket.company_id.clone(),
                open,
                order,
            });
            if order != Contact {
                lists.push(TicketList::Contact {
                    company: ticket.company_id.clone(),
                    contact: ticket.contact_id.clone(),
                    open,
                    order,
                });
            }
            lists.push(TicketList::Queue { open, order });
        }
        lists.push(TicketList::Queue {
            open,
            order: Target,
        });
        lists.push(TicketList::Assignee {
            assignee: ticket.assignee_id.clone(),
            open,
        });
        lists
    }

    pub fn order(&self) -> TicketOrder {
        match self {
            Self::Company { order, .. }
            | Self::Contact { order, .. }
            | Self::Queue { order, .. } => *order,
            Self::Assignee { .. } => TicketOrder::Updated,
        }
    }

    /// The item that carries this list's index attributes, and the index.
    pub fn slot(&self) -> (TicketSlot, Index) {
        use TicketOrder::*;
        use TicketSlot::*;
        match (self, self.order()) {
            (Self::Company { .. }, Number) => (Ticket, INDEXES[0]),
            (Self::Company { .. }, Updated) => (Ticket, INDEXES[1]),
            (Self::Contact { .. }, Number | Contact) => (Ticket, INDEXES[2]),
            (Self::Contact { .. }, Updated) => (Ticket, INDEXES[3]),
            (Self::Queue { .. }, Number) => (Ticket, INDEXES[4]),
            (Self::Queue { .. }, Updated) => (Ticket, INDEXES[5]),
            (Self::Assignee { .. }, _) => (Ticket, INDEXES[6]),
            (Self::Company { .. }, Priority) => (ClientSorts, INDEXES[0]),
            (Self::Company { .. }, Status) => (ClientSorts, INDEXES[1]),
            (Self::Company { .. }, Due) => (ClientSorts, INDEXES[2]),
            (Self::Company { .. }, Contact) => (ClientSorts, INDEXES[3]),
            (Self::Contact { .. }, Priority) => (ClientSorts, INDEXES[4]),
            (Self::Contact { .. }, Status) => (ClientSorts, INDEXES[5]),
            (Self::Contact { .. }, Due) => (ClientSorts, INDEXES[6]),
            (Self::Queue { .. }, Priority) => (QueueSorts, INDEXES[0]),
            (Self::Queue { .. }, Status) => (QueueSorts, INDEXES[1]),
            (Self::Queue { .. }, Due) => (QueueSorts, INDEXES[2]),
            (Self::Queue { .. }, Contact) => (QueueSorts, INDEXES[3]),
            (Self::Queue { .. }, Target) => (QueueSorts, INDEXES[4]),
            // Only the queue keeps the target order; other lists answer it by number.
            (Self::Company { .. }, Target) => (Ticket, INDEXES[0]),
            (Self::Contact { .. }, Target) => (Ticket, INDEXES[2]),
        }
    }

    /// The index this list lives in.
    pub fn index(&self) -> Index {
        self.slot().1
    }

    /// The list's partition in its index.
    pub fn partition(&self) -> String {
        let sorted = match self.slot().0 {
            TicketSlot::Ticket => "",
            _ => self.order().letter(),
        };
        match self {
            Self::Company { company, open, .. } => {
                format!("TK{sorted}#{company}#{}", tab(*open))
            }
            Self::Contact {
                company,
                contact,
                open,
                ..
            } => format!("TK{sorted}#{company}#U#{contact}#{}", tab(*open)),
            Self::Queue { open, .. } => format!("TQ{sorted}#{}", tab(*open)),
            Self::Assignee { assignee, open } => format!(
                "TQ#A#{}#{}",
                assignee.as_ref().map_or("none", |a| a.as_str()),
                tab(*open)
            ),
        }
    }

    /// Where `ticket` sorts in this list.
    pub fn sort_key(&self, ticket: &Ticket) -> String {
        let n = ticket.number;
        match self.order() {
            TicketOrder::Number => by_number(n),
            TicketOrder::Contact if matches!(self, Self::Contact { .. }) => by_number(n),
            TicketOrder::Updated => by_updated(ticket.updated_at, n),
            TicketOrder::Priority => {
                let rank = match ticket.priority {
                    crate::domain::tickets::Priority::Low => 1,
                    crate::domain::tickets::Priority::Medium => 2,
                    crate::domain::tickets::Priority::High => 3,
                    crate::domain::tickets::Priority::Critical => 4,
                };
                format!("{rank}#{n:010}")
            }
            TicketOrder::Status => {
                let at = crate::domain::tickets::TicketStatus::ALL
                    .iter()
                    .position(|s| *s == ticket.status)
                    .unwrap_or_default();
                format!("{at:02}#{n:010}")
            }
            // "~" sorts after every date: no due date is last when ascending.
            TicketOrder::Due => match ticket.due_date {
                Some(due) => format!("{due}#{n:010}"),
                None => format!("~#{n:010}"),
            },
            TicketOrder::Contact => format!("{}#{n:010}", ticket.contact_name.to_lowercase()),
            TicketOrder::Target if !matches!(self, Self::Queue { .. }) => by_number(n),
            TicketOrder::Target => match ticket.work.targets.as_ref().and_then(|t| t.nearest()) {
                Some(due) if ticket.status.is_open() => by_updated(due, n),
                _ => format!("~#{n:010}"),
            },
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

/// Where a word item sorts in the search index across companies.
pub fn ticket_word_sort(word: &str, number: u64) -> String {
    format!("{word}#{}", by_number(number))
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

#[cfg(test)]
mod tests {
    use super::*;

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
            invoices: Vec::new(),
            approval: None,
            work: Default::default(),
            assignee_company: None,
            assignee_id: None,
            assignee_name: None,
            project: None,
            configuration: None,
            version: 1,
        };
        let lists = TicketList::of(&ticket);
        // On each item (the ticket, its two sort rows), each list in an index of its own; the
        // ticket's own lists use every index.
        for slot in [
            TicketSlot::Ticket,
            TicketSlot::ClientSorts,
            TicketSlot::QueueSorts,
        ] {
            let mut indexes: Vec<&str> = lists
                .iter()
                .filter(|l| l.slot().0 == slot)
                .map(|l| l.index().name)
                .collect();
            let count = indexes.len();
            indexes.sort();
            indexes.dedup();
            assert_eq!(indexes.len(), count, "{slot:?}: one list per index");
            if slot == TicketSlot::Ticket {
                let all: Vec<&str> = INDEXES.iter().map(|i| i.name).collect();
                assert_eq!(indexes, all, "every index used");
            }
        }
        let named: Vec<(String, String)> = lists
            .iter()
            .map(|l| (l.name(), l.sort_key(&ticket)))
            .collect();
        let stamp = "2026-11-30T09:15:00.000000000Z#0000000042";
        for expected in [
            ("gsi1#TK#acme-dental#open", "0000000042"),
            ("gsi2#TK#acme-dental#open", stamp),
            ("gsi3#TK#acme-dental#U#u1#open", "0000000042"),
            ("gsi4#TK#acme-dental#U#u1#open", stamp),
            ("gsi5#TQ#open", "0000000042"),
            ("gsi6#TQ#open", stamp),
            ("gsi7#TQ#A#none#open", stamp),
            ("gsi1#TKP#acme-dental#open", "2#0000000042"),
            ("gsi4#TKC#acme-dental#open", "una#0000000042"),
            ("gsi6#TKS#acme-dental#U#u1#open", "00#0000000042"),
            ("gsi3#TQD#open", "~#0000000042"),
            ("gsi5#TQT#open", "~#0000000042"),
        ] {
            let expected = (expected.0.to_owned(), expected.1.to_owned());
            assert!(named.contains(&expected), "{expected:?} in {named:?}");
        }
        assert_eq!(
            named.len(),
            19,
            "6 sorts × company and queue, 5 for a contact, the assignee, the queue's targets"
        );
    }
}
