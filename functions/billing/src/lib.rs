//! Routes of the `billing` function: invoices (MSP staff write them; clients with the invoices
//! capability read and pay them), their PDFs, payments through Stripe Checkout, saved payment
//! methods and autopay, and Stripe's webhook. How it works: docs/billing.md.

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use portal::domain::billing::{BillingId, Invoice};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, CompanyKind};
use portal::web::http::{Ctx, serve};
use portal::web::principal::Principal;
use portal::web::routes::Routes;
use portal::{ApiError, App};

mod agreements;
mod charge;
mod credit;
mod from_time;
mod hours;
mod invoices;
mod issuing;
mod methods;
mod notify;
mod overview;
mod payments;
pub mod pdf;
mod quote_answers;
mod quotes;
mod settle;
pub mod stripe;
mod webhook;

pub use charge::MAX_ATTEMPTS as CHARGE_MAX_ATTEMPTS;
pub use webhook::{SIGNATURE_TOLERANCE_SECS, sign_payload};

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    // Stripe's webhook is authenticated by its signature, not a session, and comes from Stripe,
    // not the portal's origin: it skips the CSRF check (and the rest of `serve`), but not the
    // CloudFront one (Stripe calls the portal's address too).
    if req.method() == Method::POST && req.uri().path() == "/api/payments/webhook" {
        let received = match Ctx::new(app, &req).check_through_cdn() {
            Ok(()) => webhook::receive(app, &req).await,
            Err(refused) => Err(refused),
        };
        return received.unwrap_or_else(ApiError::into_response);
    }
    serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["agreements"]) => agreements::list(ctx).await,
        (&Method::POST, ["agreements"]) => agreements::create(ctx).await,
        (&Method::GET, ["agreements", id]) => agreements::detail(ctx, id).await,
        (&Method::PATCH, ["agreements", id]) => agreements::change(ctx, id).await,
        (&Method::GET, ["agreements", id, "time"]) => agreements::time(ctx, id).await,
        (&Method::POST, ["agreements", id, "purchase"]) => hours::buy(ctx, id).await,
        (&Method::GET, ["invoices"]) => invoices::list(ctx).await,
        (&Method::POST, ["invoices"]) => invoices::create(ctx).await,
        (&Method::GET, ["invoices", "export"]) => invoices::export(ctx).await,
        (&Method::GET, ["invoices", "unbilled"]) => from_time::unbilled(ctx).await,
        (&Method::POST, ["invoices", "from-time"]) => from_time::create(ctx).await,
        (&Method::GET, ["invoices", id]) => invoices::detail(ctx, id).await,
        (&Method::PATCH, ["invoices", id]) => invoices::edit(ctx, id).await,
        (&Method::DELETE, ["invoices", id]) => invoices::delete(ctx, id).await,
        (&Method::POST, ["invoices", id, "issue"]) => issuing::issue(ctx, id).await,
        (&Method::POST, ["invoices", id, "void"]) => issuing::void(ctx, id).await,
        (&Method::POST, ["invoices", id, "payments"]) => issuing::record_payment(ctx, id).await,
        (&Method::GET, ["invoices", id, "pdf"]) => invoices::pdf(ctx, id).await,
        (&Method::POST, ["invoices", id, "credit"]) => credit::apply(ctx, id).await,
        (&Method::GET, ["credit-notes"]) => credit::list(ctx).await,
        (&Method::POST, ["credit-notes"]) => credit::create(ctx).await,
        (&Method::GET, ["credit-notes", number]) => credit::detail(ctx, number).await,
        (&Method::GET, ["credit-notes", number, "pdf"]) => credit::pdf(ctx, number).await,
        (&Method::GET, ["quotes"]) => quotes::list(ctx).await,
        (&Method::POST, ["quotes"]) => quotes::create(ctx).await,
        (&Method::GET, ["quotes", id]) => quotes::detail(ctx, id).await,
        (&Method::PATCH, ["quotes", id]) => quotes::change(ctx, id).await,
        (&Method::DELETE, ["quotes", id]) => quotes::delete(ctx, id).await,
        (&Method::GET, ["quotes", id, "pdf"]) => quotes::pdf(ctx, id).await,
        (&Method::POST, ["quotes", id, "send"]) => quotes::send(ctx, id).await,
        (&Method::POST, ["quotes", id, "approve"]) => quote_answers::approve(ctx, id).await,
        (&Method::POST, ["quotes", id, "decline"]) => quote_answers::decline(ctx, id).await,
        (&Method::POST, ["quotes", id, "renewal"]) => quote_answers::renewal(ctx, id).await,
        (&Method::GET, ["billing", "overview"]) => overview::overview(ctx).await,
        (&Method::GET, ["billing", "companies"]) => overview::companies(ctx).await,
        (&Method::PUT, ["billing", "autopay"]) => methods::autopay(ctx).await,
        (&Method::POST, ["payments", "checkout"]) => payments::checkout(ctx).await,
        (&Method::POST, ["payments", "charge"]) => charge::charge(ctx).await,
        (&Method::GET, ["payments"]) => payments::history(ctx).await,
        (&Method::GET, ["payments", id]) => payments::receipt(ctx, id).await,
        (&Method::GET, ["payment-methods"]) => methods::list(ctx).await,
        (&Method::POST, ["payment-methods", "setup"]) => methods::setup(ctx).await,
        (&Method::PATCH, ["payment-methods", id]) => methods::change(ctx, id).await,
        (&Method::DELETE, ["payment-methods", id]) => methods::remove(ctx, id).await,
        _ => Err(ApiError::NotFound),
    }
}

/// The company a billing request is about: a client's own (naming another answers 404), or for
/// MSP staff the one `?company=` names. Only roles that see invoices get this far.
fn billing_company(ctx: &Ctx<'_>, principal: &Principal) -> Result<CompanyId, ApiError> {
    principal.require(Capability::ViewInvoices)?;
    principal.company_param(ctx.query("company"))
}

/// A client company's own billing users only (MSP staff do not pay for clients).
fn paying_client(principal: &Principal) -> Result<(), ApiError> {
    principal.require(Capability::ViewInvoices)?;
    if principal.company.kind == CompanyKind::Client {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// An invoice the principal may see: clients never see drafts.
async fn visible_invoice(
    ctx: &Ctx<'_>,
    principal: &Principal,
    company: &CompanyId,
    id: &str,
) -> Result<Invoice, ApiError> {
    let id = BillingId::parse(id)?;
    let invoice = ctx
        .app
        .store
        .get_invoice(company, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if invoice.status == portal::domain::billing::InvoiceStatus::Draft
        && !principal.can(Capability::ManageBilling)
    {
        return Err(ApiError::NotFound);
    }
    Ok(invoice)
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    agreements::list,
    agreements::create,
    agreements::detail,
    agreements::change,
    agreements::time,
    hours::buy,
    invoices::list,
    invoices::export,
    invoices::create,
    from_time::unbilled,
    from_time::create,
    invoices::detail,
    invoices::edit,
    invoices::delete,
    issuing::issue,
    issuing::void,
    issuing::record_payment,
    invoices::pdf,
    credit::list,
    credit::create,
    credit::detail,
    credit::pdf,
    credit::apply,
    quotes::list,
    quotes::create,
    quotes::detail,
    quotes::change,
    quotes::delete,
    quotes::pdf,
    quotes::send,
    quote_answers::approve,
    quote_answers::decline,
    quote_answers::renewal,
    overview::overview,
    overview::companies,
    payments::checkout,
    charge::charge,
    payments::history,
    payments::receipt,
    webhook::receive_doc,
    methods::list,
    methods::setup,
    methods::change,
    methods::remove,
    methods::autopay,
))]
pub struct ApiDoc;

/// How many days past its due date an unpaid invoice is reminded of (each step once).
pub const OVERDUE_REMINDER_DAYS: [u32; 4] = [1, 7, 14, 30];

/// Email the billing contacts of every outstanding invoice that reached a step of
/// `OVERDUE_REMINDER_DAYS` past its due date on `today`: the latest step reached, once (a run
/// missed for a few days sends one reminder, not several), unless its company turned overdue
/// reminders off. Run daily with the card reminders; answers how many reminders were sent.
pub async fn overdue_reminders(app: &App, today: time::Date) -> anyhow::Result<usize> {
    let now = app.now();
    let mut companies = std::collections::HashMap::new();
    let mut sent = 0;
    for invoice in app.store.all_invoices(None, "open", usize::MAX).await? {
        let Some(due) = invoice.due_date.filter(|_| invoice.is_overdue(today)) else {
            continue;
        };
        let late = (today - due).whole_days();
        let Some(step) = OVERDUE_REMINDER_DAYS
            .iter()
            .rev()
            .copied()
            .find(|d| i64::from(*d) <= late)
        else {
            continue;
        };
        if !companies.contains_key(&invoice.company_id) {
            let company = app.store.get_company(&invoice.company_id).await?;
            companies.insert(invoice.company_id.clone(), company);
        }
        let company = companies[&invoice.company_id].as_ref();
        let Some(company) = company.filter(|c| c.overdue_reminders) else {
            continue;
        };
        // Marked first, so a failure while mailing never sends twice.
        if app.store.mark_overdue_reminder(&invoice, step, now).await? {
            notify::overdue(app, company, &invoice, late).await;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Email the billing contacts of every company with a saved card that expires at the end of
/// `today`'s month, once per card and month. Run daily (the `billing-reminders` function, on a
/// schedule); answers how many reminders were sent.
pub async fn card_reminders(app: &App, today: time::Date) -> anyhow::Result<usize> {
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let mut sent = 0;
    for mut method in app.store.cards_expiring(&month).await? {
        if method.reminded_for.as_deref() == Some(month.as_str()) {
            continue;
        }
        method.reminded_for = Some(month.clone());
        // Marked first, so a failure while mailing never sends twice.
        if app.store.update_payment_method(&method, None).await? {
            notify::card_expiring(app, &method).await;
            sent += 1;
        }
    }
    Ok(sent)
}
