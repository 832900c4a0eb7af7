//! Invoices: MSP admins draft, issue (taking the next gapless number), void and record manual
//! payments; clients who see invoices list, search, read and download them.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::CompanyId;
use portal::domain::audit::AuditAction;
use portal::domain::billing::{
    BillingId, Invoice, InvoiceBody, InvoiceStatus, Payment, format_money, invoice_label, iso_date,
    parse_invoice_number, plain_amount,
};
use portal::domain::billing::{payable, today};
use portal::domain::roles::Capability;
use portal::domain::tickets::TicketRef;
use portal::store::Saved;
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content};
use portal::{ApiError, App};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::{billing_company, notify, payments, visible_invoice};

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
    pub currency: String,
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
    fn from(invoice: Invoice, today: Date) -> Self {
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

fn view(app: &App, invoice: Invoice) -> InvoiceView {
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
        ("tab" = Option<String>, Query, description = "`open` (default), `closed`, or `draft` (MSP admins)"),
        ("company" = Option<String>, Query, description = "MSP staff: one company (default: all)"),
        ("q" = Option<String>, Query, description = "An invoice number: `INV-0007`, `#7` or `7`"),
        ("cursor" = Option<String>, Query),
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
    if let Some(q) = ctx.query("q").filter(|q| !q.trim().is_empty()) {
        let number = parse_invoice_number(&q).ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "q",
                "Search by invoice number, such as INV-0007",
            )])
        })?;
        let found = match app.store.invoice_by_number(number).await? {
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
    let name = format!(
        "invoices#{}#{tab}",
        company.as_ref().map_or("*", |c| c.as_str())
    );
    let start = ctx.start_after(&name)?;
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
    let allowed: &[&str] = if principal.can(Capability::ManageBilling) {
        &["open", "closed", "draft"]
    } else {
        &["open", "closed"]
    };
    if !allowed.contains(&tab.as_str()) {
        return Err(ApiError::BadRequest(format!(
            "tab={tab} is not one of: {}",
            allowed.join(", ")
        )));
    }
    Ok((company, tab))
}

/// Most rows an export holds.
const MAX_EXPORT_ROWS: usize = 5_000;

/// A tab of invoices as CSV (up to 5,000 rows), for a spreadsheet or the accounts: amounts as
/// plain decimals in the invoice's currency; MSP staff also get the company.
#[utoipa::path(get, path = "/api/invoices/export", tag = "billing",
    params(
        ("tab" = Option<String>, Query, description = "`open` (default), `closed`, or `draft` (MSP admins)"),
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
            i.currency.clone(),
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

/// What `POST /api/invoices` takes: the draft and its company.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoice {
    pub company_id: String,
    #[serde(flatten)]
    pub invoice: InvoiceBody,
}

/// Check that every linked ticket is the company's.
async fn check_tickets(app: &App, company: &CompanyId, tickets: &[u64]) -> Result<(), ApiError> {
    if tickets.is_empty() {
        return Ok(());
    }
    let refs: Vec<TicketRef> = tickets
        .iter()
        .map(|n| TicketRef {
            company_id: company.clone(),
            number: *n,
        })
        .collect();
    let found = app.store.get_tickets(&refs).await?;
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
    let body: NewInvoice = ctx.json()?;
    let company_id = CompanyId::parse(&body.company_id)?;
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
    body.invoice.apply(&mut invoice, &company.currency)?;
    check_tickets(app, &company.id, &invoice.tickets).await?;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::InvoiceCreated,
        Some(format!("invoice:{}", invoice.id)),
        format!(
            "Drafted an invoice of {} for {}",
            format_money(invoice.total, &invoice.currency),
            company.name
        ),
    );
    app.store.create_invoice(&invoice, &audit).await?;
    json(StatusCode::CREATED, &view(app, invoice))
}

/// An invoice of the company `?company=` names, for MSP admins to change.
async fn managed_invoice(
    ctx: &Ctx<'_>,
    id: &str,
) -> Result<(portal::web::principal::Principal, Invoice), ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let company = billing_company(ctx, &principal)?;
    let invoice = visible_invoice(ctx, &principal, &company, id).await?;
    Ok((principal, invoice))
}

fn not_draft() -> ApiError {
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

/// What issuing, voiding or a manual payment takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: u64,
}

/// How autopay went when an invoice was issued.
#[derive(Serialize, ToSchema, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Autopay {
    /// The company has not turned autopay on (or has no default method).
    Off,
    /// Stripe is charging the default method; the invoice changes when Stripe confirms.
    Charging,
    /// The charge failed or needs the client; they were emailed a link to pay.
    Failed,
    /// Autopay is on but online payment is not set up.
    NotSetUp,
}

#[derive(Serialize, ToSchema)]
pub struct Issued {
    pub invoice: InvoiceView,
    pub autopay: Autopay,
}

/// Issue a draft (MSP admins): it takes the next invoice number (gapless, even when several are
/// issued at once), its issue date (today unless set) and due date (the company's payment terms
/// unless set); the billing contacts are emailed; with autopay on, the default method is charged.
#[utoipa::path(post, path = "/api/invoices/{id}/issue", tag = "billing", request_body = VersionBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, body = Issued),
        (status = 409, description = "Changed meanwhile, or not a draft", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn issue(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut invoice) = managed_invoice(ctx, id).await?;
    let body: VersionBody = ctx.json()?;
    let app = ctx.app;
    let company = app
        .store
        .get_company(&invoice.company_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let read = invoice.clone();
    for _ in 0..50 {
        if invoice.status != InvoiceStatus::Draft {
            return Err(not_draft());
        }
        if invoice.version != body.version {
            return Err(ApiError::Conflict);
        }
        let last = app.store.last_invoice_number().await?;
        let now = app.now();
        let issue_date = invoice.issue_date.unwrap_or_else(|| today(now));
        let mut issued = invoice.clone();
        issued.number = Some(last + 1);
        issued.status = InvoiceStatus::Issued;
        issued.issue_date = Some(issue_date);
        issued.due_date =
            Some(invoice.due_date.unwrap_or(
                issue_date + time::Duration::days(i64::from(company.payment_terms_days)),
            ));
        issued.version += 1;
        issued.updated_at = now;
        let audit = principal.audit(
            ctx,
            &principal.company.id,
            AuditAction::InvoiceIssued,
            Some(format!("invoice:{}", invoice.id)),
            format!(
                "Issued {} to {}: {}",
                invoice_label(last + 1),
                invoice.company_name,
                format_money(issued.total, &issued.currency)
            ),
        );
        match app
            .store
            .issue_invoice(&issued, last, invoice.version, &audit)
            .await?
        {
            Saved::Done => {
                let account = app.store.billing_account(&issued.company_id).await?;
                let autopay = if !account.autopay_on() {
                    Autopay::Off
                } else if app.stripe.is_none() {
                    Autopay::NotSetUp
                } else {
                    payments::autopay(ctx, &issued, &account).await
                };
                notify::invoice_issued(app, &company, &issued, autopay == Autopay::Charging).await;
                return json(
                    StatusCode::OK,
                    &Issued {
                        invoice: view(app, issued),
                        autopay,
                    },
                );
            }
            // The number was taken by another issue, or the draft changed: read both again.
            Saved::Stale => {
                invoice = app
                    .store
                    .get_invoice(&read.company_id, &read.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            }
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not take an invoice number after 50 tries"
    )))
}

/// Void an issued invoice that has no payments (MSP admins). It keeps its number and cannot be
/// paid.
#[utoipa::path(post, path = "/api/invoices/{id}/void", tag = "billing", request_body = VersionBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, body = InvoiceView),
        (status = 409, description = "Changed meanwhile, a draft, already void, or partly paid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn void(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut invoice) = managed_invoice(ctx, id).await?;
    let body: VersionBody = ctx.json()?;
    match invoice.status {
        InvoiceStatus::Draft => return Err(not_draft_void()),
        InvoiceStatus::Void => {
            return Err(ApiError::State(
                "/problems/already-void",
                "This invoice is already void".into(),
            ));
        }
        _ if invoice.paid > 0 => {
            return Err(ApiError::State(
                "/problems/has-payments",
                "This invoice has payments; refund or credit them before voiding it".into(),
            ));
        }
        _ => {}
    }
    if invoice.version != body.version {
        return Err(ApiError::Conflict);
    }
    let expected = invoice.version;
    invoice.status = InvoiceStatus::Void;
    invoice.balance = 0;
    invoice.version += 1;
    invoice.updated_at = ctx.app.now();
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::InvoiceVoided,
        Some(format!("invoice:{}", invoice.id)),
        format!("Voided {} of {}", invoice.label(), invoice.company_name),
    );
    match ctx
        .app
        .store
        .save_invoice(&invoice, expected, Some(&audit))
        .await?
    {
        Saved::Done => json(StatusCode::OK, &view(ctx.app, invoice)),
        Saved::Stale => Err(ApiError::Conflict),
    }
}

fn not_draft_void() -> ApiError {
    ApiError::State(
        "/problems/not-issued",
        "A draft is not voided; delete it instead".into(),
    )
}

pub fn not_payable_error(invoice: &Invoice) -> ApiError {
    ApiError::State(
        "/problems/not-payable",
        match invoice.status {
            InvoiceStatus::Void => format!("{} is void and cannot be paid", invoice.label()),
            InvoiceStatus::Paid => format!("{} is already paid", invoice.label()),
            _ => format!("{} cannot be paid", invoice.label()),
        },
    )
}

/// A payment the MSP received by other means.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualPayment {
    /// Minor units; at most the balance.
    pub amount: i64,
    /// `cheque`, `bank_transfer`, `cash` or `other`.
    pub method: String,
    /// Cheque number, transfer reference…
    #[serde(default)]
    pub reference: String,
    /// The invoice version read.
    pub version: u64,
}

/// Record a cheque, bank transfer or cash payment against an invoice (MSP admins).
#[utoipa::path(post, path = "/api/invoices/{id}/payments", tag = "billing", request_body = ManualPayment,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 201, body = Payment),
        (status = 409, description = "Changed meanwhile, or not payable (draft, paid, void)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Amount not between 1 and the balance, or unknown method", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn record_payment(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, invoice) = managed_invoice(ctx, id).await?;
    let body: ManualPayment = ctx.json()?;
    let method = match body.method.as_str() {
        "cheque" => "Cheque",
        "bank_transfer" => "Bank transfer",
        "cash" => "Cash",
        "other" => "Other",
        _ => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "method",
                "One of cheque, bank_transfer, cash, other",
            )]));
        }
    };
    if !payable(&invoice) {
        return Err(not_payable_error(&invoice));
    }
    if body.version != invoice.version {
        return Err(ApiError::Conflict);
    }
    if body.amount <= 0 || body.amount > invoice.balance {
        return Err(ApiError::Validation(vec![FieldError::new(
            "amount",
            format!(
                "Between 0.01 and the balance, {}",
                format_money(invoice.balance, &invoice.currency)
            ),
        )]));
    }
    let reference = body.reference.trim();
    if reference.chars().count() > 100 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "reference",
            "Up to 100 characters",
        )]));
    }
    let now = ctx.app.now();
    let (payment, paid) = Payment::manual(
        &invoice,
        body.amount,
        if reference.is_empty() {
            method.to_owned()
        } else {
            format!("{method} {reference}")
        },
        (&principal.user.id, &principal.user.name),
        now,
    );
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::PaymentRecorded,
        Some(format!("invoice:{}", invoice.id)),
        format!(
            "Recorded {} ({}) against {} of {}",
            format_money(body.amount, &invoice.currency),
            payment.method,
            invoice.label(),
            invoice.company_name
        ),
    );
    if !ctx
        .app
        .store
        .create_payment(&payment, &[(paid, invoice.version)], &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    notify::receipt(ctx.app, &payment).await;
    json(StatusCode::CREATED, &payment)
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
    let s3 = &app.files.client;
    let bucket = app.files.bucket()?;
    let exists = match s3.head_object().bucket(bucket).key(&key).send().await {
        Ok(_) => true,
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => false,
        Err(err) => {
            return Err(ApiError::Internal(
                anyhow::Error::from(err).context("checking for the PDF"),
            ));
        }
    };
    if !exists {
        let client = app
            .store
            .get_company(&invoice.company_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let bytes = crate::pdf::render(&app.branding, &invoice, &client, today(app.now()))
            .map_err(ApiError::Internal)?;
        s3.put_object()
            .bucket(bucket)
            .key(&key)
            .content_type("application/pdf")
            .body(bytes.into())
            .send()
            .await
            .map_err(|e| ApiError::Internal(anyhow::Error::from(e).context("storing the PDF")))?;
    }
    let name = format!("{}.pdf", invoice.label());
    portal::web::files::download_redirect(app, &key, &name, "application/pdf").await
}

/// What a company owes in one currency.
#[derive(Serialize, ToSchema, Default, Debug)]
pub struct Balance {
    pub currency: String,
    pub outstanding: i64,
    pub overdue: i64,
    pub open_invoices: u32,
}

#[derive(Serialize, ToSchema)]
pub struct NextDue {
    pub invoice_id: BillingId,
    pub label: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
    pub balance: i64,
    pub currency: String,
}

/// The account overview of the home page.
#[derive(Serialize, ToSchema)]
pub struct Overview {
    pub balances: Vec<Balance>,
    pub next_due: Option<NextDue>,
    pub online_payment: bool,
    pub autopay: bool,
}

fn balances<'a>(invoices: impl Iterator<Item = &'a Invoice>, today: Date) -> Vec<Balance> {
    let mut out: Vec<Balance> = Vec::new();
    for invoice in invoices {
        let i = match out.iter().position(|b| b.currency == invoice.currency) {
            Some(i) => i,
            None => {
                out.push(Balance {
                    currency: invoice.currency.clone(),
                    ..Balance::default()
                });
                out.len() - 1
            }
        };
        let b = &mut out[i];
        b.outstanding += invoice.balance;
        b.open_invoices += 1;
        if invoice.is_overdue(today) {
            b.overdue += invoice.balance;
        }
    }
    out
}

/// Outstanding balance, overdue amount and the next invoice due, of one company.
#[utoipa::path(get, path = "/api/billing/overview", tag = "billing",
    params(("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses((status = 200, body = Overview), (status = 403, description = "A role that does not see invoices", body = portal::web::error::Problem, content_type = "application/problem+json")))]
pub async fn overview(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let app = ctx.app;
    let open = app
        .store
        .all_invoices(Some(&company), "open", 1_000)
        .await?;
    let today = today(app.now());
    let next_due = open
        .iter()
        .filter(|i| i.balance > 0)
        .min_by_key(|i| i.due_date)
        .map(|i| NextDue {
            invoice_id: i.id.clone(),
            label: i.label(),
            due_date: i.due_date.unwrap_or(today),
            balance: i.balance,
            currency: i.currency.clone(),
        });
    json(
        StatusCode::OK,
        &Overview {
            balances: balances(open.iter(), today),
            next_due,
            online_payment: app.stripe.is_some(),
            autopay: app.store.billing_account(&company).await?.autopay_on(),
        },
    )
}

/// One company's line in the MSP's receivables.
#[derive(Serialize, ToSchema)]
pub struct CompanyBalance {
    pub company_id: CompanyId,
    pub company_name: String,
    #[serde(flatten)]
    pub balance: Balance,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub oldest_due: Option<Date>,
}

#[derive(Serialize, ToSchema)]
pub struct Receivables {
    pub companies: Vec<CompanyBalance>,
    pub overdue_invoices: Vec<InvoiceRow>,
}

/// MSP staff: every company's outstanding and overdue balance, and every overdue invoice.
#[utoipa::path(get, path = "/api/billing/companies", tag = "billing",
    responses((status = 200, body = Receivables), (status = 403, description = "Not MSP billing staff", body = portal::web::error::Problem, content_type = "application/problem+json")))]
pub async fn companies(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ViewInvoices)?;
    principal.require(Capability::AllCompanies)?;
    let app = ctx.app;
    let open = app.store.all_invoices(None, "open", 5_000).await?;
    let today = today(app.now());
    let mut companies: Vec<CompanyBalance> = Vec::new();
    for invoice in &open {
        for balance in balances(std::iter::once(invoice), today) {
            match companies.iter_mut().find(|c| {
                c.company_id == invoice.company_id && c.balance.currency == invoice.currency
            }) {
                Some(c) => {
                    c.balance.outstanding += balance.outstanding;
                    c.balance.overdue += balance.overdue;
                    c.balance.open_invoices += 1;
                    c.oldest_due = c.oldest_due.min(invoice.due_date);
                }
                None => companies.push(CompanyBalance {
                    company_id: invoice.company_id.clone(),
                    company_name: invoice.company_name.clone(),
                    balance,
                    oldest_due: invoice.due_date,
                }),
            }
        }
    }
    companies.sort_by(|a, b| {
        b.balance
            .overdue
            .cmp(&a.balance.overdue)
            .then(a.company_name.cmp(&b.company_name))
    });
    let overdue_invoices = open
        .into_iter()
        .filter(|i| i.is_overdue(today))
        .map(|i| InvoiceRow::from(i, today))
        .collect();
    json(
        StatusCode::OK,
        &Receivables {
            companies,
            overdue_invoices,
        },
    )
}
