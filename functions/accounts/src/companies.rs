//! The company directory and each company's profile and settings.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::account::Company;
use portal::domain::audit::AuditAction;
use portal::domain::roles::Capability;
use portal::domain::validate::{self, schema};
use portal::domain::{CompanyId, CompanyKind, Email, random_hex};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, Schema};

use crate::PAGE_SIZE;

/// One page of companies.
#[derive(Serialize, ToSchema)]
pub struct CompanyList {
    pub items: Vec<Company>,
    /// Pass as `?cursor=` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Every company by name, or those whose name starts with `q` (MSP staff only).
#[utoipa::path(get, path = "/api/companies", tag = "accounts",
    params(
        ("q" = Option<String>, Query, description = "Name starts with (case-insensitive)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$"),
    ),
    responses(
        (status = 200, body = CompanyList),
        (status = 400, description = "Bad cursor", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AllCompanies)?;
    let q = ctx
        .query("q")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let list = format!("companies#{}", q.as_deref().unwrap_or(""));
    let start = ctx.start_after(&list)?;
    let page = ctx
        .app
        .store
        .list_companies(q.as_deref(), start, PAGE_SIZE)
        .await?;
    let next_cursor = ctx.next_cursor(&page, &list);
    json(
        StatusCode::OK,
        &CompanyList {
            items: page.items,
            next_cursor,
        },
    )
}

/// A company: one's own, or any for MSP staff.
#[utoipa::path(get, path = "/api/companies/{company_id}", tag = "accounts",
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = Company),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    let found = ctx
        .app
        .store
        .get_company(&company)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(StatusCode::OK, &found)
}

/// A company's profile and settings, as `POST` (all but `version`) and `PATCH` take them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyFields {
    #[schema(schema_with = schema::name_or_null)]
    pub name: Option<String>,
    /// Blank clears it.
    #[schema(schema_with = schema::email_blank_or_null)]
    pub billing_email: Option<String>,
    #[schema(schema_with = schema::phone_or_null)]
    pub phone: Option<String>,
    #[schema(schema_with = address)]
    pub address: Option<String>,
    /// An IANA time zone such as `Europe/London`, or `UTC`.
    #[schema(schema_with = time_zone)]
    pub time_zone: Option<String>,
    /// An ISO 4217 code such as `USD`.
    #[schema(schema_with = schema::currency_or_null)]
    pub currency: Option<String>,
    /// Days from an invoice's issue to its due date (0–365).
    #[schema(maximum = 365)]
    pub payment_terms_days: Option<u32>,
    /// The tax rate new invoices start with, in basis points (825 = 8.25 %; 0–10,000).
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: Option<u32>,
    /// Email overdue invoice reminders (1, 7, 14 and 30 days past due).
    pub overdue_reminders: Option<bool>,
    pub mfa_required: Option<bool>,
    /// `PATCH` only: the version the change was made from (409 if it moved).
    pub version: Option<u64>,
}

const MAX_ADDRESS: usize = 500;
const MAX_TIME_ZONE: usize = 64;

fn address() -> Object {
    schema::or_null(schema::text(false, MAX_ADDRESS, schema::Chars::Lines))
}

/// `is_time_zone`'s shape, with white space around.
fn time_zone() -> Object {
    let part = "[A-Z][A-Za-z0-9_+-]*";
    let pattern = schema::trimmed(&format!("(UTC|{part}(/{part})+)"));
    schema::or_null(schema::string(1, Some(MAX_TIME_ZONE), Some(pattern)))
}

/// What `POST /api/companies` takes: `CompanyFields` with a name (a `version` is ignored).
pub struct NewCompany;
/// What `PATCH /api/companies/{company_id}` takes: any of `CompanyFields`, with the `version`
/// the change was made from.
pub struct CompanyChange;

fn company_fields_with(required: &str, schema: serde_json::Value) -> RefOr<Schema> {
    schema::json(serde_json::json!({
        "allOf": [
            {"$ref": "#/components/schemas/CompanyFields"},
            {"type": "object", "required": [required], "properties": {required: schema}},
        ],
    }))
}
impl utoipa::PartialSchema for NewCompany {
    fn schema() -> RefOr<Schema> {
        company_fields_with("name", serde_json::json!({"type": "string"}))
    }
}
impl ToSchema for NewCompany {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "CompanyFields".into(),
            <CompanyFields as utoipa::PartialSchema>::schema(),
        ));
        <CompanyFields as ToSchema>::schemas(schemas);
    }
}
impl utoipa::PartialSchema for CompanyChange {
    fn schema() -> RefOr<Schema> {
        company_fields_with("version", serde_json::json!({"type": "integer"}))
    }
}
impl ToSchema for CompanyChange {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        NewCompany::schemas(schemas);
    }
}

impl CompanyFields {
    /// The profile fields a client's Full Admins change (company preferences), the others left.
    pub(crate) fn profile(
        billing_email: Option<String>,
        phone: Option<String>,
        address: Option<String>,
        time_zone: Option<String>,
    ) -> Self {
        Self {
            name: None,
            billing_email,
            phone,
            address,
            time_zone,
            currency: None,
            payment_terms_days: None,
            tax_rate_bp: None,
            overdue_reminders: None,
            mfa_required: None,
            version: None,
        }
    }

    /// Apply the given fields to `company`, checking each.
    pub(crate) fn apply(&self, company: &mut Company) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if let Some(name) = &self.name {
            company.name = validate::name("name", name, &mut errors);
        }
        if let Some(email) = &self.billing_email {
            company.billing_email = match email.trim() {
                "" if email.chars().count() <= portal::domain::email::MAX_LEN => None,
                raw => Email::parse(raw)
                    .map_err(|m| errors.push(FieldError::new("billing_email", m)))
                    .ok(),
            };
        }
        if let Some(phone) = &self.phone {
            company.phone = validate::phone("phone", phone, &mut errors);
        }
        if let Some(address) = &self.address {
            company.address = validate::text("address", address, MAX_ADDRESS, &mut errors);
        }
        if let Some(zone) = &self.time_zone {
            let raw_len = zone.chars().count();
            let zone = zone.trim();
            if raw_len <= MAX_TIME_ZONE && is_time_zone(zone) {
                company.time_zone = zone.to_owned();
            } else {
                errors.push(FieldError::new(
                    "time_zone",
                    "Use an IANA time zone such as Europe/London or America/New_York",
                ));
            }
        }
        if let Some(currency) = &self.currency {
            if let Some(code) = portal::domain::money::Currency::parse(currency) {
                company.currency = code;
            } else {
                errors.push(FieldError::new(
                    "currency",
                    "Use a three-letter ISO 4217 code such as USD or EUR",
                ));
            }
        }
        if let Some(days) = self.payment_terms_days {
            if days <= 365 {
                company.payment_terms_days = days;
            } else {
                errors.push(FieldError::new(
                    "payment_terms_days",
                    "Payment terms are 0 to 365 days",
                ));
            }
        }
        if let Some(bp) = self.tax_rate_bp {
            if bp <= 10_000 {
                company.tax_rate_bp = bp;
            } else {
                errors.push(FieldError::new("tax_rate_bp", "A tax rate is 0 to 100 %"));
            }
        }
        if let Some(remind) = self.overdue_reminders {
            company.overdue_reminders = remind;
        }
        if let Some(required) = self.mfa_required {
            company.mfa_required = required;
        }
        Ok(validate::done(errors)?)
    }
}

/// `Area/City` or `UTC`: the shape of an IANA zone name (the list itself changes yearly).
fn is_time_zone(zone: &str) -> bool {
    zone == "UTC"
        || (zone.len() <= 64
            && zone.contains('/')
            && zone.split('/').all(|part| {
                !part.is_empty()
                    && part.starts_with(|c: char| c.is_ascii_uppercase())
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
            }))
}

/// A readable, unique id: the name's letters and digits, then random hex.
fn new_company_id(name: &str) -> Result<CompanyId, ApiError> {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-');
    let id = if slug.is_empty() {
        random_hex(6)
    } else {
        format!("{slug}-{}", random_hex(3))
    };
    Ok(CompanyId::parse(&id)?)
}

/// Onboard a client company (MSP admins). Then invite its first Full Admin.
#[utoipa::path(post, path = "/api/companies", tag = "accounts", request_body = NewCompany,
    responses(
        (status = 201, body = Company),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageCompanies)?;
    let fields: CompanyFields = ctx.json()?;
    if fields.name.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "name",
            "Enter the company's name",
        )]));
    }
    let mut company = Company::new(
        CompanyId::generate(),
        "",
        CompanyKind::Client,
        ctx.app.now(),
    );
    fields.apply(&mut company)?;
    company.id = new_company_id(&company.name)?;
    let audit = principal.audit(
        ctx,
        &company.id,
        AuditAction::CompanyCreated,
        Some(format!("company:{}", company.id)),
        format!("Created the company {}", company.name),
    );
    if !ctx.app.store.create_company(&company, &audit).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::CREATED, &company)
}

/// Edit a company's profile and settings (MSP admins; `version` from the last read).
#[utoipa::path(patch, path = "/api/companies/{company_id}", tag = "accounts", request_body = CompanyChange,
    params(("company_id" = String, Path)),
    responses(
        (status = 200, body = Company),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    principal.require(Capability::ManageCompanies)?;
    let fields: CompanyFields = ctx.json()?;
    let before = ctx
        .app
        .store
        .get_company(&company)
        .await?
        .ok_or(ApiError::NotFound)?;
    let Some(version) = fields.version else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "version",
            "Send the version you edited",
        )]));
    };
    if version != before.version {
        return Err(ApiError::Conflict);
    }
    let mut changed = before.clone();
    fields.apply(&mut changed)?;
    let summary = describe_change(&before, &changed);
    save_company(ctx, &principal, &before, changed, summary).await
}

/// Save `changed` (`before` edited) one version on, with a `company_updated` audit entry saying
/// `summary`; 409 if the company changed since it was read.
pub(crate) async fn save_company(
    ctx: &Ctx<'_>,
    principal: &portal::web::principal::Principal,
    before: &Company,
    mut changed: Company,
    summary: String,
) -> Result<Response<Body>, ApiError> {
    changed.version = before.version + 1;
    let id = &before.id;
    let audit = principal.audit(
        ctx,
        id,
        AuditAction::CompanyUpdated,
        Some(format!("company:{id}")),
        summary,
    );
    if !ctx
        .app
        .store
        .update_company(&changed, before.version, &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &changed)
}

pub(crate) fn describe_change(before: &Company, after: &Company) -> String {
    let mut parts = Vec::new();
    if before.name != after.name {
        parts.push(format!("name to {}", after.name));
    }
    if before.mfa_required != after.mfa_required {
        parts.push(if after.mfa_required {
            "MFA to required".to_owned()
        } else {
            "MFA to optional".to_owned()
        });
    }
    for (what, changed) in [
        ("billing email", before.billing_email != after.billing_email),
        ("phone", before.phone != after.phone),
        ("address", before.address != after.address),
        ("time zone", before.time_zone != after.time_zone),
        ("currency", before.currency != after.currency),
        (
            "payment terms",
            before.payment_terms_days != after.payment_terms_days,
        ),
        ("tax rate", before.tax_rate_bp != after.tax_rate_bp),
        (
            "overdue reminders",
            before.overdue_reminders != after.overdue_reminders,
        ),
    ] {
        if changed {
            parts.push(what.to_owned());
        }
    }
    if parts.is_empty() {
        "Saved the company settings unchanged".into()
    } else {
        format!("Changed {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_time_zones() {
        let id = new_company_id("Acme Dental, Inc.").unwrap();
        assert!(id.as_str().starts_with("acme-dental-inc-"), "{id}");
        assert!(new_company_id("!!!").is_ok());
        assert!(is_time_zone("Europe/London"));
        assert!(is_time_zone("America/Argentina/Buenos_Aires"));
        assert!(is_time_zone("UTC"));
        assert!(!is_time_zone("london"));
        assert!(!is_time_zone("Europe/"));
    }
}
