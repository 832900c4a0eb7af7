//! Agreements (docs/agreements.md): MSP admins create and change a client company's agreements;
//! Full Admins, Billing Admins and MSP staff read them with their terms, balances and usage by
//! month; Ticket Managers see only what is left of prepaid hours. A company's agreements are one
//! record, so every read here is one call whatever the number of time entries.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::CompanyKind;
use portal::domain::agreements::{
    Agreement, AgreementBody, AgreementBook, AgreementKind, AgreementStatus, HoursBalance,
    MAX_AGREEMENTS, MonthUsage, TimeEntry,
};
use portal::domain::audit::AuditAction;
use portal::domain::billing::{BillingId, today};
use portal::domain::roles::Capability;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use portal::{ApiError, App};
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

/// An agreement as one reader may see it.
#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    pub id: BillingId,
    pub name: String,
    pub kind: AgreementKind,
    /// What applies today (an active agreement past its end date that does not renew: expired).
    pub status: AgreementStatus,
    #[serde(with = "portal::domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    #[serde(with = "portal::domain::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Date>,
    /// A block or retainer: its hours now.
    pub balance: Option<HoursBalance>,
    /// Its terms (fee, rate, cycle, what it covers): not for Ticket Managers.
    pub terms: Option<Agreement>,
    /// Minutes used by month, oldest first: not for Ticket Managers.
    pub usage: Option<Vec<MonthUsage>>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementList {
    /// Active first, then the rest; newest start first within each.
    pub items: Vec<AgreementView>,
    /// Whether hours can be bought online (Stripe is set up).
    pub online_payment: bool,
}

/// Whether `principal` sees terms, or only hours left.
fn sees_terms(principal: &Principal) -> Result<bool, ApiError> {
    principal.require(Capability::ViewHoursLeft)?;
    Ok(principal.can(Capability::ViewAgreements))
}

fn view(book: &AgreementBook, a: &Agreement, today: Date, terms: bool) -> AgreementView {
    AgreementView {
        id: a.id.clone(),
        name: a.name.clone(),
        kind: a.kind,
        status: a.effective_status(today),
        start_date: a.start_date,
        end_date: a.end_date,
        balance: book.balance(a, today),
        terms: terms.then(|| a.clone()),
        usage: terms.then(|| Agreement::usage_by_month(&book.usage_of(&a.id))),
    }
}

/// The agreements of the company the request is about, as the principal may see them; Ticket
/// Managers see the hour-based ones only.
async fn readable(ctx: &Ctx<'_>) -> Result<(Principal, AgreementBook, bool), ApiError> {
    let principal = ctx.principal().await?;
    let terms = sees_terms(&principal)?;
    let company = principal.company_param(ctx.query("company"))?;
    let mut book = ctx.app.store.agreement_book(&company).await?;
    if !terms {
        book.agreements.retain(|a| a.kind.hour_based());
    }
    Ok((principal, book, terms))
}

/// A company's agreements: active first, each with its balance (hours left for Ticket Managers).
#[utoipa::path(get, path = "/api/agreements", tag = "agreements",
    params(("company" = Option<String>, Query, description = "MSP staff: the company (required)")),
    responses(
        (status = 200, body = AgreementList),
        (status = 403, description = "A role that sees no agreements", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company, or staff naming none", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let (_, book, terms) = readable(ctx).await?;
    let today = today(ctx.app.now());
    let mut items: Vec<AgreementView> = book
        .agreements
        .iter()
        .map(|a| view(&book, a, today, terms))
        .collect();
    items.sort_by(|a, b| {
        (
            a.status != AgreementStatus::Active,
            std::cmp::Reverse(a.start_date),
        )
            .cmp(&(
                b.status != AgreementStatus::Active,
                std::cmp::Reverse(b.start_date),
            ))
    });
    json(
        StatusCode::OK,
        &AgreementList {
            items,
            online_payment: ctx.app.stripe.is_some(),
        },
    )
}

/// One agreement.
#[utoipa::path(get, path = "/api/agreements/{id}", tag = "agreements",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP staff: the company (required)")),
    responses(
        (status = 200, body = AgreementView),
        (status = 403, description = "A role that sees no agreements", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement of your company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (_, book, terms) = readable(ctx).await?;
    let agreement = book.find(id).ok_or(ApiError::NotFound)?;
    json(
        StatusCode::OK,
        &view(&book, agreement, today(ctx.app.now()), terms),
    )
}

/// One page of time entries.
#[derive(Serialize, ToSchema)]
pub struct TimeList {
    pub items: Vec<TimeEntry>,
    pub next_cursor: Option<String>,
}

/// The time logged against an agreement, newest first, 50 a page (internal notes for staff only).
#[utoipa::path(get, path = "/api/agreements/{id}/time", tag = "agreements",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP staff: the company (required)"), ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`", pattern = "^[A-Za-z0-9_-]*$")),
    responses(
        (status = 200, body = TimeList),
        (status = 403, description = "A role that sees no agreements' details", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement of your company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn time(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ViewAgreements)?;
    let company = principal.company_param(ctx.query("company"))?;
    let book = ctx.app.store.agreement_book(&company).await?;
    let id = book.find(id).ok_or(ApiError::NotFound)?.id.clone();
    let list = format!("time#{company}#{id}");
    let start = ctx.start_after(&list)?;
    let page = ctx
        .app
        .store
        .agreement_time(&company, &id, start, 50)
        .await?;
    let next_cursor = ctx.next_cursor(&page, &list);
    let staff = principal.can(Capability::AllCompanies);
    let items = page
        .items
        .into_iter()
        .map(|e| if staff { e } else { e.for_client() })
        .collect();
    json(StatusCode::OK, &TimeList { items, next_cursor })
}

/// Create an agreement for a client company (MSP admins). Send an `Idempotency-Key` and a retry
/// answers the agreement the first made.
#[utoipa::path(post, path = "/api/agreements", tag = "agreements", request_body = AgreementBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per agreement; a retry answers the same one", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, body = AgreementView),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The company has the most agreements it may, or they changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let once = ctx.idempotency_key()?;
    let body: AgreementBody = ctx.json()?;
    if body.version.is_some() {
        return Err(ApiError::invalid(
            "version",
            "Send a version only to change an agreement",
        ));
    }
    let named = body
        .company_id
        .clone()
        .ok_or_else(|| ApiError::invalid("company_id", "Choose the client company"))?;
    let company = principal.scope(&named)?;
    let app = ctx.app;
    // Another agreement of the company saved meanwhile: read them again (a retry with the same key
    // then finds its own).
    for _ in 0..5 {
        let (found, book, settings) = app.store.agreement_setup(&company).await?;
        let company = found
            .filter(|c| c.kind == CompanyKind::Client)
            .ok_or(ApiError::NotFound)?;
        let mut agreement = Agreement::blank(&company, app.now());
        if let Some(key) = once {
            agreement.id = BillingId::derived(&["agreement", principal.user.id.as_str(), key]);
            if book.find(agreement.id.as_str()).is_some() {
                return answer(app, &book, &agreement.id, StatusCode::CREATED);
            }
        }
        body.clone()
            .apply(&mut agreement, &settings.request_types, &company.currency)?;
        if book.agreements.len() >= MAX_AGREEMENTS {
            return Err(ApiError::State(
                "/problems/too-many-agreements",
                format!(
                    "A company holds at most {MAX_AGREEMENTS} agreements: cancel and change an old one instead"
                ),
            ));
        }
        let mut next = book.clone();
        next.agreements.push(agreement.clone());
        let summary = format!("Created the agreement {}", agreement.name);
        let action = AuditAction::AgreementCreated;
        if let Some(saved) =
            save(ctx, &principal, (&book, next), &agreement, action, summary).await?
        {
            return Ok(saved);
        }
    }
    Err(ApiError::Conflict)
}

/// Change an agreement (MSP admins) at the version read. Its hours used stay as they are.
#[utoipa::path(patch, path = "/api/agreements/{id}", tag = "agreements", request_body = AgreementBody,
    params(("id" = String, Path), ("company" = String, Query, description = "The agreement's company")),
    responses(
        (status = 200, body = AgreementView),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no version", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let company = principal.company_param(ctx.query("company"))?;
    let body: AgreementBody = ctx.json()?;
    let Some(version) = body.version else {
        return Err(ApiError::invalid("version", "Send the version you read"));
    };
    if body.company_id.is_some() {
        return Err(ApiError::invalid(
            "company_id",
            "An agreement stays with its company",
        ));
    }
    let app = ctx.app;
    // Another agreement of the company saved meanwhile: read them again; this one changed: 409.
    for _ in 0..5 {
        let (found, book, settings) = app.store.agreement_setup(&company).await?;
        let company = found.ok_or(ApiError::NotFound)?;
        let before = book.find(id).ok_or(ApiError::NotFound)?;
        if before.version != version {
            return Err(ApiError::Conflict);
        }
        let mut agreement = before.clone();
        body.clone()
            .apply(&mut agreement, &settings.request_types, &company.currency)?;
        if before.periods_differ(&agreement) && !book.usage_of(&before.id).months.is_empty() {
            return Err(ApiError::invalid(
                "kind",
                "Time counts against this agreement: its kind, billing cycle and start date stay. Cancel it and create a new one instead.",
            ));
        }
        agreement.version += 1;
        agreement.updated_at = app.now();
        let mut next = book.clone();
        for a in &mut next.agreements {
            if a.id == agreement.id {
                *a = agreement.clone();
            }
        }
        let summary = format!("Changed the agreement {}", agreement.name);
        let action = AuditAction::AgreementUpdated;
        if let Some(saved) =
            save(ctx, &principal, (&book, next), &agreement, action, summary).await?
        {
            return Ok(saved);
        }
    }
    Err(ApiError::Conflict)
}

/// Save `next` (the agreements as changed) over `book` with its audit entry: the agreement's view,
/// or `None` when the agreements changed meanwhile.
async fn save(
    ctx: &Ctx<'_>,
    principal: &Principal,
    (book, mut next): (&AgreementBook, AgreementBook),
    agreement: &Agreement,
    action: AuditAction,
    summary: String,
) -> Result<Option<Response<Body>>, ApiError> {
    next.version += 1;
    let company = &agreement.company_id;
    let target = Some(format!("agreement:{}", agreement.id));
    let audit = principal.audit(ctx, company, action, target, summary);
    if !ctx
        .app
        .store
        .save_agreements(company, &next, book.version, &audit)
        .await?
    {
        return Ok(None);
    }
    let status = if action == AuditAction::AgreementCreated {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    answer(ctx.app, &next, &agreement.id, status).map(Some)
}

fn answer(
    app: &App,
    book: &AgreementBook,
    id: &BillingId,
    status: StatusCode,
) -> Result<Response<Body>, ApiError> {
    let agreement = book.find(id.as_str()).ok_or(ApiError::NotFound)?;
    json(status, &view(book, agreement, today(app.now()), true))
}
