//! The agreements page (each agreement with its dates and terms; for prepaid hours the balance as a
//! bar, the usage by month as a chart with its table twin, and the time behind it; the MSP's form)
//! and the ticket page's time section (the time spent, and the technicians' form to log it).

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, page, scroll_region};
use portal::domain::agreements::{AgreementKind, AgreementStatus, BillingCycle, WorkType};
use portal::domain::labels::{Labelled, table};

pub fn agreements(b: &Branding) -> Markup {
    page(
        b,
        "Agreements",
        Chrome::SignedIn {
            current: "/agreements/",
            requires: Some("view_hours_left"),
        },
        "agreements.js",
        html! {
            div.page-head {
                h1 { "Agreements" }
                button #new-agreement type="button" data-capability="manage_billing" hidden { "New agreement" }
            }
            form #company-filter hidden {
                label for="company" { "Company" }
                select #company name="company" { option value="" { "Choose a company…" } }
            }
            p.form-error #load-error role="alert" {}
            p #page-status role="status" {}
            p.muted #no-agreements hidden {}
            div #agreement-list aria-busy="true" {}
            template #agreement-card {
                article.agreement {
                    header {
                        h2 data-a="name" {}
                        p { span.badge data-a="status" {} " " span.badge.kind data-a="kind" {} }
                        p data-a="dates" {}
                    }
                    div data-a="hours" hidden {
                        p.low-alert data-a="low" hidden {}
                        p.hours-line data-a="hours-line" {}
                        progress data-a="bar" max="100" value="0" {}
                        form.buy-hours data-a="buy" hidden {
                            label { "Buy more hours" select data-a="buy-size" name="hours" {} }
                            button type="submit" { "Buy and pay" }
                            p.form-error data-a="buy-error" role="alert" {}
                        }
                        figure.chart data-a="usage" hidden {
                            figcaption data-a="usage-caption" { "Hours used by month" }
                            div.bars aria-hidden="true" data-a="usage-bars" {}
                            table.visually-hidden data-a="usage-table" {
                                thead { tr { th scope="col" { "Month" } th scope="col" { "Hours used" } } }
                                tbody {}
                            }
                        }
                    }
                    dl.facts data-a="terms" hidden {}
                    details data-a="time" hidden {
                        summary { "Time logged" }
                        div.time-list {}
                        button.secondary data-a="time-more" type="button" hidden { "Show more" }
                    }
                    footer data-capability="manage_billing" hidden {
                        button.secondary data-a="edit" type="button" { "Edit" }
                    }
                }
            }
            dialog #agreement-dialog aria-labelledby="agreement-title" {
                article {
                    h2 #agreement-title { "New agreement" }
                    p.form-error #agreement-error role="alert" {}
                    form #agreement-form novalidate {
                        (agreement_fields())
                        footer {
                            button.secondary #agreement-cancel type="button" { "Cancel" }
                            button #agreement-save type="submit" { "Create agreement" }
                        }
                    }
                }
            }
        },
    )
}

/// What an agreement asks for (the MSP admin's form).
fn agreement_fields() -> Markup {
    let kinds = table(<AgreementKind as Labelled>::ALL);
    let statuses = table(<AgreementStatus as Labelled>::ALL);
    let cycles = table(<BillingCycle as Labelled>::ALL);
    html! {
        div #company-field {
            (Field::select("company_id", "Client company", &[("", "Choose…")]).required())
        }
        (Field::input("name", "Name", "text").maxlength(100).required())
        div.grid {
            div { (Field::select("kind", "Type", &kinds).required()) }
            div { (Field::select("status", "Status", &statuses)) }
            div { (Field::select("billing_cycle", "Billing cycle", &cycles)) }
        }
        div.grid {
            div { (Field::input("start_date", "Start", "date").required()) }
            div { (Field::input("end_date", "End", "date").help("Leave empty for no end date.")) }
        }
        label { input #auto_renew name="auto_renew" type="checkbox"; "Renews automatically at the end date" }
        div.grid {
            div { (Field::input("fee", "Fee per period", "text").inputmode("decimal").help("Managed services and retainers.")) }
            div { (Field::input("rate", "Rate per hour", "text").inputmode("decimal")) }
            div { (Field::input("hours", "Hours", "text").inputmode("decimal").help("A block: its hours. A retainer: hours per period.")) }
        }
        fieldset #covers-field {
            legend { "Request types it covers" }
            small #covers-help { "None ticked: every type." }
            div #covers {}
            small.field-error #covers-error {}
        }
        fieldset #targets-field {
            legend { "Response and resolution targets" }
            small #targets-help { "For this company's tickets, in the MSP's business hours. Blank: the MSP's own targets for that priority." }
            (crate::ticket_settings_page::targets_table("agreement-", "Targets of this agreement"))
            small.field-error #targets-error {}
        }
        div.grid {
            div { (Field::input("low_balance_percent", "Low-balance alert under (%)", "number").range(0, 100)) }
            div { (Field::input("block_sizes", "Hours clients may buy", "text").help("A block only: sizes separated by commas, such as 10, 20.")) }
        }
        input type="hidden" name="version";
    }
}

/// The time section of the ticket page: what clients see of the time spent, and the technicians'
/// form to log, change and delete it.
pub fn time_section() -> Markup {
    let work_types = table(<WorkType as Labelled>::ALL);
    html! {
        section #time-section aria-labelledby="time-heading" hidden {
            h2 #time-heading { "Time spent" }
            p #time-total {}
            (scroll_region("time-caption", html! {
                table #time-table {
                    caption.visually-hidden #time-caption { "Time entries" }
                    thead { tr {
                        th scope="col" { "Date" } th scope="col" { "Technician" } th scope="col" { "Work" }
                        th scope="col" { "Time" } th scope="col" { "Billable" } th scope="col" { "Note" }
                        th scope="col" data-staff-only hidden { "Agreement" }
                        th scope="col" data-staff-only hidden { span.visually-hidden { "Actions" } }
                    } }
                    tbody {}
                }
            }))
            p #time-balance role="status" {}
            form.no-print #time-form novalidate hidden {
                h3 #time-form-title { "Log time" }
                p.form-error #time-error role="alert" {}
                div.grid {
                    div { (Field::input("time-date", "Date", "date").required()) }
                    div { (Field::input("time-minutes", "Minutes", "number").range(1, 1440).required().help("Whole minutes, recorded exactly (6 minutes is 0.1 hour).")) }
                    div { (Field::select("time-work-type", "Work type", &work_types)) }
                }
                (Field::select("time-agreement", "Counts against", &[("", "The agreement that covers this ticket")]))
                (Field::textarea("time-note", "Note", 2).maxlength(2000))
                label { input #time-billable name="time-billable" type="checkbox" checked; "Billable" }
                label { input #time-internal name="time-internal" type="checkbox"; "The note is internal: only MSP staff see it" }
                input type="hidden" name="time-id";
                input type="hidden" name="time-version";
                div.actions {
                    button #time-save type="submit" { "Log time" }
                    button.secondary #time-cancel type="button" hidden { "Cancel the change" }
                }
            }
        }
    }
}
