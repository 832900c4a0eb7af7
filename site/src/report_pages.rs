//! Reports (`/reports/`): service request trends for a year and the one before (a chart with its
//! table, breakdowns by request type, priority and contact, CSV) and responsiveness by month.

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, page, scroll_region};

/// A table of tickets opened and closed by one thing, filled by js/reports.js.
fn breakdown(id: &str, caption: &str, first: &str) -> Markup {
    let caption_id = format!("{id}-caption");
    scroll_region(
        &caption_id,
        html! {
            table id=(id) {
                caption id=(caption_id) { (caption) }
                thead { tr { th scope="col" { (first) } th scope="col" { "Opened" } th scope="col" { "Closed" } } }
                tbody {}
            }
        },
    )
}

pub fn reports(b: &Branding) -> Markup {
    page(
        b,
        "Reports",
        Chrome::SignedIn {
            current: "/reports/",
            requires: Some("view_reports"),
        },
        "reports.js",
        html! {
            h1 { "Reports" }
            p.muted #reports-scope {}
            form #report-filters {
                div.grid {
                    div #company-filter hidden {
                        (Field::select("company", "Company", &[("", "All companies")]))
                    }
                    div { (Field::select::<&str, &str>("year", "Year", &[])) }
                }
            }
            p.form-error #reports-error role="alert" {}
            section #trends aria-labelledby="trends-heading" aria-busy="true" {
                h2 #trends-heading { "Service request trends" }
                p #trends-summary {}
                figure.chart {
                    figcaption #trend-chart-caption { "Tickets opened per month" }
                    div #trend-chart aria-hidden="true" {}
                }
                (scroll_region("trend-caption", html! {
                    table #trend-table {
                        caption #trend-caption { "Tickets opened and closed by month" }
                        thead { tr {
                            th scope="col" { "Month" }
                            th scope="col" #this-opened { "Opened" } th scope="col" #this-closed { "Closed" }
                            th scope="col" #last-opened { "Opened last year" } th scope="col" #last-closed { "Closed last year" }
                        } }
                        tbody {}
                    }
                }))
                div.grid.report-breakdowns {
                    div { (breakdown("by-type", "By request type", "Request type")) }
                    div { (breakdown("by-priority", "By priority", "Priority")) }
                }
                (breakdown("by-contact", "By contact", "Contact"))
                p { a #trends-csv href="/api/reports/trends/export" download { "Download the trends as CSV" } }
            }
            section #executive aria-labelledby="executive-heading" {
                h2 #executive-heading { "Executive management report" }
                p { "One PDF for a month or a quarter: tickets and trends, top request types, responsiveness, satisfaction, hours on agreements, invoices and payments, configurations expiring." }
                div.grid {
                    div { (Field::select::<&str, &str>("period", "Period", &[])) }
                    div.actions { a role="button" #executive-pdf href="/api/reports/executive" download { "Download the PDF" } }
                }
                form #subscription data-capability="manage_users" hidden {
                    label {
                        input #subscribe type="checkbox" name="executive_report" aria-describedby="subscription-status";
                        " Email me the report of the month before, on the first of each month"
                    }
                    p #subscription-status role="status" {}
                }
            }
            section #responsiveness aria-labelledby="responsiveness-heading" aria-busy="true" {
                h2 #responsiveness-heading { "Responsiveness" }
                p.muted { "How long the first public reply and the resolution took, by the month they happened (times are estimated within bands: 15 and 30 minutes, 1, 2, 4, 8 and 16 hours, 1, 2, 3, 5, 7, 14 and 30 days), and the share of targets met where the MSP set targets." }
                (scroll_region("responsiveness-caption", html! {
                    table #responsiveness-table {
                        caption #responsiveness-caption { "The last twelve months" }
                        thead { tr {
                            th scope="col" { "Month" }
                            th scope="col" { "First replies" } th scope="col" { "Median" } th scope="col" { "90th percentile" }
                            th scope="col" { "Resolved" } th scope="col" { "Median" } th scope="col" { "90th percentile" }
                            th scope="col" { "Response targets met" } th scope="col" { "Resolution targets met" }
                        } }
                        tbody {}
                    }
                }))
            }
        },
    )
}
