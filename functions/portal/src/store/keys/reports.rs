//! The reports' month items (docs/reports.md): each client company's under its partition, and the
//! MSP's view of every company in its own; one item per month and kind of counter, so that the
//! tickets' can be recounted without touching the others. Part of `keys`, which re-exports them.

use super::*;

/// The sort-key prefix of the month items.
pub const REPORT_MONTH_PREFIX: &str = "RPT#";
/// The partition of the MSP-wide month items.
pub const REPORTS_PARTITION: &str = "REPORTS";

/// What a month item counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportKind {
    /// Tickets (`domain::reports::counts`).
    Tickets,
    /// Invoices issued and payments received.
    Billing,
    /// Configurations by the month they expire.
    Configurations,
}

impl ReportKind {
    fn code(self) -> &'static str {
        match self {
            ReportKind::Tickets => "T",
            ReportKind::Billing => "B",
            ReportKind::Configurations => "C",
        }
    }
}

/// A month's counters of one kind for `company` (`None`: every company, the MSP's view); `month`
/// is `yyyy-mm`.
pub fn report_month(company: Option<&CompanyId>, month: &str, kind: ReportKind) -> Key {
    Key {
        pk: report_partition(company),
        sk: format!("{REPORT_MONTH_PREFIX}{month}#{}", kind.code()),
    }
}

pub fn report_partition(company: Option<&CompanyId>) -> String {
    company.map_or_else(|| REPORTS_PARTITION.to_owned(), company_partition)
}

/// The sort keys that hold every kind of month item from `from` to `to` (`yyyy-mm`, both
/// included).
pub fn report_range(from: &str, to: &str) -> (String, String) {
    (
        format!("{REPORT_MONTH_PREFIX}{from}#"),
        format!("{REPORT_MONTH_PREFIX}{to}#~"),
    )
}

/// The mark that `company`'s executive report of `month` went to its subscribers.
pub fn report_mailed(company: &CompanyId, month: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("RPTMAIL#{month}"),
    }
}

/// The month of a month item's sort key.
pub fn report_month_of(sk: &str) -> Option<&str> {
    sk.strip_prefix(REPORT_MONTH_PREFIX)?.split('#').next()
}
