//! A company's sign-in settings (docs/sso.md): which ways of signing in its users have
//! (password, Microsoft, Google), the Microsoft tenants and Google Workspace domains it links,
//! just-in-time access and its role, and whether a provider's MFA stands in for the portal's.
//! MSP admins set them for any company, a client's Full Admins for their own.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::account::Company;
use portal::domain::audit::AuditAction;
use portal::domain::roles::{Capability, Role};
use portal::domain::sign_in::{self, SsoSettings};
use portal::domain::{CompanyKind, SignInMethod};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A company's sign-in settings, as `GET` answers and `PUT` takes them (with the `version` read).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInSettings {
    /// At least one. Microsoft needs a linked tenant.
    #[schema(min_items = 1)]
    pub sign_in_methods: Vec<SignInMethod>,
    /// Entra ID tenant ids (GUIDs): only accounts of these tenants sign in with Microsoft.
    #[schema(max_items = 20)]
    pub microsoft_tenants: Vec<String>,
    /// Google Workspace domains (`example.com`): just-in-time access from Google needs one.
    #[schema(max_items = 20)]
    pub domains: Vec<String>,
    /// Anyone of a linked tenant or domain without a portal user gets one at their first sign-in
    /// (client companies only); the company's Full Admins are emailed.
    pub just_in_time: bool,
    /// The role just-in-time users get: a client role other than Full Admin.
    pub default_role: Role,
    /// Skip the portal's second factor when the provider reports MFA (`amr` has `mfa`).
    pub trust_provider_mfa: bool,
    /// People with an address at `domains` may ask for access on the sign-in page (client
    /// companies only); the company's Full Admins answer.
    pub access_requests: bool,
    /// Only a passkey (alone or after a password) or Microsoft or Google signs in: a password
    /// alone or with an authenticator code is refused. Needs Microsoft or Google allowed.
    #[serde(default)]
    pub phishing_resistant: bool,
    /// `PUT`: the version read (409 if the company changed since).
    pub version: u64,
}

impl SignInSettings {
    fn of(company: &Company) -> Self {
        Self {
            sign_in_methods: company.sign_in_methods.clone(),
            microsoft_tenants: company.sso.microsoft_tenants.clone(),
            domains: company.sso.domains.clone(),
            just_in_time: company.sso.just_in_time,
            default_role: company.sso.default_role,
            trust_provider_mfa: company.sso.trust_provider_mfa,
            access_requests: company.sso.access_requests,
            phishing_resistant: company.sso.phishing_resistant,
            version: company.version,
        }
    }
}

/// The caller's company or, for MSP admins, any; the users' managers only.
fn allowed(principal: &Principal, company: &str) -> Result<portal::domain::CompanyId, ApiError> {
    let company = principal.scope(company)?;
    principal.require(Capability::ManageUsers)?;
    Ok(company)
}

/// A company's sign-in settings (its Full Admins; MSP admins for any company).
#[utoipa::path(get, path = "/api/companies/{company_id}/sign-in", tag = "accounts",
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = SignInSettings),
        (status = 403, description = "Not a Full Admin of the company or an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = allowed(&principal, company)?;
    let found = if company == principal.company.id {
        principal.company
    } else {
        ctx.app
            .store
            .get_company(&company)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    json(StatusCode::OK, &SignInSettings::of(&found))
}

/// Change a company's sign-in settings, all at once. A tenant or domain is linked to one company
/// at most (409 `/problems/link-taken` naming it).
#[utoipa::path(put, path = "/api/companies/{company_id}/sign-in", tag = "accounts",
    request_body = SignInSettings,
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = SignInSettings),
        (status = 403, description = "Not a Full Admin of the company or an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or a tenant or domain is another company's", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = allowed(&principal, company)?;
    let body: SignInSettings = ctx.json()?;
    let asked = SsoSettings {
        microsoft_tenants: body.microsoft_tenants.clone(),
        domains: body.domains.clone(),
        just_in_time: body.just_in_time,
        default_role: body.default_role,
        trust_provider_mfa: body.trust_provider_mfa,
        access_requests: body.access_requests,
        phishing_resistant: body.phishing_resistant,
    };
    let (methods, sso) =
        sign_in::check(&body.sign_in_methods, &asked).map_err(ApiError::Validation)?;
    let (before, taken) = ctx.app.store.load_sign_in(&company, &sso.links()).await?;
    let before = before.ok_or(ApiError::NotFound)?;
    if before.kind == CompanyKind::Msp && (sso.just_in_time || sso.access_requests) {
        let field = if sso.just_in_time {
            "just_in_time"
        } else {
            "access_requests"
        };
        return Err(ApiError::Validation(vec![FieldError::new(
            field,
            "Just-in-time access and requests for access are for client companies: invite MSP staff one by one",
        )]));
    }
    if body.version != before.version {
        return Err(ApiError::Conflict);
    }
    if let Some(((kind, value), _)) = taken.iter().find(|(_, owner)| *owner != company) {
        let what = kind.label();
        return Err(ApiError::State(
            "/problems/link-taken",
            format!(
                "The {what} {value} is linked to another company: ask your MSP to unlink it there first"
            ),
        ));
    }
    let mut after = before.clone();
    after.sign_in_methods = methods;
    after.sso = sso;
    after.version = before.version + 1;
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::SignInSettingsChanged,
        Some(format!("company:{company}")),
        describe(&after),
    );
    if !ctx.app.store.save_sign_in(&before, &after, &audit).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &SignInSettings::of(&after))
}

/// The settings in a sentence, for the audit trail.
fn describe(company: &Company) -> String {
    let methods: Vec<&str> = company
        .sign_in_methods
        .iter()
        .map(|m| match m {
            SignInMethod::Password => "password",
            SignInMethod::Microsoft => "Microsoft",
            SignInMethod::Google => "Google",
        })
        .collect();
    let sso = &company.sso;
    let mut s = format!("Sign-in with {}", methods.join(", "));
    if !sso.microsoft_tenants.is_empty() {
        s.push_str(&format!(
            "; Microsoft tenants {}",
            sso.microsoft_tenants.join(", ")
        ));
    }
    if !sso.domains.is_empty() {
        s.push_str(&format!("; Google domains {}", sso.domains.join(", ")));
    }
    if sso.just_in_time {
        s.push_str(&format!(
            "; just-in-time access as {}",
            sso.default_role.label()
        ));
    }
    if sso.trust_provider_mfa {
        s.push_str("; the provider's MFA trusted");
    }
    if sso.access_requests {
        s.push_str("; requests for access taken");
    }
    if sso.phishing_resistant {
        s.push_str("; phishing-resistant sign-in required");
    }
    s
}
