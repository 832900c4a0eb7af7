//! Store credit (docs/billing.md, "Store credit"): credit notes the MSP issues to a company
//! (numbered gaplessly, `CN-0001`, with a PDF), the company's credit balance per currency, and
//! paying an invoice with it. Money Stripe took that no invoice could take becomes credit too.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::*;
use crate::domain::validate::{self, schema};

/// Longest reason on a credit note.
pub const MAX_REASON: usize = 500;
/// How a payment with store credit is named.
pub const STORE_CREDIT: &str = "Store credit";

/// The invoice a credit note is about.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CreditedInvoice {
    pub invoice_id: BillingId,
    /// `INV-0007`.
    pub label: String,
}

/// A credit note: money the MSP owes the company, added to its store credit.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CreditNote {
    /// Gapless across the MSP: 1, 2, 3, … (shown as `CN-0001`).
    pub number: u64,
    pub company_id: CompanyId,
    pub company_name: String,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Minor units, more than zero.
    pub amount: i64,
    pub reason: String,
    /// The invoice it credits, if it is about one.
    pub invoice: Option<CreditedInvoice>,
    pub issued_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    pub version: u64,
}

/// The display form of a credit note number.
pub fn credit_label(number: u64) -> String {
    format!("CN-{number:04}")
}

impl CreditNote {
    pub fn label(&self) -> String {
        credit_label(self.number)
    }
}

/// A company's store credit in one currency.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct CreditBalance {
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Minor units.
    pub amount: i64,
}

/// What an MSP admin sends to issue a credit note.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditNoteBody {
    pub company_id: String,
    /// Minor units (cents), more than zero.
    #[schema(minimum = 1, maximum = 100_000_000_000_i64)]
    pub amount: i64,
    /// Defaults to the company's currency (or the invoice's, when one is named).
    #[schema(schema_with = schema::currency_or_null)]
    pub currency: Option<String>,
    /// Why: printed on the credit note.
    #[schema(schema_with = reason)]
    pub reason: String,
    /// An invoice of the company it is about (issued, not a draft).
    pub invoice_id: Option<String>,
}

fn reason() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_REASON, schema::Chars::NoControls)
}

impl CreditNoteBody {
    /// The currency, amount and reason, checked: `currency` is the default (the invoice's, or the
    /// company's), and a named invoice must be in it.
    pub fn check(&self, default: &Currency) -> Result<(Currency, i64, String), DomainError> {
        let mut errors = Vec::new();
        let currency = validate::currency(self.currency.as_deref(), default, &mut errors);
        if !(1..=MAX_AMOUNT).contains(&self.amount) {
            errors.push(FieldError::new(
                "amount",
                "A credit is more than zero, in cents",
            ));
        }
        let reason = validate::text("reason", &self.reason, MAX_REASON, &mut errors);
        if reason.is_empty() {
            errors.push(FieldError::new("reason", "Say why the company is credited"));
        }
        validate::done(errors)?;
        Ok((
            currency.unwrap_or_else(|| default.clone()),
            self.amount,
            reason,
        ))
    }
}

/// What paying an invoice with store credit takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyCredit {
    /// Minor units: more than zero, at most the invoice's balance and the credit.
    #[schema(minimum = 1)]
    pub amount: i64,
    /// The invoice version read.
    pub version: u64,
}

impl Payment {
    /// Store credit applied by `by` at `at` to `invoice`: the succeeded payment, and the invoice
    /// with it applied.
    pub fn from_credit(
        invoice: &Invoice,
        amount: i64,
        by: (&UserId, &str),
        at: OffsetDateTime,
    ) -> (Self, Invoice) {
        let (mut payment, paid) = Self::manual(invoice, amount, STORE_CREDIT.into(), by, at);
        payment.kind = PaymentKind::Credit;
        (payment, paid)
    }
}
