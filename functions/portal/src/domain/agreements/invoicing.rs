//! Invoicing time (docs/agreements.md, "Invoicing time"): what a draft made from a company's
//! unbilled time holds. Time and materials (and time with no agreement, at a rate the MSP gives)
//! is billed entry by entry, one line per ticket; hours used past a block or a retainer's period
//! are billed as one line per agreement and period, since which entries went over is arbitrary.
//! Time a block, retainer or managed-services fee covers is never billed.

use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

use super::{AgreementBook, AgreementKind, TimeEntry, format_minutes, month_key};
use crate::domain::billing::{
    BilledEntry, BilledOverage, BilledTime, BillingId, Currency, Line, Quantity,
};

/// Most entries one draft bills: they are marked in the draft's transaction, and voiding the
/// invoice gives them back in one transaction beside its tickets (DynamoDB takes 100 items).
pub const MAX_BILLED_ENTRIES: usize = 45;
/// Most tickets one draft bills (an invoice links up to 50).
pub const MAX_BILLED_TICKETS: usize = 50;

/// Minutes past an agreement's hours in one period, to bill, with what they were worked out from
/// (the draft's transaction checks those did not change meanwhile).
#[derive(Clone, Debug, PartialEq)]
pub struct OverageToBill {
    pub agreement_id: BillingId,
    pub period: String,
    pub minutes: i64,
    /// Minutes past the hours that invoices charged before.
    pub billed_before: i64,
    /// Minutes used in the period, and bought on top of the block, as read.
    pub used: i64,
    pub bought: i64,
}

/// What a draft made from time holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeToBill {
    pub lines: Vec<Line>,
    pub tickets: Vec<u64>,
    /// The entries it marks billed.
    pub entries: Vec<TimeEntry>,
    pub overage: Vec<OverageToBill>,
    /// More time was waiting than one draft takes: draft again for the rest.
    pub more: bool,
    /// Billable minutes with no agreement left out for want of a rate.
    pub without_rate_minutes: i64,
}

impl TimeToBill {
    /// What the invoice keeps of it, to give it back if the draft is deleted or voided.
    pub fn billed(&self) -> BilledTime {
        BilledTime {
            entries: self
                .entries
                .iter()
                .map(|e| BilledEntry {
                    ticket_number: e.ticket_number,
                    id: e.id.clone(),
                    date: e.date,
                    minutes: e.minutes,
                })
                .collect(),
            overage: self
                .overage
                .iter()
                .map(|o| BilledOverage {
                    agreement_id: o.agreement_id.clone(),
                    period: o.period.clone(),
                    minutes: o.minutes,
                })
                .collect(),
        }
    }
}

/// One ticket's time at one rate.
struct TicketLine {
    ticket: u64,
    summary: String,
    rate: i64,
    minutes: i64,
}

/// What to bill of `unbilled` (the company's entries waiting, in ticket order) and of `book`'s
/// hours over, in `currency`, for time up to `through`. Entries with no agreement are billed at
/// `rate`, or left out without one.
pub fn time_to_bill(
    book: &AgreementBook,
    unbilled: Vec<TimeEntry>,
    rate: Option<i64>,
    currency: &Currency,
    through: Date,
) -> TimeToBill {
    let mut plan = TimeToBill::default();
    let mut lines: Vec<TicketLine> = Vec::new();
    for entry in unbilled {
        if entry.date > through || !entry.to_invoice() {
            continue;
        }
        let entry_rate = match entry.agreement_id.as_ref().map(|id| book.find(id.as_str())) {
            Some(Some(a))
                if a.kind == AgreementKind::TimeAndMaterials && a.currency == *currency =>
            {
                Some(a.rate)
            }
            // Covered, or in another currency: not billed on this invoice.
            Some(Some(_)) => continue,
            Some(None) | None => rate,
        };
        let Some(entry_rate) = entry_rate else {
            plan.without_rate_minutes += entry.minutes;
            continue;
        };
        let new_ticket = !plan.tickets.contains(&entry.ticket_number);
        if plan.entries.len() == MAX_BILLED_ENTRIES
            || (new_ticket && plan.tickets.len() == MAX_BILLED_TICKETS)
        {
            plan.more = true;
            break;
        }
        if new_ticket {
            plan.tickets.push(entry.ticket_number);
        }
        match lines
            .iter_mut()
            .find(|l| l.ticket == entry.ticket_number && l.rate == entry_rate)
        {
            Some(line) => line.minutes += entry.minutes,
            None => lines.push(TicketLine {
                ticket: entry.ticket_number,
                summary: entry.ticket_summary.clone(),
                rate: entry_rate,
                minutes: entry.minutes,
            }),
        }
        plan.entries.push(entry);
    }
    plan.lines = lines
        .into_iter()
        .map(|l| {
            let name = if l.summary.is_empty() {
                format!("Ticket #{}", l.ticket)
            } else {
                format!("#{} {}", l.ticket, l.summary)
            };
            line(
                format!("{name}: {}", format_minutes(l.minutes)),
                l.minutes,
                l.rate,
            )
        })
        .collect();
    overage(book, currency, through, &mut plan);
    plan
}

/// The hours used past each block's and retainer's hours (periods begun by `through`) that no
/// invoice charged yet, as lines of `plan`.
fn overage(book: &AgreementBook, currency: &Currency, through: Date, plan: &mut TimeToBill) {
    let last_period = month_key(through);
    for a in &book.agreements {
        if !a.kind.hour_based() || a.currency != *currency || a.rate <= 0 {
            continue;
        }
        let usage = book.usage_of(&a.id);
        for (period, used) in &usage.periods {
            let block = a.kind == AgreementKind::Block;
            if !block && *period > last_period {
                continue;
            }
            let included = a.included_minutes + if block { usage.bought } else { 0 };
            let billed_before = usage.over_billed.get(period).copied().unwrap_or(0);
            let over = (used - included).max(0) - billed_before;
            if over <= 0 {
                continue;
            }
            let past = if block {
                "past the block's hours".to_owned()
            } else {
                format!("past the hours included from {}", month_name(period))
            };
            plan.lines.push(line(
                format!("{}: {} {past}", a.name, format_minutes(over)),
                over,
                a.rate,
            ));
            plan.overage.push(OverageToBill {
                agreement_id: a.id.clone(),
                period: period.clone(),
                minutes: over,
                billed_before,
                used: *used,
                bought: usage.bought,
            });
        }
    }
}

fn line(description: String, minutes: i64, rate: i64) -> Line {
    let quantity = Quantity::of_minutes(minutes);
    Line {
        description,
        quantity,
        unit_price: rate,
        amount: quantity.times(rate),
    }
}

/// `2026-11` → `November 2026`.
fn month_name(key: &str) -> String {
    let month = key
        .get(5..7)
        .and_then(|m| m.parse::<u8>().ok())
        .and_then(|m| time::Month::try_from(m).ok());
    match (key.get(..4), month) {
        (Some(year), Some(month)) => format!("{month} {year}"),
        _ => key.to_owned(),
    }
}

/// What a company's unbilled time would make: the lines, and what is left out (for the MSP to
/// see before drafting).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnbilledTime {
    pub lines: Vec<Line>,
    /// Minor units, before tax.
    pub subtotal: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Entries one draft would bill.
    pub entries: usize,
    pub tickets: Vec<u64>,
    /// More time is waiting than one draft takes.
    pub more: bool,
    /// Billable minutes with no agreement that need a rate to be billed.
    pub without_rate_minutes: i64,
}

impl UnbilledTime {
    pub fn of(plan: &TimeToBill, currency: &Currency) -> Self {
        Self {
            lines: plan.lines.clone(),
            subtotal: plan.lines.iter().map(|l| l.amount).sum(),
            currency: currency.clone(),
            entries: plan.entries.len(),
            tickets: plan.tickets.clone(),
            more: plan.more,
            without_rate_minutes: plan.without_rate_minutes,
        }
    }
}

/// What an MSP admin sends to draft an invoice from a company's time (`POST`), or asks to see
/// first (the same fields as query parameters).
#[derive(Clone, Debug, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromTimeBody {
    pub company_id: String,
    /// Rate per hour (minor units) for billable time with no agreement; without it that time
    /// waits.
    #[schema(minimum = 1, maximum = 100_000_000_000_i64)]
    pub rate: Option<i64>,
    /// Bill time up to this day (`YYYY-MM-DD`; default today).
    #[schema(format = Date)]
    pub through: Option<String>,
}

impl FromTimeBody {
    /// The rate and the last day, checked.
    pub fn check(&self, today: Date) -> Result<(Option<i64>, Date), crate::domain::DomainError> {
        let mut errors = Vec::new();
        if self
            .rate
            .is_some_and(|r| !(1..=crate::domain::billing::MAX_AMOUNT).contains(&r))
        {
            errors.push(crate::domain::FieldError::new(
                "rate",
                "A rate is more than zero, in cents",
            ));
        }
        let through = match self.through.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(raw) => crate::domain::validate::date("through", raw, &mut errors),
        };
        crate::domain::validate::done(errors)?;
        Ok((self.rate, through.unwrap_or(today)))
    }
}
