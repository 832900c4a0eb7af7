//! Sign-in settings (docs/sso.md): a company's ways of signing in, its linked Microsoft tenants
//! and email domains, just-in-time access, trusting the provider's MFA, requests for access. A client's
//! Full Admins for their own company; MSP admins for any (`?company=`).

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, page};
use portal::domain::labels::table;
use portal::domain::roles::Role;

pub fn sign_in_settings(b: &Branding) -> Markup {
    let roles: Vec<Role> = Role::CLIENT_ROLES
        .into_iter()
        .filter(|r| !r.is_admin())
        .collect();
    page(
        b,
        "Sign-in settings",
        Chrome::SignedIn {
            current: "/users/",
            requires: Some("manage_users"),
        },
        "sign-in-settings.js",
        html! {
            h1 #settings-heading { "Sign-in settings" }
            p.muted { "How your company's users sign in to the portal. " a href="/users/" #users-link { "Back to users" } }
            p.form-error #form-error role="alert" {}
            p #form-status role="status" {}
            form #settings-form aria-busy="true" novalidate {
                fieldset aria-describedby="sign_in_methods-help sign_in_methods-error" {
                    legend { "Ways to sign in" }
                    label { input type="checkbox" name="sign_in_methods" value="password"; "Email and password" }
                    label { input type="checkbox" name="sign_in_methods" value="microsoft"; "Microsoft (work or school account)" }
                    label { input type="checkbox" name="sign_in_methods" value="google"; "Google" }
                    small #sign_in_methods-help { "Turn password off to have everyone sign in with Microsoft or Google: their passwords stop working." }
                    small.field-error #sign_in_methods-error {}
                }
                (Field::textarea("microsoft_tenants", "Microsoft tenant ids", 2).help("One per line: your Microsoft 365 tenant id (a GUID, shown in the Microsoft Entra admin center under Overview). Only accounts of these tenants sign in with Microsoft."))
                (Field::textarea("domains", "Email domains", 2).help("One per line, such as example.com: your company's addresses. Google Workspace accounts of these domains can get a user just in time; people with addresses here can ask for access. (Anyone whose verified Google address is a portal user's signs in as that user.)"))
                fieldset aria-describedby="just_in_time-help just_in_time-error" {
                    legend { "Just-in-time access" }
                    label { input type="checkbox" name="just_in_time" #just_in_time; "Give anyone from these tenants or domains a portal user at their first sign-in" }
                    small #just_in_time-help { "Your Full Admins are emailed about each new user. Without it, only users you invited can sign in." }
                    small.field-error #just_in_time-error {}
                }
                (Field::select("default_role", "Their role", &table(&roles)).help("Change it for anyone later in Users."))
                fieldset aria-describedby="access_requests-help access_requests-error" {
                    legend { "Asking for access" }
                    label { input type="checkbox" name="access_requests" #access_requests; "Let people with an address at these domains ask for access on the sign-in page" }
                    small #access_requests-help { "Your Full Admins are emailed each request and approve or refuse it in Users." }
                    small.field-error #access_requests-error {}
                }
                fieldset aria-describedby="trust_provider_mfa-help" {
                    legend { "Two-factor authentication" }
                    label { input type="checkbox" name="trust_provider_mfa" #trust_provider_mfa; "Skip the portal's own code when Microsoft or Google confirms the user passed MFA" }
                    small #trust_provider_mfa-help { "Otherwise users with two-factor authentication enter the portal's code after signing in with Microsoft or Google." }
                }
                fieldset aria-describedby="phishing_resistant-help" {
                    legend { "Phishing-resistant sign-in" }
                    label { input type="checkbox" name="phishing_resistant" #phishing_resistant; "Require a passkey, Microsoft or Google: a password alone, or with a code, is not enough" }
                    small #phishing_resistant-help { "Users without a passkey sign in with Microsoft or Google (which must be allowed above) and can add a passkey in My account." }
                    small.field-error #phishing_resistant-error {}
                }
                button type="submit" { "Save sign-in settings" }
            }
        },
    )
}

/// "Need access?": someone without a portal user asks their company's administrators for one.
pub fn request_access(b: &Branding) -> Markup {
    page(
        b,
        "Ask for access",
        Chrome::Public,
        "request-access.js",
        html! {
            article.auth-card {
                h1 { "Ask for access" }
                p { "Work for one of " (b.short_name) "'s clients but have no portal sign-in yet? Leave your work email and name: if your company takes requests here, its portal administrators are told and can invite you." }
                p.form-error #form-error role="alert" {}
                form #access-form novalidate {
                    (Field::input("email", "Work email", "email").autocomplete("email").required())
                    (Field::input("name", "Your name", "text").autocomplete("name").required())
                    button type="submit" { "Ask for access" }
                }
                p #sent role="status" {}
                p { a href="/login/" { "Back to sign in" } }
            }
        },
    )
}
