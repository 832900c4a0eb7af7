//! Quotes (issue 19; docs/quotes.md once its routes land): what the MSP proposes to a client
//! company — lines one-off or recurring, with the totals of each — and what the client's approvers
//! do with it: approve (a typed name and a consent sentence naming the totals, recorded with the
//! exact revision approved) or decline with a reason. A sent quote that is changed becomes a new
//! revision and the old one is superseded; a quote past its valid-until date has expired. This
//! module holds the records and rules; nothing here names HTTP or DynamoDB.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::domain::account::{Company, User};
use crate::domain::billing::{BillingId, Currency, Line, LineBody, format_money, mul_div_round};
use crate::domain::{CompanyId, Email, UserId, iso_date};

mod body;
mod outcome;
#[cfg(test)]
mod tests;

pub use body::{
    ApproveBody, DeclineBody, MAX_TEXT, MAX_TITLE, QuoteBody, text_schema, title_schema,
};

/// How often a line is charged.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    #[default]
    OneTime,
    Monthly,
    Annually,
}

impl Recurrence {
    /// How a total of this recurrence reads: `$1,200.00 one-off`, `$90.00 a month`.
    fn reads(self, amount: &str) -> String {
        match self {
            Self::OneTime => format!("{amount} one-off"),
            Self::Monthly => format!("{amount} a month"),
            Self::Annually => format!("{amount} a year"),
        }
    }
}

/// A line of a quote: an invoice line and how often it is charged.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct QuoteLine {
    #[serde(flatten)]
    pub line: Line,
    pub recurrence: Recurrence,
}

/// What the MSP sends for a line: an invoice line's fields (`LineBody`'s), written out rather than
/// flattened so the document describes one object a client can send, and how often it is charged.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteLineBody {
    #[schema(schema_with = crate::domain::billing::line_description)]
    pub description: String,
    pub quantity: crate::domain::billing::Quantity,
    /// Minor units (cents); may be negative for a discount line.
    #[schema(minimum = -100_000_000_000_i64, maximum = 100_000_000_000_i64)]
    pub unit_price: i64,
    /// Default: one-off.
    #[serde(default)]
    pub recurrence: Recurrence,
}

impl QuoteLineBody {
    pub fn new(line: LineBody, recurrence: Recurrence) -> Self {
        Self {
            description: line.description,
            quantity: line.quantity,
            unit_price: line.unit_price,
            recurrence,
        }
    }

    /// The invoice line it is (checked and priced as invoice lines are).
    pub fn line(&self) -> LineBody {
        LineBody {
            description: self.description.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
        }
    }
}

/// The totals of the lines of one recurrence.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct QuoteTotal {
    pub recurrence: Recurrence,
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// Being written: clients never see it; it has no number.
    Draft,
    /// Sent to the approvers; waiting for them (unless it has expired: `Quote::expired`).
    Sent,
    Approved,
    Declined,
    /// A later revision replaced it: it can no longer be approved.
    Superseded,
}

/// The tabs of the quote list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteTab {
    /// The MSP's drafts.
    Draft,
    /// Sent and still valid: waiting for the approvers.
    Waiting,
    Approved,
    Declined,
    /// Sent, and past their valid-until date.
    Expired,
}

impl QuoteTab {
    /// The status its quotes have.
    pub fn status(self) -> QuoteStatus {
        match self {
            Self::Draft => QuoteStatus::Draft,
            Self::Waiting | Self::Expired => QuoteStatus::Sent,
            Self::Approved => QuoteStatus::Approved,
            Self::Declined => QuoteStatus::Declined,
        }
    }
}

/// A deposit invoiced when a quote is approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Deposit {
    /// Basis points of the one-off total (5,000 is 50 %).
    Percent(u32),
    /// Minor units.
    Amount(i64),
}

/// What happens when the quote is approved, as the MSP chose when sending it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OnApproval {
    /// Raise a ticket for the work, of this request type.
    pub ticket_request_type: Option<String>,
    /// Create a project from the quote.
    #[serde(default)]
    pub create_project: bool,
    /// Issue a deposit invoice the client can pay at once.
    pub deposit: Option<Deposit>,
}

/// Who approved a quote, and exactly what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Approval {
    /// As the approver typed it.
    pub name: String,
    pub user_id: UserId,
    pub user_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub ip: String,
    /// The revision approved, its totals, and the consent sentence as shown (naming them).
    pub revision: u32,
    pub totals: Vec<QuoteTotal>,
    pub consent: String,
}

/// What an approval set off, as it happened (in the approval's own transaction).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    /// The ticket raised for the work.
    pub ticket: Option<u64>,
    /// The project created from the quote.
    pub project: Option<u64>,
    /// The deposit invoice issued, and its label (`INV-0012`).
    pub deposit_invoice: Option<BillingId>,
    pub deposit_label: Option<String>,
}

/// Who declined a quote, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decline {
    pub reason: String,
    pub user_id: UserId,
    pub user_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// A quote: one revision of it (a revised quote keeps its number; each revision is its own record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub company_name: String,
    /// Taken when first sent, gapless (`Q-0001`); revisions keep it.
    pub number: Option<u64>,
    /// 1 for the first; each revision of a sent quote is one more.
    pub revision: u32,
    pub status: QuoteStatus,
    pub title: String,
    pub introduction: String,
    pub terms: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Basis points (825 = 8.25 %), on every line.
    pub tax_rate_bp: u32,
    pub lines: Vec<QuoteLine>,
    /// One per recurrence the lines have: one-off first, then monthly, then annually.
    pub totals: Vec<QuoteTotal>,
    pub on_approval: OnApproval,
    /// The MSP admin who wrote it (told of the answer).
    pub owner_id: UserId,
    pub owner_name: String,
    #[schema(value_type = String)]
    pub owner_email: Email,
    pub approval: Option<Approval>,
    /// What the approval set off.
    pub outcome: Option<Outcome>,
    pub decline: Option<Decline>,
    /// The ticket an approver raised to ask for an expired quote's renewal (one per revision).
    pub renewal_ticket: Option<u64>,
    /// The revision this one replaced, and the one that replaced it.
    pub replaces: Option<BillingId>,
    pub replaced_by: Option<BillingId>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Of the record (optimistic writes).
    pub version: u64,
}

/// `Q-0007`, or `Q-0007 rev 2` from the second revision on.
pub fn quote_label(number: u64, revision: u32) -> String {
    if revision > 1 {
        format!("Q-{number:04} rev {revision}")
    } else {
        format!("Q-{number:04}")
    }
}

/// Why a quote cannot be approved or declined now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotSent,
    Approved,
    Declined,
    Superseded,
    Expired,
}

impl Refusal {
    /// A stable problem type.
    pub fn problem(self) -> &'static str {
        match self {
            Self::NotSent => "/problems/quote-not-sent",
            Self::Approved => "/problems/quote-approved",
            Self::Declined => "/problems/quote-declined",
            Self::Superseded => "/problems/quote-superseded",
            Self::Expired => "/problems/quote-expired",
        }
    }

    /// What the approver reads.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotSent => "This quote has not been sent to you yet",
            Self::Approved => "This quote is already approved",
            Self::Declined => "This quote was declined; ask us for a new one",
            Self::Superseded => "A newer revision replaced this quote: open the latest one",
            Self::Expired => "This quote has expired; ask us to renew it",
        }
    }
}

impl Quote {
    /// A new, empty draft for `company` by `owner` (an MSP admin), valid until `valid_until`.
    pub fn draft(company: &Company, owner: &User, valid_until: Date, now: OffsetDateTime) -> Self {
        Self {
            id: BillingId::generate(),
            company_id: company.id.clone(),
            company_name: company.name.clone(),
            number: None,
            revision: 1,
            status: QuoteStatus::Draft,
            title: String::new(),
            introduction: String::new(),
            terms: String::new(),
            valid_until,
            currency: company.currency.clone(),
            tax_rate_bp: 0,
            lines: Vec::new(),
            totals: Vec::new(),
            on_approval: OnApproval::default(),
            owner_id: owner.id.clone(),
            owner_name: owner.name.clone(),
            owner_email: owner.email.clone(),
            approval: None,
            outcome: None,
            decline: None,
            renewal_ticket: None,
            replaces: None,
            replaced_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The next revision of this sent quote (a new record, sent, with the same number), as
    /// `owner` writes it; the caller applies the changes and marks this one superseded.
    pub fn next_revision(&self, owner: &User, now: OffsetDateTime) -> Self {
        Self {
            id: BillingId::generate(),
            revision: self.revision + 1,
            status: QuoteStatus::Sent,
            owner_id: owner.id.clone(),
            owner_name: owner.name.clone(),
            owner_email: owner.email.clone(),
            approval: None,
            outcome: None,
            decline: None,
            renewal_ticket: None,
            replaces: Some(self.id.clone()),
            replaced_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
            ..self.clone()
        }
    }

    pub fn label(&self) -> String {
        self.number
            .map_or_else(|| "Draft".into(), |n| quote_label(n, self.revision))
    }

    /// Sent, but past its valid-until date on `today`.
    pub fn expired(&self, today: Date) -> bool {
        self.status == QuoteStatus::Sent && self.valid_until < today
    }

    /// Whether its approvers may approve or decline it on `today`.
    pub fn answerable(&self, today: Date) -> Result<(), Refusal> {
        match self.status {
            QuoteStatus::Draft => Err(Refusal::NotSent),
            QuoteStatus::Approved => Err(Refusal::Approved),
            QuoteStatus::Declined => Err(Refusal::Declined),
            QuoteStatus::Superseded => Err(Refusal::Superseded),
            QuoteStatus::Sent if self.expired(today) => Err(Refusal::Expired),
            QuoteStatus::Sent => Ok(()),
        }
    }

    /// Its totals as a sentence: `$1,299.00 one-off and $89.00 a month` (tax included).
    pub fn totals_text(&self) -> String {
        let parts: Vec<String> = self
            .totals
            .iter()
            .map(|t| t.recurrence.reads(&format_money(t.total, &self.currency)))
            .collect();
        match parts.as_slice() {
            [] => format_money(0, &self.currency),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }

    /// The sentence an approver ticks, naming the quote and its totals exactly.
    pub fn consent(&self) -> String {
        format!(
            "I approve {} for {} on the terms above, on behalf of {}.",
            self.label(),
            self.totals_text(),
            self.company_name
        )
    }

    /// Recompute line amounts and the totals of each recurrence (tax per recurrence).
    pub fn recompute(&mut self) {
        for l in &mut self.lines {
            l.line.amount = l.line.quantity.times(l.line.unit_price);
        }
        let mut kinds: Vec<Recurrence> = self.lines.iter().map(|l| l.recurrence).collect();
        kinds.sort();
        kinds.dedup();
        self.totals = kinds
            .into_iter()
            .map(|recurrence| {
                let subtotal = self
                    .lines
                    .iter()
                    .filter(|l| l.recurrence == recurrence)
                    .fold(0_i64, |sum, l| sum.saturating_add(l.line.amount));
                let tax = mul_div_round(subtotal, i64::from(self.tax_rate_bp), 10_000);
                QuoteTotal {
                    recurrence,
                    subtotal,
                    tax,
                    total: subtotal.saturating_add(tax),
                }
            })
            .collect();
    }

    /// The deposit its approval invoices, in minor units (none: 0): a share of the one-off total,
    /// or an amount (at most that total).
    pub fn deposit(&self) -> i64 {
        let one_off = self
            .totals
            .iter()
            .find(|t| t.recurrence == Recurrence::OneTime)
            .map_or(0, |t| t.total);
        match self.on_approval.deposit {
            None => 0,
            Some(Deposit::Percent(bp)) => mul_div_round(one_off, i64::from(bp), 10_000),
            Some(Deposit::Amount(amount)) => amount.min(one_off),
        }
    }
}
