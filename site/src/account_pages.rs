//! The account pages: forgot/reset password, accepting an invitation, my account (profile,
//! preferences, password, two-factor authentication, sessions), users, companies, audit trail.

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, ListTable, page, scroll_region};
use portal::domain::audit::AuditAction;
use portal::domain::labels::{Labelled, table};
use portal::domain::roles::Role;

fn password_rules() -> Markup {
    html! {
        small #password-help {
            "At least 12 characters; a few unrelated words make a strong, memorable password. "
            "Very common passwords are refused."
        }
    }
}

/// A new-password field with its rules.
fn new_password(name: &str, label: &str) -> Markup {
    html! {
        label for=(name) { (label) }
        input id=(name) name=(name) type="password" autocomplete="new-password" required minlength="12" maxlength="128"
            aria-describedby={ "password-help " (name) "-error" };
        (password_rules())
        small.field-error id={ (name) "-error" } {}
    }
}

pub fn forgot_password(b: &Branding) -> Markup {
    page(
        b,
        "Forgot password",
        Chrome::Public,
        "forgot-password.js",
        html! {
            article.auth-card {
                h1 { "Forgot your password?" }
                p { "Enter the email address you sign in with. If it has an account, we email it a link to choose a new password." }
                p.form-error #form-error role="alert" {}
                form #forgot-form novalidate {
                    (Field::input("email", "Email", "email").autocomplete("username").required())
                    button type="submit" { "Email me a link" }
                }
                p #sent role="status" {}
                p.muted {
                    "No access to that mailbox? Ask your company's portal administrator, or contact "
                    (b.short_name) " support: " a href={ "mailto:" (b.support.email) } { (b.support.email) } "."
                }
                p { a href="/login/" { "Back to sign in" } }
            }
        },
    )
}

/// The page a reset or invitation link opens: choose a password.
fn set_password_page(b: &Branding, title: &str, intro: &str, button: &str, script: &str) -> Markup {
    page(
        b,
        title,
        Chrome::Public,
        script,
        html! {
            article.auth-card {
                h1 #title { (title) }
                p #intro { (intro) }
                p.form-error #form-error role="alert" {}
                form #password-form novalidate {
                    (new_password("password", "New password"))
                    (Field::input("confirm", "New password again", "password").autocomplete("new-password").required())
                    button type="submit" { (button) }
                }
                div #done hidden role="status" {
                    p #done-text {}
                    p { a role="button" href="/login/" { "Sign in" } }
                }
            }
        },
    )
}

/// The page the link confirming a new login email opens: it confirms with the token and says so.
pub fn confirm_email(b: &Branding) -> Markup {
    page(
        b,
        "Confirm your new login email",
        Chrome::Public,
        "confirm-email.js",
        html! {
            article.auth-card #confirm aria-busy="true" {
                h1 { "Confirm your new login email" }
                p.form-error #form-error role="alert" {}
                div #done hidden role="status" {
                    p { "Your login email is changed. Sign in with the new address from now on." }
                    p { a role="button" href="/login/" { "Sign in" } }
                }
            }
        },
    )
}

pub fn reset_password(b: &Branding) -> Markup {
    set_password_page(
        b,
        "Choose a new password",
        "Setting a new password signs you out on every other device.",
        "Set new password",
        "reset-password.js",
    )
}

pub fn accept_invite(b: &Branding) -> Markup {
    set_password_page(
        b,
        "Welcome to the portal",
        "Choose a password to finish setting up your account.",
        "Set password and activate",
        "accept-invite.js",
    )
}

pub fn account(b: &Branding) -> Markup {
    page(
        b,
        "My account",
        Chrome::SignedIn {
            current: "/account/",
            requires: None,
        },
        "account.js",
        html! {
            h1 { "My account" }
            article #enrol-notice.notice hidden role="alert" {
                strong { "Set up two-factor authentication to continue. " }
                "Your organisation requires it. Use the Two-factor authentication section below, or add a passkey."
            }
            section aria-labelledby="profile-heading" {
                h2 #profile-heading { "Profile" }
                form #profile-form novalidate {
                    div.grid {
                        div { (Field::input("first_name", "First name", "text").autocomplete("given-name").maxlength(100).required()) }
                        div { (Field::input("last_name", "Last name", "text").autocomplete("family-name").maxlength(60)) }
                    }
                    div.grid {
                        div { (Field::input("phone", "Direct phone", "tel").autocomplete("tel")) }
                        div { (Field::input("phone_ext", "Extension", "text").inputmode("numeric").maxlength(10)) }
                        div { (Field::input("mobile", "Mobile", "tel").autocomplete("tel")) }
                    }
                    label for="theme-pref" { "Theme" }
                    select #theme-pref name="theme" {
                        option value="system" { "Follow the system" }
                        option value="light" { "Light" }
                        option value="dark" { "Dark" }
                    }
                    fieldset {
                        legend { "Email me when" }
                        label { input type="checkbox" name="ticket_confirmations"; "a ticket is raised for me (a confirmation with its number)" }
                        label { input type="checkbox" name="ticket_replies"; "the support team replies to my tickets" }
                        label { input type="checkbox" name="status_changes"; "someone else changes the status of my tickets" }
                        label { input type="checkbox" name="invoices"; "an invoice is issued or a payment is received" }
                        label { input type="checkbox" name="project_updates"; "a project I am the contact of completes a phase or changes its expected completion" }
                        label data-capability="manage_users" { input type="checkbox" name="expiry_digest"; "once a month, if my company's configurations have expired or expire within 45 days (sent to Full Admins)" }
                        label data-capability="manage_users" { input type="checkbox" name="executive_report"; "on the first of each month, the executive report of the month before, as a PDF (Full Admins)" }
                    }
                    button type="submit" { "Save profile" }
                    p #profile-status role="status" {}
                }
            }
            section aria-labelledby="email-heading" {
                h2 #email-heading { "Login email" }
                p { "You sign in with " strong data-me="email" {} ". To use another address, enter it: we send it a link, and the change is made once you open it. Your current address is told." }
                form #email-change novalidate {
                    (Field::input("email", "New login email", "email").autocomplete("email").maxlength(254).required())
                    (Field::input("email_password", "Current password", "password").autocomplete("current-password").help("Leave it empty if you sign in only with Microsoft or Google."))
                    button type="submit" { "Send a confirmation link" }
                    p #email-status role="status" {}
                }
            }
            section aria-labelledby="password-heading" {
                h2 #password-heading { "Password" }
                form #password-change novalidate {
                    (Field::input("current_password", "Current password", "password").autocomplete("current-password").required())
                    (new_password("new_password", "New password"))
                    button type="submit" { "Change password" }
                    p #password-status role="status" {}
                }
            }
            section aria-labelledby="mfa-heading" {
                h2 #mfa-heading { "Two-factor authentication" }
                p #mfa-state { "Loading…" }
                button #mfa-start type="button" hidden { "Set up two-factor authentication" }
                div #mfa-enrol hidden {
                    p { "Scan this code with an authenticator app (such as Microsoft Authenticator, Google Authenticator or 1Password), then enter the six-digit code it shows." }
                    figure {
                        div #mfa-qr role="img" aria-label="QR code for your authenticator app" {}
                        figcaption { "Can't scan it? Enter this key by hand: " code #mfa-secret {} }
                    }
                    form #mfa-confirm novalidate {
                        label for="mfa-code" { "Code from the app" }
                        input #mfa-code name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="code-error";
                        small.field-error #code-error {}
                        button type="submit" { "Turn on" }
                    }
                }
                div #mfa-codes hidden {
                    p role="status" { strong #codes-lead { "Two-factor authentication is on." } " Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only now." }
                    ol #mfa-code-list.recovery-codes {}
                    p.actions {
                        button.secondary #codes-download type="button" { "Download as a text file" }
                        " "
                        button.secondary #codes-copy type="button" { "Copy" }
                    }
                    p #codes-status role="status" {}
                }
                details #mfa-renew hidden {
                    summary { "Make new recovery codes" }
                    p.muted { "Lost your recovery codes, or used most of them? Ten new ones replace them, and the old ones stop working." }
                    form #mfa-new-codes novalidate {
                        (Field::input("codes_password", "Your password, to make new codes", "password").autocomplete("current-password").required())
                        (Field::input("codes_code", "A code from your app, to make new codes", "text").inputmode("numeric").autocomplete("one-time-code").required())
                        button.secondary type="submit" { "Replace my recovery codes" }
                    }
                }
                form #mfa-disable novalidate hidden {
                    (Field::input("disable_password", "Your password, to turn it off", "password").autocomplete("current-password").required())
                    (Field::input("disable_code", "A code from your authenticator app", "text").inputmode("numeric").autocomplete("one-time-code").required())
                    button.secondary type="submit" { "Turn off two-factor authentication" }
                }
                p #mfa-status role="status" {}
            }
            section aria-labelledby="passkeys-heading" {
                h2 #passkeys-heading { "Passkeys" }
                p.muted { "Sign in with your fingerprint, face or device PIN instead of typing a password, or use a passkey as the second step after it. A passkey only works on this portal's site, so it cannot be phished." }
                (scroll_region("passkeys-caption", html! {
                    table #passkeys {
                        caption.visually-hidden #passkeys-caption { "Your passkeys" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Added" } th scope="col" { "Last used" } th scope="col" { span.visually-hidden { "Actions" } } } }
                        tbody {}
                    }
                }))
                p #passkeys-none hidden { "You have no passkeys yet." }
                form #passkey-add novalidate hidden {
                    (Field::input("passkey_name", "Name for a new passkey", "text").maxlength(60).help("Such as \"Work laptop\" or \"YubiKey\": you see it here, and where you sign in.").required())
                    button type="submit" { "Add a passkey" }
                }
                p #passkeys-unsupported hidden { "This browser cannot use passkeys." }
                p #passkeys-status role="status" {}
            }
            section aria-labelledby="sessions-heading" {
                h2 #sessions-heading { "Where you are signed in" }
                (ListTable {
                    id: "sessions",
                    caption: "Your active sessions",
                    columns: &[("started", "Signed in"), ("seen", "Last active"), ("ip", "IP address"), ("browser", "Browser"), ("current", "This device"), ("end", "")],
                })
                button.secondary #end-others type="button" { "Sign out everywhere else" }
                p #sessions-status role="status" {}
            }
        },
    )
}

fn role_select<'a>(name: &'a str, label: &'a str) -> Field<'a> {
    Field::select(name, label, &table(&Role::CLIENT_ROLES)).required()
}

pub fn users(b: &Branding) -> Markup {
    page(
        b,
        "Users",
        Chrome::SignedIn {
            current: "/users/",
            requires: Some("manage_users"),
        },
        "users.js",
        html! {
            h1 #users-heading { "Users" }
            p { a #sign-in-link href="/users/sign-in/" { "Sign-in settings" } " — Microsoft and Google sign-in, passwords, just-in-time access" }
            p #preferences-line hidden { a href="/company/" { "Company preferences" } " — your company's address and phone, billing email, time zone, and new users' email preferences" }
            details #invite {
                summary role="button" { "Invite a user" }
                form #invite-form novalidate {
                    div.grid {
                        div { (Field::input("name", "Name", "text").autocomplete("off").required()) }
                        div { (Field::input("email", "Email", "email").autocomplete("off").required()) }
                    }
                    div.grid {
                        div { (Field::input("phone", "Phone (optional)", "tel").autocomplete("off")) }
                        div { (role_select("role", "Role")) small.role-about #role-about aria-live="polite" {} }
                    }
                    p.form-error #invite-error role="alert" {}
                    button type="submit" { "Send invitation" }
                }
            }
            p #users-status role="status" {}
            section #access-requests aria-labelledby="requests-heading" hidden {
                h2 #requests-heading { "Asking for access" }
                p.muted { "They asked from the sign-in page, with an address at your company's domains. Approving invites them with the role you choose; refusing tells them nothing." }
                (scroll_region("requests-caption", html! {
                    table #requests-table {
                        caption.visually-hidden #requests-caption { "Requests for access" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Asked" } th scope="col" { "Role" } th scope="col" { "Answer" } } }
                        tbody {}
                    }
                }))
            }
            (ListTable {
                id: "users",
                caption: "Portal users",
                columns: &[("name", "Name"), ("email", "Email"), ("role", "Role"), ("status", "Status"),
                    ("last", "Last sign-in"), ("mfa", "Two-factor"), ("actions", "Actions")],
            })
            dialog #user-dialog aria-labelledby="user-dialog-title" {
                article {
                    header { h2 #user-dialog-title { "User" } }
                    p #user-dialog-facts {}
                    form #role-form novalidate {
                        (role_select("new-role", "Role"))
                        small.role-about #new-role-about aria-live="polite" {}
                        button type="submit" { "Change role" }
                    }
                    form #sees-form novalidate hidden {
                        label {
                            input #sees-company-tickets type="checkbox";
                            " Sees every ticket of the company (not only their own)"
                        }
                        button.secondary type="submit" { "Save" }
                    }
                    div.grid {
                        button.secondary #toggle-active type="button" { "Deactivate" }
                        button.secondary #resend type="button" hidden { "Resend invitation" }
                        button.secondary #reset-mfa type="button" hidden { "Reset two-factor" }
                    }
                    p.form-error #user-dialog-error role="alert" {}
                    footer { button #user-dialog-close type="button" { "Close" } }
                }
            }
        },
    )
}

/// A client's company preferences, for its Full Admins: the profile and new users' emails.
pub fn company_preferences(b: &Branding) -> Markup {
    page(
        b,
        "Company preferences",
        Chrome::SignedIn {
            current: "/users/",
            requires: Some("manage_users"),
        },
        "company-preferences.js",
        html! {
            h1 #prefs-heading { "Company preferences" }
            p { "What the support team keeps — prices, payment terms, tax, whether two-factor sign-in is required — is theirs to change: ask them." }
            form #prefs-form novalidate aria-busy="true" {
                (Field::textarea("address", "Address", 3).maxlength(500))
                div.grid {
                    div { (Field::input("phone", "Main phone", "tel").autocomplete("tel")) }
                    div { (Field::input("billing_email", "Billing email", "email").autocomplete("email").help("Where invoices go.")) }
                }
                (Field::input("time_zone", "Time zone", "text").maxlength(64).help("An IANA time zone such as Europe/London or America/New_York: the portal shows times in it."))
                fieldset {
                    legend { "New users get these emails (each can change their own later)" }
                    label { input type="checkbox" name="ticket_confirmations"; " a confirmation of each ticket raised for them" }
                    label { input type="checkbox" name="ticket_replies"; " replies from the support team" }
                    label { input type="checkbox" name="status_changes"; " status changes of their tickets" }
                    label { input type="checkbox" name="invoices"; " invoices and payment receipts" }
                    label { input type="checkbox" name="project_updates"; " updates of projects they are the contact of" }
                    label { input type="checkbox" name="expiry_digest"; " the monthly configuration expiry summary (Full Admins)" }
                    label { input type="checkbox" name="executive_report"; " the monthly executive report (Full Admins)" }
                }
                p.form-error #prefs-error role="alert" {}
                button type="submit" { "Save preferences" }
                p #prefs-status role="status" {}
            }
        },
    )
}

pub fn companies(b: &Branding) -> Markup {
    page(
        b,
        "Companies",
        Chrome::SignedIn {
            current: "/companies/",
            requires: Some("all_companies"),
        },
        "companies.js",
        html! {
            h1 { "Companies" }
            search {
                form #company-search {
                    label for="q" { "Find a company by name" }
                    div.search-row {
                        input #q name="q" type="search" autocomplete="off";
                        button type="submit" { "Search" }
                    }
                }
            }
            p data-capability="manage_companies" hidden { button #add-company type="button" { "Add a company" } }
            p #companies-status role="status" {}
            (ListTable {
                id: "companies",
                caption: "Client companies and the MSP",
                columns: &[("name", "Name"), ("kind", "Kind"), ("mfa", "Two-factor"), ("users", "Users"), ("audit", "Audit trail"), ("edit", "Settings")],
            })
            dialog #company-dialog aria-labelledby="company-dialog-title" {
                article {
                    header { h2 #company-dialog-title { "Company" } }
                    form #company-form novalidate {
                        (Field::input("name", "Name", "text").autocomplete("organization").required())
                        div.grid {
                            div { (Field::input("billing_email", "Billing email", "email").autocomplete("off")) }
                            div { (Field::input("phone", "Phone", "tel").autocomplete("off")) }
                        }
                        (Field::textarea("address", "Address", 3).maxlength(500))
                        div.grid {
                            div { (Field::input("time_zone", "Time zone (e.g. Europe/London)", "text").autocomplete("off").required()) }
                            div { (Field::input("currency", "Currency (e.g. USD)", "text").autocomplete("off").required()) }
                            div { (Field::input("payment_terms_days", "Payment terms (days)", "number").autocomplete("off").required()) }
                            div { (Field::input("tax_rate_bp", "Tax rate of new invoices (%)", "text").inputmode("decimal").autocomplete("off")) }
                        }
                        label { input #overdue_reminders name="overdue_reminders" type="checkbox"; "Email reminders of overdue invoices (1, 7, 14 and 30 days past due)" }
                        label { input #mfa_required name="mfa_required" type="checkbox"; "Users must use two-factor authentication" }
                        p.muted { "Sign-in methods: password. (Microsoft and Google sign-in are not available yet.)" }
                        p.form-error #company-error role="alert" {}
                        button type="submit" { "Save" }
                    }
                    footer { button.secondary #company-dialog-close type="button" { "Cancel" } }
                }
            }
        },
    )
}

pub fn audit(b: &Branding) -> Markup {
    page(
        b,
        "Audit trail",
        Chrome::SignedIn {
            current: "/audit/",
            requires: Some("view_audit"),
        },
        "audit.js",
        html! {
            h1 #audit-heading { "Audit trail" }
            p.muted { "Every sign-in, account change and ticket action in your company, with who did it, when and from where. Entries cannot be changed or deleted." }
            form #audit-filters {
                div.grid {
                    div #user-filter {
                        label for="user" { "Who" }
                        select #user name="user" { option value="" { "Anyone" } }
                    }
                    div {
                        label for="action" { "What" }
                        select #action name="action" {
                            option value="" { "Any action" }
                            @for (value, text) in table(<AuditAction as Labelled>::ALL) { option value=(value) { (text) } }
                        }
                    }
                    div { label for="from" { "From" } input #from name="from" type="date"; }
                    div { label for="to" { "To" } input #to name="to" type="date"; }
                }
                div.grid {
                    button type="submit" { "Show" }
                    a #audit-export role="button" .secondary href="#" download { "Export CSV" }
                }
            }
            (ListTable {
                id: "audit",
                caption: "Audit entries, newest first",
                columns: &[("at", "When"), ("who", "Who"), ("action", "Action"), ("summary", "What"), ("ip", "IP address")],
            })
        },
    )
}
