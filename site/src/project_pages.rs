//! The project pages: the list (Open and Closed tabs, search, the MSP's company filter and new
//! project form) and the project page (facts, the Gantt chart with its table twin, the phase
//! dialog with its tickets, and the MSP's planner).

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, ListTable, page};
use portal::domain::labels::{Labelled, table};
use portal::domain::projects::{PhaseStatus, ProjectStatus};

fn project_statuses() -> Vec<(String, &'static str)> {
    table(<ProjectStatus as Labelled>::ALL)
}

fn phase_statuses() -> Vec<(String, &'static str)> {
    table(<PhaseStatus as Labelled>::ALL)
}

/// What a project asks for when it is created or changed (the MSP's forms).
fn project_fields() -> Markup {
    html! {
        (Field::input("name", "Project name", "text").maxlength(100).required())
        (Field::textarea("description", "Description", 3).maxlength(4000))
        div.grid {
            div { (Field::select::<&str, &str>("manager_id", "Project manager", &[]).required()) }
            div { (Field::select("contact_id", "Client contact", &[("", "None")])) }
            div { (Field::select("status", "Status", &project_statuses())) }
        }
        div.grid {
            div { (Field::input("start", "Start", "date").required()) }
            div { (Field::input("expected_completion", "Expected completion", "date").required()) }
        }
    }
}

pub fn projects(b: &Branding) -> Markup {
    page(
        b,
        "Projects",
        Chrome::SignedIn {
            current: "/projects/",
            requires: Some("view_projects"),
        },
        "projects.js",
        html! {
            div.page-head {
                h1 { "Projects" }
                button #new-project type="button" data-capability="manage_projects" hidden { "New project" }
            }
            nav.tabs aria-label="Project tabs" {
                ul {
                    li { a #tab-open href="?tab=open" aria-current="page" { "Open" } }
                    li { a #tab-closed href="?tab=closed" { "Closed" } }
                }
            }
            search aria-label="Search projects" {
                form #filters {
                    div.filter-grid {
                        label for="q" { "Search"
                            input #q name="q" type="search" maxlength="100" placeholder="Project number or words in its name";
                        }
                        div #company-filter hidden {
                            label for="company" { "Company" }
                            select #company name="company" { option value="" { "All companies" } }
                        }
                    }
                    div.actions {
                        button type="submit" { "Search" }
                        a.secondary role="button" href="?" { "Clear" }
                    }
                }
            }
            (ListTable {
                id: "projects",
                caption: "Open projects",
                columns: &[
                    ("name", "Project"), ("number", "Number"), ("company", "Company"), ("status", "Status"),
                    ("manager", "Project manager"), ("expected", "Expected completion"),
                    ("progress", "Complete"), ("schedule", "Schedule"),
                ],
            })
            dialog #new-project-dialog aria-labelledby="new-project-title" {
                article {
                    h2 #new-project-title { "New project" }
                    p.form-error #new-project-error role="alert" {}
                    form #new-project-form novalidate {
                        (Field::select("company_id", "Client company", &[("", "Choose…")]).required())
                        (project_fields())
                        footer {
                            button.secondary #new-project-cancel type="button" { "Cancel" }
                            button type="submit" { "Create project" }
                        }
                    }
                }
            }
        },
    )
}

pub fn project_view(b: &Branding) -> Markup {
    page(
        b,
        "Project",
        Chrome::SignedIn {
            current: "/projects/",
            requires: Some("view_projects"),
        },
        "project-view.js",
        html! {
            p.form-error #load-error role="alert" {}
            section #not-found hidden aria-labelledby="not-found-heading" {
                h1 #not-found-heading { "This project doesn't exist or isn't your company's" }
                p { a href="/projects/" { "All projects" } " · " a href="/" { "Home" } }
            }
            article #project aria-busy="true" {
                header {
                    p.muted.no-print { a href="/projects/" { "← All projects" } }
                    h1 #p-title { "Project" }
                    p { span.badge #p-status {} " " span.badge #p-schedule {} }
                    button.secondary.print-button #print type="button" { "Print" }
                }
                dl.facts {
                    dt { "Number" } dd data-p="number" {}
                    dt data-capability="all_companies" hidden { "Company" } dd data-p="company" data-capability="all_companies" hidden {}
                    dt { "Project manager" } dd data-p="manager" {}
                    dt { "Client contact" } dd data-p="contact" {}
                    dt { "Start" } dd data-p="start" {}
                    dt { "Planned completion" } dd data-p="planned" {}
                    dt { "Expected completion" } dd data-p="expected" {}
                    dt { "Complete" } dd data-p="progress" {}
                    dt { "Next milestone" } dd data-p="milestone" {}
                }
                p.prewrap #p-description {}
                p.no-print data-capability="view_company_tickets view_own_tickets all_companies" hidden {
                    a #p-tickets href="/tickets/" { "This project's tickets in the ticket list" }
                }
                section #changes aria-labelledby="changes-heading" hidden {
                    h2 #changes-heading { "Changes to the expected completion" }
                    ul #changes-list {}
                }
                section aria-labelledby="plan-heading" {
                    h2 #plan-heading { "Plan" }
                    p #no-phases hidden { "No phases are planned yet." }
                    figure.gantt #gantt-figure {
                        figcaption #gantt-caption { "Phases on a time line, with today marked. Choose a phase to see its tickets." }
                        div.gantt-scroll #gantt role="region" aria-labelledby="gantt-caption" tabindex="0" {}
                        // A table does not shrink to the 1 px a visually hidden box has: the
                        // box around it does, so a phone's page does not widen.
                        div.visually-hidden {
                            table #plan-table {
                                caption #plan-table-caption { "The plan as a table" }
                                thead { tr {
                                    th scope="col" { "Phase" } th scope="col" { "Start" } th scope="col" { "End" }
                                    th scope="col" { "Days" } th scope="col" { "Status" } th scope="col" { "Complete" }
                                    th scope="col" { "Tickets" }
                                } }
                                tbody {}
                            }
                        }
                    }
                }
            }
            dialog #phase-dialog aria-labelledby="phase-title" {
                article {
                    h2 #phase-title { "Phase" }
                    p #phase-dates {}
                    p #phase-done {}
                    ul.phase-tickets #phase-tickets {}
                    form #phase-ticket-form novalidate data-capability="manage_projects" hidden {
                        h3 { "Raise a ticket in this phase" }
                        p.form-error #phase-ticket-error role="alert" {}
                        (Field::input("summary", "Summary", "text").maxlength(200).required())
                        (Field::select::<&str, &str>("ticket_contact", "Contact", &[]).required())
                        (Field::select::<&str, &str>("request_type", "Request type", &[]).required())
                        button type="submit" { "Raise ticket" }
                    }
                    footer { button.secondary #phase-close type="button" { "Close" } }
                }
            }
            // Shown by project-plan.js once its rows and buttons work (not on the capability alone:
            // a click on "Add a phase" before then would do nothing, and typing would rename a phase).
            section.no-print #planner aria-labelledby="planner-heading" hidden {
                h2 #planner-heading { "Plan this project" }
                p #planner-status role="status" {}
                details {
                    summary { "Project details and dates" }
                    p.form-error #project-form-error role="alert" {}
                    form #project-form novalidate {
                        (project_fields())
                        (Field::input("reason", "Why the expected completion moves (needed when it does)", "text").maxlength(500))
                        button type="submit" { "Save project" }
                    }
                }
                details open {
                    summary { "Phases" }
                    p.form-error #plan-error role="alert" {}
                    form #plan-form novalidate {
                        p.muted { "Phases run in this order. A sub-phase belongs to the phase above it and runs inside its dates." }
                        ol.phase-rows #phase-rows {}
                        div.actions {
                            button.secondary #add-phase type="button" { "Add a phase" }
                        }
                        (Field::input("plan_reason", "If a phase ends after the expected completion: why the completion moves", "text").maxlength(500))
                        button type="submit" { "Save plan" }
                    }
                }
            }
            template #phase-row {
                li.phase-row {
                    fieldset {
                        legend data-r="legend" { "Phase" }
                        div.grid {
                            label { "Name" input data-r="name" type="text" maxlength="100" required; }
                            label { "Start" input data-r="start" type="date" required; }
                            label { "End" input data-r="end" type="date" required; }
                            label { "Status"
                                select data-r="status" {
                                    @for (value, label) in phase_statuses() { option value=(value) { (label) } }
                                }
                            }
                        }
                        label { input data-r="sub" type="checkbox"; "A sub-phase of the phase above" }
                        small.form-error data-r="error" role="alert" {}
                        div.actions {
                            button.secondary.compact data-r="up" type="button" { "Move up" }
                            button.secondary.compact data-r="down" type="button" { "Move down" }
                            button.secondary.compact data-r="remove" type="button" { "Remove" }
                        }
                    }
                }
            }
        },
    )
}
