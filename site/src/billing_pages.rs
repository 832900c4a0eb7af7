//! Billing pages: invoices (list, detail, the MSP's editor), payments and receipts, credit notes
//! and store credit, payment methods with autopay, and the MSP's receivables.

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, LineEditor, ListTable, page, scroll_region};

/// The links between the billing pages, on each of them.
struct BillingNav(&'static str);

impl maud::Render for BillingNav {
    fn render(&self) -> Markup {
        let links = [
            ("/invoices/", "Invoices"),
            ("/payments/", "Payment history"),
            ("/credit-notes/", "Credit notes"),
            ("/payment-methods/", "Payment methods"),
        ];
        html! {
            nav.subnav aria-label="Billing" {
                ul {
                    @for (href, label) in links {
                        li { a href=(href) data-keep-company aria-current=[(href == self.0).then_some("page")] { (label) } }
                    }
                }
            }
        }
    }
}

/// The line shown when Stripe is not configured.
fn online_off() -> Markup {
    html! {
        p.notice #online-off hidden {
            "Online payment is not set up on this portal. Pay by bank transfer or cheque as your invoice says, or ask us."
        }
    }
}

/// How to pay: a saved card or bank account (charged at once), or Stripe's page. Filled from the
/// company's saved methods; hidden when there are none (Stripe's page it is).
fn pay_with() -> Markup {
    html! {
        fieldset #pay-with hidden {
            legend { "Pay with" }
            div #pay-with-options {}
        }
    }
}

/// MSP staff pick the client company on pages about one company.
pub(crate) fn company_picker() -> Markup {
    html! {
        form.search-row #company-picker hidden {
            label.visually-hidden for="company" { "Client company" }
            select #company name="company" { option value="" { "Choose a client company…" } }
            button type="submit" { "Show" }
        }
    }
}

pub fn invoices(b: &Branding) -> Markup {
    page(
        b,
        "Invoices",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("view_invoices"),
        },
        "invoices.js",
        html! {
            div.page-head {
                h1 { "Invoices" }
                a role="button" href="/invoices/edit/" data-capability="manage_billing" hidden { "New invoice" }
            }
            (BillingNav("/invoices/"))
            p #page-status role="status" {}
            (online_off())
            nav.tabs aria-label="Invoice tabs" {
                ul {
                    li { a #tab-open href="?tab=open" aria-current="page" { "Outstanding" } }
                    li { a #tab-closed href="?tab=closed" { "Paid" } }
                    li data-capability="manage_billing" hidden { a #tab-draft href="?tab=draft" { "Drafts" } }
                }
            }
            search aria-label="Find invoices" {
                form #filters {
                    div.filter-grid {
                        div {
                            label for="q" { "Invoice number" }
                            input #q name="q" type="search" autocomplete="off" aria-describedby="q-hint";
                            small #q-hint { "For example INV-0007" }
                        }
                        div #company-filter hidden {
                            label for="company" { "Company" }
                            select #company name="company" { option value="" { "All companies" } }
                        }
                    }
                    div.actions {
                        button type="submit" { "Search" }
                        a.secondary role="button" #clear href="?" { "Clear" }
                        a.secondary role="button" #export href="/api/invoices/export" download { "Export CSV" }
                    }
                }
            }
            form #pay-form novalidate {
                (ListTable {
                    id: "invoices",
                    caption: "Outstanding invoices",
                    columns: &[
                        ("pick", "Pay"), ("number", "Number"), ("company", "Company"), ("issued", "Issued"),
                        ("due", "Due"), ("paid_on", "Paid on"), ("total", "Total"), ("balance", "Balance"), ("status", "Status"),
                        ("amount", "Amount to pay"),
                    ],
                })
                div #pay-bar hidden {
                    p #pay-summary aria-live="polite" { "Choose the invoices to pay." }
                    (pay_with())
                    p.form-error #pay-error role="alert" {}
                    button #pay type="submit" disabled { "Pay selected invoices" }
                    p.muted { "A saved method is charged at once; a new one is entered on Stripe's secure page. We never see your card number. An invoice shows as paid once Stripe confirms the payment." }
                }
            }
        },
    )
}

pub fn invoice_view(b: &Branding) -> Markup {
    page(
        b,
        "Invoice",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("view_invoices"),
        },
        "invoice-view.js",
        html! {
            p.muted { a #back href="/invoices/" { "← All invoices" } }
            p.form-error #load-error role="alert" {}
            p #page-status role="status" {}
            article #invoice aria-busy="true" {
                header.page-head {
                    h1 #title { "Invoice" }
                    span.badge #status-badge {}
                }
                dl.facts {
                    dt { "Billed to" } dd data-i="company_name" {}
                    dt { "Issued" } dd data-i="issue_date" {}
                    dt { "Due" } dd data-i="due_date" {}
                    dt { "Total" } dd data-i="total" {}
                    dt { "Balance" } dd data-i="balance" {}
                }
                (scroll_region("lines-caption", html! {
                    table #lines {
                        caption #lines-caption { "Invoice lines" }
                        thead { tr {
                            th scope="col" { "Description" } th.num scope="col" { "Quantity" }
                            th.num scope="col" { "Unit price" } th.num scope="col" { "Amount" }
                        } }
                        tbody {}
                        tfoot {
                            tr { th scope="row" colspan="3" { "Subtotal" } td.num data-i="subtotal" {} }
                            tr { th scope="row" colspan="3" #tax-label { "Tax" } td.num data-i="tax" {} }
                            tr { th scope="row" colspan="3" { "Total" } td.num data-i="total" {} }
                            tr { th scope="row" colspan="3" { "Paid" } td.num data-i="paid" {} }
                            tr { th scope="row" colspan="3" { "Balance due" } td.num data-i="balance" {} }
                        }
                    }
                }))
                p.prewrap data-i="notes" {}
                p #tickets-line hidden { "Bills tickets: " span #tickets {} }
                p { a #pdf role="button" .secondary href="#" { "Download PDF" } }
                section #payments-section aria-labelledby="payments-heading" hidden {
                    h2 #payments-heading { "Payments" }
                    (scroll_region("payments-caption", html! {
                        table #payments {
                            caption.visually-hidden #payments-caption { "Payments on this invoice, oldest first" }
                            thead { tr {
                                th scope="col" { "Date" } th scope="col" { "Method" }
                                th.num scope="col" { "Amount" } th scope="col" { "Receipt" }
                            } }
                            tbody {}
                        }
                    }))
                }
            }
            (online_off())
            section #pay-section aria-labelledby="pay-heading" hidden {
                h2 #pay-heading { "Pay this invoice" }
                form #pay-form novalidate {
                    (Field::input("amount", "Amount", "text").inputmode("decimal").autocomplete("off").required().help("The balance, or less to pay part of it."))
                    (pay_with())
                    p.form-error #pay-error role="alert" {}
                    button #pay type="submit" { "Pay with Stripe" }
                }
            }
            section #credit-section aria-labelledby="credit-heading" hidden {
                h2 #credit-heading { "Pay with store credit" }
                p #credit-available {}
                form #credit-form novalidate {
                    (Field::input("credit_amount", "Amount of credit to apply", "text").inputmode("decimal").autocomplete("off").required())
                    p.form-error #credit-error role="alert" {}
                    button.secondary #apply-credit type="submit" { "Pay with store credit" }
                }
            }
            section #staff-section aria-labelledby="staff-heading" hidden {
                h2 #staff-heading { "Manage this invoice" }
                p.form-error #staff-error role="alert" {}
                div.actions #draft-actions hidden {
                    a #edit role="button" href="/invoices/edit/" { "Edit draft" }
                    button #issue type="button" { "Issue invoice" }
                    button.secondary #delete type="button" { "Delete draft" }
                }
                div.actions #void-actions hidden {
                    button.secondary #void type="button" { "Void invoice" }
                }
                form #record-form novalidate hidden {
                    h3 { "Record a payment received" }
                    div.grid {
                        div { (Field::input("record_amount", "Amount received", "text").autocomplete("off").required()) }
                        div { (Field::select("method", "Method", &[("bank_transfer", "Bank transfer"), ("cheque", "Cheque"), ("cash", "Cash"), ("other", "Other")])) }
                        div { (Field::input("reference", "Reference (optional)", "text").autocomplete("off")) }
                    }
                    button type="submit" { "Record payment" }
                }
            }
        },
    )
}

pub fn invoice_edit(b: &Branding) -> Markup {
    page(
        b,
        "Invoice editor",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("manage_billing"),
        },
        "invoice-edit.js",
        html! {
            p.muted { a href="/invoices/?tab=draft" { "← Draft invoices" } }
            h1 #title { "New invoice" }
            p.form-error #form-error role="alert" {}
            form #invoice-form novalidate aria-busy="true" {
                div.grid {
                    div {
                        (Field::select("company_id", "Client company", &[("", "Choose…")]).required())
                    }
                    div { (Field::input("currency", "Currency", "text").autocomplete("off")) }
                    div { (Field::input("tax_rate_bp", "Tax rate (%)", "text").autocomplete("off")) }
                }
                fieldset #unbilled hidden {
                    legend { "Unbilled time" }
                    p #unbilled-summary aria-live="polite" {}
                    div #unbilled-lines hidden {
                        (scroll_region("unbilled-caption", html! {
                            table #unbilled-table {
                                caption.visually-hidden #unbilled-caption { "What a draft from this time holds" }
                                thead { tr {
                                    th scope="col" { "Description" } th.num scope="col" { "Hours" }
                                    th.num scope="col" { "Rate" } th.num scope="col" { "Amount" }
                                } }
                                tbody {}
                            }
                        }))
                    }
                    div #unbilled-rate-row hidden {
                        (Field::input("unbilled_rate", "Rate per hour for time with no agreement", "text").inputmode("decimal").autocomplete("off"))
                    }
                    p.form-error #unbilled-error role="alert" {}
                    div.actions {
                        button.secondary #from-time type="button" hidden { "Draft from this time" }
                        button.secondary #unbilled-refresh type="button" hidden { "Apply the rate" }
                    }
                }
                div.grid {
                    div { (Field::input("issue_date", "Issue date (default: the day it is issued)", "date").autocomplete("off")) }
                    div { (Field::input("due_date", "Due date (default: the company's payment terms)", "date").autocomplete("off")) }
                }
                (LineEditor { caption: "Invoice lines", recurrence: false })
                dl.facts #totals {
                    dt { "Subtotal" } dd #subtotal {}
                    dt { "Tax" } dd #tax {}
                    dt { "Total" } dd #total {}
                }
                (Field::textarea("notes", "Notes (printed on the invoice)", 3).maxlength(2000))
                (Field::input("tickets", "Tickets it bills (numbers, separated by commas)", "text").autocomplete("off"))
                div.actions {
                    button #save type="submit" { "Save draft" }
                    button.secondary #save-issue type="button" { "Save and issue" }
                }
            }
        },
    )
}

pub fn credit_notes(b: &Branding) -> Markup {
    page(
        b,
        "Credit notes",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("view_invoices"),
        },
        "credit-notes.js",
        html! {
            header.page-head {
                h1 { "Credit notes" }
                button #new-credit type="button" hidden { "New credit note" }
            }
            (BillingNav("/credit-notes/"))
            (company_picker())
            p #page-status role="status" {}
            section #credit-summary aria-labelledby="credit-heading" hidden {
                h2 #credit-heading { "Store credit" }
                p.stat #credit-balance { "–" }
                p.muted { "Store credit pays invoices: open an outstanding invoice and choose Pay with store credit." }
            }
            (ListTable {
                id: "credit-notes",
                caption: "Credit notes, newest first",
                columns: &[
                    ("number", "Number"), ("date", "Date"), ("amount", "Amount"), ("reason", "Reason"),
                    ("invoice", "Invoice"), ("pdf", "PDF"),
                ],
            })
            dialog #credit-dialog aria-labelledby="credit-title" {
                article {
                    h2 #credit-title { "New credit note" }
                    p.form-error #credit-form-error role="alert" {}
                    form #credit-form novalidate {
                        (Field::input("amount", "Amount", "text").inputmode("decimal").autocomplete("off").required())
                        (Field::input("reason", "Reason (printed on the credit note)", "text").maxlength(500).required())
                        (Field::input("invoice", "Invoice it is about (optional)", "text").autocomplete("off").help("Its number, such as INV-0007."))
                        footer {
                            button.secondary #credit-cancel type="button" { "Cancel" }
                            button #credit-save type="submit" { "Issue credit note" }
                        }
                    }
                }
            }
        },
    )
}

pub fn payments(b: &Branding) -> Markup {
    page(
        b,
        "Payment history",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("view_invoices"),
        },
        "payments.js",
        html! {
            h1 { "Payment history" }
            (BillingNav("/payments/"))
            (company_picker())
            (ListTable {
                id: "payments",
                caption: "Payments, newest first",
                columns: &[
                    ("date", "Date"), ("amount", "Amount"), ("method", "Method"), ("invoices", "Invoices paid"),
                    ("status", "Status"), ("receipt", "Receipt"),
                ],
            })
        },
    )
}

pub fn receipt(b: &Branding) -> Markup {
    page(
        b,
        "Receipt",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("view_invoices"),
        },
        "receipt.js",
        html! {
            p.muted.no-print { a #back href="/payments/" { "← Payment history" } }
            p.form-error #load-error role="alert" {}
            p.notice #pending hidden role="status" {}
            article #receipt aria-busy="true" {
                header.page-head {
                    h1 #title { "Receipt" }
                    button.secondary.print-button #print type="button" { "Print" }
                }
                p.muted { (b.name) " · " (b.support.email) }
                dl.facts {
                    dt { "Status" } dd data-r="status" {}
                    dt { "Paid on" } dd data-r="paid_at" {}
                    dt { "Amount" } dd data-r="amount" {}
                    dt { "Method" } dd data-r="method" {}
                    dt { "Paid by" } dd data-r="created_by_name" {}
                    dt { "Reference" } dd data-r="id" {}
                }
                table #allocations {
                    caption { "Invoices this payment paid" }
                    thead { tr { th scope="col" { "Invoice" } th.num scope="col" { "Amount applied" } } }
                    tbody {}
                }
                p #unapplied hidden {}
            }
        },
    )
}

pub fn payment_methods(b: &Branding) -> Markup {
    page(
        b,
        "Payment methods",
        Chrome::SignedIn {
            current: "/invoices/",
            requires: Some("view_invoices"),
        },
        "payment-methods.js",
        html! {
            h1 { "Payment methods" }
            (BillingNav("/payment-methods/"))
            (company_picker())
            p #page-status role="status" {}
            p.form-error #page-error role="alert" {}
            (online_off())
            p.muted { "Cards and bank accounts are kept by Stripe, our payment processor: this portal never sees or stores their numbers." }
            p #add-row hidden { button #add-method type="button" { "Add a card or bank account" } }
            (scroll_region("methods-caption", html! {
                table #methods aria-busy="true" {
                    caption #methods-caption { "Saved payment methods" }
                    thead { tr {
                        th scope="col" { "Method" } th scope="col" { "Nickname" } th scope="col" { "Expires" }
                        th scope="col" { "Default" } th scope="col" { "Actions" }
                    } }
                    tbody {}
                }
            }))
            section #autopay-section aria-labelledby="autopay-heading" {
                h2 #autopay-heading { "Autopay" }
                p #autopay-state {}
                form #autopay-form novalidate hidden {
                    p #autopay-terms {}
                    label {
                        input #consent name="consent" type="checkbox" aria-describedby="consent-error";
                        "I agree to these terms on behalf of my company"
                    }
                    small.field-error #consent-error {}
                    button #autopay-on type="submit" { "Turn on autopay" }
                    p.form-error #autopay-error role="alert" {}
                }
                button.secondary #autopay-off type="button" hidden { "Turn off autopay" }
            }
            dialog #nickname-dialog aria-labelledby="nickname-title" {
                article {
                    header { h2 #nickname-title { "Nickname" } }
                    form #nickname-form novalidate {
                        (Field::input("nickname", "Nickname (up to 40 characters)", "text").autocomplete("off"))
                        p.form-error #nickname-form-error role="alert" {}
                        button type="submit" { "Save" }
                    }
                    footer { button.secondary #nickname-close type="button" { "Cancel" } }
                }
            }
        },
    )
}

pub fn receivables(b: &Branding) -> Markup {
    page(
        b,
        "Receivables",
        Chrome::SignedIn {
            current: "/billing/",
            requires: Some("manage_billing"),
        },
        "receivables.js",
        html! {
            div.page-head {
                h1 { "Receivables" }
                a role="button" href="/invoices/edit/" { "New invoice" }
            }
            p.form-error #load-error role="alert" {}
            (scroll_region("balances-caption", html! {
                table #balances aria-busy="true" {
                    caption #balances-caption { "Outstanding balance by company, most overdue first" }
                    thead { tr {
                        th scope="col" { "Company" } th.num scope="col" { "Outstanding" } th.num scope="col" { "Overdue" }
                        th.num scope="col" { "Open invoices" } th scope="col" { "Oldest due" }
                    } }
                    tbody {}
                }
            }))
            (scroll_region("overdue-caption", html! {
                table #overdue aria-busy="true" {
                    caption #overdue-caption { "Overdue invoices" }
                    thead { tr {
                        th scope="col" { "Invoice" } th scope="col" { "Company" } th scope="col" { "Due" }
                        th.num scope="col" { "Balance" }
                    } }
                    tbody {}
                }
            }))
        },
    )
}
