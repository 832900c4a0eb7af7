//! Invoices: MSP admins draft, issue (taking the next gapless number), void and record manual
//! payments; clients who see invoices list, search, read and download them.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::CompanyId;
use portal::domain::audit::AuditAction;
use portal::domain::billing::Currency;
use portal::domain::billing::today;
use portal::domain::billing::{
    BillingId, Invoice, InvoiceBody, InvoiceStatus, format_money, iso_date, parse_invoice_number,
    plain_amount,
};
use portal::domain::roles::Capability;
use portal::store::Saved;
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content};
use portal::{ApiError, App};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::{billing_company, visible_invoice};

const PAGE_SIZE: i32 = 50;

/// An invoice in a list.
#[derive(Serialize, ToSchema)]
pub struct InvoiceRow {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub company_name: String,
    pub number: Option<u64>,
    /// `INV-0007`, or `Draft`.
    pub label: String,
    pub status: InvoiceStatus,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub total: i64,
    pub paid: i64,
    pub balance: i64,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<Date>,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub overdue: bool,
    /// When the latest payment was applied (what the Paid tab shows).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_paid_at: Option<OffsetDateTime>,
    pub version: u64,
}

impl InvoiceRow {
    pub(crate) fn from(invoice: Invoice, today: Date) -> Self {
        Self {
            overdue: invoice.is_overdue(today),
            last_paid_at: invoice.payments.last().map(|p| p.paid_at),
            label: invoice.label(),
            id: invoice.id,
            company_id: invoice.company_id,
            company_name: invoice.company_name,
            number: invoice.number,
            status: invoice.status,
            currency: invoice.currency,
            total: invoice.total,
            paid: invoice.paid,
            balance: invoice.balance,
            issue_date: invoice.issue_date,
            due_date: invoice.due_date,
            version: invoice.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<InvoiceRow>,
    pub next_cursor: Option<String>,
    /// Whether clients can pay online (Stripe is set up).
    pub online_payment: bool,
}

/// An invoice with what the page shows beside it.
#[derive(Serialize, ToSchema)]
pub struct InvoiceView {
    #[serde(flatten)]
    pub invoice: Invoice,
    pub label: String,
    pub overdue: bool,
    pub online_payment: bool,
}

pub(crate) fn view(app: &App, invoice: Invoice) -> InvoiceView {
    InvoiceView {
        label: invoice.label(),
        overdue: invoice.is_overdue(today(app.now())),
        online_payment: app.stripe.is_some(),
        invoice,
    }
}

/// Invoices, one tab at a time: `open` (outstanding, soonest due first), `closed` (paid and void,
/// newest first) or, for MSP admins, `draft`. Clients see their company's; MSP staff one
/// company's (`company`) or every company's. `q` finds one invoice by number in any tab.
#[utoipa::path(get, path = "/api/invoices", tag = "billing",
    params(
        ("tab" = Option<String>, Query, description = "`open` (default), `closed`, or `draft` (MSP admins; 403 for others)", pattern = "^(open|closed|draft)?$"),
        ("company" = Option<String>, Query, description = "MSP staff: one company (default: all)"),
        ("q" = Option<String>, Query, description = "An invoice number: `INV-0007`, `#7` or `7` (anything else finds nothing)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$"),
    ),
    responses(
        (status = 200, body = InvoiceList),
        (status = 400, description = "Unknown tab or a cursor from another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that does not see invoices", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let (company, tab) = listing(ctx, &principal)?;
    let app = ctx.app;
    let today = today(app.now());
    let name = format!(
        "invoices#{}#{tab}",
        company.as_ref().map_or("*", |c| c.as_str())
    );
    // Read first, so a forged cursor is a 400 even beside a search (which has one page).
    let start = ctx.start_after(&name)?;
    if let Some(q) = ctx.query("q").filter(|q| !q.trim().is_empty()) {
        let number = parse_invoice_number(&q);
        let by_number = match number {
            Some(n) => app.store.invoice_by_number(n).await?,
            None => None,
        };
        let found = match by_number {
            Some((c, id)) if company.as_ref().is_none_or(|want| *want == c) => {
                app.store.get_invoice(&c, &id).await?
            }
            _ => None,
        };
        return json(
            StatusCode::OK,
            &InvoiceList {
                items: found
                    .into_iter()
                    .map(|i| InvoiceRow::from(i, today))
                    .collect(),
                next_cursor: None,
                online_payment: app.stripe.is_some(),
            },
        );
    }
    let page = app
        .store
        .list_invoices(company.as_ref(), &tab, tab == "closed", start, PAGE_SIZE)
        .await?;
    let next_cursor = ctx.next_cursor(&page, &name);
    json(
        StatusCode::OK,
        &InvoiceList {
            items: page
                .items
                .into_iter()
                .map(|i| InvoiceRow::from(i, today))
                .collect(),
            next_cursor,
            online_payment: app.stripe.is_some(),
        },
    )
}

/// Which invoices a list or export shows: the company (none: MSP staff, every company's) and
/// the tab, checked against what the principal may see.
fn listing(
    ctx: &Ctx<'_>,
    principal: &portal::web::principal::Principal,
) -> Result<(Option<CompanyId>, String), ApiError> {
    principal.require(Capability::ViewInvoices)?;
    let staff = principal.can(Capability::AllCompanies);
    let company = if staff && ctx.query("company").is_none_or(|c| c.is_empty()) {
        None
    } else {
        Some(billing_company(ctx, principal)?)
    };
    let tab = ctx
        .query("tab")
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "open".into());
    if !["open", "closed", "draft"].contains(&tab.as_str()) {
        return Err(ApiError::BadRequest(format!(
            "tab={tab} is not one of: open, closed, draft"
        )));
    }
    // Drafts are the MSP's work in progress.
    if tab == "draft" && !principal.can(Capability::ManageBilling) {
        return Err(ApiError::Forbidden);
    }
    Ok((company, tab))
}

/// Most rows an export holds.
const MAX_EXPORT_ROWS: usize = 5_000;

/// A tab of invoices as CSV (up to 5,000 rows), for a spreadsheet or the accounts: amounts as
/// plain decimals in the invoice's currency; MSP staff also get the company.
#[utoipa::path(get, path = "/api/invoices/export", tag = "billing",
    params(
        ("tab" = Option<String>, Query, description = "`open` (default), `closed`, or `draft` (MSP admins; 403 for others)", pattern = "^(open|closed|draft)?$"),
        ("company" = Option<String>, Query, description = "MSP staff: one company (default: all)"),
    ),
    responses(
        (status = 200, description = "`text/csv`, as a download", content_type = "text/csv", body = String),
        (status = 400, description = "Unknown tab", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that does not see invoices", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let (company, tab) = listing(ctx, &principal)?;
    let app = ctx.app;
    let mut invoices = app
        .store
        .all_invoices(company.as_ref(), &tab, MAX_EXPORT_ROWS)
        .await?;
    invoices.truncate(MAX_EXPORT_ROWS);
    let today = today(app.now());
    let staff = principal.can(Capability::AllCompanies);
    let mut header = vec!["Number"];
    if staff {
        header.push("Company");
    }
    header.extend([
        "Status",
        "Issue date",
        "Due date",
        "Currency",
        "Subtotal",
        "Tax",
        "Total",
        "Paid",
        "Balance",
        "Last paid (UTC)",
        "Tickets",
    ]);
    let rows = invoices.iter().map(|i| {
        let amount = |a: i64| plain_amount(a, &i.currency);
        let mut row = vec![i.label()];
        if staff {
            row.push(i.company_name.clone());
        }
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        row.extend([
            status_label(i, today).to_owned(),
            date(i.issue_date),
            date(i.due_date),
            i.currency.to_string(),
            amount(i.subtotal),
            amount(i.tax),
            amount(i.total),
            amount(i.paid),
            amount(i.balance),
            i.payments
                .last()
                .map(|p| portal::web::csv::time(p.paid_at))
                .unwrap_or_default(),
            i.tickets
                .iter()
                .map(|n| format!("#{n}"))
                .collect::<Vec<_>>()
                .join(" "),
        ]);
        row
    });
    let body = portal::web::csv::document(&header, rows);
    let file = format!(
        "invoices-{}-{tab}-{today}.csv",
        company.as_ref().map_or("all", |c| c.as_str())
    );
    portal::web::csv::download(&file, body)
}

/// How a list names an invoice's state.
fn status_label(invoice: &Invoice, today: Date) -> &'static str {
    match invoice.status {
        InvoiceStatus::Draft => "Draft",
        InvoiceStatus::Void => "Void",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::Issued if invoice.is_overdue(today) => "Overdue",
        InvoiceStatus::Issued if invoice.paid > 0 => "Partly paid",
        InvoiceStatus::Issued => "Outstanding",
    }
}

/// One invoice with its lines. MSP staff name the company.
#[utoipa::path(get, path = "/api/invoices/{id}", tag = "billing",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP staff: the invoice's company")),
    responses(
        (status = 200, body = InvoiceView),
        (status = 404, description = "No such invoice, another company's, or a draft (clients)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let invoice = visible_invoice(ctx, &principal, &company, id).await?;
    json(StatusCode::OK, &view(ctx.app, invoice))
}

/// What `POST /api/invoices` takes: the draft's fields (`InvoiceBody`'s, without a version) and its
/// company. Written out rather than flattened, so the document describes one object a client can
/// actually send.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoice {
    pub company_id: String,
    /// Defaults to the company's currency.
    #[schema(schema_with = portal::domain::validate::schema::currency_or_null)]
    pub currency: Option<String>,
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<portal::domain::billing::LineBody>,
    /// Basis points: 825 is 8.25 %.
    #[serde(default)]
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: u32,
    #[serde(default, deserialize_with = "portal::domain::billing::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<time::Date>,
    #[serde(default, deserialize_with = "portal::domain::billing::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<time::Date>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
    /// Ticket numbers the invoice is for.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub tickets: Vec<u64>,
}

impl NewInvoice {
    /// The company named, and the draft's fields as an edit reads them.
    fn into_parts(self) -> (String, InvoiceBody) {
        let body = InvoiceBody {
            currency: self.currency,
            lines: self.lines,
            tax_rate_bp: self.tax_rate_bp,
            issue_date: self.issue_date,
            due_date: self.due_date,
            notes: self.notes,
            tickets: self.tickets,
            version: None,
        };
        (self.company_id, body)
    }
}

/// Check that every linked ticket is the company's.
async fn check_tickets(app: &App, company: &CompanyId, tickets: &[u64]) -> Result<(), ApiError> {
    let found = app.store.company_tickets(company, tickets).await?;
    if found.len() != tickets.len() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "tickets",
            "Link only this company's tickets",
        )]));
    }
    Ok(())
}

/// Draft an invoice (MSP admins).
#[utoipa::path(post, path = "/api/invoices", tag = "billing", request_body = NewInvoice,
    responses(
        (status = 201, body = InvoiceView),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid lines, currency, dates or tickets", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let (company_id, body) = ctx.json::<NewInvoice>()?.into_parts();
    let company_id = CompanyId::parse(&company_id)?;
    let app = ctx.app;
    let company = app
        .store
        .get_company(&company_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if company.kind != portal::domain::CompanyKind::Client {
        return Err(ApiError::NotFound);
    }
    let now = app.now();
    let mut invoice = Invoice::draft(&company, now);
    body.apply(&mut invoice, &company.currency)?;
    check_tickets(app, &company.id, &invoice.tickets).await?;
    let audit = drafted_audit(ctx, &principal, &invoice, "");
    app.store.create_invoice(&invoice, &audit).await?;
    json(StatusCode::CREATED, &view(app, invoice))
}

/// The audit entry of a new draft (`how`: what it was drafted from, or "").
pub(crate) fn drafted_audit(
    ctx: &Ctx<'_>,
    principal: &portal::web::principal::Principal,
    invoice: &Invoice,
    how: &str,
) -> portal::domain::audit::AuditEntry {
    principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::InvoiceCreated,
        Some(format!("invoice:{}", invoice.id)),
        format!(
            "Drafted an invoice of {} for {}{how}",
            format_money(invoice.total, &invoice.currency),
            invoice.company_name
        ),
    )
}

/// An invoice of the company `?company=` names, for MSP admins to change.
pub(crate) async fn managed_invoice(
    ctx: &Ctx<'_>,
    id: &str,
) -> Result<(portal::web::principal::Principal, Invoice), ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let company = billing_company(ctx, &principal)?;
    let invoice = visible_invoice(ctx, &principal, &company, id).await?;
    Ok((principal, invoice))
}

pub(crate) fn not_draft() -> ApiError {
    ApiError::State(
        "/problems/not-a-draft",
        "Only a draft can be changed or deleted; void an issued invoice instead".into(),
    )
}

/// Change a draft (MSP admins): the whole draft, with the `version` read.
#[utoipa::path(patch, path = "/api/invoices/{id}", tag = "billing", request_body = InvoiceBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, body = InvoiceView),
        (status = 409, description = "Changed meanwhile, or no longer a draft", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no version", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn edit(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut invoice) = managed_invoice(ctx, id).await?;
    let body: InvoiceBody = ctx.json()?;
    let version = body.version.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "version",
            "Send the version you read",
        )])
    })?;
    if invoice.status != InvoiceStatus::Draft {
        return Err(not_draft());
    }
    if version != invoice.version {
        return Err(ApiError::Conflict);
    }
    let currency = invoice.currency.clone();
    body.apply(&mut invoice, &currency)?;
    check_tickets(ctx.app, &invoice.company_id, &invoice.tickets).await?;
    invoice.version += 1;
    invoice.updated_at = ctx.app.now();
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::InvoiceUpdated,
        Some(format!("invoice:{}", invoice.id)),
        format!("Changed a draft invoice for {}", invoice.company_name),
    );
    match ctx
        .app
        .store
        .save_invoice(&invoice, version, Some(&audit))
        .await?
    {
        Saved::Done => json(StatusCode::OK, &view(ctx.app, invoice)),
        Saved::Stale => Err(ApiError::Conflict),
    }
}

/// Delete a draft (MSP admins). Issued invoices are voided, never deleted.
#[utoipa::path(delete, path = "/api/invoices/{id}", tag = "billing",
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Not a draft", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, invoice) = managed_invoice(ctx, id).await?;
    if invoice.status != InvoiceStatus::Draft {
        return Err(not_draft());
    }
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::InvoiceDeleted,
        Some(format!("invoice:{}", invoice.id)),
        format!("Deleted a draft invoice for {}", invoice.company_name),
    );
    match ctx.app.store.delete_draft(&invoice, &audit).await? {
        Saved::Done => no_content(),
        Saved::Stale => Err(ApiError::Conflict),
    }
}

/// The invoice as a PDF: a redirect to a presigned download (rendered once per invoice version
/// and kept in S3).
#[utoipa::path(get, path = "/api/invoices/{id}/pdf", tag = "billing",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP staff: the invoice's company")),
    responses(
        (status = 303, description = "`Location`: the PDF, for five minutes"),
        (status = 404, description = "No such invoice you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn pdf(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let invoice = visible_invoice(ctx, &principal, &company, id).await?;
    let app = ctx.app;
    let key =
        portal::store::keys::invoice_pdf_object(&invoice.company_id, &invoice.id, invoice.version);
    let name = format!("{}.pdf", invoice.label());
    portal::web::files::stored_pdf(app, &key, &name, async || {
        let client = app
            .store
            .get_company(&invoice.company_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        crate::pdf::render(&app.branding, &invoice, &client, today(app.now()))
            .map_err(ApiError::Internal)
    })
    .await
}
