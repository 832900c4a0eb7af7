//! The configuration pages: the list (every search the ConnectWise guide names, sort, Show more,
//! CSV export; the MSP's company choice, add form and CSV import) and the configuration page
//! (its facts, notes, tickets, "Raise a ticket about this", the MSP's edit form).

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, ListTable, page, scroll_region};
use portal::domain::configurations::ConfigurationStatus;
use portal::domain::labels::{Labelled, table};

fn statuses() -> Vec<(String, &'static str)> {
    table(<ConfigurationStatus as Labelled>::ALL)
}

/// The fields a configuration is recorded with (the MSP's add and edit forms).
fn configuration_form(id: &str, title: &str, submit: &str) -> Markup {
    html! {
        dialog id={ (id) "-dialog" } aria-labelledby={ (id) "-title" } {
            article {
                h2 id={ (id) "-title" } { (title) }
                p.form-error id={ (id) "-error" } role="alert" {}
                form id={ (id) "-form" } novalidate {
                    (Field::input("name", "Name", "text").maxlength(100).required())
                    div.grid {
                        div { (Field::select::<&str, &str>("type", "Type", &[]).required()) }
                        div { (Field::select("status", "Status", &statuses())) }
                    }
                    div.grid {
                        div { (Field::input("manufacturer", "Manufacturer", "text").maxlength(100)) }
                        div { (Field::input("model", "Model number", "text").maxlength(100)) }
                    }
                    div.grid {
                        div { (Field::input("serial", "Serial number", "text").maxlength(100).help("Unique within the company")) }
                        div { (Field::input("tag", "Tag number", "text").maxlength(100).help("Unique within the company")) }
                    }
                    div.grid {
                        div { (Field::select("contact_id", "Contact", &[("", "None")])) }
                        div { (Field::input("location", "Location", "text").maxlength(100)) }
                    }
                    div.grid {
                        div { (Field::input("purchase_date", "Purchase date", "date")) }
                        div { (Field::input("expires", "Expires (warranty or renewal)", "date")) }
                    }
                    (Field::textarea("notes", "Notes (the client sees them)", 3).maxlength(5000))
                    (Field::textarea("internal_notes", "Internal notes (MSP staff only)", 3).maxlength(5000))
                    footer {
                        button.secondary id={ (id) "-cancel" } type="button" { "Cancel" }
                        button type="submit" { (submit) }
                    }
                }
            }
        }
    }
}

pub fn configurations(b: &Branding) -> Markup {
    page(
        b,
        "Configurations",
        Chrome::SignedIn {
            current: "/configurations/",
            requires: None,
        },
        "configurations.js",
        html! {
            div.page-head {
                h1 { "Configurations" }
                div.head-actions data-capability="manage_configurations" hidden {
                    button #new-configuration type="button" { "Add configuration" }
                    button.secondary #import-configurations type="button" { "Import CSV" }
                }
            }
            p.muted { "The devices, licences, domains and certificates we look after for you. "
                span #scope-note {} }
            search aria-label="Search configurations" {
                form #filters {
                    div #company-filter hidden {
                        (Field::select("company", "Client company", &[("", "Choose…")]))
                    }
                    div.filter-grid {
                        label for="filter-q" { "Name starts with"
                            input #filter-q name="q" type="search" maxlength="100";
                        }
                        label for="filter-type" { "Type" select #filter-type name="type" { option value="" { "Any type" } } }
                        label for="filter-status" { "Status"
                            select #filter-status name="status" {
                                option value="" { "Any status" }
                                @for (value, label) in statuses() { option value=(value) { (label) } }
                            }
                        }
                        label for="filter-contact" #contact-filter hidden { "Contact"
                            select #filter-contact name="contact" { option value="" { "Anyone" } }
                        }
                        label for="filter-serial" { "Serial number (exact)" input #filter-serial name="serial" maxlength="100"; }
                        label for="filter-tag" { "Tag number (exact)" input #filter-tag name="tag" maxlength="100"; }
                        label for="filter-model" { "Model number (exact)" input #filter-model name="model" maxlength="100"; }
                        label for="filter-expires_after" { "Expires on or after" input #filter-expires_after name="expires_after" type="date"; }
                        label for="filter-expires_before" { "Expires on or before" input #filter-expires_before name="expires_before" type="date"; }
                        label for="filter-sort" { "Sort by"
                            select #filter-sort name="sort" { option value="name" { "Name" } option value="expires" { "Expiry date" } }
                        }
                        label for="filter-order" { "Order"
                            select #filter-order name="order" { option value="asc" { "Ascending" } option value="desc" { "Descending" } }
                        }
                    }
                    div.actions {
                        button type="submit" { "Search" }
                        a.secondary role="button" href="?" { "Clear" }
                        a.secondary #export role="button" href="/api/configurations/export" download { "Export CSV" }
                    }
                }
            }
            p #company-needed hidden { "Choose a client company to see its configurations." }
            (ListTable {
                id: "configurations",
                caption: "Configurations",
                columns: &[
                    ("name", "Name"), ("type", "Type"), ("status", "Status"), ("serial", "Serial number"),
                    ("tag", "Tag number"), ("model", "Model number"), ("contact", "Contact"), ("expires", "Expires"),
                ],
            })
            (configuration_form("new-configuration", "Add a configuration", "Add configuration"))
            dialog #import-dialog aria-labelledby="import-title" {
                article {
                    h2 #import-title { "Import configurations from a CSV file" }
                    p { "The first row names the columns: Name and Type are needed; Status, Manufacturer, Model, Serial, Tag, Contact (a portal user's email), Location, Purchase date, Expires (YYYY-MM-DD), Notes and Internal notes are read too, in the usual spellings (\"Serial #\", \"Asset tag\", \"Warranty expires\"). Up to 5,000 rows. Every row is checked first: if any is wrong, nothing is imported and each is listed below." }
                    p.form-error #import-error role="alert" {}
                    p #import-status role="status" {}
                    form #import-form novalidate {
                        label for="import-file" { "CSV file"
                            input #import-file name="file" type="file" accept=".csv,text/csv" required;
                        }
                        div #import-report hidden {
                            (scroll_region("import-report-caption", html! {
                                table #import-report-table {
                                    caption #import-report-caption { "Rows that need attention" }
                                    thead { tr { th scope="col" { "Line" } th scope="col" { "Column" } th scope="col" { "Reason" } } }
                                    tbody {}
                                }
                            }))
                        }
                        footer {
                            button.secondary #import-cancel type="button" { "Close" }
                            button type="submit" { "Import" }
                        }
                    }
                }
            }
        },
    )
}

pub fn configuration_view(b: &Branding) -> Markup {
    page(
        b,
        "Configuration",
        Chrome::SignedIn {
            current: "/configurations/",
            requires: None,
        },
        "configuration-view.js",
        html! {
            p.form-error #load-error role="alert" {}
            section #not-found hidden aria-labelledby="not-found-heading" {
                h1 #not-found-heading { "This configuration doesn't exist or isn't one you can see" }
                p { a href="/configurations/" { "All configurations" } " · " a href="/" { "Home" } }
            }
            article #configuration aria-busy="true" {
                header {
                    p.muted { a #back href="/configurations/" { "← All configurations" } }
                    h1 #c-name { "Configuration" }
                    p { span.badge #c-status {} " " span.badge #c-expiry hidden {} }
                    div.head-actions {
                        a #raise role="button" href="/tickets/new/" data-capability="submit_ticket" hidden { "Raise a ticket about this" }
                        button.secondary #edit type="button" data-capability="manage_configurations" hidden { "Edit" }
                    }
                }
                dl.facts {
                    dt { "Type" } dd data-c="type" {}
                    dt { "Manufacturer" } dd data-c="manufacturer" {}
                    dt { "Model number" } dd data-c="model" {}
                    dt { "Serial number" } dd data-c="serial" {}
                    dt { "Tag number" } dd data-c="tag" {}
                    dt { "Contact" } dd data-c="contact" {}
                    dt { "Location" } dd data-c="location" {}
                    dt { "Purchase date" } dd data-c="purchased" {}
                    dt { "Expires" } dd data-c="expires" {}
                }
                section aria-labelledby="notes-heading" {
                    h2 #notes-heading { "Notes" }
                    p.prewrap #c-notes {}
                }
                section #internal aria-labelledby="internal-heading" data-capability="manage_configurations" hidden {
                    h2 #internal-heading { "Internal notes" }
                    p.muted { "MSP staff only: clients never see these." }
                    p.prewrap #c-internal {}
                }
                section aria-labelledby="tickets-heading" {
                    h2 #tickets-heading { "Tickets about this configuration" }
                    (scroll_region("tickets-caption", html! {
                        table #tickets-table {
                            caption #tickets-caption { "Newest first" }
                            thead { tr {
                                th scope="col" { "Ticket" } th scope="col" { "Summary" }
                                th scope="col" { "Status" } th scope="col" { "Updated" }
                            } }
                            tbody {}
                        }
                    }))
                }
            }
            (configuration_form("edit", "Edit the configuration", "Save changes"))
        },
    )
}
