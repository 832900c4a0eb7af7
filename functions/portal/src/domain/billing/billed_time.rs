//! What an invoice drafted from time bills (docs/agreements.md, "Invoicing time"): the time
//! entries it marked billed and the hours over a block or retainer it charged. Deleting the draft
//! or voiding the invoice gives them back, so they can be invoiced again.

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

use super::{BillingId, Quantity, mul_div_round};
use crate::domain::iso_date;

/// The time an invoice billed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BilledTime {
    /// Entries of time and materials (or with no agreement), each marked billed by the invoice.
    pub entries: Vec<BilledEntry>,
    /// Hours used past a block or a retainer's period.
    pub overage: Vec<BilledOverage>,
}

impl BilledTime {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.overage.is_empty()
    }
}

/// A time entry an invoice billed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BilledEntry {
    pub ticket_number: u64,
    pub id: BillingId,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub minutes: i64,
}

/// Minutes past an agreement's hours in one of its periods that an invoice charged.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BilledOverage {
    pub agreement_id: BillingId,
    /// `block`, or the period's first month (`yyyy-mm`).
    pub period: String,
    pub minutes: i64,
}

impl Quantity {
    /// This quantity of `unit_price` (minor units), rounded to the minor unit.
    pub fn times(self, unit_price: i64) -> i64 {
        mul_div_round(self.0, unit_price, 1000)
    }

    /// `minutes` as hours with three decimals (rounded half away from zero): 90 → 1.5.
    pub fn of_minutes(minutes: i64) -> Self {
        Self(mul_div_round(minutes, 1000, 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_become_hours_to_the_thousandth() {
        assert_eq!(Quantity::of_minutes(90), Quantity(1500));
        assert_eq!(Quantity::of_minutes(6), Quantity(100));
        assert_eq!(Quantity::of_minutes(7), Quantity(117));
        assert_eq!(Quantity::of_minutes(1), Quantity(17));
    }
}
