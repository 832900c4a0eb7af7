//! The store-credit keys (docs/billing.md, "Store credit"): a company's credit notes in its
//! partition by number, its balance per currency on one item of its own (the billing account is
//! written whole; counters that transactions `ADD` to live apart), and the mark of a credit note
//! issued under an `Idempotency-Key`. Part of `keys`, which re-exports them.

use super::*;

const CREDIT_NOTE_PREFIX: &str = "CREDITNOTE#";

/// Credit note `number` of `company` (numbers are gapless across companies).
pub fn credit_note(company: &CompanyId, number: u64) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{CREDIT_NOTE_PREFIX}{number:010}"),
    }
}

/// The sort-key range of a company's credit notes: `(first, last)`.
pub fn credit_note_range() -> (String, String) {
    (
        CREDIT_NOTE_PREFIX.to_owned(),
        format!("{CREDIT_NOTE_PREFIX}\u{ffff}"),
    )
}

/// A company's store credit: one attribute per currency (`credit_attr`).
pub fn credit_balance(company: &CompanyId) -> Key {
    Key {
        pk: company_partition(company),
        sk: "CREDIT".into(),
    }
}

/// The attribute of the credit in `currency` (`c_USD`).
pub fn credit_attr(currency: &crate::domain::billing::Currency) -> String {
    format!("{CREDIT_ATTR_PREFIX}{currency}")
}
pub const CREDIT_ATTR_PREFIX: &str = "c_";

/// Where credit note `number`'s PDF is kept in the files bucket (a credit note never changes).
pub fn credit_note_pdf_object(company: &CompanyId, number: u64) -> String {
    format!("{company}/credit-notes/CN-{number:04}.pdf")
}

/// The mark of a credit note issued under one `Idempotency-Key` (it holds the number; expires).
pub fn credit_request(company: &CompanyId, request: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("CREDITREQ#{request}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_keys_are_pinned() {
        let co = CompanyId::parse("acme-dental").unwrap();
        assert_eq!(credit_note(&co, 7).sk, "CREDITNOTE#0000000007");
        let (first, last) = credit_note_range();
        assert!(first < credit_note(&co, 1).sk && credit_note(&co, 9_999_999_999).sk < last);
        assert_eq!(
            credit_attr(&crate::domain::billing::Currency::usd()),
            "c_USD"
        );
        assert_eq!(credit_balance(&co).sk, "CREDIT");
    }
}
