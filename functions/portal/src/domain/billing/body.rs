//! What MSP staff send to create or change a draft invoice, and how it is checked.

use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;

use super::*;
use crate::domain::validate::schema;

/// What MSP staff send to create or change a draft.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceBody {
    /// Defaults to the company's currency.
    #[schema(schema_with = schema::currency_or_null)]
    pub currency: Option<String>,
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<LineBody>,
    /// Basis points: 825 is 8.25 %.
    #[serde(default)]
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: u32,
    #[serde(default, deserialize_with = "optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<Date>,
    #[serde(default, deserialize_with = "optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
    /// Ticket numbers the invoice is for.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub tickets: Vec<u64>,
    /// Required when changing a draft: the version read.
    pub version: Option<u64>,
}

/// Longest line description, in characters as sent.
pub const MAX_LINE_DESCRIPTION: usize = 500;

/// The schema of a line's description (invoice and quote lines).
pub fn line_description() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_LINE_DESCRIPTION, schema::Chars::Any)
}

impl LineBody {
    /// Check line `i` (of an invoice or a quote), its errors named `lines[i].…`.
    pub fn check(&self, i: usize, errors: &mut Vec<FieldError>) {
        let description = self.description.trim();
        if description.is_empty() || self.description.chars().count() > MAX_LINE_DESCRIPTION {
            errors.push(FieldError::new(
                &format!("lines[{i}].description"),
                format!("Describe the line (up to {MAX_LINE_DESCRIPTION} characters)"),
            ));
        }
        if self.unit_price.unsigned_abs() > MAX_AMOUNT.unsigned_abs()
            || self.quantity.0 > MAX_QUANTITY
        {
            errors.push(FieldError::new(
                &format!("lines[{i}].unit_price"),
                "That amount is too large",
            ));
        }
    }

    /// The line it makes, its amount worked out.
    pub fn line(&self) -> Line {
        Line {
            description: self.description.trim().to_owned(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            amount: self.quantity.times(self.unit_price),
        }
    }
}

impl InvoiceBody {
    /// Check everything and write it into `invoice` (a draft), recomputing its totals.
    pub fn apply(
        self,
        invoice: &mut Invoice,
        default_currency: &Currency,
    ) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        let currency = crate::domain::validate::currency(
            self.currency.as_deref(),
            default_currency,
            &mut errors,
        );
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            errors.push(FieldError::new(
                "lines",
                format!("An invoice has 1 to {MAX_LINES} lines"),
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.check(i, &mut errors);
        }
        if self.tax_rate_bp > 10_000 {
            errors.push(FieldError::new(
                "tax_rate_bp",
                "A tax rate is between 0 and 100 %",
            ));
        }
        if let (Some(issue), Some(due)) = (self.issue_date, self.due_date)
            && due < issue
        {
            errors.push(FieldError::new(
                "due_date",
                "The due date cannot be before the issue date",
            ));
        }
        if self.notes.chars().count() > 2_000 {
            errors.push(FieldError::new("notes", "Notes are up to 2,000 characters"));
        }
        if self.tickets.len() > 50 {
            errors.push(FieldError::new("tickets", "Link up to 50 tickets"));
        }
        let mut next = invoice.clone();
        if let Some(currency) = currency {
            next.currency = currency;
        }
        next.lines = self.lines.iter().map(LineBody::line).collect();
        next.tax_rate_bp = self.tax_rate_bp;
        next.issue_date = self.issue_date;
        next.due_date = self.due_date;
        next.notes = self.notes.trim().to_owned();
        let mut tickets = self.tickets;
        tickets.sort_unstable();
        tickets.dedup();
        next.tickets = tickets;
        next.recompute();
        if errors.is_empty() && (next.total <= 0 || next.total > MAX_AMOUNT) {
            errors.push(FieldError::new(
                "lines",
                "The invoice total must be more than zero",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        *invoice = next;
        Ok(())
    }
}
