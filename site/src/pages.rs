//! Every page of the site. Data comes from `/api` at run time, filled into the prerendered
//! `<template>`s by the page's module with `textContent`.

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, ListTable, page};

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
            html: forgot_password(b),
        },
        Page {
            path: "/users/",
            html: users(b),
        },
        Page {
            path: "/companies/",
            html: companies(b),
        },
        Page {
            path: "/settings/tickets/",
            html: ticket_settings(b),
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
                p.muted { "Sign in to raise and follow support requests with " (b.short_name) "." }
                p.form-error #form-error role="alert" {}
                form #login-form method="post" action="/api/auth/login" novalidate {
                    (Field { name: "email", label: "Email", kind: "email", autocomplete: "username", required: true })
                    (Field { name: "password", label: "Password", kind: "password", autocomplete: "current-password", required: true })
                    label {
                        input #remember name="remember" type="checkbox";
                        "Keep me signed in on this device for 30 days"
                    }
                    button type="submit" { "Sign in" }
                }
                p { a href="/forgot-password/" { "Forgot password?" } }
            }
        },
    )
}

fn forgot_password(b: &Branding) -> Markup {
    page(
        b,
        "Forgot password",
        Chrome::Public,
        "public.js",
        html! {
            article.auth-card {
                h1 { "Forgot your password?" }
                p {
                    "Ask your company's portal administrator to reset it, or contact "
                    (b.short_name) " support: call " a href={ "tel:" (b.support.phone.replace(' ', "")) } { (b.support.phone) }
                    " or email " a href={ "mailto:" (b.support.email) } { (b.support.email) } "."
                }
                p { a href="/login/" { "Back to sign in" } }
            }
        },
    )
}

fn home(b: &Branding) -> Markup {
    page(
        b,
        "Home",
        Chrome::SignedIn { current: "/" },
        "home.js",
        html! {
            h1 #greeting { "Welcome" }
            p.muted #company-line aria-live="polite" {}
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
                    p { "Call " a href={ "tel:" (b.support.phone.replace(' ', "")) } { (b.support.phone) } " or email "
                        a href={ "mailto:" (b.support.email) } { (b.support.email) } "." }
                    p.muted { (b.support.hours) }
                }
            }
        },
    )
}

fn users(b: &Branding) -> Markup {
    page(
        b,
        "Users",
        Chrome::SignedIn { current: "/users/" },
        "users.js",
        html! {
            h1 { "Users" }
            (ListTable {
                id: "users",
                caption: "Portal users",
                columns: &[("name", "Name"), ("email", "Email"), ("role", "Role"), ("status", "Status")],
            })
        },
    )
}

fn companies(b: &Branding) -> Markup {
    page(
        b,
        "Companies",
        Chrome::SignedIn {
            current: "/companies/",
        },
        "companies.js",
        html! {
            h1 { "Companies" }
            (ListTable {
                id: "companies",
                caption: "Client companies and the MSP",
                columns: &[("name", "Name"), ("kind", "Kind"), ("id", "Id")],
            })
        },
    )
}

/// The statuses a ticket can have, as the API names them, with their labels.
const TICKET_STATUSES: [(&str, &str); 7] = [
    ("new", "New"),
    ("in_progress", "In progress"),
    ("waiting_on_client", "Waiting on client"),
    ("scheduled", "Scheduled"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
];

fn ticket_settings(b: &Branding) -> Markup {
    page(
        b,
        "Ticket settings",
        Chrome::SignedIn {
            current: "/settings/tickets/",
        },
        "ticket-settings.js",
        html! {
            h1 { "Ticket settings" }
            p.form-error #form-error role="alert" {}
            p #form-status role="status" {}
            form #settings-form aria-busy="true" novalidate {
                label for="request_types" { "Request types" }
                textarea #request_types name="request_types" rows="6" aria-describedby="request_types-help request_types-error" {}
                small #request_types-help { "One per line. Clients pick one when they raise a ticket." }
                small.field-error #request_types-error {}
                fieldset {
                    legend { "Statuses clients may set" }
                    @for (value, label) in TICKET_STATUSES {
                        label { input type="checkbox" name="client_statuses" value=(value); (label) }
                    }
                }
                label for="reopen_days" { "Days after resolution a client may reopen a ticket" }
                input #reopen_days name="reopen_days" type="number" min="0" max="365" required aria-describedby="reopen_days-error";
                small.field-error #reopen_days-error {}
                label for="attachment_max_mb" { "Largest attachment (MB)" }
                input #attachment_max_mb name="attachment_max_mb" type="number" min="1" max="100" required aria-describedby="attachment_max_mb-error";
                small.field-error #attachment_max_mb-error {}
                button type="submit" { "Save settings" }
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
