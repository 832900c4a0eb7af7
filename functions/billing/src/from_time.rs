//! Invoicing time (docs/agreements.md, "Invoicing time"): an MSP admin sees a company's unbilled
//! time and turns it into a draft invoice, one line per ticket (and one per block or retainer
//! period used past its hours), in the usual invoice editor. The draft's transaction marks each
//! entry billed, so running it twice at once bills every entry once.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::CompanyKind;
use portal::domain::account::Company;
use portal::domain::agreements::{
    FromTimeBody, TimeToBill, UnbilledTime, format_minutes, time_to_bill,
};
use portal::domain::billing::{BillingId, Invoice, today};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, random_hex};
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::invoices::{InvoiceView, drafted_audit, view};

/// Unbilled entries read at once (one Query): twice what a draft takes, so time waiting for a
/// rate rarely crowds out what can be billed (beyond them, `more` says so).
const READ: i32 = 100;
/// Attempts at a draft that met a concurrent one.
const ATTEMPTS: usize = 5;

/// What drafting from time answers.
#[derive(Serialize, ToSchema)]
pub struct DraftedFromTime {
    pub invoice: InvoiceView,
    /// More time waits than one draft takes: draft again for the rest.
    pub more: bool,
    /// Billable minutes with no agreement left out for want of a rate.
    pub without_rate_minutes: i64,
}

/// The MSP admin asking.
async fn admin(ctx: &Ctx<'_>) -> Result<Principal, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    Ok(principal)
}

/// The company asked about, and what to bill of its time.
async fn plan(
    ctx: &Ctx<'_>,
    body: &FromTimeBody,
) -> Result<(Company, TimeToBill, time::Date), ApiError> {
    let app = ctx.app;
    let (rate, through) = body.check(today(app.now()))?;
    let company = CompanyId::parse(&body.company_id)?;
    let (company, book, _) = app.store.agreement_setup(&company).await?;
    let company = company
        .filter(|c| c.kind == CompanyKind::Client)
        .ok_or(ApiError::NotFound)?;
    let (unbilled, more) = app.store.unbilled_time(&company.id, READ).await?;
    let mut plan = time_to_bill(&book, unbilled, rate, &company.currency, through);
    plan.more |= more;
    Ok((company, plan, through))
}

/// What a company's unbilled time would make (MSP admins): the lines a draft would hold, and
/// what waits (time with no agreement needs a rate).
#[utoipa::path(get, path = "/api/invoices/unbilled", tag = "billing",
    params(
        ("company" = String, Query, description = "The client company"),
        ("rate" = Option<i64>, Query, description = "Rate per hour (minor units) for time with no agreement", minimum = 1, maximum = 100_000_000_000_i64),
        ("through" = Option<String>, Query, description = "Time up to this day (default today)", format = Date),
    ),
    responses(
        (status = 200, body = UnbilledTime),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rate that is not a whole number above zero, or a malformed date", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn unbilled(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let rate = match ctx.query("rate").filter(|r| !r.trim().is_empty()) {
        None => None,
        Some(raw) => Some(raw.trim().parse::<i64>().map_err(|_| {
            ApiError::invalid("rate", "A rate is a whole number of cents above zero")
        })?),
    };
    let body = FromTimeBody {
        company_id: ctx.query("company").unwrap_or_default(),
        rate,
        through: ctx.query("through"),
    };
    admin(ctx).await?;
    let (company, plan, _) = plan(ctx, &body).await?;
    json(StatusCode::OK, &UnbilledTime::of(&plan, &company.currency))
}

/// Draft an invoice from a company's unbilled time (MSP admins): one line per ticket of time and
/// materials (hours × the agreement's rate, or `rate` for time with no agreement) and one per
/// block or retainer period used past its hours, with the company's tax rate. Each entry is
/// marked billed by the draft in its transaction; deleting the draft or voiding the invoice gives
/// the time back. Send an `Idempotency-Key` and a retry answers the same draft.
#[utoipa::path(post, path = "/api/invoices/from-time", tag = "billing", request_body = FromTimeBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the same draft", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, description = "Drafted (or drafted before with this Idempotency-Key)", body = DraftedFromTime),
        (status = 400, description = "Broken JSON or a malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No billable time waits (`/problems/nothing-to-bill`), or it kept changing", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid rate or date", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let once = ctx.idempotency_key()?;
    let body: FromTimeBody = ctx.json()?;
    let app = ctx.app;
    let principal = admin(ctx).await?;
    for _ in 0..ATTEMPTS {
        let (company, plan, through) = plan(ctx, &body).await?;
        let id = match once {
            Some(key) => BillingId::derived(&[
                "time-invoice",
                principal.user.id.as_str(),
                company.id.as_str(),
                key,
            ]),
            None => BillingId::parse(&random_hex(12))?,
        };
        if once.is_some()
            && let Some(earlier) = app.store.get_invoice(&company.id, &id).await?
        {
            return drafted(ctx, earlier, &plan);
        }
        let mut invoice = Invoice::draft(&company, app.now());
        invoice.id = id;
        invoice.lines = plan.lines.clone();
        invoice.tax_rate_bp = company.tax_rate_bp;
        invoice.tickets = plan.tickets.clone();
        invoice.notes = format!("Time logged up to {through}.");
        invoice.billed_time = Some(plan.billed());
        invoice.recompute();
        if plan.lines.is_empty() || invoice.total <= 0 {
            return Err(nothing_to_bill(&plan));
        }
        let minutes: i64 = plan.entries.iter().map(|e| e.minutes).sum::<i64>()
            + plan.overage.iter().map(|o| o.minutes).sum::<i64>();
        let audit = drafted_audit(
            ctx,
            &principal,
            &invoice,
            &format!(" from {} of time", format_minutes(minutes)),
        );
        if app.store.bill_time(&invoice, &plan, &audit).await? {
            return drafted(ctx, invoice, &plan);
        }
        // Billed, changed or drafted meanwhile: read it all again.
    }
    Err(ApiError::Conflict)
}

fn drafted(ctx: &Ctx<'_>, invoice: Invoice, plan: &TimeToBill) -> Result<Response<Body>, ApiError> {
    json(
        StatusCode::CREATED,
        &DraftedFromTime {
            invoice: view(ctx.app, invoice),
            more: plan.more,
            without_rate_minutes: plan.without_rate_minutes,
        },
    )
}

fn nothing_to_bill(plan: &TimeToBill) -> ApiError {
    let detail = if plan.without_rate_minutes > 0 {
        format!(
            "No time waits to be invoiced at a known rate; {} with no agreement needs a rate per hour",
            format_minutes(plan.without_rate_minutes)
        )
    } else {
        "No billable time waits to be invoiced".to_owned()
    };
    ApiError::State("/problems/nothing-to-bill", detail)
}
