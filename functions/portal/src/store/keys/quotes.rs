//! The quote keys (issue 19): each revision of a quote in its company's partition, the pointer
//! from a quote number to its latest revision, and the index of a company's quotes by tab (sent
//! ones by their valid-until date, so "waiting" and "expired" are two ranges of one partition).
//! Part of `keys`, which re-exports them.

use super::*;
use crate::domain::billing::BillingId;
use crate::domain::quotes::{Quote, QuoteStatus};

pub fn quote(company: &CompanyId, id: &BillingId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("QUOTE#{id}"),
    }
}

/// Which company and latest revision carry quote number `n`.
pub fn quote_number(number: u64) -> Key {
    Key {
        pk: format!("QUOTENO#{number}"),
        sk: "QUOTENO".into(),
    }
}

/// A company's quotes of one status, by tab.
pub const QUOTE_TABS_INDEX: Index = INDEXES[0];

pub fn quote_tab(company: &CompanyId, status: QuoteStatus) -> String {
    let tab = match status {
        QuoteStatus::Draft => "draft",
        QuoteStatus::Sent => "sent",
        QuoteStatus::Approved => "approved",
        QuoteStatus::Declined => "declined",
        QuoteStatus::Superseded => "superseded",
    };
    format!("QT#{company}#{tab}")
}

/// Where a quote sorts in its tab: a sent one by the day it is valid until (waiting and expired
/// are the two sides of today), the others by when they last changed.
pub fn quote_sort(quote: &Quote) -> String {
    match quote.status {
        QuoteStatus::Sent => format!("{}#{}", quote.valid_until, quote.id),
        _ => format!("{}#{}", sortable_time(quote.updated_at), quote.id),
    }
}

/// Where a quote revision's PDF is kept, per version (a draft changes; a sent revision does not).
pub fn quote_pdf_object(company: &CompanyId, id: &BillingId, version: u64) -> String {
    format!("{company}/quotes/{id}/v{version}.pdf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_keys_are_pinned() {
        let co = CompanyId::parse("acme-dental").unwrap();
        let id = BillingId::parse("0123456789abcdef01234567").unwrap();
        assert_eq!(quote(&co, &id).sk, "QUOTE#0123456789abcdef01234567");
        assert_eq!(quote_number(7).pk, "QUOTENO#7");
        assert_eq!(quote_tab(&co, QuoteStatus::Sent), "QT#acme-dental#sent");
    }
}
