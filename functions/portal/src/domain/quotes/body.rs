//! What MSP admins and approvers send about quotes, and how it is checked.

use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;

use super::{Deposit, OnApproval, Quote, QuoteLine, QuoteLineBody};
use crate::domain::billing::{Currency, MAX_AMOUNT, MAX_LINES};
use crate::domain::validate::{self, schema};
use crate::domain::{DomainError, FieldError};

/// Longest title, introduction and terms.
pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 5_000;

/// What an MSP admin sends to draft a quote or change one (a sent quote: a new revision).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    #[schema(schema_with = title_schema)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = text_schema)]
    pub introduction: String,
    #[serde(default)]
    #[schema(schema_with = text_schema)]
    pub terms: String,
    /// `YYYY-MM-DD`, not in the past.
    #[schema(format = Date)]
    pub valid_until: String,
    /// Defaults to the company's currency.
    #[schema(schema_with = schema::currency_or_null)]
    pub currency: Option<String>,
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<QuoteLineBody>,
    /// Basis points: 825 is 8.25 %.
    #[serde(default)]
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: u32,
    #[serde(default)]
    pub on_approval: OnApproval,
    /// Required when changing: the version read.
    pub version: Option<u64>,
}

/// The schema of a quote's title.
pub fn title_schema() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_TITLE, schema::Chars::NoControls)
}

/// The schema of a quote's introduction and terms.
pub fn text_schema() -> utoipa::openapi::schema::Object {
    schema::text(false, MAX_TEXT, schema::Chars::Lines)
}

impl QuoteBody {
    /// Check everything against `today` and the request types a ticket may have, and write it
    /// into `quote`, recomputing its totals.
    pub fn apply(
        self,
        quote: &mut Quote,
        default_currency: &Currency,
        today: Date,
        request_types: &[String],
    ) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        let currency = validate::currency(self.currency.as_deref(), default_currency, &mut errors);
        let title = validate::text("title", &self.title, MAX_TITLE, &mut errors);
        if title.is_empty() {
            errors.push(FieldError::new("title", "Give the quote a title"));
        }
        let introduction =
            validate::text("introduction", &self.introduction, MAX_TEXT, &mut errors);
        let terms = validate::text("terms", &self.terms, MAX_TEXT, &mut errors);
        let valid_until = validate::date("valid_until", &self.valid_until, &mut errors);
        if valid_until.is_some_and(|d| d < today) {
            errors.push(FieldError::new(
                "valid_until",
                "A quote is valid until today or later",
            ));
        }
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            errors.push(FieldError::new(
                "lines",
                format!("A quote has 1 to {MAX_LINES} lines"),
            ));
        }
        for (i, l) in self.lines.iter().enumerate() {
            l.line().check(i, &mut errors);
        }
        if self.tax_rate_bp > 10_000 {
            errors.push(FieldError::new(
                "tax_rate_bp",
                "A tax rate is between 0 and 100 %",
            ));
        }
        if let Some(kind) = &self.on_approval.ticket_request_type
            && !request_types.iter().any(|t| t == kind)
        {
            errors.push(FieldError::new(
                "on_approval.ticket_request_type",
                "Choose one of the request types",
            ));
        }
        match self.on_approval.deposit {
            Some(Deposit::Percent(bp)) if !(1..=10_000).contains(&bp) => errors.push(
                FieldError::new("on_approval.deposit", "A deposit is 0.01 % to 100 %"),
            ),
            Some(Deposit::Amount(a)) if !(1..=MAX_AMOUNT).contains(&a) => errors.push(
                FieldError::new("on_approval.deposit", "A deposit is more than zero"),
            ),
            _ => {}
        }
        let mut next = quote.clone();
        if let Some(currency) = currency {
            next.currency = currency;
        }
        next.title = title;
        next.introduction = introduction;
        next.terms = terms;
        next.valid_until = valid_until.unwrap_or(today);
        next.lines = self
            .lines
            .iter()
            .map(|l| QuoteLine {
                line: l.line().line(),
                recurrence: l.recurrence,
            })
            .collect();
        next.tax_rate_bp = self.tax_rate_bp;
        next.on_approval = self.on_approval;
        next.recompute();
        if errors.is_empty()
            && next
                .totals
                .iter()
                .any(|t| t.total <= 0 || t.total > MAX_AMOUNT)
        {
            errors.push(FieldError::new(
                "lines",
                "Each total (one-off, monthly, annual) must be more than zero",
            ));
        }
        if errors.is_empty() && next.on_approval.deposit.is_some() && next.deposit() <= 0 {
            errors.push(FieldError::new(
                "on_approval.deposit",
                "A deposit needs one-off lines to be a share of",
            ));
        }
        validate::done(errors)?;
        *quote = next;
        Ok(())
    }
}

/// What an approver sends to approve.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// Their name, as they type it.
    #[schema(schema_with = title_schema)]
    pub name: String,
    /// The consent sentence was ticked.
    pub consent: bool,
    /// The version read (a revision sent meanwhile is refused).
    pub version: u64,
}

impl ApproveBody {
    /// The typed name, checked.
    pub fn check(&self) -> Result<String, DomainError> {
        let mut errors = Vec::new();
        let name = validate::text("name", &self.name, MAX_TITLE, &mut errors);
        if name.chars().count() < 2 {
            errors.push(FieldError::new("name", "Type your name to sign"));
        }
        if !self.consent {
            errors.push(FieldError::new("consent", "Tick the sentence to approve"));
        }
        validate::done(errors)?;
        Ok(name)
    }
}

/// What an approver sends to decline.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// Why (the MSP reads it).
    #[schema(schema_with = reason)]
    pub reason: String,
    /// The version read.
    pub version: u64,
}

fn reason() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_TEXT, schema::Chars::Lines)
}

impl DeclineBody {
    /// The reason, checked.
    pub fn check(&self) -> Result<String, DomainError> {
        let mut errors = Vec::new();
        let reason = validate::text("reason", &self.reason, MAX_TEXT, &mut errors);
        if reason.is_empty() {
            errors.push(FieldError::new(
                "reason",
                "Tell us why, so we can offer something better",
            ));
        }
        validate::done(errors)?;
        Ok(reason)
    }
}
