//! The reports' month items (docs/reports.md): each client company's under its partition, and the
//! MSP's view of every company in its own. Part of `keys`, which re-exports them.

use super::*;

/// The sort-key prefix of the month items.
pub const REPORT_MONTH_PREFIX: &str = "RPT#";
/// The partition of the MSP-wide month items.
pub const REPORTS_PARTITION: &str = "REPORTS";

/// A month's counters of `company` (`None`: every company, the MSP's view); `month` is `yyyy-mm`.
pub fn report_month(company: Option<&CompanyId>, month: &str) -> Key {
    Key {
        pk: company.map_or_else(|| REPORTS_PARTITION.to_owned(), company_partition),
        sk: format!("{REPORT_MONTH_PREFIX}{month}"),
    }
}
