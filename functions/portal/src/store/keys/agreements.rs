//! The agreement keys (docs/agreements.md): a company's agreements in one record with the
//! counters time entries `ADD` to, time entries inside their ticket's key range, and the two
//! indexes of time entries (an agreement's, newest first; a company's unbilled billable time).
//! Part of `keys`, which re-exports them.

use super::*;
use crate::domain::agreements::TimeEntry;
use crate::domain::billing::BillingId;

/// A company's agreements, with their counters.
pub fn agreement_book(company: &CompanyId) -> Key {
    Key {
        pk: company_partition(company),
        sk: "AGREEMENTS".into(),
    }
}

/// The counter of minutes agreement `id` used in `month` (`yyyy-mm`).
pub fn usage_attr(id: &BillingId, month: &str) -> String {
    format!("{USAGE_PREFIX}{id}_{month}")
}
/// The counter of minutes agreement `id` used in period `period` (`Agreement::period_key`).
pub fn period_attr(id: &BillingId, period: &str) -> String {
    format!("{PERIOD_PREFIX}{id}_{period}")
}
/// The minutes bought on top of block `id`.
pub fn bought_attr(id: &BillingId) -> String {
    format!("{BOUGHT_PREFIX}{id}")
}
/// The period a low-balance email of agreement `id` was sent for.
pub fn low_attr(id: &BillingId) -> String {
    format!("{LOW_PREFIX}{id}")
}
/// The minutes past agreement `id`'s hours in `period` that invoices charged.
pub fn over_attr(id: &BillingId, period: &str) -> String {
    format!("{OVER_PREFIX}{id}_{period}")
}
pub const USAGE_PREFIX: &str = "u_";
pub const OVER_PREFIX: &str = "o_";
pub const PERIOD_PREFIX: &str = "t_";
pub const BOUGHT_PREFIX: &str = "b_";
pub const LOW_PREFIX: &str = "l_";

/// A time entry: inside its ticket's range, after the public notes and before the internal ones,
/// so a ticket's page (the client's too) reads it in the same Query, and a ticket with a great
/// many entries still reads its conversation first.
pub fn time_entry(company: &CompanyId, ticket: u64, id: &BillingId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}#T#{id}", ticket_sk(ticket)),
    }
}

/// Whether a sort key within a ticket's range is a time entry's.
pub fn is_time_entry(sk: &str) -> bool {
    sk.contains("#T#")
}

/// An agreement's time entries, by date.
pub const AGREEMENT_TIME_INDEX: Index = INDEXES[0];
/// A company's billable time no invoice has billed yet, by ticket (only what is invoiced entry by
/// entry: `TimeEntry::to_invoice`).
pub const UNBILLED_TIME_INDEX: Index = INDEXES[1];

/// The index entries of `entry`: `(index, partition, sort key)`.
pub fn time_entry_indexes(entry: &TimeEntry) -> Vec<(Index, String, String)> {
    let mut out = Vec::new();
    if let Some(agreement) = &entry.agreement_id {
        out.push((
            AGREEMENT_TIME_INDEX,
            agreement_time(&entry.company_id, agreement),
            format!("{}#{}", entry.date, entry.id),
        ));
    }
    if entry.to_invoice() {
        out.push((
            UNBILLED_TIME_INDEX,
            unbilled_time(&entry.company_id),
            unbilled_sort(entry.ticket_number, entry.date, &entry.id),
        ));
    }
    out
}

/// Where an entry sorts among its company's unbilled time: by ticket, then date.
pub fn unbilled_sort(ticket: u64, date: time::Date, id: &BillingId) -> String {
    format!("{ticket:010}#{date}#{id}")
}

pub fn agreement_time(company: &CompanyId, agreement: &BillingId) -> String {
    format!("AGRT#{company}#{agreement}")
}

pub fn unbilled_time(company: &CompanyId) -> String {
    format!("UNBILLED#{company}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_keys_are_pinned() {
        let co = CompanyId::parse("acme-dental").unwrap();
        let id = BillingId::parse("0123456789abcdef01234567").unwrap();
        assert_eq!(agreement_book(&co).sk, "AGREEMENTS");
        assert_eq!(
            usage_attr(&id, "2026-11"),
            "u_0123456789abcdef01234567_2026-11"
        );
        let entry = time_entry(&co, 1042, &id).sk;
        assert_eq!(entry, "TICKET#0000001042#T#0123456789abcdef01234567");
        // After the public notes, before the internal ones: clients read it.
        assert!(entry.as_str() < ticket_public_end(1042).as_str());
        let note = ticket_note(&co, 1042, "2026-12-03T10:00:00Z", "n1", false).sk;
        let internal = ticket_note(&co, 1042, "2026-12-03T10:00:00Z", "n1", true).sk;
        assert!(note < entry && entry < internal);
        assert!(internal.as_str() > ticket_public_end(1042).as_str());
        assert!(
            ticket_attachment(&co, 1042, "f", true).sk.as_str() > ticket_public_end(1042).as_str()
        );
        assert!(is_time_entry(&entry) && !is_ticket_attachment(&entry));
    }
}
