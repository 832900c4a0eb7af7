//! The ticket pages: the list, the new-ticket form, the ticket page (with its approval section).
//! The MSP's ticket settings are in `ticket_settings_page`.

use maud::{Markup, html};

use crate::components::{Chrome, Field, ListTable, TICKET_VIEWERS, page};
use crate::{Branding, agreement_pages};
use portal::domain::labels::{Labelled, table};
use portal::domain::tickets::{Priority, TicketStatus};

/// The statuses a ticket can have, as the API names them, with their labels.
fn ticket_statuses() -> Vec<(String, &'static str)> {
    table(<TicketStatus as Labelled>::ALL)
}

/// The statuses someone may set by hand: waiting for approval is set only by asking for it.
pub(crate) fn settable_statuses() -> Vec<(String, &'static str)> {
    let asked = portal::domain::labels::wire(TicketStatus::WaitingForApproval);
    ticket_statuses()
        .into_iter()
        .filter(|(wire, _)| *wire != asked)
        .collect()
}

pub(crate) fn priorities() -> Vec<(String, &'static str)> {
    table(<Priority as Labelled>::ALL)
}

/// A labelled `<select>` with a first "any" option and an error slot.
fn select<V: AsRef<str>>(name: &str, label: &str, any: &str, options: &[(V, &str)]) -> Markup {
    html! {
        div {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { (any) }
                @for (value, text) in options { option value=(value.as_ref()) { (text) } }
            }
        }
    }
}

pub fn tickets(b: &Branding) -> Markup {
    page(
        b,
        "Tickets",
        Chrome::SignedIn {
            current: "/tickets/",
            requires: Some(TICKET_VIEWERS),
        },
        "tickets.js",
        html! {
            div.page-head {
                h1 { "Tickets" }
                a role="button" href="/tickets/new/" data-capability="submit_ticket" hidden { "New ticket" }
            }
            nav.tabs aria-label="Ticket tabs" {
                ul {
                    li { a #tab-open href="?tab=open" aria-current="page" { "Open" } }
                    li { a #tab-closed href="?tab=closed" { "Closed" } }
                }
            }
            search aria-label="Search and filter tickets" {
                form #filters {
                    // Kept from the address (a project's page links to its tickets).
                    input #project-filter type="hidden" name="project";
                    div.filter-grid {
                        label for="q" { "Search"
                            input #q name="q" type="search" placeholder="Ticket number or words of the summary or description";
                        }
                        (select("status", "Status", "Any status", &ticket_statuses()))
                        (select("priority", "Priority", "Any priority", &priorities()))
                        div #contact-filter hidden { (select::<&str>("contact", "Contact", "Anyone", &[])) }
                        div #company-filter hidden { (select::<&str>("company", "Company", "All companies", &[])) }
                        div #assignee-filter hidden { (select("assignee", "Technician", "Anyone", &[("none", "Unassigned")])) }
                        (select("sort", "Sort by", "Number (submitted)", &[
                            ("updated", "Last updated"), ("priority", "Priority"), ("status", "Status"),
                            ("due", "Due date"), ("contact", "Contact"),
                        ]))
                        (select("order", "Order", "Descending (newest, most urgent first)", &[("asc", "Ascending")]))
                    }
                    div.actions {
                        button type="submit" { "Apply" }
                        a.secondary role="button" #clear-filters href="?" { "Clear" }
                        a.secondary role="button" #export href="/api/tickets/export" download { "Export CSV" }
                    }
                }
            }
            fieldset.view-toggle #view-toggle {
                legend { "View" }
                label { input type="radio" name="view" value="list"; " List" }
                label { input type="radio" name="view" value="summary"; " Summary: each ticket's latest reply" }
            }
            (ListTable {
                id: "tickets",
                caption: "Open tickets",
                columns: &[
                    ("number", "Number"), ("summary", "Summary"), ("company", "Company"), ("status", "Status"),
                    ("priority", "Priority"), ("contact", "Contact"), ("technician", "Technician"),
                    ("created", "Submitted"), ("updated", "Last updated"),
                ],
            })
        },
    )
}

pub fn new_ticket(b: &Branding) -> Markup {
    page(
        b,
        "New ticket",
        Chrome::SignedIn {
            current: "/tickets/",
            requires: Some("submit_ticket"),
        },
        "ticket-new.js",
        html! {
            h1 { "New ticket" }
            p.form-error #form-error role="alert" {}
            p #form-status role="status" {}
            form #ticket-form novalidate aria-busy="true" {
                div #company-field hidden {
                    (Field::select("company_id", "Client company", &[("", "Choose…")]))
                }
                div #contact-field hidden {
                    (Field::select::<&str, &str>("contact_id", "Contact", &[]))
                }
                (Field::select::<&str, &str>("request_type", "Request type", &[]).required())
                fieldset #configuration-field hidden {
                    legend { "About a configuration (optional)" }
                    label for="configuration-search" { "Find a configuration by the start of its name"
                        input #configuration-search type="search" maxlength="100" aria-controls="configuration_id";
                    }
                    (Field::select("configuration_id", "Configuration", &[("", "None")]))
                }
                (Field::input("summary", "Summary", "text").maxlength(200).required())
                // Articles that may answer it, as the summary is typed (js/ticket-new.js).
                section.kb-suggestions #kb-suggestions aria-labelledby="kb-suggestions-heading" hidden {
                    h2 #kb-suggestions-heading { "These articles may answer it" }
                    div #kb-suggestion-list aria-live="polite" {}
                }
                (Field::textarea("description", "Description", 6).maxlength(10_000).required().help("What happened, what you expected, and anything you already tried."))
                div.grid {
                    div { (Field::select("priority", "Priority", &priorities()).selected("medium")) }
                    div {
                        (Field::input("due_date", "Due date (optional)", "date"))
                    }
                    div {
                        (Field::input("po_number", "PO number (optional)", "text").maxlength(50))
                    }
                }
                label {
                    input #emergency name="emergency" type="checkbox";
                    "This is an emergency: work is stopped for someone"
                }
                (FileDrop { id: "files", label: "Attachments (optional)" })
                button type="submit" { "Submit ticket" }
            }
        },
    )
}

/// A file picker that also takes dropped and pasted files, with the list of files chosen.
struct FileDrop {
    id: &'static str,
    label: &'static str,
}

impl maud::Render for FileDrop {
    fn render(&self) -> Markup {
        html! {
            // The browser's own file input says "No file chosen" beside files that were chosen
            // (the list below keeps them, not the input): it is hidden, and a button-styled label
            // opens it; the keyboard still reaches the input itself.
            div.drop-zone id={ (self.id) "-zone" } {
                p.drop-label id={ (self.id) "-label" } { (self.label) }
                input.file-input id=(self.id) type="file" multiple
                    aria-labelledby={ (self.id) "-label" } aria-describedby={ (self.id) "-help" };
                label.file-button.secondary for=(self.id) aria-hidden="true" { "Choose files" }
                small id={ (self.id) "-help" } { "Choose files, drop them here, or paste a screenshot." }
                ul.file-list id={ (self.id) "-list" } aria-live="polite" {}
            }
        }
    }
}

/// What fixed the ticket, above the conversation; and its sign-off: the way to sign it for the
/// client, or who signed it and the signed form.
fn resolution_section() -> Markup {
    html! {
        section #resolution-section aria-labelledby="resolution-heading" hidden {
            h2 #resolution-heading { "Resolution" }
            p.prewrap #resolution-text {}
            p.muted #resolution-by {}
            p #signoff-text {}
            p.no-print {
                a #signoff-link role="button" hidden { "Review and sign off" }
                " "
                a.secondary #signoff-pdf role="button" hidden { "Download the signed sign-off (PDF)" }
            }
        }
    }
}

/// "How did we do?": the contact rates a resolved ticket; everyone else reads the rating.
fn rating_section() -> Markup {
    html! {
        section #rating aria-labelledby="rating-heading" hidden {
            h2 #rating-heading { "How did we do?" }
            p #rating-text {}
            form.no-print #rating-form novalidate hidden {
                fieldset {
                    legend { "Your rating of the work on this ticket" }
                    label { input type="radio" name="good" value="true" required; " Good" }
                    label { input type="radio" name="good" value="false"; " Bad" }
                    small.field-error #good-error {}
                }
                (Field::textarea("rating-comment", "Comment (optional)", 2).maxlength(2_000))
                p.form-error #rating-error role="alert" {}
                button type="submit" { "Send the rating" }
            }
        }
    }
}

/// Who else hears of the ticket's updates: its watchers, whom those who may add notes add and
/// remove, and who can leave.
fn watchers_section() -> Markup {
    html! {
        section.no-print #watchers aria-labelledby="watchers-heading" hidden {
            h2 #watchers-heading { "Watchers" }
            p.muted { "Colleagues emailed when the ticket gets a reply or changes status." }
            ul.tasks #watcher-list {}
            p.form-error #watchers-error role="alert" {}
            form #watcher-form novalidate hidden {
                (Field::select::<&str, &str>("watcher", "Add a colleague", &[]))
                button type="submit" { "Add watcher" }
            }
        }
    }
}

/// The ticket's checklist: clients read it; MSP staff tick, add and remove.
fn tasks_section() -> Markup {
    html! {
        section #tasks aria-labelledby="tasks-heading" hidden {
            h2 #tasks-heading { "Tasks" }
            ul.tasks #task-list {}
            p.form-error #task-error role="alert" {}
            form.no-print #task-form novalidate hidden {
                (Field::input("task-text", "New task", "text").maxlength(200).required())
                button type="submit" { "Add task" }
            }
        }
    }
}

/// A ticket's request for approval: what the technician asked, how it was answered, and for its
/// approvers the answer form; for MSP staff, asking.
fn approval_section() -> Markup {
    html! {
        section #approval aria-labelledby="approval-heading" hidden {
            h2 #approval-heading { "Approval" }
            p.prewrap #approval-text {}
            p #approval-answer {}
            form #approval-form novalidate hidden {
                (Field::textarea("comment", "Comment (required to reject)", 2).maxlength(2000))
                p.form-error #approval-error role="alert" {}
                div.actions {
                    button #approve-work type="submit" value="approve" { "Approve" }
                    button.secondary #reject-work type="submit" value="reject" { "Reject" }
                }
            }
        }
        section.no-print #ask-approval aria-labelledby="ask-heading" hidden {
            h2 #ask-heading { "Ask the client for approval" }
            form #ask-form novalidate {
                (Field::textarea("message", "What needs approving and why (the client's approvers read it)", 3).maxlength(2000).required())
                p.form-error #ask-error role="alert" {}
                button type="submit" { "Ask for approval" }
            }
        }
    }
}

/// The client's sign-off of a resolved ticket: what was done, the resolution and the time, the
/// form as a PDF, and signing with a typed name and the consent sentence.
pub fn ticket_signoff(b: &Branding) -> Markup {
    page(
        b,
        "Sign off a ticket",
        Chrome::SignedIn {
            current: "/tickets/",
            requires: Some(TICKET_VIEWERS),
        },
        "ticket-signoff.js",
        html! {
            p.form-error #load-error role="alert" {}
            article #signoff aria-busy="true" {
                p.muted { a #back href="/tickets/" { "← The ticket" } }
                h1 #title { "Sign off" }
                p { "Check what was done. Signing off confirms the work is complete; it closes the ticket, and the signed form is kept for both of us." }
                dl.facts {
                    dt { "Summary" } dd data-s="summary" {}
                    dt { "Technician" } dd data-s="technician" {}
                    dt { "Submitted" } dd data-s="created" {}
                    dt { "Resolved" } dd data-s="resolved" {}
                    dt { "Time spent" } dd data-s="time" {}
                }
                h2 { "Resolution" }
                p.prewrap data-s="resolution" {}
                section #signoff-tasks aria-labelledby="signoff-tasks-heading" hidden {
                    h2 #signoff-tasks-heading { "Tasks" }
                    ul.tasks #signoff-task-list {}
                }
                p { a.secondary #form-pdf role="button" href="#" { "Download the form (PDF)" } }
                section #sign-section aria-labelledby="sign-heading" hidden {
                    h2 #sign-heading { "Sign off" }
                    form #sign-form novalidate {
                        (Field::input("name", "Your full name, as your signature", "text").autocomplete("name").maxlength(100).required())
                        fieldset {
                            label for="consent" {
                                input #consent name="consent" type="checkbox" aria-describedby="consent-error";
                                span #consent-text {}
                            }
                            small.field-error #consent-error {}
                        }
                        p.form-error #sign-error role="alert" {}
                        button #sign type="submit" { "Sign off" }
                    }
                }
                section #signed aria-labelledby="signed-heading" hidden {
                    h2 #signed-heading { "Signed off" }
                    p.prewrap #signed-text role="status" {}
                    p { a #signed-pdf role="button" href="#" { "Download the signed sign-off (PDF)" } }
                }
                p #not-signable hidden {}
            }
        },
    )
}

pub fn ticket_view(b: &Branding) -> Markup {
    page(
        b,
        "Ticket",
        Chrome::SignedIn {
            current: "/tickets/",
            requires: Some(TICKET_VIEWERS),
        },
        "ticket-view.js",
        html! {
            p.form-error #load-error role="alert" {}
            p #created-status role="status" {}
            section #not-found hidden aria-labelledby="not-found-heading" {
                h1 #not-found-heading { "This ticket doesn't exist or isn't yours" }
                p { "Check the number, or ask the colleague who raised it. Tickets of other people are visible to your company's Full Admins and Ticket Managers." }
                p { a href="/tickets/" { "All your tickets" } " · " a href="/" { "Home" } }
            }
            article #ticket aria-busy="true" {
                header {
                    p.muted.no-print { a href="/tickets/" { "← All tickets" } }
                    h1 #title { "Ticket" }
                    p { span.badge #status-badge {} " " span.badge.emergency #emergency-badge hidden { "Emergency" } }
                    div.print-button.no-print {
                        button.secondary #print type="button" { "Print" }
                        " "
                        a.secondary #pdf role="button" href="#" { "Download PDF" }
                    }
                }
                dl.facts {
                    dt { "Company" } dd data-t="company" {}
                    dt { "Status" } dd data-t="status" {}
                    dt { "Priority" } dd data-t="priority" {}
                    dt { "Request type" } dd data-t="request_type" {}
                    dt { "Contact" } dd data-t="contact_name" {}
                    dt { "Technician" } dd data-t="assignee_name" {}
                    dt { "Submitted" } dd data-t="created_at" {}
                    dt { "Last updated" } dd data-t="updated_at" {}
                    dt { "Closed" } dd data-t="closed_at" {}
                    dt { "Due date" } dd data-t="due_date" {}
                    div.fact #response-fact hidden { dt { "First response" } dd data-t="response_target" {} }
                    div.fact #resolution-fact hidden { dt { "Resolution target" } dd data-t="resolution_target" {} }
                    dt { "PO number" } dd data-t="po_number" {}
                    div.fact #project-fact hidden { dt { "Project" } dd data-t="project" {} }
                    div.fact #configuration-fact hidden { dt { "Configuration" } dd data-t="configuration" {} }
                    div.fact #invoices-fact hidden { dt { "Invoiced" } dd data-t="invoices" {} }
                }
                h2 { "Description" }
                p.prewrap data-t="description" {}
                (resolution_section())
                (rating_section())
                (tasks_section())
                (watchers_section())
                (approval_section())
                section aria-labelledby="files-heading" {
                    h2 #files-heading { "Attachments" }
                    ul #attachments {}
                }
                section aria-labelledby="conversation-heading" {
                    h2 #conversation-heading { "Conversation" }
                    ol.conversation #conversation {}
                }
                (agreement_pages::time_section())
            }
            template #note-item {
                li {
                    article.note {
                        header { strong data-n="author" {} " " span.badge data-n="kind" {} " " time data-n="time" {} }
                        p.prewrap data-n="text" {}
                    }
                }
            }
            section.no-print #actions aria-labelledby="actions-heading" hidden {
                h2 #actions-heading { "Update this ticket" }
                p.form-error #action-error role="alert" {}
                p #action-status role="status" {}
                div #closed-message hidden {
                    p #closed-text {}
                }
                form #note-form novalidate hidden {
                    label for="note" { "Add a note" }
                    textarea #note name="text" rows="4" maxlength="10000" required aria-describedby="text-error" {}
                    small.field-error #text-error {}
                    (FileDrop { id: "note-files", label: "Attach files (optional)" })
                    label #internal-field hidden {
                        input #internal name="internal" type="checkbox";
                        "Internal note: only MSP staff see it"
                    }
                    label #resolution-field hidden {
                        input #resolution name="resolution" type="checkbox";
                        "This note is the resolution: what fixed it (the client reads it and signs it off)"
                    }
                    button type="submit" { "Add note" }
                }
                div #client-status hidden {
                    p { "Change the status:" }
                    div.status-buttons #status-buttons {}
                }
                // A client's status change says why, in the same request.
                form #status-form novalidate hidden {
                    fieldset {
                        legend #status-legend {}
                        p #status-explain {}
                        (Field::textarea("status-note", "Why (your note goes to the conversation)", 3).maxlength(10_000).required())
                    }
                    div.actions {
                        button #status-submit type="submit" {}
                        button.secondary #status-back type="button" { "Back" }
                    }
                }
                form #staff-form novalidate hidden {
                    div.grid {
                        (select("set-status", "Status", "Keep", &settable_statuses()))
                        (select("set-priority", "Priority", "Keep", &priorities()))
                        (select("set-assignee", "Technician", "Keep", &[("-", "Unassigned")]))
                    }
                    (Field::textarea("change-note", "Public note with the change (optional; resolving needs it unless a resolution is marked, and it becomes the resolution)", 2).maxlength(10_000))
                    button type="submit" { "Save changes" }
                }
            }
        },
    )
}
