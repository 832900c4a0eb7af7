//! Quote pages (docs/quotes.md): the list with its tabs and search, one quote with what its
//! approvers do (approve with their name and the consent sentence, decline with a reason, ask
//! for a renewal, pay the deposit), and the MSP's editor.

use maud::{Markup, html};

use crate::Branding;
use crate::billing_pages::company_picker;
use crate::components::{Chrome, Field, LineEditor, ListTable, page, scroll_region};

/// Who sees quotes: their approvers, and MSP admins.
const QUOTE_VIEWERS: &str = "approve_quotes manage_billing";

pub fn quotes(b: &Branding) -> Markup {
    page(
        b,
        "Quotes",
        Chrome::SignedIn {
            current: "/quotes/",
            requires: Some(QUOTE_VIEWERS),
        },
        "quotes.js",
        html! {
            div.page-head {
                h1 { "Quotes" }
                a #new-quote role="button" href="/quotes/edit/" data-capability="manage_billing" hidden { "New quote" }
            }
            (company_picker())
            p #page-status role="status" {}
            nav.tabs aria-label="Quote tabs" {
                ul {
                    li { a #tab-waiting href="?tab=waiting" aria-current="page" { "Waiting for you" } }
                    li { a #tab-approved href="?tab=approved" { "Approved" } }
                    li { a #tab-declined href="?tab=declined" { "Declined" } }
                    li { a #tab-expired href="?tab=expired" { "Expired" } }
                    li data-capability="manage_billing" hidden { a #tab-draft href="?tab=draft" { "Drafts" } }
                }
            }
            search aria-label="Find a quote" {
                form.search-row #search {
                    label.visually-hidden for="q" { "Quote number" }
                    input #q name="q" type="search" autocomplete="off" placeholder="Quote number, such as Q-0007";
                    button type="submit" { "Find" }
                }
            }
            (ListTable {
                id: "quotes",
                caption: "Quotes",
                columns: &[
                    ("number", "Quote"), ("title", "For"), ("totals", "Totals"),
                    ("valid", "Valid until"), ("status", "Status"),
                ],
            })
        },
    )
}

pub fn quote_view(b: &Branding) -> Markup {
    page(
        b,
        "Quote",
        Chrome::SignedIn {
            current: "/quotes/",
            requires: Some(QUOTE_VIEWERS),
        },
        "quote-view.js",
        html! {
            p.muted { a #back href="/quotes/" { "← All quotes" } }
            p.form-error #load-error role="alert" {}
            p #page-status role="status" {}
            p.notice #superseded hidden {
                "A newer revision replaced this quote. " a #latest href="/quotes/" { "Open the latest revision" }
            }
            article #quote aria-busy="true" {
                header.page-head {
                    h1 #title { "Quote" }
                    span.badge #status-badge {}
                }
                dl.facts {
                    dt { "For" } dd data-q="company_name" {}
                    dt { "Quote" } dd data-q="label" {}
                    dt { "Valid until" } dd data-q="valid_until" {}
                    dt { "Totals" } dd data-q="totals_text" {}
                }
                p.prewrap data-q="introduction" {}
                (scroll_region("lines-caption", html! {
                    table #lines {
                        caption #lines-caption { "What we propose" }
                        thead { tr {
                            th scope="col" { "Description" } th scope="col" { "Charged" }
                            th.num scope="col" { "Quantity" } th.num scope="col" { "Unit price" } th.num scope="col" { "Amount" }
                        } }
                        tbody {}
                        tfoot {}
                    }
                }))
                section #terms-section aria-labelledby="terms-heading" hidden {
                    h2 #terms-heading { "Terms" }
                    p.prewrap data-q="terms" {}
                }
                p { a #pdf role="button" .secondary href="#" { "Download PDF" } }
                section #answer-section aria-labelledby="answer-heading" hidden {
                    h2 #answer-heading {}
                    p.prewrap #answer-text {}
                    ul #outcome {}
                    p #deposit-pay hidden {
                        button #pay-deposit type="button" { "Pay the deposit now" }
                    }
                    p.form-error #deposit-error role="alert" {}
                }
            }
            section #approve-section aria-labelledby="approve-heading" hidden {
                h2 #approve-heading { "Approve this quote" }
                p #on-approval hidden {}
                form #approve-form novalidate {
                    (Field::input("name", "Your full name, as your signature", "text").autocomplete("name").maxlength(200).required())
                    fieldset {
                        label for="consent" {
                            input #consent name="consent" type="checkbox" aria-describedby="consent-error";
                            span #consent-text {}
                        }
                        small.field-error #consent-error {}
                    }
                    p.form-error #approve-error role="alert" {}
                    div.actions {
                        button #approve type="submit" { "Approve" }
                        button.secondary #open-decline type="button" { "Decline…" }
                    }
                }
            }
            section #renew-section aria-labelledby="renew-heading" hidden {
                h2 #renew-heading { "This quote has expired" }
                p { "Its prices may have changed. Ask us to renew it: we will send you a new revision." }
                p.form-error #renew-error role="alert" {}
                p #renewed hidden {}
                button #renew type="button" { "Ask for a renewal" }
            }
            section #staff-section aria-labelledby="staff-heading" hidden {
                h2 #staff-heading { "Manage this quote" }
                p.form-error #staff-error role="alert" {}
                div.actions {
                    a #edit role="button" href="/quotes/edit/" hidden { "Edit" }
                    button #send type="button" hidden { "Send to the approvers" }
                    button.secondary #delete type="button" hidden { "Delete draft" }
                }
            }
            dialog #decline-dialog aria-labelledby="decline-title" {
                article {
                    h2 #decline-title { "Decline this quote" }
                    p.form-error #decline-form-error role="alert" {}
                    form #decline-form novalidate {
                        (Field::textarea("reason", "Why? (we read it, to offer something better)", 3).maxlength(5000).required())
                        footer {
                            button.secondary #decline-cancel type="button" { "Cancel" }
                            button #decline type="submit" { "Decline quote" }
                        }
                    }
                }
            }
        },
    )
}

pub fn quote_edit(b: &Branding) -> Markup {
    page(
        b,
        "Quote editor",
        Chrome::SignedIn {
            current: "/quotes/",
            requires: Some("manage_billing"),
        },
        "quote-edit.js",
        html! {
            p.muted { a #back href="/quotes/?tab=draft" { "← Draft quotes" } }
            h1 #heading { "New quote" }
            p.notice #revising hidden {}
            p.form-error #form-error role="alert" {}
            form #quote-form novalidate aria-busy="true" {
                div.grid {
                    div { (Field::select("company_id", "Client company", &[("", "Choose…")]).required()) }
                    div { (Field::input("valid_until", "Valid until", "date").required()) }
                    div { (Field::input("tax_rate_bp", "Tax rate (%)", "text").inputmode("decimal").autocomplete("off")) }
                }
                (Field::input("title", "Title", "text").maxlength(200).autocomplete("off").required())
                (Field::textarea("introduction", "Introduction (what and why)", 3).maxlength(5000))
                (LineEditor { caption: "Quote lines", recurrence: true })
                dl.facts #totals aria-live="polite" {}
                (Field::textarea("terms", "Terms", 3).maxlength(5000))
                fieldset {
                    legend { "When it is approved" }
                    (Field::select("ticket_request_type", "Raise a ticket for the work", &[("", "No ticket")]))
                    label for="create_project" {
                        input #create_project name="create_project" type="checkbox";
                        "Create a project from it"
                    }
                    div.grid {
                        div { (Field::select("deposit_kind", "Deposit invoice", &[("", "No deposit"), ("percent", "A share of the one-off total (%)"), ("amount", "An amount")])) }
                        div { (Field::input("deposit_value", "Deposit", "text").inputmode("decimal").autocomplete("off")) }
                    }
                }
                div.actions {
                    button #save type="submit" { "Save draft" }
                    button.secondary #save-send type="button" { "Save and send" }
                }
            }
        },
    )
}
