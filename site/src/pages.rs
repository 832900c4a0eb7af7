//! Every page of the site. Data comes from `/api` at run time, filled into the prerendered
//! `<template>`s by the page's module with `textContent`.

use maud::{Markup, html};

use crate::components::{Chrome, Field, SupportContact, TICKET_VIEWERS, page};
use crate::{
    Branding, account_pages, agreement_pages, billing_pages, project_pages, quote_pages,
    ticket_pages, ticket_settings_page,
};

pub struct Page {
    pub path: &'static str,
    pub html: Markup,
}

pub fn all(b: &Branding) -> Vec<Page> {
    vec![
        Page {
            path: "/",
            html: home(b),
        },
        Page {
            path: "/login/",
            html: login(b),
        },
        Page {
            path: "/forgot-password/",
            html: account_pages::forgot_password(b),
        },
        Page {
            path: "/reset-password/",
            html: account_pages::reset_password(b),
        },
        Page {
            path: "/confirm-email/",
            html: account_pages::confirm_email(b),
        },
        Page {
            path: "/accept-invite/",
            html: account_pages::accept_invite(b),
        },
        Page {
            path: "/account/",
            html: account_pages::account(b),
        },
        Page {
            path: "/users/",
            html: account_pages::users(b),
        },
        Page {
            path: "/request-access/",
            html: crate::sign_in_pages::request_access(b),
        },
        Page {
            path: "/users/sign-in/",
            html: crate::sign_in_pages::sign_in_settings(b),
        },
        Page {
            path: "/companies/",
            html: account_pages::companies(b),
        },
        Page {
            path: "/audit/",
            html: account_pages::audit(b),
        },
        Page {
            path: "/company/",
            html: account_pages::company_preferences(b),
        },
        Page {
            path: "/configurations/",
            html: crate::configuration_pages::configurations(b),
        },
        Page {
            path: "/configurations/view/",
            html: crate::configuration_pages::configuration_view(b),
        },
        Page {
            path: "/documents/",
            html: crate::document_pages::documents(b),
        },
        Page {
            path: "/kb/",
            html: crate::kb_pages::kb(b),
        },
        Page {
            path: "/kb/article/",
            html: crate::kb_pages::kb_article(b),
        },
        Page {
            path: "/kb/edit/",
            html: crate::kb_pages::kb_edit(b),
        },
        Page {
            path: "/reports/",
            html: crate::report_pages::reports(b),
        },
        Page {
            path: "/settings/tickets/",
            html: ticket_settings_page::ticket_settings(b),
        },
        Page {
            path: "/tickets/",
            html: ticket_pages::tickets(b),
        },
        Page {
            path: "/tickets/new/",
            html: ticket_pages::new_ticket(b),
        },
        Page {
            path: "/tickets/view/",
            html: ticket_pages::ticket_view(b),
        },
        Page {
            path: "/tickets/signoff/",
            html: ticket_pages::ticket_signoff(b),
        },
        Page {
            path: "/projects/",
            html: project_pages::projects(b),
        },
        Page {
            path: "/projects/view/",
            html: project_pages::project_view(b),
        },
        Page {
            path: "/agreements/",
            html: agreement_pages::agreements(b),
        },
        Page {
            path: "/invoices/",
            html: billing_pages::invoices(b),
        },
        Page {
            path: "/invoices/view/",
            html: billing_pages::invoice_view(b),
        },
        Page {
            path: "/invoices/edit/",
            html: billing_pages::invoice_edit(b),
        },
        Page {
            path: "/payments/",
            html: billing_pages::payments(b),
        },
        Page {
            path: "/quotes/",
            html: quote_pages::quotes(b),
        },
        Page {
            path: "/quotes/view/",
            html: quote_pages::quote_view(b),
        },
        Page {
            path: "/quotes/edit/",
            html: quote_pages::quote_edit(b),
        },
        Page {
            path: "/credit-notes/",
            html: billing_pages::credit_notes(b),
        },
        Page {
            path: "/payments/receipt/",
            html: billing_pages::receipt(b),
        },
        Page {
            path: "/payment-methods/",
            html: billing_pages::payment_methods(b),
        },
        Page {
            path: "/billing/",
            html: billing_pages::receivables(b),
        },
        Page {
            path: "/404.html",
            html: not_found(b),
        },
    ]
}

fn login(b: &Branding) -> Markup {
    page(
        b,
        "Sign in",
        Chrome::Public,
        "login.js",
        html! {
            article.auth-card {
                h1 { "Sign in" }
                p #signed-out role="status" {}
                p.muted { "Sign in to raise and follow support requests with " (b.short_name) "." }
                p.form-error #form-error role="alert" {}
                div #sso hidden {
                    a.sso role="button" #sso-microsoft href="/api/auth/sso/microsoft" hidden { "Sign in with Microsoft" }
                    a.sso role="button" #sso-google href="/api/auth/sso/google" hidden { "Sign in with Google" }
                    p.divider { "or with your email and password" }
                }
                p #passkey-way hidden {
                    button.secondary #passkey-sign-in type="button" { "Sign in with a passkey" }
                }
                form #login-form method="post" action="/api/auth/login" novalidate {
                    (Field::input("email", "Email", "email").autocomplete("username").required())
                    (Field::input("password", "Password", "password").autocomplete("current-password").required())
                    label {
                        input #remember name="remember" type="checkbox" aria-describedby="remember-help";
                        "Keep me signed in on this device for 30 days"
                    }
                    small #remember-help { "Otherwise you are signed out when you close the browser or leave the portal unused for an hour. Only tick it on a device no one else uses." }
                    button type="submit" { "Sign in" }
                }
                form #mfa-form novalidate hidden {
                    div #mfa-passkey-way hidden {
                        p { "Use your passkey to finish signing in." }
                        button #mfa-passkey type="button" { "Use a passkey" }
                    }
                    div #mfa-code-way {
                        p { "Enter the six-digit code from your authenticator app, or one of your recovery codes." }
                        (Field::input("code", "Authentication code", "text").autocomplete("one-time-code").inputmode("text").required())
                        button type="submit" { "Verify" }
                    }
                }
                p { a href="/forgot-password/" { "Forgot password?" } " · " a href="/request-access/" { "Need access?" } }
            }
        },
    )
}

fn home(b: &Branding) -> Markup {
    page(
        b,
        "Home",
        Chrome::SignedIn {
            current: "/",
            requires: None,
        },
        "home.js",
        html! {
            h1 #greeting { "Welcome" }
            p.muted #company-line aria-live="polite" {}
            p data-capability="submit_ticket" hidden {
                a role="button" href="/tickets/new/" { "Submit a ticket" }
            }
            section #approvals aria-labelledby="approvals-heading" hidden {
                h2.visually-hidden #approvals-heading { "Waiting for your approval" }
                p.low-alert #quotes-alert hidden { a href="/quotes/" {} }
                p.low-alert #tickets-alert hidden { a href="/tickets/?status=waiting_for_approval" {} }
            }
            section #billing-overview aria-labelledby="billing-heading" hidden {
                h2 #billing-heading { "Your account" }
                div.stat-grid {
                    article { p.stat #bill-outstanding { "–" } p { a href="/invoices/" { "Outstanding balance" } } }
                    article { p.stat #bill-overdue { "–" } p #bill-overdue-label { "Overdue" } }
                    article { p.stat #bill-next { "–" } p #bill-next-label { "Next payment due" } }
                }
                div.stat-grid.second-row {
                    article #bill-hours hidden { p.stat #bill-hours-left { "–" } p { a href="/agreements/" { "Prepaid hours left" } } }
                    article { p.stat #bill-credit { "–" } p { a href="/credit-notes/" { "Store credit" } } }
                }
                p #bill-autopay.muted {}
                p { a role="button" href="/invoices/" { "View and pay invoices" } }
            }
            section #hours-tile aria-labelledby="hours-heading" hidden {
                h2 #hours-heading { "Prepaid hours" }
                p.low-alert #hours-alert hidden {}
                div.stat-grid #hours-list {}
                p { a href="/agreements/" { "Agreements and hours" } }
            }
            section #ticket-stats aria-labelledby="stats-heading" hidden {
                h2 #stats-heading { "Your tickets" }
                div.stat-grid {
                    article { p.stat #stat-open { "–" } p { a href="/tickets/" { "Open tickets" } } }
                    article { p.stat #stat-month { "–" } p { "Raised this month" } }
                    article { p.stat #stat-year { "–" } p { "Raised this year" } }
                }
                p #no-tickets-yet hidden { "No tickets yet. Once tickets are raised, a chart here shows how many each month." }
                figure.chart #chart-figure {
                    figcaption #chart-caption { "Tickets raised per month, last 12 months" }
                    div #chart aria-hidden="true" {}
                    table.visually-hidden #chart-table aria-labelledby="chart-caption" {
                        thead { tr { th scope="col" { "Month" } th scope="col" { "Tickets raised" } } }
                        tbody {}
                    }
                }
            }
            section #project-tile aria-labelledby="projects-heading" data-capability="view_projects" hidden {
                h2 #projects-heading { "View a project" }
                div.stat-grid {
                    article { p.stat #proj-open { "–" } p { a href="/projects/" { "Open projects" } } }
                    article { p.stat.date-stat #proj-next { "–" } p #proj-next-label { "Next milestone" } }
                }
            }
            section #expiring-tile aria-labelledby="expiring-heading" hidden {
                h2 #expiring-heading { "Expiring soon" }
                p.muted #expiring-note {}
                ul #expiring-list {}
                p { a href="/configurations/?sort=expires" { "All configurations by expiry date" } }
            }
            section #latest-tickets aria-labelledby="latest-heading" data-capability=(TICKET_VIEWERS) hidden {
                h2 #latest-heading { "Latest open tickets" }
                ul #latest-list aria-busy="true" {}
                p { a href="/tickets/" { "All tickets" } }
            }
            section #kb-tile aria-labelledby="kb-heading" hidden {
                h2 #kb-heading { "Knowledge base" }
                ul #kb-top {}
                p { a href="/kb/" { "Search the knowledge base" } }
            }
            section.cards aria-label="Shortcuts" {
                article data-capability="manage_users" hidden {
                    h2 { "Portal users" }
                    p { "See who in your company can sign in, and their roles." }
                    a href="/users/" { "Manage users" }
                }
                article data-capability="all_companies" hidden {
                    h2 { "Client companies" }
                    p { "Every company you support." }
                    a href="/companies/" { "Open the company directory" }
                }
                article {
                    h2 { "Support" }
                    p { (SupportContact(b)) "." }
                    p.muted { (b.support.hours) }
                }
            }
        },
    )
}

fn not_found(b: &Branding) -> Markup {
    page(
        b,
        "Page not found",
        Chrome::Public,
        "public.js",
        html! {
            h1 { "Page not found" }
            p { "There is no page at this address. " a href="/" { "Go to the home page" } "." }
        },
    )
}
