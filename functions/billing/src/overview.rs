//! What clients and the MSP see at a glance: a company's balance per currency and next due
//! invoice, and the MSP's receivables across companies.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::CompanyId;
use portal::domain::billing::Currency;
use portal::domain::billing::today;
use portal::domain::billing::{BillingId, Invoice, iso_date};
use portal::domain::roles::Capability;
use portal::web::http::{Ctx, json};
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

use crate::billing_company;
use crate::invoices::InvoiceRow;

/// What a company owes in one currency.
#[derive(Serialize, ToSchema, Default, Debug)]
pub struct Balance {
    #[schema(value_type = String)]
    pub currency: Currency,
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
    #[schema(value_type = String)]
    pub currency: Currency,
}

/// The account overview of the home page.
#[derive(Serialize, ToSchema)]
pub struct Overview {
    pub balances: Vec<Balance>,
    /// The invoice due soonest that is not yet overdue.
    pub next_due: Option<NextDue>,
    /// The invoice overdue longest (what "Overdue" is about), if any is.
    pub oldest_overdue: Option<NextDue>,
    pub online_payment: bool,
    pub autopay: bool,
    /// The company's store credit, per currency (none: empty).
    pub credit: Vec<portal::domain::billing::CreditBalance>,
    /// Sent quotes still in date, up to 100: what the home alert counts ("2 quotes waiting for
    /// your approval"; 100 reads "100+").
    #[schema(maximum = 100)]
    pub quotes_waiting: u64,
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

/// Outstanding balance, overdue amount and the next invoice due, and the store credit, of one
/// company.
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
    // Overdue and next due are two things: an invoice past its date is not "next".
    let soonest = |overdue: bool| {
        open.iter()
            .filter(|i| i.balance > 0 && i.is_overdue(today) == overdue)
            .min_by_key(|i| i.due_date)
            .map(|i| NextDue {
                invoice_id: i.id.clone(),
                label: i.label(),
                due_date: i.due_date.unwrap_or(today),
                balance: i.balance,
                currency: i.currency.clone(),
            })
    };
    let (next_due, oldest_overdue) = (soonest(false), soonest(true));
    // Everyone who sees invoices sees quotes (approvers, MSP admins).
    let ((account, credit), quotes_waiting) = tokio::try_join!(
        app.store.account_and_credit(&company),
        app.store.quotes_waiting(&company, today)
    )?;
    json(
        StatusCode::OK,
        &Overview {
            balances: balances(open.iter(), today),
            next_due,
            oldest_overdue,
            online_payment: app.stripe.is_some(),
            autopay: account.autopay_on(),
            credit,
            quotes_waiting,
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
