//! The MSP's ticket settings page: request types, the status list (names, what each counts as,
//! which clients may set, retired ones, the order), business hours and holidays, the response and
//! resolution targets per priority, the reopen window and file limit; and the configuration types.

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, page, scroll_region};
use crate::ticket_pages::priorities;
use portal::domain::labels::{Labelled, table};
use portal::domain::tickets::{TicketStatus, Weekday};

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Monday"),
    (Weekday::Tuesday, "Tuesday"),
    (Weekday::Wednesday, "Wednesday"),
    (Weekday::Thursday, "Thursday"),
    (Weekday::Friday, "Friday"),
    (Weekday::Saturday, "Saturday"),
    (Weekday::Sunday, "Sunday"),
];

fn day_id(day: Weekday) -> String {
    format!("{day:?}").to_lowercase()
}

/// The status list: a row per status (filled by `js/ticket-settings.js` from the template).
fn statuses() -> Markup {
    // What the MSP's own statuses may count as: not new or waiting for approval.
    let stages: Vec<(String, &str)> = table(<TicketStatus as Labelled>::ALL)
        .into_iter()
        .filter(|(wire, _)| wire != "new" && wire != "waiting_for_approval")
        .collect();
    html! {
        section aria-labelledby="statuses-heading" {
            h2 #statuses-heading { "Statuses" }
            p { "The portal's own statuses can be renamed; the ones it moves tickets to itself cannot be retired. Your own count as one of them (\"No Action Required\" counts as closed). Tickets keep a status that is renamed, retired or removed." }
            p.form-error #statuses-error role="alert" {}
            p.form-error #client_statuses-error role="alert" {}
            (scroll_region("statuses-caption", html! {
                table #statuses-table {
                    caption #statuses-caption { "Statuses, in the order staff choose from" }
                    thead { tr {
                        th scope="col" { "Name" }
                        th scope="col" { "Counts as" }
                        th scope="col" { "Clients may set it" }
                        th scope="col" { "Retired" }
                        th scope="col" { "Order" }
                    } }
                    tbody #statuses-rows {}
                }
            }))
            template #status-row {
                tr {
                    td { input data-s="name" type="text" maxlength="40" required; }
                    td {
                        span data-s="stage-fixed" {}
                        select data-s="stage" {
                            @for (value, label) in &stages { option value=(value) { (label) } }
                        }
                    }
                    td { input data-s="clients" type="checkbox"; }
                    td { input data-s="retired" type="checkbox"; }
                    td.row-actions {
                        button.secondary.outline.small data-s="up" type="button" { "Up" }
                        " "
                        button.secondary.outline.small data-s="down" type="button" { "Down" }
                        " "
                        button.secondary.outline.small data-s="remove" type="button" { "Remove" }
                    }
                }
            }
            button.secondary #add-status type="button" { "Add a status" }
        }
    }
}

/// Business hours, holidays and the targets per priority.
fn targets() -> Markup {
    html! {
        section aria-labelledby="hours-heading" {
            h2 #hours-heading { "Business hours and targets" }
            p { "Response and resolution targets count only the hours you are open, in your time zone: a ticket raised on Friday evening is not due on Saturday." }
            (Field::input("business_hours.time_zone", "Time zone", "text").help("An IANA name such as America/New_York or Europe/London.").required())
            datalist #time-zones {}
            p.form-error id="business_hours.days-error" role="alert" {}
            (scroll_region("hours-caption", html! {
                table #hours-table {
                    caption #hours-caption { "Opening hours" }
                    thead { tr {
                        th scope="col" { "Day" }
                        th scope="col" { "Open" }
                        th scope="col" { "Opens" }
                        th scope="col" { "Closes" }
                    } }
                    tbody {
                        @for (day, name) in DAYS {
                            @let id = day_id(day);
                            tr data-day=(id) {
                                th scope="row" { (name) }
                                td { input type="checkbox" id={ "open-" (id) } aria-label={ "Open on " (name) }; }
                                td { input type="time" id={ "opens-" (id) } aria-label={ (name) " opens" }; }
                                td { input type="time" id={ "closes-" (id) } aria-label={ (name) " closes" }; }
                            }
                        }
                    }
                }
            }))
            (Field::textarea("business_hours.holidays", "Holidays", 4).help("One per line: the date, then its name, e.g. 2026-12-25 Christmas Day."))
            p.form-error #targets-error role="alert" {}
            (targets_table("", "Targets per priority, in business hours (blank: none)"))
        }
    }
}

/// The targets per priority: a row per priority with its first response and resolution, in hours
/// (`js/tickets-common.js` fills and reads it). `prefix` keeps the ids apart on a page that has
/// two (the agreement form's are `agreement-…`).
pub fn targets_table(prefix: &str, caption: &str) -> Markup {
    let caption_id = format!("{prefix}targets-caption");
    html! {
        (scroll_region(&caption_id, html! {
            table.targets-table id={ (prefix) "targets-table" } {
                caption id=(caption_id) { (caption) }
                thead { tr {
                    th scope="col" { "Priority" }
                    th scope="col" { "First response (hours)" }
                    th scope="col" { "Resolution (hours)" }
                } }
                tbody {
                    @for (value, label) in priorities().into_iter().rev() {
                        tr data-priority=(value) {
                            th scope="row" { (label) }
                            td { input type="number" min="0.25" max="1666" step="0.25" id={ (prefix) "response-" (value) } aria-label={ (label) " first response, hours" }; }
                            td { input type="number" min="0.25" max="1666" step="0.25" id={ (prefix) "resolution-" (value) } aria-label={ (label) " resolution, hours" }; }
                        }
                    }
                }
            }
        }))
    }
}

pub fn ticket_settings(b: &Branding) -> Markup {
    page(
        b,
        "Ticket settings",
        Chrome::SignedIn {
            current: "/settings/tickets/",
            requires: Some("manage_settings"),
        },
        "ticket-settings.js",
        html! {
            h1 { "Ticket settings" }
            p.form-error #form-error role="alert" {}
            p #form-status role="status" {}
            form #settings-form aria-busy="true" novalidate {
                (Field::textarea("request_types", "Request types", 6).help("One per line. Clients pick one when they raise a ticket."))
                (statuses())
                (targets())
                (Field::input("reopen_days", "Days after resolution a client may reopen a ticket", "number").range(0, 365).required())
                (Field::input("attachment_max_mb", "Largest attachment (MB)", "number").range(1, 100).required())
                button type="submit" { "Save settings" }
            }
            section aria-labelledby="types-heading" {
                h2 #types-heading { "Configuration types" }
                p.form-error #types-form-error role="alert" {}
                p #types-status role="status" {}
                form #types-form aria-busy="true" novalidate {
                    (Field::textarea("types", "Types", 8).help("One per line. Configurations keep a type taken off the list until they are changed."))
                    button type="submit" { "Save types" }
                }
            }
        },
    )
}
